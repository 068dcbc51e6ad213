/**
 * Authenticated GET /api/v1/documents/{id} through the whole stack (pipeline, auth cache,
 * rate limiter, Elysia, SQLite read, access log) against bare Bun.serve returning the
 * same JSON, both loaded by wrk in the same run. Run: npm run bench (needs wrk: apt-get install wrk).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { freePort, run, tempDir, waitForHealth } from "../test/helpers/spawn";
import { machine, table, writeSection } from "./machine";

const DURATION = process.env.BENCH_SECONDS ?? "10";
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? "32";
const ROOT = join(import.meta.dir, "..");

if (run(["sh", "-c", "command -v wrk"]).code !== 0) {
  console.error("wrk is needed: apt-get install wrk");
  process.exit(2);
}

interface WrkResult { rps: number; p50: number; p99: number; non2xx: number; cpuUsPerRequest: number }

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function wrk(url: string, headers: Record<string, string>, serverPid: number): WrkResult {
  const cpuBefore = cpuSeconds(serverPid);
  const args = ["wrk", "-t1", `-c${CONNECTIONS}`, `-d${DURATION}s`, "--latency"];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  const result = run([...args, url]);
  const out = result.stdout;
  if (!/Requests\/sec/.test(out)) throw new Error(`wrk failed: ${result.stderr || out}`);
  const ms = (label: string) => {
    const m = out.match(new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`));
    if (!m) return NaN;
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]!]!;
  };
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  return {
    cpuUsPerRequest: ((cpuSeconds(serverPid) - cpuBefore) * 1e6) / Math.max(1, requests),
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0),
    p50: ms("50"),
    p99: ms("99"),
    non2xx: Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0),
  };
}

async function main() {
  const dir = tempDir("certyneo-bench-");
  const port = await freePort();
  const env = { ...process.env, CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: String(port), CERTYNEO_RATE_LIMIT_BURST: "1000000", CERTYNEO_RATE_LIMIT_PER_MINUTE: "6000000" };
  const key = run([process.execPath, "src/main.ts", "keys", "create", "--env", "test", "--name", "bench"], { cwd: ROOT, env }).stdout.trim().split("\n").at(-1)!;
  // Access logs stay on, as in production, written to a file.
  const app = Bun.spawn([process.execPath, "src/main.ts", "serve"], { cwd: ROOT, env, stdout: Bun.file(join(dir, "server.log")), stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);

  const pdf = await PDFDocument.create();
  pdf.addPage();
  const form = new FormData();
  form.set("file", new File([new Uint8Array(await pdf.save())], "bench.pdf"));
  const auth = { authorization: `Bearer ${key}` };
  const doc = await (await fetch(`${url}/api/v1/documents`, { method: "POST", body: form, headers: auth })).json();
  const body = await (await fetch(`${url}/api/v1/documents/${doc.id}`, { headers: auth })).text();

  const barePort = await freePort();
  const bare = Bun.spawn([process.execPath, join(import.meta.dir, "bare-server.ts")], { env: { ...process.env, PORT: String(barePort), BODY: body }, stdout: "pipe" });
  await new Promise((r) => setTimeout(r, 300));

  try {
    wrk(`${url}/api/v1/documents/${doc.id}`, auth, app.pid); // warm-up (JIT, caches)
    const bareResult = wrk(`http://127.0.0.1:${barePort}/`, {}, bare.pid);
    const appResult = wrk(`${url}/api/v1/documents/${doc.id}`, auth, app.pid);
    if (appResult.non2xx) throw new Error(`${appResult.non2xx} non-2xx answers from certyneo`);
    const ratio = appResult.rps / bareResult.rps;
    const rows = [
      ["bare Bun.serve, same JSON", bareResult.rps.toFixed(0), bareResult.p50.toFixed(2), bareResult.p99.toFixed(2), bareResult.cpuUsPerRequest.toFixed(1), "1.00"],
      ["certyneo GET /api/v1/documents/{id}", appResult.rps.toFixed(0), appResult.p50.toFixed(2), appResult.p99.toFixed(2), appResult.cpuUsPerRequest.toFixed(1), ratio.toFixed(2)],
    ];
    const t = table(["server", "requests/s", "p50 ms", "p99 ms", "server CPU µs/request", "throughput vs bare"], rows);
    console.log(t);
    const verdict = ratio >= 0.5 ? `met (${ratio.toFixed(2)}x ≥ 0.5x)` : `NOT met (${ratio.toFixed(2)}x < 0.5x)`;
    console.log(`target ≥ 0.5x bare Bun.serve: ${verdict}`);
    writeSection("API: authenticated document read", [
      `Command: \`npm run bench\` (wrk, 1 thread, ${CONNECTIONS} connections, ${DURATION} s each, loopback; server and wrk share the machine).`,
      `Machine: ${machine()}.`,
      "",
      t,
      "",
      `Target: at least 0.5x the throughput of bare Bun.serve: ${verdict}. The certyneo path includes the request pipeline (request id, API-key auth from an in-memory cache of key hashes, the rate limiter, RateLimit headers), Elysia routing with request and response validation, the document row (cached in memory until anything commits) and one JSON access-log line per request. "Server CPU µs/request" is the server process's user+system time divided by the requests served: the cost the ratio comes from.`,
    ].join("\n"));
  } finally {
    app.kill("SIGTERM");
    bare.kill();
  }
}

await main();
