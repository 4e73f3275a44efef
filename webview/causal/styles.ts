/** The causal views' stylesheet (causal.css), installed once under the page's nonce. */
import { installCss } from '../pageStyles';
import css from './causal.css';

let installed = false;

export function installCausalStyles(): void {
  if (installed || typeof document === 'undefined') return;
  installed = true;
  installCss(css);
}
