/** "$(symbol-misc) Context Lens: <state>"; a click shows the log. */
import * as vscode from 'vscode';

export type StatusState =
  | { kind: 'idle' }
  | { kind: 'downloading'; percent?: number }
  | { kind: 'loading' }
  | { kind: 'analyzing' }
  | { kind: 'ready'; model: string; backend?: string }
  | { kind: 'error'; message: string };

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: StatusState = { kind: 'idle' };
  private ready: Extract<StatusState, { kind: 'ready' }> | undefined;

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

  /** What the status bar item shows now. */
  get shown(): { text: string; tooltip: string } {
    return { text: this.item.text, tooltip: String(this.item.tooltip ?? '') };
  }

  set(state: StatusState): void {
    this.current = state;
    if (state.kind === 'ready') this.ready = state;
    if (state.kind === 'idle') this.ready = undefined;
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
        text = vscode.l10n.t('Context Lens: ready ({0})', state.model);
        tooltip = state.backend
          ? vscode.l10n.t('Model: {0} (backend {1}). Click to show the log.', state.model, state.backend)
          : vscode.l10n.t('Model: {0}. Click to show the log.', state.model);
        break;
      case 'error':
        text = vscode.l10n.t('Context Lens: error');
        tooltip = `${state.message}\n${vscode.l10n.t('Click to show the log.')}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    this.item.text = prefix + text;
    this.item.tooltip = tooltip;
  }

  /** Back to "ready" after transient work, if a model is loaded. */
  settle(): void {
    this.set(this.ready ?? { kind: 'idle' });
  }

  dispose(): void {
    this.item.dispose();
  }
}
