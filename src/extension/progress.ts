/** Where long work (a model load, an analysis) reports progress: a notification, the map's top bar, or nowhere. */
import * as vscode from 'vscode';

export interface ProgressSink {
  report(message: string, percent?: number): void;
}

/** Progress notifications of runWithProgress open now (contextLens._status reports it: none may stay open after a failure). */
let open = 0;

export function openProgressCount(): number {
  return open;
}

/** Runs work under a cancellable notification whose progress comes from the engine; `outer` aborting cancels it too. */
export function runWithProgress<T>(title: string, outer: AbortSignal | undefined, work: (sink: ProgressSink, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    open++;
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const onOuter = () => ac.abort();
    outer?.addEventListener('abort', onOuter, { once: true });
    let shown = 0;
    const sink: ProgressSink = {
      report: (message, percent) => {
        // withProgress increments add up: restart the bar when a new stage begins.
        let increment: number | undefined;
        if (percent !== undefined) {
          increment = percent < shown ? undefined : percent - shown;
          shown = percent;
        }
        progress.report({ message, increment });
      },
    };
    try {
      return await work(sink, ac.signal);
    } finally {
      open--;
      sub.dispose();
      outer?.removeEventListener('abort', onOuter);
    }
  });
}
