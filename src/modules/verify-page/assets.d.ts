// The verification page's style sheet, imported `with { type: "text" }` (its content, embedded by `bun build --compile`).
declare module "*/verify.css" { const text: string; export default text; }
