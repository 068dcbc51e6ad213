/**
 * What the single executable is made of: builds it as `npm run build` does, with a metafile, and
 * splits its size into the Bun runtime, the JavaScript bundle (by package, and what loads at
 * start vs on first use) and the embedded files. Writes `## Binary size` in bench/RESULTS.md.
 *
 *   node_modules/.bin/bun bench/size.ts
 */
import { readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { tempDir } from "../test/helpers/spawn";
import { buildLikeNpm, machine, table, writeSection } from "./machine";

const ROOT = join(import.meta.dir, "..");
const dir = tempDir("certyneo-size-");
const outfile = join(dir, "certyneo");
const metafile = join(dir, "meta.json");
buildLikeNpm(outfile, [`--metafile=${metafile}`]);
// The same build without --bytecode: the difference is the precompiled bytecode that makes the start fast.
buildLikeNpm(join(dir, "certyneo-source-only"), [], ["--bytecode"]);
const bytecode = statSync(outfile).size - statSync(join(dir, "certyneo-source-only")).size;

interface Meta {
  inputs: Record<string, { bytes: number; imports: { path: string; kind: string }[] }>;
  outputs: Record<string, { bytes: number; imports?: { path: string; kind: string }[]; inputs?: Record<string, unknown> }>;
}
const meta = JSON.parse(readFileSync(metafile, "utf8")) as Meta;
const MiB = (n: number) => (n / 2 ** 20).toFixed(1);
const binary = statSync(outfile).size;
const runtime = statSync(process.execPath).size;

// What a start loads: the entry's chunk, the commands' chunk it imports at once (src/main.ts),
// and every chunk they import without a dynamic import(). Counted by the modules in those chunks
// (the metafile's module graph omits the re-export files the bundle leaves out).
const chunkWith = (source: string) => Object.keys(meta.outputs).find((o) => source in (meta.outputs[o]!.inputs ?? {}))!;
const eagerChunks = new Set([chunkWith("src/main.ts"), chunkWith("src/cli/commands.ts")]);
for (const queue = [...eagerChunks]; queue.length; ) {
  for (const i of meta.outputs[queue.shift()!]?.imports ?? []) {
    const chunk = Object.keys(meta.outputs).find((o) => o.endsWith(i.path.replace(/^\.\//, "/")));
    if (i.kind !== "dynamic-import" && chunk && !eagerChunks.has(chunk)) {
      eagerChunks.add(chunk);
      queue.push(chunk);
    }
  }
}
const eager = new Set([...eagerChunks].flatMap((c) => Object.keys(meta.outputs[c]!.inputs ?? {})));
const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? (path.startsWith("src/") ? "src (Certyneo)" : path.startsWith("migrations/") ? "migrations" : path);
const byPackage = new Map<string, { bytes: number; eager: number }>();
let js = 0;
let jsEager = 0;
for (const [path, input] of Object.entries(meta.inputs)) {
  const p = packageOf(path);
  const entryOf = byPackage.get(p) ?? { bytes: 0, eager: 0 };
  entryOf.bytes += input.bytes;
  js += input.bytes;
  if (eager.has(path)) {
    entryOf.eager += input.bytes;
    jsEager += input.bytes;
  }
  byPackage.set(p, entryOf);
}
const bundle = Object.values(meta.outputs).reduce((n, o) => n + o.bytes, 0);
// Files imported `with { type: "file" }` are embedded as they are; the metafile lists them with 0 bytes.
const files = Object.entries(meta.inputs).filter(([, input]) => input.bytes === 0).map(([path]) => ({ path, bytes: statSync(join(ROOT, path)).size }));
const filesBytes = files.reduce((n, f) => n + f.bytes, 0);
const fileGroups = new Map<string, number>();
for (const f of files) {
  const ext = f.path.split(".").pop()!;
  const group = ext === "bcmap" ? "pdf.js CMaps (.bcmap)" : f.path.includes("pdfjs-dist") ? `pdf.js (.${ext})` : f.path.includes("swagger-ui") ? "Swagger UI (docs page)" : ["ttf", "otf", "pfb"].includes(ext) ? "fonts" : `other (.${ext})`;
  fileGroups.set(group, (fileGroups.get(group) ?? 0) + f.bytes);
}

const parts = [
  ["Bun runtime (the bun executable)", MiB(runtime)],
  ["JavaScript bundle (minified)", MiB(bundle)],
  [`embedded files (${files.length})`, MiB(filesBytes)],
  ["bytecode (precompiled bundle: the start does not parse it)", MiB(bytecode)],
  ["rest: source maps, module graph, padding", MiB(binary - runtime - bundle - filesBytes - bytecode)],
  ["**total**", `**${MiB(binary)}**`],
];
const top = [...byPackage].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 15)
  .map(([p, v]) => [p, MiB(v.bytes), v.eager === v.bytes ? "at start" : v.eager === 0 ? "on first use" : `${MiB(v.eager)} at start`]);
const out = [
  table(["part", "MiB"], parts),
  "",
  `Source before minifying: ${MiB(js)} MiB of JavaScript from ${Object.keys(meta.inputs).length} modules, of which ${MiB(jsEager)} MiB (${eager.size} modules) load at start and the rest (pdf-lib, fontkit, the fonts, PDF stamping and sealing) on first use.`,
  "",
  table(["package (source, before minifying)", "MiB", "loaded"], top),
  "",
  table(["embedded files", "MiB"], [...fileGroups].sort((a, b) => b[1] - a[1]).map(([g, n]) => [g, MiB(n)])),
].join("\n");
console.log(out);
writeSection("Binary size", [
  `Command: \`node_modules/.bin/bun bench/size.ts\` (the build of \`npm run build\`, with \`--metafile\`). Machine: ${machine()}.`,
  "",
  out,
  "",
  "The Bun runtime is most of the file and cannot be cut; what Certyneo adds is the bundle, its bytecode (about 0.15 s less to the first answer after a start), its source maps (kept: stack traces in the log name source lines) and the embedded files the signer page and the generated pages need offline (pdf.js and its CMaps, the fonts: the CJK face is 10.5 MB, the Korean one 6.2 MB).",
].join("\n"));
console.log(relative(ROOT, outfile));
