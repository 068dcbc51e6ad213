/**
 * No Docker daemon here: the Dockerfile's build stage is run step by step outside Docker (the
 * same COPY, with .dockerignore applied, and the same RUN commands in a fresh directory), and
 * the runtime stage is checked for what it must carry.
 */
import { describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, run, tempDir } from "./helpers/spawn";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n\s*/g, " ");
const stages = dockerfile.split(/^FROM /m).slice(1).map((s) => "FROM " + s);
const [build, runtime] = stages as [string, string];
const instructions = (stage: string) => stage.split("\n").filter((l) => /^[A-Z]+ /.test(l)).map((l) => ({ op: l.split(" ")[0]!, arg: l.slice(l.indexOf(" ") + 1).trim() }));

/** .dockerignore patterns as Docker reads them (a pattern also excludes everything under a matched directory). */
const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((p) => new Bun.Glob(p));
const isIgnored = (path: string) => ignored.some((g) => path.split("/").some((_, i, parts) => g.match(parts.slice(0, i + 1).join("/"))));

/** The build context as Docker would send it. */
function copyContext(from: string, to: string) {
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(from, abs);
      if (isIgnored(rel)) continue;
      if (entry.isDirectory()) walk(abs);
      else {
        mkdirSync(join(to, relative(from, dir)), { recursive: true });
        cpSync(abs, join(to, rel));
      }
    }
  };
  walk(from);
}

describe("Dockerfile", () => {
  test(".dockerignore keeps secrets, data, dependencies and build outputs out of the image", () => {
    for (const path of ["data/instance.key", "data/certyneo.db", "node_modules/elysia/package.json", "dist/certyneo", ".git/HEAD", "test/artefacts/admin/login-phone.png", "sub/data/instance.key"])
      expect(isIgnored(path), path).toBe(true);
    for (const path of ["src/main.ts", "package.json", "migrations/0000_init.sql", "docs/sample-contract.pdf", "src/modules/signing/page/signer.html"])
      expect(isIgnored(path), path).toBe(false);
  });

  test("the build stage's steps, run here, produce the binary the runtime stage copies", () => {
    expect(build).toMatch(/^FROM node:22-/);
    const dir = tempDir("certyneo-docker-");
    try {
      const steps = instructions(build);
      let cwd = dir;
      for (const { op, arg } of steps) {
        if (op === "WORKDIR") mkdirSync((cwd = join(dir, arg)), { recursive: true });
        else if (op === "COPY" && arg === ". .") copyContext(ROOT, cwd);
        else if (op === "COPY") {
          const parts = arg.split(" ");
          for (const f of parts.slice(0, -1)) cpSync(join(ROOT, f), join(cwd, f));
        } else if (op === "RUN") {
          const r = run(["sh", "-c", arg], { cwd });
          expect(r.code, `${arg}\n${r.stderr}`).toBe(0);
        }
      }
      // A local run's data and secrets did not travel with the context.
      expect(existsSync(join(cwd, "data"))).toBe(false);
      const copied = instructions(runtime).find((i) => i.op === "COPY" && i.arg.startsWith("--from=build"))!.arg.split(" ")[1]!;
      const bin = join(dir, copied);
      expect(statSync(bin).mode & 0o111).toBeGreaterThan(0);
      expect(run([bin, "--version"], { env: { PATH: "/usr/bin:/bin" } }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  test("the runtime stage: CA certificates, a data volume owned by the user that runs the server", () => {
    expect(runtime).toMatch(/apt-get install[^\n]*ca-certificates/);
    const user = /^USER (\S+)/m.exec(runtime)![1]!;
    const volume = /^VOLUME (\S+)/m.exec(runtime)![1]!;
    expect(runtime).toContain(`install -d -o ${user} -g ${user} -m 700 ${volume}`);
    expect(runtime).toContain(`CERTYNEO_DATA_DIR=${volume}`);
    expect(runtime.indexOf(`install -d -o ${user}`)).toBeLessThan(runtime.indexOf(`USER ${user}`));
  });
});

