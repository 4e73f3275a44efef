/** Compare Models (issue 13): aligning two models' tokens and their guesses. Pure: the CLI and the host share it. */
export * from './types';
export { alignTokenRanges, type AlignedSpan, type TokenRange } from './align';
export { DEFAULT_COMPARE_TOP_K, compareRows, layerAtDepth, modelSummary, tokenPrediction, type CompareInput, type TokenPrediction } from './rows';
export { compareCsv, compareJson } from './exports';
