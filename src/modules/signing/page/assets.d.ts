// Files imported `with { type: "file" }` (Bun gives their path; `bun build --compile` embeds
// them) or `with { type: "text" }` (their content) by the signer page.
declare module "*.bcmap" { const path: string; export default path; }
declare module "*.pfb" { const path: string; export default path; }
declare module "*.wasm" { const path: string; export default path; }
declare module "*.icc" { const path: string; export default path; }
declare module "pdfjs-dist/legacy/build/*.mjs" { const path: string; export default path; }
declare module "pdfjs-dist/wasm/*.js" { const path: string; export default path; }
declare module "*/signer.html" { const text: string; export default text; }
declare module "*/signer.css" { const text: string; export default text; }
declare module "*/signer.js" { const text: string; export default text; }
declare module "*/i18n.js" {
  /** page.ts embeds the file's text; tests import its strings. */
  const text: string;
  export default text;
  export const STRINGS: Record<import("../../../enums").Locale, Record<string, string>>;
}
declare module "*/consent-texts.js" {
  export const CONSENT_VERSION: number;
  export const CONSENT_TEXTS: Record<import("../../../enums").Locale, { sign: string; approve: string }>;
}
