/**
 * Context Lens: thin activation. Everything heavy (transformers.js, onnxruntime) lives in the
 * engine worker (dist/engineWorker.js), started on first use, never here.
 */
import * as vscode from 'vscode';
import { readConfig } from './config';
import { Ctx } from './context';
import { registerCommands } from './commands';
import { HoverRegistration } from './hover';
import { createLog, ms } from './log';
import { registerMapPanelSerializer } from './panel';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const log = createLog();
  context.subscriptions.push(log);
  ctx = new Ctx(context, log);
  context.subscriptions.push(ctx, new HoverRegistration(ctx), ...registerCommands(ctx), registerMapPanelSerializer(ctx));
  const cfg = readConfig();
  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  log.info(
    `Context Lens ${version} activated in ${ms(performance.now() - t0)} (model ${cfg.model} from ${cfg.modelOrigin}, dtype ${cfg.dtype}, device ${cfg.device}; VS Code ${vscode.version}, ${vscode.env.language})`,
  );
}

/** Waits for the map's snippet list to reach the disk, so that the next window finds it. */
export async function deactivate(): Promise<void> {
  const c = ctx;
  ctx = undefined;
  c?.dispose();
  await c?.snippetStore.flushed();
}
