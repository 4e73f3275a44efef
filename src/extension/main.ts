/**
 * Context Lens: thin activation. Everything heavy (transformers.js, onnxruntime) lives in the
 * engine worker (dist/engineWorker.js), started on first use, never here.
 */
import * as vscode from 'vscode';
import { affectsEngine, readConfig, SECTION } from './config';
import { Ctx } from './context';
import { registerCommands } from './commands';
import { HoverRegistration } from './hover';
import { createLog, ms } from './log';
import { MapPanel, registerSerializer } from './panel';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const log = createLog();
  context.subscriptions.push(log);
  ctx = new Ctx(context, log);
  const c = ctx;
  const hover = new HoverRegistration(c);
  context.subscriptions.push(
    c,
    hover,
    ...registerCommands(c),
    registerSerializer(c),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (affectsEngine(e)) {
        log.info(`Model settings changed: now ${c.modelName}`);
        void c.onEngineSettingsChanged(e.affectsConfiguration(`${SECTION}.model`));
      }
      if (e.affectsConfiguration(`${SECTION}.hover`)) hover.update();
      if (e.affectsConfiguration(`${SECTION}.projection`)) {
        c.map.method = readConfig().projection;
        (c.panel as MapPanel | undefined)?.refresh();
      }
      if (e.affectsConfiguration(`${SECTION}.maskedGuesses`)) (c.panel as MapPanel | undefined)?.maskedGuessesSettingChanged();
    }),
  );
  const cfg = readConfig();
  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  log.info(
    `Context Lens ${version} activated in ${ms(performance.now() - t0)} (model ${cfg.model} from ${cfg.modelOrigin}, dtype ${cfg.dtype}, device ${cfg.device}; VS Code ${vscode.version}, ${vscode.env.language})`,
  );
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
