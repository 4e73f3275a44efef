/**
 * "$(symbol-misc) Context Lens: <state>"; a click shows the log. Ready, it names the model and its kind
 * (masked or causal, issue 13); the tooltip links to Choose Model and Show Log.
 */
import * as vscode from 'vscode';
import type { ModelKind } from '../engine/types';

export type StatusState =
  | { kind: 'idle' }
  | { kind: 'downloading'; percent?: number }
  | { kind: 'loading' }
  | { kind: 'analyzing' }
  | { kind: 'ready'; model: string; backend?: string; modelKind?: ModelKind }
  | { kind: 'error'; message: string };

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: StatusState = { kind: 'idle' };
  private ready: Extract<StatusState, { kind: 'ready' }> | undefined;
  private tooltipText = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('contextLens.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = vscode.l10n.t('Context Lens');
    this.item.command = 'contextLens.showLog';
    this.set({ kind: 'idle' });
    this.item.show();
  }

  get state(): StatusState {
    return this.current;
  }

  /** What the status bar item shows now (the tooltip's text, without its links). */
  get shown(): { text: string; tooltip: string } {
    return { text: this.item.text, tooltip: this.tooltipText };
  }

  set(state: StatusState): void {
    this.current = state;
    if (state.kind === 'ready') this.ready = state;
    // An error (a load that failed, an engine that died) leaves no model loaded: nothing to go back to.
    if (state.kind === 'idle' || state.kind === 'error') this.ready = undefined;
    const prefix = '$(symbol-misc) ';
    let text: string;
    let tooltip: string;
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'idle':
        text = vscode.l10n.t('Context Lens: not loaded');
        tooltip = vscode.l10n.t('The model loads the first time you run Context Lens: Explore Selection. Click to show the log.');
        break;
      case 'downloading':
        text = state.percent === undefined ? vscode.l10n.t('Context Lens: downloading') : vscode.l10n.t('Context Lens: downloading {0}%', state.percent);
        tooltip = vscode.l10n.t('Downloading the model. Click to show the log.');
        break;
      case 'loading':
        text = vscode.l10n.t('Context Lens: loading');
        tooltip = vscode.l10n.t('Loading the model. Click to show the log.');
        break;
      case 'analyzing':
        text = vscode.l10n.t('Context Lens: analyzing');
        tooltip = this.ready ? vscode.l10n.t('Model: {0}. Click to show the log.', this.ready.model) : vscode.l10n.t('Click to show the log.');
        break;
      case 'ready':
        text = vscode.l10n.t('Context Lens: ready ({0})', state.model) + (state.modelKind ? ` · ${shortKind(state.modelKind)}` : '');
        tooltip = state.backend
          ? vscode.l10n.t('Model: {0} (backend {1}). Click to show the log.', state.model, state.backend)
          : vscode.l10n.t('Model: {0}. Click to show the log.', state.model);
        if (state.modelKind) tooltip = `${tooltip}\n${kindSentence(state.modelKind)}`;
        break;
      case 'error':
        text = vscode.l10n.t('Context Lens: error');
        tooltip = `${state.message}\n${vscode.l10n.t('Click to show the log.')}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    this.item.text = prefix + text;
    this.tooltipText = tooltip;
    const md = new vscode.MarkdownString();
    md.appendText(tooltip);
    md.appendMarkdown(`\n\n[${vscode.l10n.t('Choose Model')}](command:contextLens.chooseModel) · [${vscode.l10n.t('Show Log')}](command:contextLens.showLog)`);
    md.isTrusted = { enabledCommands: ['contextLens.chooseModel', 'contextLens.showLog'] };
    this.item.tooltip = md;
  }

  /** Back to "ready" after transient work, if a model is loaded; an error shown meanwhile stays until the next load. */
  settle(): void {
    if (this.current.kind === 'error') return;
    this.set(this.ready ?? { kind: 'idle' });
  }

  /** Whether it says work is under way (loading, downloading, analyzing). */
  get busy(): boolean {
    return this.current.kind === 'loading' || this.current.kind === 'downloading' || this.current.kind === 'analyzing';
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** The kind in a word, for the item's text. */
function shortKind(kind: ModelKind): string {
  return kind === 'causal' ? vscode.l10n.t('causal') : vscode.l10n.t('masked');
}

function kindSentence(kind: ModelKind): string {
  return kind === 'causal'
    ? vscode.l10n.t('A causal model (GPT-2 family): it predicts the next token, reading only leftwards.')
    : vscode.l10n.t('A masked model (BERT family): it fills in a masked token, reading both ways.');
}
