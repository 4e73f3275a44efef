/**
 * The webview layer of the campaign: hostile text in the real webview bundle (webviewHostile.ts, family
 * 'hostile-webview') and the layer slider dragged end to end while guesses stream, in a real VS Code
 * (webviewRapid.ts, family 'rapid': its webview part; stress/host/rapid.ts records the host's).
 */
import { wants, type StressContext } from '../context';
import { runHostileWebview } from './webviewHostile';
import { runSliderDrags } from './webviewRapid';

export const families = ['hostile-webview', 'rapid'] as const;

export async function run(c: StressContext): Promise<void> {
  if (wants(c.o, 'hostile-webview')) await runHostileWebview(c, c.family('hostile-webview'));
  if (wants(c.o, 'rapid')) await runSliderDrags(c, c.family('rapid'));
}
