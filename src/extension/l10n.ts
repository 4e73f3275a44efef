/** Runtime strings for the webview, translated through the same l10n bundle as the host's. */
import * as vscode from 'vscode';
import { EN } from '../../webview/strings';

/**
 * Overrides for webview/strings.ts's English defaults: each key whose English text has a
 * translation in the loaded l10n bundle (l10n/bundle.l10n.<language>.json, keyed by the English
 * text like every vscode.l10n.t string). Empty in English.
 */
export function webviewStrings(): Record<string, string> {
  const bundle = vscode.l10n.bundle;
  const out: Record<string, string> = {};
  if (!bundle) return out;
  for (const [key, english] of Object.entries(EN)) {
    const translated = bundle[english];
    if (typeof translated === 'string' && translated !== english) out[key] = translated;
  }
  return out;
}
