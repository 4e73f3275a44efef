export { groupWords, wordSegmenter } from './segment';
export { modelLanguage } from './language';
export { meanRows, poolAttention, wordGroupsInWindow, wordKey } from './pool';
export { linksBetweenSameKeys, type RowLink } from './links';
export type { Word, WordRowRef, WordsResult } from './types';
