/** The snippets the Embedding Map holds, where they came from, and their analyses in the engine. */
import * as vscode from 'vscode';
import type { AnalysisSummary } from '../engine/workerProtocol';
import type { ProjectionMethod, SnippetView, TokenView, WebviewPersistedState } from '../protocol';
import { causalTokenFields } from './panel/causalTokens';

export interface MapSnippet {
  id: string;
  /** Document the text was taken from (a string so it survives persistence). */
  uri: string;
  label: string;
  text: string;
  /** Offset of `text` in the document when it was taken. */
  startOffset: number;
  /** Undefined until analyzed, and again after the engine restarts (model change). */
  analysis?: AnalysisSummary;
}

/** A snippet the engine holds an analysis of. */
export type AnalyzedSnippet = MapSnippet & { analysis: AnalysisSummary };

export type PersistedSnippet = WebviewPersistedState['snippets'][number];

let counter = 0;
function newId(): string {
  counter += 1;
  return `s${Date.now().toString(36)}${counter}`;
}

export class MapState {
  private list: MapSnippet[] = [];
  /** The map's layer (0 = embeddings … numLayers); undefined until a model tells how many. */
  hiddenLayer: number | undefined;
  method: ProjectionMethod;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(method: ProjectionMethod) {
    this.method = method;
  }

  get snippets(): readonly MapSnippet[] {
    return this.list;
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  add(s: Omit<MapSnippet, 'id'>): MapSnippet {
    const snippet = { ...s, id: newId() };
    this.list.push(snippet);
    this.changed.fire();
    return snippet;
  }

  /** Removes everything; returns the analysis ids to release in the engine. */
  clear(): string[] {
    const ids = this.analysisIds();
    this.list = [];
    this.changed.fire();
    return ids;
  }

  remove(id: string): string[] {
    const s = this.get(id);
    this.list = this.list.filter((x) => x.id !== id);
    this.changed.fire();
    return s?.analysis ? [s.analysis.analysisId] : [];
  }

  get(id: string): MapSnippet | undefined {
    return this.list.find((s) => s.id === id);
  }

  byAnalysisId(analysisId: string): MapSnippet | undefined {
    return this.list.find((s) => s.analysis?.analysisId === analysisId);
  }

  analysisIds(): string[] {
    return this.list.flatMap((s) => (s.analysis ? [s.analysis.analysisId] : []));
  }

  /** Snippets whose analysis is missing (new model, restored panel). */
  stale(): MapSnippet[] {
    return this.list.filter((s) => !s.analysis);
  }

  /** The engine forgot every analysis (restart): keep the texts, drop the analyses. */
  forgetAnalyses(): void {
    for (const s of this.list) s.analysis = undefined;
  }

  views(): SnippetView[] {
    return this.list.flatMap((s) => (s.analysis ? [snippetView(s, s.analysis)] : []));
  }

  persisted(): PersistedSnippet[] {
    return this.list.map(({ uri, label, text, startOffset }) => ({ uri, label, text, startOffset }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function snippetView(s: MapSnippet, a: AnalysisSummary): SnippetView {
  const tokens: TokenView[] = a.tokens.map((t) => ({
    index: t.index,
    piece: t.piece,
    surface: a.text.slice(t.start, t.end),
    start: t.start,
    end: t.end,
    special: t.special,
    guesses: (a.guesses[t.index] ?? []).map((g) => ({ token: g.token, probability: g.probability })),
    guessesPending: !t.special && !a.guesses[t.index]?.length,
    // A causal model's guesses come from the analysis's one forward (issue 13).
    ...causalTokenFields(a, t.index),
  }));
  return { id: s.id, label: s.label, text: a.text, tokens, windowed: a.windowed, uri: s.uri, startOffset: s.startOffset };
}
