/**
 * Model B of Compare Models: the contextLens.compareModel setting, and the quick pick that keeps or changes it
 * (the current value, "Enter a Hub id…", "Choose a folder…").
 */
import * as vscode from 'vscode';
import { SECTION } from '../config';

export const COMPARE_MODEL_SETTING = 'compareModel';
const DEFAULT_COMPARE_MODEL = 'Xenova/gpt2';

/** The setting's value (read here: config.ts's Config has no field for it yet; see the report). */
export function compareModelSetting(): string {
  const v = vscode.workspace.getConfiguration(SECTION).get<string>(COMPARE_MODEL_SETTING, DEFAULT_COMPARE_MODEL);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : DEFAULT_COMPARE_MODEL;
}

export function updateCompareModelSetting(model: string): Thenable<void> {
  return vscode.workspace.getConfiguration(SECTION).update(COMPARE_MODEL_SETTING, model, vscode.ConfigurationTarget.Global);
}

type Choice = vscode.QuickPickItem & { action: 'keep' | 'hub' | 'folder' };

/** Asks which model B to compare with; undefined when dismissed (the caller saves a new choice in the setting). */
export async function pickSecondModel(modelA: string): Promise<string | undefined> {
  const current = compareModelSetting();
  const items: Choice[] = [
    { action: 'keep', label: current, description: vscode.l10n.t('the second model now (contextLens.compareModel)'), detail: vscode.l10n.t('Compare with {0}: model A is {1}', current, modelA) },
    { action: 'hub', label: vscode.l10n.t('Enter a Hub id…'), description: vscode.l10n.t('for example Xenova/gpt2, or a folder path') },
    { action: 'folder', label: vscode.l10n.t('Choose a folder…'), description: vscode.l10n.t('a model folder in the Hub layout') },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Context Lens: Compare Models — the second model'), placeHolder: vscode.l10n.t('Model B, beside model A ({0})', modelA) });
  if (!picked) return undefined;
  let model: string | undefined = current;
  if (picked.action === 'hub') {
    model = (
      await vscode.window.showInputBox({
        title: vscode.l10n.t('Context Lens: Compare Models — the second model'),
        prompt: vscode.l10n.t('A Hub id (owner/name) or an absolute folder in the Hub layout'),
        value: current,
        validateInput: (v) => (v.trim() === '' ? vscode.l10n.t('Enter a Hub id or a folder.') : undefined),
      })
    )?.trim();
  } else if (picked.action === 'folder') {
    const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: vscode.l10n.t('Compare with this model') });
    model = folder?.[0]?.fsPath;
  }
  return model || undefined;
}
