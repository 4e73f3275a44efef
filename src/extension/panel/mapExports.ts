/** What the map's top bar exports, written where the user says: the analysis as JSON, Embedding Projector TSV, the map as an image. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProjectionView } from '../../protocol';
import type { Ctx } from '../context';
import { toExportedProjection } from './projectionView';

/** Largest image the webview may ask us to save. */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** The analyses as JSON, with the 2-D coordinates of `shown` (the map on screen) when there is one. */
export async function exportJson(ctx: Ctx, analysisIds: string[], shown: ProjectionView | undefined): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: defaultUri('context-lens-analysis.json'),
    filters: { JSON: ['json'] },
    saveLabel: vscode.l10n.t('Export'),
    title: vscode.l10n.t('Export the analysis as JSON'),
  });
  if (!target) return;
  const projection = shown && toExportedProjection(shown, (snippetId) => ctx.map.get(snippetId)?.analysis?.analysisId);
  const json = await ctx.engine.call('exportJson', { analysisIds, projection });
  await vscode.workspace.fs.writeFile(target, Buffer.from(json, 'utf8'));
  ctx.log.info(`Exported the analysis to ${target.toString(true)}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', displayPath(target)));
}

/** vectors.tsv and metadata.tsv of one hidden layer for projector.tensorflow.org, into a folder the user picks. */
export async function exportProjector(ctx: Ctx, analysisIds: string[], hiddenLayer: number): Promise<void> {
  const folders = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: vscode.l10n.t('Export Here'),
    title: vscode.l10n.t('Folder for vectors.tsv and metadata.tsv (TensorFlow Embedding Projector)'),
  });
  const folder = folders?.[0];
  if (!folder) return;
  const out = await ctx.engine.call('exportProjector', { analysisIds, hiddenLayer });
  const vectors = vscode.Uri.joinPath(folder, 'vectors.tsv');
  const metadata = vscode.Uri.joinPath(folder, 'metadata.tsv');
  await vscode.workspace.fs.writeFile(vectors, Buffer.from(out.vectorsTsv, 'utf8'));
  await vscode.workspace.fs.writeFile(metadata, Buffer.from(out.metadataTsv, 'utf8'));
  ctx.log.info(`Exported projector TSV (layer ${hiddenLayer}) to ${folder.toString(true)}`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Wrote vectors.tsv and metadata.tsv (layer {0}) to {1}. Load them at projector.tensorflow.org.', hiddenLayer, displayPath(folder)),
  );
}

/** Decodes the webview's data URL and writes it where the user says. */
export async function saveImage(ctx: Ctx, format: 'png' | 'svg', dataUrl: string): Promise<void> {
  if (format !== 'png' && format !== 'svg') return;
  if (typeof dataUrl !== 'string') return;
  const m = /^data:(image\/png|image\/svg\+xml)(;charset=[\w-]+)?(;base64)?,/i.exec(dataUrl.slice(0, 100));
  const mime = format === 'png' ? 'image/png' : 'image/svg+xml';
  if (!m || m[1].toLowerCase() !== mime) {
    ctx.reportError(new Error(vscode.l10n.t('The map image could not be read.')));
    return;
  }
  const payload = dataUrl.slice(m[0].length);
  const bytes = m[3] ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) {
    ctx.reportError(new Error(vscode.l10n.t('The map image could not be read.')));
    return;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: defaultUri(`embedding-map.${format}`),
    filters: format === 'png' ? { PNG: ['png'] } : { SVG: ['svg'] },
    saveLabel: vscode.l10n.t('Save'),
    title: vscode.l10n.t('Save the Embedding Map as an image'),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, bytes);
  ctx.log.info(`Saved the map image (${bytes.length} bytes) to ${target.toString(true)}`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', displayPath(target)));
}

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}

function displayPath(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri) || path.basename(uri.fsPath) : uri.toString(true);
}
