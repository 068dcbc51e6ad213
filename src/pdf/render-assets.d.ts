// Font files imported with `with { type: "file" }` (src/pdf/fonts.ts): Bun
// gives their path, and `bun build --compile` embeds them in the executable.
declare module "*.ttf" {
  const path: string;
  export default path;
}
