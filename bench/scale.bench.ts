/**
 * Latency at 1,000 vs 1,000,000 envelopes: list (first page, a page 90 % deep, a status-filtered
 * deep page), get and create, each against a server over a data directory filled by
 * bench/fill.ts. Both servers run side by side and are measured in interleaved rounds, so the
 * machine's load weighs on both alike.
 *
 *   node_modules/.bin/bun bench/scale.bench.ts [MILLION_DIR]
 *
 * MILLION_DIR: a directory already filled with `bun bench/fill.ts DIR 1000000` (filling takes
 * minutes to tens of minutes); without it, one is filled first. Writes `## Scale` in RESULTS.md.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { freePort, run, tempDir, waitForHealth } from "../test/helpers/spawn";
import { fill } from "./fill";
import { machine, table, writeSection } from "./machine";

const ROOT = join(import.meta.dir, "..");
const SMALL = 1000;
const LARGE = 1_000_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Target {
  name: string;
  url: string;
  pid: number;
  key: string;
  deepId: string;
  deepCompletedId: string;
  ids: string[];
  documentId: string;
  stop(): void;
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
  const proc = Bun.spawn([process.execPath, "src/main.ts", "serve"], { cwd: ROOT, env, stdout: Bun.file(join(dir, "server.log")), stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, 120_000);
  return { name, url, pid: proc.pid, key, deepId, deepCompletedId, ids, documentId, stop: () => proc.kill("SIGTERM") };
}

type Op = { name: string; request: (t: Target, i: number) => Request };
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
];

/** One client, one request at a time: latency as a caller sees it, without queueing behind itself. */
async function measure(t: Target, op: Op): Promise<{ ms: number[]; cpuUs: number }> {
  const ms: number[] = [];
  const cpu0 = cpuSeconds(t.pid);
  for (let i = 0; i < REQUESTS; i++) {
    const req = op.request(t, i);
    req.headers.set("authorization", `Bearer ${t.key}`);
    const t0 = performance.now();
    const res = await fetch(req);
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    if (res.status >= 300) throw new Error(`${t.name} ${op.name}: HTTP ${res.status}`);
  }
  return { ms, cpuUs: ((cpuSeconds(t.pid) - cpu0) * 1e6) / REQUESTS };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const loadBefore = loadavg().map((l) => l.toFixed(1)).join(" / ");
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
const results = new Map<string, { p50: number[]; p99: number[]; cpu: number[] }>();
try {
  for (const t of [small, large]) for (const op of ops) await measure(t, op); // warm-up: JIT, caches, prepared statements
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of ops) {
      for (const t of round % 2 ? [large, small] : [small, large]) {
        const { ms, cpuUs } = await measure(t, op);
        const sorted = ms.sort((a, b) => a - b);
        const key = `${op.name}|${t.name}`;
        const r = results.get(key) ?? { p50: [], p99: [], cpu: [] };
        r.p50.push(pct(sorted, 50));
        r.p99.push(pct(sorted, 99));
        r.cpu.push(cpuUs);
        results.set(key, r);
      }
    }
  }
} finally {
  small.stop();
  large.stop();
}
const loadAfter = loadavg().map((l) => l.toFixed(1)).join(" / ");
const rows = ops.map((op) => {
  const a = results.get(`${op.name}|${small.name}`)!;
  const b = results.get(`${op.name}|${large.name}`)!;
  const ratio = median(b.p99) / median(a.p99);
  return [op.name, median(a.p50).toFixed(2), median(a.p99).toFixed(2), median(a.cpu).toFixed(0), median(b.p50).toFixed(2), median(b.p99).toFixed(2), median(b.cpu).toFixed(0),
    `${ratio.toFixed(2)}x ${ratio <= 2 ? "met" : "NOT met"}`];
});
const out = table(["request", "1k p50 ms", "1k p99 ms", "1k server CPU µs/req", "1M p50 ms", "1M p99 ms", "1M server CPU µs/req", "p99 1M / 1k (target ≤ 2x)"], rows);
console.log(out);
writeSection("Scale: 1,000 vs 1,000,000 envelopes", [
  `Command: \`node_modules/.bin/bun bench/scale.bench.ts [DIR]\` over data directories filled by \`bench/fill.ts\` (one environment; per envelope 1-3 recipients, a signature field per signer, 1-2 documents, 1-13 hash-chained audit events; 10 % DRAFT, 25 % SENT, 52 % COMPLETED, 13 % ended otherwise). Both servers run at once (\`src/main.ts serve\`, access log on, to a file); one client sends ${REQUESTS} requests per row and server, ${ROUNDS} rounds interleaved, the median of the rounds' p50/p99 shown. "Server CPU µs/req": the server process's user+system time per request.`,
  `Machine: ${machine()}; load average ${loadBefore} before, ${loadAfter} after: a shared machine (other agents' builds and tests may run meanwhile); compare the two columns of a row, measured side by side.`,
  "",
  out,
  "",
  "Each list row asks for the same page again and again, as a client polling it would: after the first request, its envelopes' views and the page itself come from the node's cache (src/modules/envelopes/view-cache.ts), checked against the ids and revisions the page query reads from the index. So these rows measure the page query at depth and the cache; a page read for the first time also reads its envelopes' rows and parts (a fixed number of statements for the page, test/envelopes-list-queries.test.ts).",
].join("\n"));
