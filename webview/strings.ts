/**
 * Every UI string of the Embedding Map, English defaults. The host's `init.strings` may override any
 * key (it sends Simplified Chinese when VS Code's display language is zh-cn). `{name}` placeholders
 * are filled by `t(key, { name })`.
 */
export const EN = {
  appTitle: 'Embedding Map',
  modelLabel: 'Model',
  'modelState.idle': 'idle',
  'modelState.downloading': 'downloading…',
  'modelState.loading': 'loading…',
  'modelState.ready': 'ready',
  'modelState.error': 'error',
  noModel: 'no model yet',
  layer: 'Layer',
  layerValue: '{layer} / {max}',
  layerEmbeddings: 'embeddings',
  layerHint: '0 = input embeddings, {max} = last layer',
  projection: 'Projection',
  'projection.umap': 'UMAP',
  'projection.pca': 'PCA',
  hideSpecial: 'Hide [CLS]/[SEP]',
  exportPng: 'PNG',
  exportSvg: 'SVG',
  exportJson: 'JSON',
  exportProjector: 'Projector TSV',
  exportPngTitle: 'Save the map as a PNG image',
  exportSvgTitle: 'Save the map as an SVG image',
  exportJsonTitle: "Export the analysis as JSON: tokens and their guesses, each layer's vectors (snippets of up to 256 tokens) and the current map's 2-D coordinates",
  exportProjectorTitle: 'Export vectors + metadata TSV for the TensorFlow Embedding Projector',
  clear: 'Clear',
  clearTitle: 'Remove all snippets from the map',
  dismiss: 'Dismiss',
  errorPrefix: 'Error',
  'tab.map': 'Map',
  'tab.tokens': 'Tokens',
  'tab.attention': 'Attention',
  emptyTitle: 'Nothing to show yet',
  emptyStep1: 'Select some text in an editor (two sentences that use the same word differently work best).',
  emptyStep2: 'Run “Context Lens: Explore Selection” from the Command Palette or the editor context menu.',
  emptyStep3: 'Add more selections to compare the same token in different contexts.',
  emptyExample: 'Try: 我用苹果手机。我爱吃苹果。 — or “the bank of the river” vs “money in the bank”.',
  linksTitle: 'Same token, different context',
  linksHint: 'Most different first. Cosine similarity at layer {layer}.',
  linksNone: 'No token appears in two contexts yet. Add a second snippet that reuses a word.',
  cosine: 'cos',
  revealTitle: 'Show this token in its file',
  mapAria: 'Token map: each point is one token of a snippet, coloured by snippet',
  mapHoverGuesses: 'BERT guesses when masked:',
  noGuesses: 'no guesses',
  mapLayerTitle: 'Layer {layer} · {method}',
  mapLayerTitleEmb: 'Layer 0 (embeddings) · {method}',
  tokensHint: 'Hover or focus a token to see what BERT guesses when it is masked. Click or press Enter to select tokens for the Attention tab.',
  guessesFor: 'Masked guesses for “{token}”',
  guessesNone: 'Special tokens have no guesses.',
  guessesPending: 'Computing what BERT guesses when this token is masked…',
  guessProgress: 'Masked guesses: {done} / {total} tokens',
  guessProgressTitle: 'Each guess masks one token and runs the whole model again; the map is ready meanwhile.',
  selectedCount: '{n} selected',
  clearSelection: 'Clear selection',
  windowed: 'long text: analyzed in windows',
  snippet: 'Snippet',
  head: 'Head',
  allHeads: 'All heads (mean)',
  headN: 'Head {n}',
  layerN: 'Layer {n}',
  headView: 'Head view',
  headViewHint: 'Lines from each token (left) to the tokens it attends to (right); thicker = more attention.',
  headViewSelected: 'Showing the {n} selected token(s) (rows summed). Select tokens in the Tokens tab.',
  heatmap: 'Attention matrix',
  heatmapFrom: 'from',
  heatmapTo: 'to',
  grid: 'All layers × heads',
  gridHint: 'Click a cell to show that layer and head.',
  gridCell: 'Layer {layer}, head {head}',
  loading: 'Loading…',
  noSnippetSelected: 'Pick a snippet.',
  noAttention: 'No attention data yet.',
  // Predictions (issue 11): guess mode, per-layer guesses, masked span.
  guessMode: 'Guesses',
  'guessMode.masked': 'Masked (one forward per token)',
  'guessMode.unmasked': 'Unmasked (one forward)',
  guessModeHint:
    'Two different quantities. Masked: what BERT guesses for a token it cannot see. Unmasked: what it reconstructs at a position it can see (exBERT’s view), from the one forward of the analysis, so instant for long texts.',
  unmaskedFor: 'Unmasked predictions for “{token}”',
  unmaskedPending: 'Computing the unmasked predictions (one forward)…',
  layerGuessesTitle: 'Guesses at every layer',
  layerGuessesHint: 'The masked-LM head applied to this masked token at each hidden layer (0 = embeddings). Marked: the last layer’s top guess.',
  layerGuessesPending: 'Computing the guesses at every layer…',
  layerGuessesNone: 'No per-layer guesses for this token.',
  layerColumn: 'Layer',
  rankColumn: 'Rank of “{token}”',
  sparklineLabel: 'Probability of “{token}” at layers 0 to {last}: first on top at layer {first}, {p} at the last layer.',
  sparklinePoint: 'Layer {layer}: {p}, rank {rank}',
  finalSummary: '“{token}” — first at layer {first}, {p} at the last layer',
  spanTitle: 'Masked span “{span}”',
  spanHint: 'Every token of the span masked at once. Fills: the most confident position is filled first, the rest guessed again (beam of 5); score = the product of those probabilities.',
  spanPositions: 'Each position, all masked together',
  spanFills: 'Joint fills',
  spanScore: 'Score',
  spanClose: 'Close',
  spanCloseTitle: 'Hide the masked span’s guesses',
} as const;

export type StringKey = keyof typeof EN;

let overrides: Record<string, string> = {};

/** Replace the overrides (from `init.strings`). Non-string values are ignored. */
export function setStrings(strings: Record<string, unknown> | undefined): void {
  overrides = {};
  if (!strings || typeof strings !== 'object') return;
  for (const [k, v] of Object.entries(strings)) if (typeof v === 'string') overrides[k] = v;
}

/** Look up a UI string and fill `{name}` placeholders. */
export function t(key: StringKey, vars?: Record<string, string | number>): string {
  const template = overrides[key] ?? EN[key] ?? key;
  return fill(template, vars);
}

export function fill(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
