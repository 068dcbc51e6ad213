/**
 * The same binary on SQLite (one node) and on PostgreSQL with one and two nodes (two nodes
 * share an S3-compatible bucket, s3rver on loopback; one node keeps its data directory):
 * API throughput (GET an envelope, POST an envelope; clients spread over the nodes) and
 * envelopes sealed per minute end to end (upload → create → send → sign → SEALED). Each setup
 * runs in turn on the same machine with the same clients; PostgreSQL is Debian's, the test
 * suite's private cluster (fsync off: it measures the coordination, not the disk).
 *
 *   node_modules/.bin/bun bench/scale-out.bench.ts        (BENCH_SECONDS per measure, default 15)
 *
 * Writes `## Scale-out: SQLite and PostgreSQL, one and two nodes` in bench/RESULTS.md.
 */
import { join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startS3Server } from "../test/helpers/s3";
import { freePort, run, tempDir, waitForHealth } from "../test/helpers/spawn";
import { testPostgres } from "../test/helpers/postgres";
import { loadMeter, machine, table, writeSection } from "./machine";

const ROOT = join(import.meta.dir, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const API_CLIENTS = 16;
const E2E_CLIENTS = 8;

const pdf = await PDFDocument.create();
const font = await pdf.embedFont(StandardFonts.Helvetica);
for (let p = 1; p <= 3; p++) pdf.addPage([595, 842]).drawText(`Employment contract, page ${p} of 3. `.repeat(3), { x: 40, y: 780, size: 10, font });
const contentBase64 = Buffer.from(await pdf.save()).toString("base64");

interface Setup {
  name: string;
  nodes: string[];
  key: string;
  stop(): Promise<void>;
}

async function start(name: string, count: number, env: Record<string, string>): Promise<Setup> {
  const base = { ...process.env, CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_LOG_LEVEL: "warn", ...env } as Record<string, string>;
  const dir = tempDir("certyneo-scale-");
  const key = run([process.execPath, "src/main.ts", "keys", "create", "--env", "test", "--name", "bench"], { cwd: ROOT, env: { ...base, CERTYNEO_DATA_DIR: dir } }).stdout.trim().split("\n").at(-1)!;
  const procs: ReturnType<typeof Bun.spawn>[] = [];
  const nodes: string[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const nodeDir = count === 1 ? dir : tempDir("certyneo-scale-node-");
    procs.push(Bun.spawn([process.execPath, "src/main.ts", "serve"], {
      cwd: ROOT, env: { ...base, CERTYNEO_DATA_DIR: nodeDir, CERTYNEO_PORT: String(port) }, stdout: Bun.file(join(nodeDir, "server.log")), stderr: "inherit",
    }));
    console.log(`${name}: node ${i + 1} logs to ${join(nodeDir, "server.log")}`);
    nodes.push(`http://127.0.0.1:${port}`);
  }
  for (const n of nodes) await waitForHealth(n, 30_000);
  return { name, nodes, key, async stop() { for (const p of procs) p.kill(); await Promise.all(procs.map((p) => p.exited)); } };
}

/** 503 database_busy answers retried (after Retry-After, as a client should), per setup. */
const busy = new Map<string, number>();

function client(s: Setup) {
  return async (node: string, path: string, json?: unknown, method = json === undefined ? "GET" : "POST") => {
    for (;;) {
      const res = await fetch(node + path, {
        method, headers: { authorization: `Bearer ${s.key}`, ...(json === undefined ? {} : { "content-type": "application/json" }) },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const body = (await res.json()) as any;
      if (res.status === 503 && body.code === "database_busy") {
        busy.set(s.name, (busy.get(s.name) ?? 0) + 1);
        await Bun.sleep(Number(res.headers.get("retry-after") ?? 1) * 1000);
        continue;
      }
      if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
      return body;
    }
  };
}

/** Requests per second of `request` by API_CLIENTS loops for SECONDS, client i on node i mod n. */
async function throughput(s: Setup, request: (node: string) => Promise<unknown>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: API_CLIENTS }, async (_, i) => {
    while (performance.now() < end) {
      await request(s.nodes[i % s.nodes.length]!);
      done++;
    }
  }));
  return done / SECONDS;
}

async function measure(s: Setup) {
  const api = client(s);
  const doc = await api(s.nodes[0]!, "/api/v1/documents", { name: "bench.pdf", contentBase64 });
  const draft = { subject: "Bench", documentIds: [doc.id], recipients: [{ email: "a@example.com", name: "Ana Silva" }, { email: "b@example.com", name: "Bo Li" }] };
  const one = await api(s.nodes[0]!, "/api/v1/envelopes", draft);
  const get = await throughput(s, (n) => api(n, `/api/v1/envelopes/${one.id}`));
  const post = await throughput(s, (n) => api(n, "/api/v1/envelopes", draft));
  // End to end: E2E_CLIENTS flows at once, spread over the nodes; counted once sealed.
  const end = performance.now() + SECONDS * 1000;
  let sealed = 0;
  await Promise.all(Array.from({ length: E2E_CLIENTS }, async (_, i) => {
    const node = s.nodes[i % s.nodes.length]!;
    for (let n = 0; performance.now() < end; n++) {
      const d = await api(node, "/api/v1/documents", { name: `c${i}-${n}.pdf`, contentBase64 });
      const e = await api(node, "/api/v1/envelopes", { subject: `Contract ${i}.${n}`, documentIds: [d.id], recipients: [{ email: `s${i}.${n}@example.com`, name: "Ana Silva",
        fields: [{ documentId: d.id, type: "signature", page: 3, x: 60, y: 700, width: 180, height: 50 }] }] });
      const sent = await api(node, `/api/v1/envelopes/${e.id}/send`, undefined, "POST");
      const token = (sent.recipients[0].signUrl as string).split("/s/")[1]!;
      await api(node, `/api/v1/signing/${token}/complete`, { signature: { type: "typed", value: "Ana Silva" }, consent: true });
      while ((await api(node, `/api/v1/envelopes/${e.id}`)).sealStatus !== "SEALED") await Bun.sleep(5);
      if (performance.now() <= end) sealed++;
    }
  }));
  return { get, post, perMinute: sealed * 60 / SECONDS };
}

const machineLoad = loadMeter();
const pg = await testPostgres();
const s3 = await startS3Server();
const rows: (string | number)[][] = [];
const setups: Array<() => Promise<Setup>> = [
  () => start("SQLite, 1 node (data directory)", 1, {}),
  async () => start("PostgreSQL, 1 node (data directory)", 1, { CERTYNEO_DATABASE_URL: await pg.freshDatabase("bench_one") }),
  async () => start("PostgreSQL, 2 nodes (S3 bucket)", 2, { CERTYNEO_DATABASE_URL: await pg.freshDatabase("bench_two"), ...s3.env("bench") }),
];
for (const make of setups) {
  const s = await make();
  try {
    const r = await measure(s);
    console.log(s.name, r);
    rows.push([s.name, Math.round(r.get), Math.round(r.post), Math.round(r.perMinute), busy.get(s.name) ?? 0]);
  } finally {
    await s.stop();
  }
}
await s3.stop();

const result = table(["setup", "GET /envelopes/{id} req/s", "POST /envelopes req/s", "envelopes sealed/min (end to end)", "503 database_busy retried"], rows);
console.log(result);
writeSection("Scale-out: SQLite and PostgreSQL, one and two nodes", `Command: \`node_modules/.bin/bun bench/scale-out.bench.ts\` (${SECONDS} s per measure; ${API_CLIENTS} API clients, ${E2E_CLIENTS} end-to-end clients, in the bench process, spread over the nodes). PostgreSQL 15 (Debian's) on the same machine, the test suite's private cluster (fsync off, so the disk is not what is measured; SQLite runs with its defaults, WAL and synchronous=NORMAL); two nodes share an s3rver bucket on loopback, one node its data directory. The setups run one after another with the same clients. A 503 database_busy (a conflict between nodes that outlasted the server's retries) is retried after its Retry-After, as a client should; the last column counts them.
Machine: ${machine()}; ${machineLoad.report()}. Everything (clients, nodes, PostgreSQL, s3rver) shares the 2 cores: a second node adds no CPU here, it shows what coordination costs, not how far it scales on separate machines.

${result}`);
process.exit(0);
