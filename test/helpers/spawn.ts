import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const BUN = process.execPath;

const made: string[] = [];

/**
 * Removes the directories tempDir made: a full test run makes gigabytes of them (large PDFs,
 * binaries, database clusters). Run at a script's exit, and after a test run by
 * test/helpers/cleanup.ts (bun test emits no exit event). CERTYNEO_KEEP_TEMP=1 keeps them.
 */
export function removeTempDirs(): void {
  if (process.env.CERTYNEO_KEEP_TEMP === "1") return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", removeTempDirs);

/** A new directory under the system's temporary directory, removed at exit. */
export function tempDir(prefix = "certyneo-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A free loopback port for a server started as a separate process. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`server at ${url} did not become healthy`);
}

/** Runs a command to completion and returns its output. */
export function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const p = Bun.spawnSync(cmd, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** Runs a command without blocking the event loop, so a server in this process keeps answering it. */
export async function runAsync(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const p = Bun.spawn(cmd, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

/**
 * `pid` and every process under it, deepest first (from /proc): what stopping a wrapper such as
 * `npm start` must reach, since npm does not pass its SIGTERM on to the server it started.
 */
export function processTree(pid: number): number[] {
  const children = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      return readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ")[1] === String(pid);
    } catch {
      return false;
    }
  });
  return [...children.flatMap((c) => processTree(Number(c))), pid];
}
