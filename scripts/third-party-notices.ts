/**
 * Writes src/third-party-notices.txt: the license of every package the executable carries, as
 * the build's own module graph names them (a bundle of the three entry points with a metafile),
 * so that `certyneo licenses` shows exactly what is redistributed: code, fonts, pdf.js, Swagger UI.
 *
 *   node_modules/.bin/bun scripts/third-party-notices.ts           (writes the file)
 *   node_modules/.bin/bun scripts/third-party-notices.ts --check   (exit 1 if the file is stale)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
export const NOTICES_FILE = join(ROOT, "src", "third-party-notices.txt");
/** The executable's entry points: those `npm run build` names, read from its script so the two cannot differ. */
const ENTRY_POINTS = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { build: string } }).scripts.build.split(/\s+/).filter((arg) => arg.endsWith(".ts"));
const LICENSE_FILE = /^(licen[cs]e|copying|notice)/i;
const RULE = "=".repeat(78);

/** The package directories (relative to ROOT) whose files the bundle includes. */
async function bundledPackages(): Promise<string[]> {
  const out = mkdtempSync(join(tmpdir(), "certyneo-notices-"));
  try {
    const built = Bun.spawnSync([process.execPath, "build", ...ENTRY_POINTS, "--target=bun", `--outdir=${out}`, `--metafile=${join(out, "meta.json")}`], { cwd: ROOT });
    if (built.exitCode !== 0) throw new Error(`bun build failed: ${built.stderr.toString()}`);
    const inputs = Object.keys(JSON.parse(readFileSync(join(out, "meta.json"), "utf8")).inputs as Record<string, unknown>);
    const dirs = new Set<string>();
    for (const input of inputs) {
      // The innermost node_modules/<package> of the path: a nested copy is a package of its own.
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, "/"));
      if (m) dirs.add(m[1]!);
    }
    return [...dirs].sort();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function notice(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string; version: string; license?: string; homepage?: string };
  const files = readdirSync(join(ROOT, dir)).filter((f) => LICENSE_FILE.test(f)).sort();
  const texts = files.map((f) => `[${f}]\n${readFileSync(join(ROOT, dir, f), "utf8").replace(/\r\n?/g, "\n").trim()}`);
  return [
    RULE,
    `${pkg.name} ${pkg.version}${pkg.license ? ` (${pkg.license})` : ""}`,
    ...(pkg.homepage ? [pkg.homepage] : []),
    RULE,
    texts.length ? texts.join("\n\n") : `The package ships no license file; its package.json names the license: ${pkg.license ?? "none"}.`,
  ].join("\n");
}

export async function noticesText(): Promise<string> {
  const dirs = await bundledPackages();
  return [
    "Third-party software in the Certyneo executable",
    "",
    "The packages below are bundled into it, each with its license as the package ships it.",
    "The executable also contains the Bun runtime (https://bun.sh, MIT), with the libraries it",
    "links (JavaScriptCore, SQLite, BoringSSL, mimalloc, ...): see https://bun.sh/docs/project/licensing.",
    "",
    // Two nested copies of one version (tslib under pdf-lib and under tsyringe) are one notice.
    ...[...new Set(dirs.map(notice))],
    "",
  ].join("\n");
}

if (import.meta.main) {
  const text = await noticesText();
  if (process.argv.includes("--check")) {
    const current = existsSync(NOTICES_FILE) ? readFileSync(NOTICES_FILE, "utf8") : "";
    if (current !== text) {
      console.error("src/third-party-notices.txt is stale: run npm run notices");
      process.exit(1);
    }
  } else writeFileSync(NOTICES_FILE, text);
}
