/**
 * A probe of the real server process: it is started alone (so its RSS is its own), watched
 * while hostile requests run (/healthz every 250 ms, RSS from /proc), and every answer is
 * tallied. Used by the reliability-hostile-* tests; their figures go to docs/reliability.md.
 */
import { shownMemoryBytes } from "./proc";
import { BUN, freePort, ROOT, run, tempDir, waitForHealth } from "./spawn";

export interface ProbeServer {
  url: string;
  key: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startProbeServer(env: Record<string, string> = {}): Promise<ProbeServer> {
  const dir = tempDir("certyneo-probe-");
  const all = { CERTYNEO_DATA_DIR: dir, CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_LOG_LEVEL: "warn", CERTYNEO_JOBS_POLL_MS: "200", ...env };
  const created = run([BUN, "src/main.ts", "keys", "create", "--env", "test", "--name", "probe", "--json"], { env: all });
  if (created.code !== 0) throw new Error(created.stderr);
  const port = await freePort();
  const proc = Bun.spawn([BUN, "src/main.ts", "serve"], { cwd: ROOT, env: { ...process.env, ...all, CERTYNEO_PORT: String(port) }, stdout: "ignore", stderr: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, 30_000);
  return {
    url, dir, pid: proc.pid, key: JSON.parse(created.stdout).key,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

const rssMb = (pid: number) => Math.round((shownMemoryBytes(pid, "VmRSS") ?? 0) / 2 ** 20);

/** /healthz and RSS sampled until stopped: every status seen, the slowest answer, the peak RSS. */
export function watch(server: ProbeServer) {
  const health: number[] = [];
  let slowestHealthMs = 0;
  let peakRssMb = rssMb(server.pid);
  const startRssMb = peakRssMb;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const status = await fetch(`${server.url}/healthz`).then((r) => r.status, () => 0);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - t);
      health.push(status);
      peakRssMb = Math.max(peakRssMb, rssMb(server.pid));
      await Bun.sleep(250);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { healthChecks: health.length, healthFailures: health.filter((s) => s !== 200).length, slowestHealthMs: Math.round(slowestHealthMs), startRssMb, peakRssMb };
  };
}

export interface Answer {
  input: string;
  status: number;
  code: string | null;
  ms: number;
  body: any;
}

/** Sends every request, `concurrency` at once; each answer with its code (problem+json) and time. */
export async function sendAll(requests: { input: string; send: () => Promise<Response> }[], concurrency = 4): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const t = performance.now();
      const res = await r.send();
      const text = await res.text();
      const ms = performance.now() - t;
      let body: any = null;
      try { body = JSON.parse(text); } catch {}
      answers.push({ input: r.input, status: res.status, code: typeof body?.code === "string" ? body.code : null, ms, body });
    }
  }));
  return answers;
}

/** Status counts, e.g. { "201": 40, "422": 500 }. */
export const histogram = (answers: Answer[]) =>
  Object.fromEntries(Object.entries(Object.groupBy(answers, (a) => String(a.status))).map(([k, v]) => [k, v!.length]).sort());

export const codes = (answers: Answer[]) =>
  Object.fromEntries(Object.entries(Object.groupBy(answers.filter((a) => a.code), (a) => a.code!)).map(([k, v]) => [k, v!.length]).sort());
