/**
 * Latency at 1,000 vs 1,000,000 envelopes: list (first page, a page 90 % deep, a status-filtered
 * deep page), get, create and delete, each against a server over a data directory filled by
 * bench/fill.ts. Both servers run side by side and each row alternates between them request by
 * request, so whatever else loads the machine meanwhile falls on both alike.
 *
 *   node_modules/.bin/bun bench/scale.bench.ts [MILLION_DIR]
 *
 * MILLION_DIR: a directory already filled with `bun bench/fill.ts DIR 1000000` (filling takes
 * minutes to tens of minutes); without it, one is filled first. Writes `## Scale` in RESULTS.md.
 * BENCH_REQUESTS (per row, round and server; 1000) and BENCH_ROUNDS (3) change the sample.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, run, tempDir, waitForHealth } from "../test/helpers/spawn";
import { fill } from "./fill";
import { loadMeter, machine, median, table, writeSection } from "./machine";
import { cpuSeconds } from "../test/helpers/proc";

const ROOT = join(import.meta.dir, "..");
const SMALL = 1000;
const LARGE = 1_000_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
/** The sample the bench took before (300 requests per round): its p99 is shown too, from each round's first 300. */
const FEW = Math.min(300, REQUESTS);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Target {
  name: string;
  url: string;
  pid: number;
  key: string;
  deepId: string;
  deepCompletedId: string;
  ids: string[];
  documentId: string;
  /** The server's access log: its durationMs by request id, once stopped. */
  log: string;
  stop(): Promise<unknown>;
}

async function serve(name: string, dir: string, count: number): Promise<Target> {
  const port = await freePort();
  const env = { ...process.env, CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: String(port), CERTYNEO_RATE_LIMIT_BURST: "1000000", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60000000" };
  const created = run([process.execPath, "src/main.ts", "keys", "create", "--env", "live", "--name", "scale bench"], { cwd: ROOT, env });
  const key = created.stdout.trim().split("\n").at(-1)!;
  // The ids the requests use, picked once through a read-only connection.
  const db = new Database(join(dir, "certyneo.db"), { readonly: true });
  const at = (offset: number, status?: string) =>
    (db.query(`SELECT id FROM envelopes WHERE environment = 'live' ${status ? "AND status = ?" : ""} ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?`)
      .get(...(status ? [status, offset] : [offset])) as { id: string }).id;
  const deepId = at(Math.floor(count * 0.9));
  const deepCompletedId = at(Math.floor(count * 0.52 * 0.9), "COMPLETED");
  const step = Math.max(1, Math.floor(count / 500));
  const ids = (db.query("SELECT id FROM envelopes WHERE rowid % ? = 0 LIMIT 500").all(step) as { id: string }[]).map((r) => r.id);
  const documentId = (db.query("SELECT id FROM documents WHERE environment = 'live' LIMIT 1").get() as { id: string }).id;
  db.close();
  const log = join(dir, "server.log");
  // A file given as stdout is written from its start, not truncated: a longer log from a run before would remain.
  rmSync(log, { force: true });
  const proc = Bun.spawn([process.execPath, "src/main.ts", "serve"], { cwd: ROOT, env, stdout: Bun.file(log), stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, 120_000);
  return { name, url, pid: proc.pid, key, deepId, deepCompletedId, ids, documentId, log, stop: () => (proc.kill("SIGTERM"), proc.exited) };
}

/** A row: the request timed, made (and what it needs made first, untimed) by `request`. */
type Op = { name: string; request: (t: Target, i: number) => Request | Promise<Request> };

/** A draft with two signers and a signature field each, made through the API for a DELETE row to remove. */
async function draftToDelete(t: Target, i: number): Promise<string> {
  const field = { documentId: t.documentId, type: "signature", page: 1, x: 72, y: 650, width: 180, height: 50 };
  const res = await fetch(`${t.url}/api/v1/envelopes`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
    body: JSON.stringify({
      subject: `Scale bench draft ${i}`, documentIds: [t.documentId],
      recipients: [{ email: `c${i}@example.com`, name: "Chloé Martin", role: "SIGNER", fields: [field] }, { email: `d${i}@example.com`, name: "Dev Patel", role: "SIGNER", fields: [field] }],
    }),
  });
  if (res.status !== 201) throw new Error(`${t.name}: draft for DELETE: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const ops: Op[] = [
  { name: "GET /envelopes?limit=20 (first page)", request: (t) => new Request(`${t.url}/api/v1/envelopes?limit=20`) },
  { name: "GET /envelopes?limit=20, 90 % deep", request: (t) => new Request(`${t.url}/api/v1/envelopes?limit=20&startingAfter=${t.deepId}`) },
  { name: "GET /envelopes?status=COMPLETED, 90 % deep", request: (t) => new Request(`${t.url}/api/v1/envelopes?limit=20&status=COMPLETED&startingAfter=${t.deepCompletedId}`) },
  { name: "GET /envelopes/{id}", request: (t, i) => new Request(`${t.url}/api/v1/envelopes/${t.ids[i % t.ids.length]}`) },
  {
    name: "POST /envelopes (2 signers)",
    request: (t, i) => new Request(`${t.url}/api/v1/envelopes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        subject: `Scale bench ${i}`, documentIds: [t.documentId],
        recipients: [{ email: `a${i}@example.com`, name: "Ana Silva", role: "SIGNER" }, { email: `b${i}@example.com`, name: "Ben Okafor", role: "SIGNER" }],
      }),
    }),
  },
  // Deleting a draft removes its recipients, whose removal finds their fields by an index: before
  // migration 0023 each recipient's read every field of every envelope.
  { name: "DELETE /envelopes/{id} (a draft, 2 signers, a field each)", request: async (t, i) => new Request(`${t.url}/api/v1/envelopes/${await draftToDelete(t, i)}`, { method: "DELETE" }) },
];

interface Sample { ms: number[]; requestIds: string[]; cpuUs: number }
let requestSeq = 0;

/**
 * One client, one request at a time (latency as a caller sees it, without queueing behind
 * itself), to each server in turn, the order swapped every request. Each request carries its
 * own id, to find the server's own duration in its access log afterwards.
 */
async function measure(targets: Target[], op: Op): Promise<Sample[]> {
  const samples = targets.map((t) => ({ ms: [] as number[], requestIds: [] as string[], cpu0: cpuSeconds(t.pid) }));
  for (let i = 0; i < REQUESTS; i++) {
    for (const k of i % 2 ? [...targets.keys()].reverse() : targets.keys()) {
      const t = targets[k]!;
      const req = await op.request(t, i);
      const requestId = `scale-bench.${requestSeq++}`;
      req.headers.set("authorization", `Bearer ${t.key}`);
      req.headers.set("x-request-id", requestId);
      const t0 = performance.now();
      const res = await fetch(req);
      await res.arrayBuffer();
      samples[k]!.ms.push(performance.now() - t0);
      samples[k]!.requestIds.push(requestId);
      if (res.status >= 300) throw new Error(`${t.name} ${op.name}: HTTP ${res.status}`);
    }
  }
  return samples.map((s, k) => ({ ms: s.ms, requestIds: s.requestIds, cpuUs: ((cpuSeconds(targets[k]!.pid) - s.cpu0) * 1e6) / REQUESTS }));
}

/** durationMs by request id, from a stopped server's access log. */
function durations(log: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(log, "utf8").split("\n")) {
    if (!line.includes('"msg":"request"')) continue;
    const { requestId, durationMs } = JSON.parse(line) as { requestId: string; durationMs: number };
    out.set(requestId, durationMs);
  }
  return out;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const machineLoad = loadMeter();
const smallDir = tempDir("certyneo-scale-1k-");
await fill(smallDir, SMALL);
let largeDir = process.argv[2];
if (!largeDir || !existsSync(join(largeDir, "certyneo.db"))) {
  largeDir = largeDir ?? tempDir("certyneo-scale-1m-");
  console.log(`filling ${largeDir} with ${LARGE.toLocaleString("en")} envelopes...`);
  await fill(largeDir, LARGE, "live", (n) => n % 100_000 === 0 && console.log(`  ${n}`));
}
const small = await serve("1,000", smallDir, SMALL);
const large = await serve("1,000,000", largeDir, (new Database(join(largeDir, "certyneo.db"), { readonly: true }).query("SELECT count(*) AS n FROM envelopes").get() as { n: number }).n);
const results = new Map<string, { p50: number[]; p99: number[]; p99few: number[]; cpu: number[]; requestIds: string[][] }>();
try {
  for (const op of ops) await measure([small, large], op); // warm-up: JIT, caches, prepared statements
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of ops) {
      const targets = round % 2 ? [large, small] : [small, large];
      const samples = await measure(targets, op);
      for (const [k, t] of targets.entries()) {
        const { ms, requestIds, cpuUs } = samples[k]!;
        const key = `${op.name}|${t.name}`;
        const r = results.get(key) ?? { p50: [], p99: [], p99few: [], cpu: [], requestIds: [] };
        const sorted = [...ms].sort((a, b) => a - b);
        r.p50.push(pct(sorted, 50));
        r.p99.push(pct(sorted, 99));
        r.p99few.push(pct(ms.slice(0, FEW).sort((a, b) => a - b), 99));
        r.cpu.push(cpuUs);
        r.requestIds.push(requestIds);
        results.set(key, r);
      }
    }
  }
} finally {
  await Promise.all([small.stop(), large.stop()]);
}
const serverMs = new Map([small, large].map((t) => [t.name, durations(t.log)]));
/** The median over rounds of the p99 of the server's own durations (access log), the same requests. */
const serverP99 = (name: string, requestIds: string[][]) =>
  median(requestIds.map((ids) => pct(ids.map((id) => serverMs.get(name)!.get(id) ?? Number.NaN).sort((a, b) => a - b), 99)));
const loadReport = machineLoad.report();
const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}x ${b / a <= 2 ? "met" : "NOT met"}`;
const rows = ops.map((op) => {
  const a = results.get(`${op.name}|${small.name}`)!;
  const b = results.get(`${op.name}|${large.name}`)!;
  return [op.name,
    median(a.p50).toFixed(2), median(a.p99).toFixed(2), serverP99(small.name, a.requestIds).toFixed(2), median(a.cpu).toFixed(0),
    median(b.p50).toFixed(2), median(b.p99).toFixed(2), serverP99(large.name, b.requestIds).toFixed(2), median(b.cpu).toFixed(0),
    ratio(median(a.p99), median(b.p99)), ratio(median(a.p99few), median(b.p99few))];
});
const out = table(["request", "1k p50 ms", "1k p99 ms", "1k server p99 ms", "1k server CPU µs/req", "1M p50 ms", "1M p99 ms", "1M server p99 ms", "1M server CPU µs/req",
  `p99 1M / 1k (target ≤ 2x)`, `same, p99 of ${FEW} requests per round`], rows);
console.log(out);
writeSection("Scale: 1,000 vs 1,000,000 envelopes", [
  `Command: \`node_modules/.bin/bun bench/scale.bench.ts [DIR]\` over data directories filled by \`bench/fill.ts\` (one environment; per envelope 1-3 recipients, a signature field per signer, 1-2 documents, 1-13 hash-chained audit events; 10 % DRAFT, 25 % SENT, 52 % COMPLETED, 13 % ended otherwise). Both servers run at once (\`src/main.ts serve\`, access log on, to a file); one client sends ${REQUESTS} requests per row, round and server, one at a time, to the two servers in turn (the order swapped every request), ${ROUNDS} rounds; the median of the rounds' p50/p99 shown. "Server p99": the same requests' p99 as the server's access log times them (\`durationMs\`: from the request's arrival in the handler to its response), so what is left of the client's p99 is outside the server's handling (scheduling of two loaded cores, the client). "Server CPU µs/req": the server process's user+system time per request (for the DELETE row, with the creation of the draft it deletes, made untimed just before). The last column is the p99 ratio of each round's first ${FEW} requests, the sample this bench took before.`,
  `Machine: ${machine()}; ${loadReport}: a shared machine (other agents' builds and tests may run meanwhile); compare the two columns of a row, measured side by side.`,
  "",
  out,
  "",
  "Each list row asks for the same page again and again, as a client polling it would: after the first request, its envelopes' views and the page itself come from the node's cache (src/modules/envelopes/view-cache.ts), checked against the ids and revisions the page query reads from the index. So these rows measure the page query at depth and the cache; a page read for the first time also reads its envelopes' rows and parts (a fixed number of statements for the page, test/envelopes-list-queries.test.ts): at 1M, about 30 pages of the file for a page of 20 now that ids start with their creation time (bench/fill.ts makes them so too), against about 150 with the random ids of before (2-10 ms on a loaded machine, more when they come from the disk) (docs/decisions.md, \"The scale bench's deep page at 1,000,000 envelopes\").",
].join("\n"));
