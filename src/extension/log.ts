/** The "Context Lens" output channel: model loads, timings and errors. */
import * as vscode from 'vscode';

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('Context Lens', { log: true });
}

/** A duration in milliseconds, for log lines. */
export function ms(t: number): string {
  return `${Math.round(t)} ms`;
}
