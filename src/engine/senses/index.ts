/** Word senses (issue 10): search, contexts, the job's forwards, and the result built with the senses math. */
export { buildContexts, DEFAULT_CONTEXT_TOKENS, type PlannedContext } from './contexts';
export { forwardRows, nextBatchForwards, runNextBatch, type SensesJob } from './job';
export { planJob } from './plan';
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_OCCURRENCES, searchSources } from './search';
export { buildResult, layerMatrix } from './summary';
