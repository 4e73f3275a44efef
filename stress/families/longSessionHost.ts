/**
 * What the extension host does on Explore Selection, outside VS Code, with the shipping parts that need no
 * `vscode` at run time: the EngineClient on dist/engineWorker.js, the MaskedGuessStream the panel runs, and
 * the SnippetStore that saves the map's list for a window reload. The order of the calls is that of
 * src/extension/commands.ts `analyzeInto` (mode 'explore') and the panel's refresh:
 *   1. analyze the selection (Ctx.analyze: topK, maxTokens, maxChars, no guesses);
 *   2. clear the map (Ctx.clearMap(false)): the snippet store saves the empty list, the engine releases the
 *      analyses the map held;
 *   3. add the snippet: the snippet store saves the new list;
 *   4. the panel's refresh: project every snippet at the last layer with the configured method (MapProjection),
 *      then start the masked-guess stream (contextLens.maskedGuesses 'all', the default), here awaited to the
 *      end so that every Explore does the same work.
 */
import { maxCharsForTokens } from '../../src/engine/inputCheck';
import type { AnalysisSummary } from '../../src/engine/workerProtocol';
import type { ModelInfo } from '../../src/engine/types';
import type { EngineClient } from '../../src/extension/engineClient';
import { MaskedGuessStream, type GuessStreamContext } from '../../src/extension/guessStream';
import type { MapSnippet, PersistedSnippet } from '../../src/extension/mapState';
import { SnippetStore, type SnippetStoreContext } from '../../src/extension/panel/snippetStore';
import type { HostToWebview } from '../../src/protocol';

/** The extension's defaults (src/extension/config.ts). */
const SETTINGS = { topK: 5, maxTokens: 512, projection: 'umap', maskedGuesses: 'all' } as const;

export class ExploreHost {
  private snippets: MapSnippet[] = [];
  private nextSnippet = 1;
  private readonly stream: MaskedGuessStream;
  readonly store: SnippetStore;
  /** What the host wrote to workspaceState (the snippet store's second copy). */
  readonly workspaceState = new Map<string, unknown>();
  private streamDone: ((error?: Error) => void) | undefined;
  /** Guesses the stream posted (tokens). */
  guessesPosted = 0;

  constructor(
    private readonly client: EngineClient,
    private readonly info: ModelInfo,
    storageDir: string,
  ) {
    const fileUri = { scheme: 'file', fsPath: storageDir };
    const state = this.workspaceState;
    const extension = {
      storageUri: fileUri,
      globalStorageUri: fileUri,
      workspaceState: { get: (k: string) => state.get(k), update: (k: string, v: unknown) => Promise.resolve(void state.set(k, v)), keys: () => [...state.keys()] },
    } as unknown as SnippetStoreContext;
    this.store = new SnippetStore(extension, { warn: (line: string) => this.streamDone?.(new Error(`snippet store: ${line}`)) });
    const ctx = {
      map: { snippets: this.snippets, get: (id: string) => this.snippets.find((s) => s.id === id) },
      engine: client,
      config: { topK: SETTINGS.topK, maskedGuesses: SETTINGS.maskedGuesses },
      model: info,
      log: { info: () => undefined, warn: (line: string) => this.streamDone?.(new Error(`guess stream: ${line}`)) },
      noteEngineFailure: () => undefined,
    };
    // The stream reads `map.snippets` on every batch: a getter, as MapState's, so it sees the list replaced.
    Object.defineProperty(ctx.map, 'snippets', { get: () => this.snippets });
    this.stream = new MaskedGuessStream(ctx as unknown as GuessStreamContext, (m) => this.onPost(m));
  }

  /**
   * How many tokens the guess stream remembers as asked (its private `asked`, read for the memory curve: a
   * Set of `analysisId:tokenIndex` keys, or per analysis a Set of token indices).
   */
  get streamRemembers(): number {
    const asked = (this.stream as unknown as { asked: Set<string> | Map<unknown, Set<number>> }).asked;
    return asked instanceof Map ? [...asked.values()].reduce((n, s) => n + s.size, 0) : asked.size;
  }

  async explore(text: string): Promise<AnalysisSummary> {
    const maxChars = maxCharsForTokens(SETTINGS.maxTokens);
    const analysis = await this.client.call('analyze', { text, topK: SETTINGS.topK, maxTokens: SETTINGS.maxTokens, maxChars, guesses: false });
    const released = this.snippets.flatMap((s) => (s.analysis ? [s.analysis.analysisId] : []));
    this.snippets = [];
    this.store.save([]);
    if (released.length) await this.client.call('release', { analysisIds: released });
    this.snippets = [{ id: `s${this.nextSnippet++}`, uri: 'untitled:/long-session', label: 'long-session:1', text, startOffset: 0, analysis }];
    this.store.save(this.persisted());
    await this.client.call('project', { analysisIds: [analysis.analysisId], hiddenLayer: this.info.numLayers, method: SETTINGS.projection, standardize: false });
    await this.streamGuesses();
    return analysis;
  }

  persisted(): PersistedSnippet[] {
    return this.snippets.map(({ uri, label, text, startOffset }) => ({ uri, label, text, startOffset }));
  }

  private streamGuesses(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.streamDone = (error) => {
        this.streamDone = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.stream.start();
    });
  }

  private onPost(m: HostToWebview): void {
    if (m.type === 'guesses') this.guessesPosted += m.tokens.length;
    // The stream reports total 0 once no token is pending (and at once when none was: a causal model's).
    if (m.type === 'guessProgress' && m.total === 0) this.streamDone?.();
  }

  dispose(): void {
    this.stream.dispose();
  }
}
