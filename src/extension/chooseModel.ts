/**
 * Context Lens: Choose Model (issue 13): a quick pick of the suggested models (modelChoices.ts) with their
 * kind, size and languages, plus any Hub id or a local folder. A Hub id or folder is written to
 * contextLens.model (config.ts updateModelSetting), which restarts the engine on the new model; the bundled
 * demo model is chosen as Use the bundled demo model does (for this session, never written: its path moves
 * with every extension update).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isFolderSpec } from '../engine/modelSpec';
import type { ModelKind } from '../engine/types';
import { modelLabel, updateModelSetting } from './config';
import type { Ctx } from './context';
import { cachedConfigPath, downloadMb, formatMb, MODEL_CHOICES, type ModelChoice } from './modelChoices';

type ModelPickItem = (vscode.QuickPickItem & { action: 'model'; choice: ModelChoice }) | (vscode.QuickPickItem & { action: 'hubId' | 'folder' });

/** A Hub id: `name` or `owner/name`, the characters the Hub allows. */
const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

export function kindLabel(kind: ModelKind): string {
  return kind === 'causal' ? vscode.l10n.t('causal: predicts the next token') : vscode.l10n.t('masked: fills in a masked token');
}

export async function chooseModel(ctx: Ctx): Promise<void> {
  const cfg = ctx.config;
  const current = ctx.usingDemoModel ? 'demo' : cfg.model;
  const items: (ModelPickItem | vscode.QuickPickItem)[] = [{ label: vscode.l10n.t('Suggested models'), kind: vscode.QuickPickItemKind.Separator }];
  for (const choice of MODEL_CHOICES) items.push(choiceItem(ctx, choice, current, cfg.dtype));
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: `$(edit) ${vscode.l10n.t('Enter a Hub id…')}`, detail: vscode.l10n.t('Any model in the transformers.js layout (config.json, tokenizer, onnx/): a BERT-like masked model or a GPT-2.'), action: 'hubId' },
    { label: `$(folder-opened) ${vscode.l10n.t('Choose a local folder…')}`, detail: vscode.l10n.t('A folder in the Hub layout on this computer: nothing is downloaded.'), action: 'folder' },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Context Lens: Choose Model (now {0})', modelLabel(ctx.modelName)),
    placeHolder: vscode.l10n.t('Masked (BERT): guesses a hidden token from both sides. Causal (GPT-2): predicts the next token.'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked || !('action' in picked)) return;
  if (picked.action === 'model') return picked.choice.demo ? void (await ctx.useDemoModel()) : useModel(ctx, picked.choice.id, picked.choice.kind);
  if (picked.action === 'hubId') {
    const id = await vscode.window.showInputBox({
      title: vscode.l10n.t('Context Lens: Choose Model'),
      prompt: vscode.l10n.t('A Hugging Face Hub id, for example Xenova/gpt2'),
      value: isFolderSpec(cfg.model) ? '' : cfg.model,
      validateInput: (v) => (HUB_ID.test(v.trim()) ? undefined : vscode.l10n.t('A Hub id looks like owner/name (letters, digits, “-”, “_”, “.”).')),
    });
    if (id) await useModel(ctx, id.trim(), undefined);
    return;
  }
  const folder = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    title: vscode.l10n.t('Context Lens: Choose Model'),
    openLabel: vscode.l10n.t('Use this model folder'),
  });
  const dir = folder?.[0]?.fsPath;
  if (!dir) return;
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    ctx.warn('NOT_A_MODEL_FOLDER', vscode.l10n.t('{0} has no config.json: choose a folder in the Hugging Face Hub layout (config.json, tokenizer.json, onnx/model.onnx).', dir));
    return;
  }
  await useModel(ctx, dir, undefined);
}

function choiceItem(ctx: Ctx, choice: ModelChoice, current: string, dtype: 'q8' | 'fp32'): ModelPickItem {
  const languages = choice.languages.map((l) => (l === 'multi' ? vscode.l10n.t('about 100 languages') : l)).join(', ');
  const where = choice.demo
    ? vscode.l10n.t('bundled with the extension, works offline; its guesses are not meaningful')
    : fs.existsSync(cachedConfigPath(ctx.extension.globalStorageUri.fsPath, choice.id))
      ? vscode.l10n.t('downloaded')
      : vscode.l10n.t('downloads {0} ({1})', formatMb(downloadMb(choice, dtype)), dtype);
  const label = choice.demo ? vscode.l10n.t('Bundled demo model (tiny BERT)') : choice.id;
  return {
    label: choice.id === current ? `$(check) ${label}` : label,
    description: kindLabel(choice.kind),
    detail: `${vscode.l10n.t('{0}M parameters', choice.paramsM)} · ${languages} · ${where}`,
    action: 'model',
    choice,
  };
}

async function useModel(ctx: Ctx, model: string, kind: ModelKind | undefined): Promise<void> {
  ctx.log.info(`Choose Model: ${model}${kind ? ` (${kind})` : ''}`);
  if (model === ctx.config.model) {
    if (!ctx.usingDemoModel) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Context Lens already uses {0}.', modelLabel(model)));
      return;
    }
    // The setting already names it: only the session's demo override stands in the way.
    await ctx.useSettingModel();
  } else {
    await updateModelSetting(model);
  }
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Context Lens now uses {0}. It loads (and downloads, for a Hub id) the next time you explore a selection.', modelLabel(model)),
  );
}
