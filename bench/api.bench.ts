/**
 * Through the whole stack (pipeline, auth cache, rate limiter, Elysia, SQLite, access log):
 * an authenticated GET of a document, a list of 20 envelopes and the creation of an envelope,
 * each against bare Bun.serve answering the same bytes, loaded by wrk in interleaved rounds of
 * one run. Run: npm run bench (needs wrk: apt-get install wrk).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, run, tempDir, waitForHealth } from "../test/helpers/spawn";
import { loadMeter, machine, requireWrk, table, writeSection } from "./machine";
import { cpuSeconds } from "../test/helpers/proc";
import { uploadOnePagePdf } from "./pdfs";

const DURATION = process.env.BENCH_SECONDS ?? "10";
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? "32";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_ONLY=get-one (or list, post): run only that row, e.g. to compare changes to one path. */
const ONLY = process.env.BENCH_ONLY;
const ROOT = join(import.meta.dir, "..");

requireWrk();

interface WrkResult { rps: number; p50: number; p99: number; non2xx: number; cpuUsPerRequest: number }

function wrk(url: string, headers: Record<string, string>, serverPid: number, script?: string): WrkResult {
  const cpuBefore = cpuSeconds(serverPid);
  const args = ["wrk", "-t1", `-c${CONNECTIONS}`, `-d${DURATION}s`, "--latency", ...(script ? ["-s", script] : [])];
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

interface Scenario {
  key: "get-one" | "list" | "post";
  name: string;
  target: string;
  /** A wrk Lua script (POST bodies), or none for a GET. */
  script?: string;
  /** The bytes the bare server answers: those certyneo answers to the same request. */
  body: string;
  /** certyneo's response header fields (but those Bun sets itself), for the second bare baseline. */
  headers: Record<string, string>;
  status: number;
  goal: number;
}

/** A ratio to three significant digits: rounded to two places, 0.0965 would read as a met 0.10. */
const ratioText = (r: number) => r.toPrecision(3);

/** Runs `fn` ROUNDS times, interleaved by the caller, and keeps the median by throughput. */
const medianBy = (rs: WrkResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;

async function main() {
  const dir = tempDir("certyneo-bench-");
  const port = await freePort();
  const env = { ...process.env, CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: String(port), CERTYNEO_RATE_LIMIT_BURST: "1000000", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60000000" };
  const key = run([process.execPath, "src/main.ts", "keys", "create", "--env", "test", "--name", "bench"], { cwd: ROOT, env }).stdout.trim().split("\n").at(-1)!;
  // Access logs stay on, as in production, written to a file.
  const app = Bun.spawn([process.execPath, "src/main.ts", "serve"], { cwd: ROOT, env, stdout: Bun.file(join(dir, "server.log")), stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);

  const auth = { authorization: `Bearer ${key}` };
  const doc = { id: await uploadOnePagePdf(url, auth) };
  const draft = JSON.stringify({
    subject: "Employment contract", documentIds: [doc.id],
    recipients: [{ email: "ana@example.com", name: "Ana Silva", role: "SIGNER" }, { email: "ben@example.com", name: "Ben Okafor", role: "SIGNER" }],
  });
  const create = () => fetch(`${url}/api/v1/envelopes`, { method: "POST", body: draft, headers: { ...auth, "content-type": "application/json" } });
  for (let i = 0; i < 25; i++) await (await create()).arrayBuffer();
  const postScript = join(dir, "post.lua");
  writeFileSync(postScript, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(draft)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  /** What certyneo answers: its body and its header fields, but those Bun sets on any answer. */
  const answer = async (res: Promise<Response>) => {
    const r = await res;
    const headers = Object.fromEntries([...r.headers].filter(([k]) => k !== "date" && k !== "content-length"));
    return { body: await r.text(), headers };
  };
  const get = (path: string) => answer(fetch(`${url}${path}`, { headers: auth }));
  const scenarios = ([
    { key: "get-one", name: "GET /api/v1/documents/{id}", target: `/api/v1/documents/${doc.id}`, ...(await get(`/api/v1/documents/${doc.id}`)), status: 200, goal: 0.6 },
    { key: "list", name: "GET /api/v1/envelopes?limit=20", target: "/api/v1/envelopes?limit=20", ...(await get("/api/v1/envelopes?limit=20")), status: 200, goal: 0.2 },
    { key: "post", name: "POST /api/v1/envelopes (2 signers)", target: "/api/v1/envelopes", script: postScript, ...(await answer(create())), status: 201, goal: 0.1 },
  ] as Scenario[]).filter((sc) => !ONLY || sc.key === ONLY);

  const bare = async (sc: Scenario, headers: Record<string, string>) => {
    const barePort = await freePort();
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "bare-server.ts")], { env: { ...process.env, PORT: String(barePort), BODY: sc.body, STATUS: String(sc.status), HEADERS: JSON.stringify(headers) }, stdout: "pipe" });
    return { proc, url: `http://127.0.0.1:${barePort}` };
  };
  const bares = await Promise.all(scenarios.map((sc) => bare(sc, {})));
  const bareHeaders = await Promise.all(scenarios.map((sc) => bare(sc, sc.headers)));
  await Bun.sleep(500);

  const machineLoad = loadMeter();
  const runs = scenarios.map(() => ({ bare: [] as WrkResult[], bareHeaders: [] as WrkResult[], app: [] as WrkResult[] }));
  try {
    for (const sc of scenarios) wrk(`${url}${sc.target}`, auth, app.pid, sc.script); // warm-up (JIT, caches)
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, sc] of scenarios.entries()) {
        const order = round % 2 ? ["app", "bareHeaders", "bare"] : ["bare", "bareHeaders", "app"];
        for (const which of order) {
          if (which === "bare") runs[i]!.bare.push(wrk(`${bares[i]!.url}${sc.target}`, {}, bares[i]!.proc.pid, sc.script));
          else if (which === "bareHeaders") runs[i]!.bareHeaders.push(wrk(`${bareHeaders[i]!.url}${sc.target}`, {}, bareHeaders[i]!.proc.pid, sc.script));
          else {
            const r = wrk(`${url}${sc.target}`, auth, app.pid, sc.script);
            if (r.non2xx) throw new Error(`${r.non2xx} non-2xx answers from certyneo on ${sc.name}`);
            runs[i]!.app.push(r);
          }
        }
      }
    }
  } finally {
    app.kill("SIGTERM");
    for (const b of [...bares, ...bareHeaders]) b.proc.kill();
  }
  const loadReport = machineLoad.report();

  const rows: (string | number)[][] = [];
  const verdicts: string[] = [];
  for (const [i, sc] of scenarios.entries()) {
    const bare = medianBy(runs[i]!.bare);
    const mine = medianBy(runs[i]!.app);
    const ratio = mine.rps / bare.rps;
    const cpuRatio = bare.cpuUsPerRequest / mine.cpuUsPerRequest;
    const withHeaders = medianBy(runs[i]!.bareHeaders);
    rows.push([`bare Bun.serve, same bytes as ${sc.name}`, bare.rps.toFixed(0), bare.p50.toFixed(2), bare.p99.toFixed(2), bare.cpuUsPerRequest.toFixed(1), "1.00", "1.00"]);
    rows.push([`bare Bun.serve, same bytes and the same ${Object.keys(sc.headers).length} header fields`, withHeaders.rps.toFixed(0), withHeaders.p50.toFixed(2), withHeaders.p99.toFixed(2), withHeaders.cpuUsPerRequest.toFixed(1), ratioText(withHeaders.rps / bare.rps), ratioText(bare.cpuUsPerRequest / withHeaders.cpuUsPerRequest)]);
    rows.push([`certyneo ${sc.name}`, mine.rps.toFixed(0), mine.p50.toFixed(2), mine.p99.toFixed(2), mine.cpuUsPerRequest.toFixed(1), ratioText(ratio), ratioText(cpuRatio)]);
    verdicts.push(`- ${sc.name}: target ≥ ${sc.goal}x bare: throughput ${ratioText(ratio)}x (${ratio >= sc.goal ? "met" : "NOT met"}), CPU per request ${ratioText(cpuRatio)}x (${cpuRatio >= sc.goal ? "met" : "NOT met"}); req/s of the ${ROUNDS} rounds: bare ${runs[i]!.bare.map((r) => r.rps.toFixed(0)).join(" / ")}, certyneo ${runs[i]!.app.map((r) => r.rps.toFixed(0)).join(" / ")}`);
  }
  const t = table(["server", "requests/s", "p50 ms", "p99 ms", "server CPU µs/request", "throughput vs bare", "CPU/request: bare ÷ certyneo"], rows);
  console.log(t);
  console.log(verdicts.join("\n"));
  // A partial run prints only: RESULTS.md keeps the last full one.
  if (ONLY) return;
  writeSection("API: authenticated reads and envelope creation vs bare Bun.serve", [
    `Command: \`node_modules/.bin/bun bench/api.bench.ts\` (wrk, 1 thread, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds with bare and certyneo interleaved, the median round shown; loopback; server and wrk share the machine).`,
    `Machine: ${machine()}; ${loadReport}. The machine is shared with other agents' builds and tests: absolute numbers are low and noisy; the ratios are measured within one run, and "CPU/request" (server user+system time per request, less sensitive to what else runs) is the steadier one.`,
    "",
    t,
    "",
    ...verdicts,
    "",
    "The certyneo path is the whole request: pipeline (request id, API key from an in-memory cache of key hashes, rate limiter and RateLimit headers), Elysia routing with request and response validation, the domain and SQLite (GET list: the page kept as sent while the envelopes' generation, moved by triggers in every writing transaction, reads the same (one point read), else the page query and its envelopes' parts in a fixed number of prepared statements; POST: validation, envelope, recipients, audit event, webhook event, in one transaction), and one access-log line per request. The bare server answers the same bytes with no work; the target is measured against it. The second bare row (information only) answers the same body with certyneo's header fields too (request id, security and RateLimit fields, content type), all that Bun does not set itself: what the API's answer costs before any of its work.",
  ].join("\n"));
}

await main();
