// Files imported `with { type: "file" }` give their path (and `bun build --compile` embeds
// them in the executable); `with { type: "text" }` gives their content. The signer page's
// own assets are declared beside it (src/modules/signing/page/assets.d.ts).
declare module "*.ttf" { const path: string; export default path; }
declare module "swagger-ui-dist/swagger-ui.css" { const path: string; export default path; }
declare module "swagger-ui-dist/swagger-ui-bundle.js" { const path: string; export default path; }
declare module "*.sql" { const text: string; export default text; }
declare module "*.txt" { const path: string; export default path; }
