// The console's assets, imported as text and embedded in the binary.
declare module "*/admin.css" { const text: string; export default text; }
declare module "*/admin.js" { const text: string; export default text; }
