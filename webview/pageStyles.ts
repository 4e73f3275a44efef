/**
 * The app's stylesheet (styles.css) under the page's Content-Security-Policy, which allows a <style>
 * element only when it carries the page's nonce. Element styles are set through the CSSOM (`node.style`),
 * which the policy does not restrict.
 */
import { pageNonce } from './pageNonce';
import css from './styles.css';

/** `text`: the app's stylesheet by default; a part's own (webview/compare/styles.css) goes in the same way. */
export function installStyles(text: string = css): void {
  installCss(text);
}

/** A stylesheet of one part of the app (webview/causal/causal.css), under the page's nonce. */
export function installCss(text: string): void {
  const style = document.createElement('style');
  if (pageNonce) style.nonce = pageNonce;
  style.textContent = text;
  document.head.appendChild(style);
}
