/** Words: the analysis's pieces grouped by `Intl.Segmenter` (issue 12). Shapes shared by the engine, the CLI and the host. */

export interface Word {
  /** The text the word's pieces cover: `text.slice(start, end)` of the analysis (a special token: its piece). */
  text: string;
  /** [start, end) in UTF-16 code units: the first piece's start … the last piece's end (special tokens: start === end). */
  start: number;
  end: number;
  /** Indices in `Analysis.tokens`, in order, consecutive. */
  tokenIndices: number[];
  /** A token the tokenizer added ([CLS], [SEP]): always a word of its own. */
  special: boolean;
}

export interface WordsResult {
  /** The language the segmenter was given (undefined: the runtime's default locale). */
  language: string | undefined;
  words: Word[];
}

/** One row of the map in word mode: which word, its first piece, and what links it (null: a special token, linked to nothing). */
export interface WordRowRef {
  analysisId: string;
  tokenIndex: number;
  wordIndex: number;
  key: string | null;
}
