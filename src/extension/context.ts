/**
 * The extension's state in one place (after rust-analyzer's Ctx): settings and their changes, the log, the
 * engine client, the model that is loaded, the map, its panel and its saved snippets, the last error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ContextLensError, isContextLensError, messageOf } from '../engine/errors';
import { checkInputText, maxCharsForTokens } from '../engine/inputCheck';
import type { ModelInfo, ModelSpec } from '../engine/types';
import type { AnalysisSummary } from '../engine/workerProtocol';
import { isFolderSpec } from '../engine/modelSpec';
import { affectsEngine, modelLabel, readConfig, SECTION, type Config } from './config';
import { EngineClient, type EngineProgress } from './engineClient';
import { ms, type Log } from './log';
import { MapState } from './mapState';
import { SnippetStore, type MapPanel } from './panel';
import type { ProgressSink } from './progress';
import { SensesController } from './senses/sensesController';
import { StatusBar } from './statusBar';

export interface LastError {
  code: string;
  message: string;
}

/** The small model shipped with the extension, offered when the Hub cannot be reached. */
export const DEMO_MODEL_DIR = ['assets', 'demo-model'];

export class Ctx implements vscode.Disposable {
  readonly engine: EngineClient;
  readonly status: StatusBar;
  readonly map: MapState;
  /** The map's snippet list as saved for a window reload. */
  readonly snippetStore: SnippetStore;
  /** The word-senses job the panel's Senses tab shows (Explore Word Senses). */
  readonly senses: SensesController;
  /** The Embedding Map panel while one exists (MapPanel sets and clears it). */
  panel: MapPanel | undefined;
  lastError: LastError | undefined;
  /** Error and warning messages shown so far (contextLens._engine: one engine death, one message). */
  messagesShown = 0;
  /** Engine deaths the user was told about (each error object once: see noteEngineFailure). */
  engineDeaths = 0;
  private readonly engineDeathsNoted = new WeakSet<ContextLensError>();
  /** "Use the bundled demo model" for this session, whatever the setting says. */
  private demoOverride = false;
  private loaded: { key: string; info: ModelInfo; label: string } | undefined;
  /** The load in flight; `sinks` are the progress sinks of everyone waiting for it. */
  private loading: { key: string; promise: Promise<ModelInfo>; sinks: Set<ProgressSink> } | undefined;
  /** The last load that failed (not cancelled), so the hover does not retry it on every mouse move. */
  loadFailure: { key: string; message: string } | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly log: Log,
  ) {
    const workerPath = path.join(extension.extensionPath, 'dist', 'engineWorker.js');
    this.engine = new EngineClient(workerPath, (line) => this.log.info(`[engine] ${line}`));
    // A worker that dies is told at once, whether or not a request was waiting on it (the waiting ones note the same error).
    this.engine.onDied = (e) => this.noteEngineFailure(e);
    this.status = new StatusBar();
    this.map = new MapState(readConfig().projection);
    this.snippetStore = new SnippetStore(extension, log);
    this.senses = new SensesController(this);
    this.disposables.push(
      this.senses,
      this.status,
      this.map,
      this.map.onDidChange(() => this.snippetStore.save(this.map.persisted())),
      vscode.workspace.onDidChangeConfiguration((e) => this.onDidChangeConfiguration(e)),
    );
  }

  get config(): Config {
    return readConfig();
  }

  get demoModelPath(): string {
    return path.join(this.extension.extensionPath, ...DEMO_MODEL_DIR);
  }

  /** The model to use now: the demo override, else the setting / CONTEXT_LENS_MODEL / default. */
  get modelName(): string {
    return this.demoOverride ? this.demoModelPath : this.config.model;
  }

  get usingDemoModel(): boolean {
    return this.demoOverride || path.resolve(this.modelName) === path.resolve(this.demoModelPath);
  }

  modelSpec(): ModelSpec {
    const cfg = this.config;
    const model = this.modelName;
    return {
      model,
      dtype: cfg.dtype,
      device: cfg.device,
      cacheDir: this.extension.globalStorageUri.fsPath,
      remoteHost: cfg.hubMirror,
      offline: cfg.offline,
    };
  }

  modelKey(): string {
    return specKey(this.modelSpec());
  }

  /** The loaded model's info, if it matches the current settings. */
  get model(): ModelInfo | undefined {
    return this.loaded?.key === this.modelKey() ? this.loaded.info : undefined;
  }

  get modelDisplayName(): string {
    return this.loaded?.label ?? modelLabel(this.modelName);
  }

  /** Hover may load the model without asking only when it is a local folder. */
  canLoadQuietly(): boolean {
    return isFolderSpec(this.modelName);
  }

  /**
   * Loads the configured model once; concurrent callers share the load. Progress from the worker
   * (downloads, graph edits, session creation) goes to `sink` and the status bar. With
   * `cancelLoadOnAbort` false an abort only stops this caller waiting (the hover: a moving mouse
   * must not cancel the load over and over).
   */
  async ensureModel(signal?: AbortSignal, sink?: ProgressSink, cancelLoadOnAbort = true, attempt = 0): Promise<ModelInfo> {
    const spec = this.modelSpec();
    const key = specKey(spec);
    if (this.loaded?.key === key) return this.loaded.info;
    if (this.loading?.key !== key) {
      if (this.loaded) {
        // The settings changed under a loaded model: a clean worker (restart() drops the old one at once).
        this.log.info('Restarting the analysis engine: model settings changed');
        this.loaded = undefined;
        this.map.forgetAnalyses();
        this.senses.engineLost();
        void this.engine.restart();
      }
      try {
        fs.mkdirSync(spec.cacheDir, { recursive: true });
      } catch (e) {
        this.log.warn(`Cannot create the model cache ${spec.cacheDir}: ${messageOf(e)}`);
      }
      const label = modelLabel(spec.model);
      this.log.info(`Loading model ${spec.model} (dtype ${spec.dtype}, device ${spec.device}${spec.offline ? ', offline' : ''}${spec.remoteHost ? `, mirror ${spec.remoteHost}` : ''})`);
      this.status.set({ kind: 'loading' });
      const t0 = performance.now();
      const sinks = new Set<ProgressSink>();
      const promise = this.engine
        .call('load', { spec }, { signal: cancelLoadOnAbort ? signal : undefined, onProgress: (e) => this.onLoadProgress(e, sinks) })
        .then(
          (info) => {
            this.loaded = { key, info, label };
            this.loadFailure = undefined;
            this.log.info(
              `Model ready: ${info.model} (${info.kind ?? 'masked'}${info.attentionAvailable === false ? ', attention hidden by the export' : ''}, ${info.source}, ${info.dtype}, backend ${info.backend}, ${info.numLayers} layers × ${info.numHeads} heads, hidden ${info.hiddenSize}, vocab ${info.vocabSize}, max ${info.maxTokens} tokens) in ${ms(performance.now() - t0)} (engine load ${ms(info.loadMs)})${info.nativeFailure === undefined ? '' : `; WebAssembly, not the native runtime: ${info.nativeFailure}`}`,
            );
            this.status.set({ kind: 'ready', model: label, backend: info.backend, modelKind: info.kind });
            if (this.map.hiddenLayer === undefined || this.map.hiddenLayer > info.numLayers) this.map.hiddenLayer = info.numLayers;
            this.panel?.postModel();
            return info;
          },
          (e: unknown) => {
            if (isContextLensError(e, 'CANCELLED')) {
              this.log.info('Model load cancelled.');
              this.status.set({ kind: 'idle' });
            } else if (isContextLensError(e, 'ENGINE_STOPPED')) {
              // Not the model's fault: the next request loads it again in a new engine (noteEngineFailure tells the user).
              this.log.warn(`Loading ${spec.model} stopped after ${ms(performance.now() - t0)}: the analysis engine ended.`);
              if (this.engine.isRestart(e)) this.status.set({ kind: 'idle' });
              else this.noteEngineFailure(e);
            } else {
              this.loadFailure = { key, message: messageOf(e) };
              this.log.error(`Loading ${spec.model} failed after ${ms(performance.now() - t0)}: ${messageOf(e)}`);
              this.status.set({ kind: 'error', message: messageOf(e) });
            }
            throw e;
          },
        );
      this.loading = { key, promise, sinks };
      promise.catch(() => undefined).finally(() => {
        if (this.loading?.promise === promise) this.loading = undefined;
      });
    }
    const loading = this.loading!;
    if (sink) loading.sinks.add(sink);
    try {
      return await abortable(loading.promise, signal);
    } catch (e) {
      // Another caller cancelled the load we joined: start our own unless we were cancelled too.
      if (isContextLensError(e, 'CANCELLED') && !signal?.aborted && attempt < 2) {
        if (this.loading?.promise === loading.promise) this.loading = undefined;
        return this.ensureModel(signal, sink, cancelLoadOnAbort, attempt + 1);
      }
      throw e;
    } finally {
      if (sink) loading.sinks.delete(sink);
    }
  }

  private onLoadProgress(e: EngineProgress, sinks: Set<ProgressSink>): void {
    let message: string;
    let percent: number | undefined;
    if (e.phase === 'download') {
      percent = e.fraction !== undefined ? Math.round(e.fraction * 100) : undefined;
      const file = e.file ? path.basename(e.file) : '';
      message = percent !== undefined ? vscode.l10n.t('Downloading {0} {1}%', file, percent) : vscode.l10n.t('Downloading {0}', file);
      this.status.set({ kind: 'downloading', percent });
    } else if (e.phase === 'graph-edit') {
      message = vscode.l10n.t('Preparing the model graph');
      this.status.set({ kind: 'loading' });
    } else {
      message = vscode.l10n.t('Loading the model');
      this.status.set({ kind: 'loading' });
    }
    for (const s of sinks) s.report(message, percent);
  }

  /** Analyzes text with the loaded model (loading it first when needed), without the masked guesses. */
  async analyze(text: string, signal?: AbortSignal, sink?: ProgressSink): Promise<AnalysisSummary> {
    const cfg = this.config;
    const maxChars = maxCharsForTokens(cfg.maxTokens);
    // The engine's own rule (it checks again), run before the model loads: a selection it would refuse never
    // starts a download, and the refusal is worded in the user's language.
    checkSelection(text, maxChars);
    await this.ensureModel(signal, sink);
    this.status.set({ kind: 'analyzing' });
    const t0 = performance.now();
    try {
      // The masked guesses (one forward per token) stream in afterwards: see MaskedGuessStream.
      const summary = await this.engine.call('analyze', { text, topK: cfg.topK, maxTokens: cfg.maxTokens, maxChars, guesses: false }, { signal });
      const timings = Object.entries(summary.timings)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ');
      this.log.info(`Analyzed ${text.length} characters → ${summary.tokens.length} tokens${summary.windowed ? ' (in windows)' : ''} in ${ms(performance.now() - t0)} [${timings}]`);
      return summary;
    } catch (e) {
      this.noteEngineFailure(e);
      throw e;
    } finally {
      this.status.settle();
    }
  }

  /** Ends the worker: the model and every analysis are gone; the map keeps its texts. */
  async restartEngine(reason: string): Promise<void> {
    this.log.info(`Restarting the analysis engine: ${reason}`);
    this.loaded = undefined;
    this.loading = undefined;
    this.loadFailure = undefined;
    this.map.forgetAnalyses();
    this.senses.engineLost();
    await this.engine.restart();
    this.status.set({ kind: 'idle' });
  }

  /**
   * A worker that died took the model and analyses with it. Every call that was waiting on it fails with
   * the same error object, and each caller (Explore, the projection, the guess stream, the hover, …) notes
   * it here: the user is told once per death (one error message, one log line), whoever notes it first.
   */
  noteEngineFailure(e: unknown): void {
    if (!isContextLensError(e, 'ENGINE_STOPPED') || this.engineDeathsNoted.has(e)) return;
    // A restart asked for (a settings change) cleaned up after itself and said why in the log: no death to tell.
    if (this.engine.isRestart(e)) return;
    this.engineDeathsNoted.add(e);
    this.engineDeaths++;
    this.loaded = undefined;
    this.map.forgetAnalyses();
    this.senses.engineLost();
    this.status.set({ kind: 'error', message: messageOf(e) });
    this.showError(e);
  }

  /** Empties the map and releases the analyses in the engine; `refresh` false when the caller fills the map at once. */
  async clearMap(refresh = true): Promise<void> {
    const ids = this.map.clear();
    this.log.info(`Cleared the Embedding Map (${ids.length} analyses released)`);
    if (refresh) this.panel?.refresh();
    if (ids.length) await this.engine.call('release', { analysisIds: ids }).catch((e: unknown) => this.log.warn(`release failed: ${messageOf(e)}`));
  }

  async useDemoModel(): Promise<boolean> {
    if (!fs.existsSync(path.join(this.demoModelPath, 'config.json'))) {
      this.warn('DEMO_MODEL_MISSING', vscode.l10n.t('The bundled demo model is not part of this installation ({0}).', this.demoModelPath));
      return false;
    }
    this.demoOverride = true;
    await this.restartEngine('switching to the bundled demo model');
    this.log.info(`Using the bundled demo model: ${this.demoModelPath}`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Context Lens now uses the bundled demo model ({0}): a tiny BERT with a small vocabulary, for trying the extension without a network. Its guesses are not meaningful. Set contextLens.model to choose a real model.',
        this.demoModelPath,
      ),
    );
    return true;
  }

  /**
   * Ends "Use the bundled demo model": the setting's model is used again. Choose Model calls it when the model
   * picked is the one the setting already names (writing the same value fires no configuration change).
   */
  async useSettingModel(): Promise<void> {
    if (!this.demoOverride) return;
    this.demoOverride = false;
    await this.restartEngine('leaving the bundled demo model');
    this.log.info(`Using the model of the settings again: ${this.modelName}`);
    this.panel?.postModel();
  }

  /** Routes a change of `contextLens.*` settings to what depends on it (the hover follows its own settings). */
  private onDidChangeConfiguration(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration(SECTION)) return;
    if (affectsEngine(e)) {
      this.log.info(`Model settings changed: now ${this.modelName}`);
      void this.onEngineSettingsChanged(e.affectsConfiguration(`${SECTION}.model`));
    }
    if (e.affectsConfiguration(`${SECTION}.projection`)) {
      this.map.method = this.config.projection;
      this.panel?.refresh();
    }
    if (e.affectsConfiguration(`${SECTION}.maskedGuesses`)) this.panel?.maskedGuessesSettingChanged();
    if (e.affectsConfiguration(`${SECTION}.standardizeDimensions`)) {
      this.log.info(`Standardize dimensions: ${this.config.standardizeDimensions ? 'on' : 'off'}`);
      this.panel?.standardizeChanged();
    }
  }

  /** Settings that change the model were edited. */
  private async onEngineSettingsChanged(modelChanged: boolean): Promise<void> {
    // Choosing a model in settings ends "Use the bundled demo model".
    if (modelChanged) this.demoOverride = false;
    if (this.loaded || this.loading) await this.restartEngine('model settings changed');
    this.panel?.postModel();
  }

  /** Shows an error (or a warning for user mistakes) with "Open Log"; records it for tests. */
  reportError(e: unknown, retry?: () => unknown): void {
    if (isContextLensError(e, 'CANCELLED')) {
      this.log.info('Cancelled.');
      return;
    }
    // A dead engine is said once, however many requests it took down with it.
    if (isContextLensError(e, 'ENGINE_STOPPED') && !this.engine.isRestart(e)) {
      this.noteEngineFailure(e);
      return;
    }
    this.showError(e, retry);
  }

  private showError(e: unknown, retry?: () => unknown): void {
    const code = isContextLensError(e) ? e.code : 'INTERNAL';
    const message = messageOf(e);
    this.lastError = { code, message };
    const detail = (e as { detail?: string })?.detail ?? (e instanceof Error && !isContextLensError(e) ? e.stack : undefined);
    this.log.error(`${code}: ${message}${detail ? `\n${detail}` : ''}`);
    const openLog = vscode.l10n.t('Open Log');
    const useDemo = vscode.l10n.t('Use the bundled demo model');
    const actions = [openLog];
    const networkish = code === 'DOWNLOAD_FAILED' || code === 'OFFLINE_NOT_CACHED';
    if (networkish && !isFolderSpec(this.modelName) && fs.existsSync(path.join(this.demoModelPath, 'config.json'))) actions.unshift(useDemo);
    this.messagesShown++;
    const shown = isUserMistake(code)
      ? vscode.window.showWarningMessage(message, ...actions)
      : vscode.window.showErrorMessage(vscode.l10n.t('Context Lens: {0}', message), ...actions);
    void shown.then(async (choice) => {
      if (choice === openLog) this.log.show(true);
      if (choice === useDemo && (await this.useDemoModel()) && retry) await retry();
    });
  }

  /** A plain message (no exception): "Select some text first". */
  warn(code: string, message: string): void {
    this.lastError = { code, message };
    this.messagesShown++;
    this.log.warn(message);
    void vscode.window.showWarningMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.engine.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function isUserMistake(code: string): boolean {
  return code === 'EMPTY_INPUT' || code === 'INPUT_TOO_LARGE' || code === 'BINARY_INPUT';
}

/** checkInputText, its refusals worded for the editor (in the display language, naming the setting). */
function checkSelection(text: string, maxChars: number): void {
  try {
    checkInputText(text, maxChars);
  } catch (e) {
    if (isContextLensError(e, 'INPUT_TOO_LARGE')) {
      throw new ContextLensError(
        e.code,
        vscode.l10n.t(
          'The selection is too long ({0} characters). Context Lens analyzes at most {1} characters at once (see the setting contextLens.maxTokens). Select a shorter passage.',
          text.length,
          maxChars,
        ),
      );
    }
    if (isContextLensError(e, 'BINARY_INPUT')) {
      throw new ContextLensError(e.code, vscode.l10n.t('The selection does not look like text (it contains control characters). Select ordinary text.'));
    }
    throw e;
  }
}

function specKey(spec: ModelSpec): string {
  return JSON.stringify([spec.model, spec.dtype, spec.device, spec.cacheDir, spec.remoteHost ?? '', spec.offline ?? false]);
}

/** Rejects as soon as `signal` aborts (the shared promise may go on for other callers). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new ContextLensError('CANCELLED', 'The request was cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ContextLensError('CANCELLED', 'The request was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
