/**
 * The page's Content-Security-Policy nonce: the one on the <script> that loaded this bundle. Read when the
 * bundle loads, because document.currentScript is set only while the bundle's top level runs.
 */
export const pageNonce: string =
  (document.currentScript as HTMLScriptElement | null)?.nonce || document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce || '';
