/** `.css` files are bundled as text by scripts/build.mjs (loader: text). */
declare module '*.css' {
  const css: string;
  export default css;
}
