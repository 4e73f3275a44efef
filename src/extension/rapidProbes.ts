/**
 * Internal commands (not contributed) for the stress campaign's rapid-use family (issue 14, stress/host/rapid.ts):
 * what Explore / Add did and what the map shows, and the hover driven as VS Code's hover controller drives it
 * (each new position cancels the request before it), which `vscode.executeHoverProvider` cannot do.
 */
import * as vscode from 'vscode';
import type { Ctx } from './context';
import { hoverTurnsOf, provideHover } from './hover';
import type { MapCommandQueue } from './mapCommandQueue';

export interface HoverProbe {
  shown: boolean;
  /** The hover's range as document offsets. */
  range?: [number, number];
  markdown?: string;
}

export function registerRapidProbes(ctx: Ctx, mapCommands: MapCommandQueue): vscode.Disposable[] {
  const hovers = new Map<string, vscode.CancellationTokenSource>();
  const reg = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, f);
  return [
    // How the Explore / Add commands ended, the map's snippets, and what the panel was last sent.
    reg('contextLens._mapCommands', () => ({
      counts: { ...mapCommands.counts },
      snippets: ctx.map.snippets.map((s) => ({ id: s.id, label: s.label, text: s.text, analyzedText: s.analysis?.text, tokens: s.analysis?.tokens.length })),
      panel: ctx.panel?.snapshot(),
    })),
    // The hover at (uri, line, character); `key` names the request for contextLens._cancelHover.
    reg('contextLens._hover', async (uri, line, character, key) => {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(String(uri)));
      const source = new vscode.CancellationTokenSource();
      hovers.set(String(key), source);
      try {
        const hover = await provideHover(ctx, document, new vscode.Position(Number(line), Number(character)), source.token);
        return hoverProbe(document, hover);
      } finally {
        hovers.delete(String(key));
        source.dispose();
      }
    }),
    reg('contextLens._cancelHover', (key) => hovers.get(String(key))?.cancel()),
    // The hover's engine calls: started, skipped (cancelled while waiting for the one before), not ended.
    reg('contextLens._hoverTurns', () => ({ ...hoverTurnsOf(ctx).counts })),
    // Which of `ids` the engine still holds an analysis of (and releases them after, when `release` is true).
    reg('contextLens._heldAnalyses', async (ids, release) => {
      const list = Array.isArray(ids) ? ids.map(String) : [];
      const held: string[] = [];
      for (const analysisId of list) {
        const kept = await ctx.engine.call('words', { analysisId }).then(() => true, () => false);
        if (kept) held.push(analysisId);
      }
      if (release === true && held.length) await ctx.engine.call('release', { analysisIds: held });
      return held;
    }),
    // One forward: the time of one analysis of `text` (no masked guesses), as the engine is now.
    reg('contextLens._forwardMs', async (text) => {
      await ctx.ensureModel();
      const cfg = ctx.config;
      const t0 = performance.now();
      const a = await ctx.engine.call('analyze', { text: String(text), topK: cfg.topK, maxTokens: cfg.maxTokens, guesses: false });
      const ms = performance.now() - t0;
      await ctx.engine.call('release', { analysisIds: [a.analysisId] });
      return ms;
    }),
  ];
}

function hoverProbe(document: vscode.TextDocument, hover: vscode.Hover | undefined): HoverProbe {
  if (!hover) return { shown: false };
  const markdown = hover.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
  const range: [number, number] | undefined = hover.range && [document.offsetAt(hover.range.start), document.offsetAt(hover.range.end)];
  return { shown: true, markdown, ...(range ? { range } : {}) };
}
