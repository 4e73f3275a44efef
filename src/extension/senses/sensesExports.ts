/** The Senses tab's exports: CSV (one row per occurrence, its cluster at the tab's layer) and the CLI's `senses --json` object. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sensesToCsv, sensesToJson } from '../../engine/senses/exports';
import type { SensesResult } from '../../engine/senses/types';
import type { Ctx } from '../context';

export async function exportSenses(ctx: Ctx, result: SensesResult, format: 'csv' | 'json', hiddenLayer: number): Promise<void> {
  const layer = Math.max(0, Math.min(result.numLayers, Math.round(hiddenLayer)));
  const name = `senses-${fileSafe(result.word)}${format === 'csv' ? `-layer${layer}.csv` : '.json'}`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    saveLabel: vscode.l10n.t('Export'),
    title: format === 'csv' ? vscode.l10n.t('Export the word senses as CSV (clusters at layer {0})', layer) : vscode.l10n.t('Export the word senses as JSON'),
  });
  if (!target) return;
  const text = format === 'csv' ? sensesToCsv(result, layer) : sensesToJson(result);
  await writeAtomically(target, Buffer.from(text, 'utf8'));
  ctx.log.info(`Exported the senses of “${result.word}” (${result.occurrences.length} occurrences, ${format}${format === 'csv' ? `, layer ${layer}` : ''}) to ${target.toString(true)}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', target.scheme === 'file' ? vscode.workspace.asRelativePath(target) || path.basename(target.fsPath) : target.toString(true)));
}

/** Writes beside the target, then renames over it: a reader (or a crash midway) never sees half a file. */
async function writeAtomically(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const tmp = target.with({ path: `${target.path}.${process.pid}-${Date.now()}.tmp` });
  await vscode.workspace.fs.writeFile(tmp, bytes);
  try {
    await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
  } catch (e) {
    await Promise.resolve(vscode.workspace.fs.delete(tmp)).catch(() => undefined);
    throw e;
  }
}

/** The word in a default file name: letters and digits of any script, the rest as `_`. */
function fileSafe(word: string): string {
  return word.replace(/[^\p{L}\p{N}]+/gu, '_').slice(0, 40) || 'word';
}
