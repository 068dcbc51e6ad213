/**
 * Webhook delivery benchmark: 10,000 events through the durable outbox to a local receiver,
 * against a baseline of the same 10,000 signed POSTs sent with plain fetch.
 *
 *   node_modules/.bin/bun bench/webhooks.bench.ts [events]
 *
 * The receiver is a separate process (as an integrator's would be) that verifies every
 * delivery with the `standardwebhooks` package and counts them. Writes `## Webhooks` in
 * bench/RESULTS.md.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { openInstance } from "../src/instance";
import { createLogger } from "../src/log";
import { transaction } from "../src/store/transaction";
import { CLAIM_AHEAD, createWebhookDispatcher } from "../src/modules/webhooks/dispatcher";
import { recordEvent, WEBHOOK_EVENT_TYPES } from "../src/modules/webhooks/events";
import { createWebhook } from "../src/modules/webhooks/service";
import { secretKey, signatureHeaders } from "../src/modules/webhooks/signature";
import { loadMeter, machine, table, writeSection } from "./machine";

const EVENTS = Number(process.argv[2] ?? 10_000);
/** Each scenario runs this many times, interleaved; the table shows the median run (by deliveries/s). */
const ROUNDS = Number(process.argv[3] ?? 3);
const CONCURRENCY = 8;

/** Every POST of a run is timed the same way, outbox or baseline: from fetch() to the response headers. */
const plainFetch = globalThis.fetch;
let samples: number[] = [];
globalThis.fetch = (async (input: any, init?: any) => {
  const t = performance.now();
  const res = await plainFetch(input, init);
  samples.push(performance.now() - t);
  return res;
}) as typeof fetch;

const RECEIVER = `
import { Webhook } from "standardwebhooks";
const hooks = new Map();
const stats = { received: 0, verified: 0, failed: 0 };
const s = Bun.serve({ port: 0, hostname: "127.0.0.1", async fetch(req) {
  const path = new URL(req.url).pathname;
  if (path === "/_secret") { const { path: p, secret } = await req.json(); hooks.set(p, new Webhook(secret)); return new Response(null, { status: 204 }); }
  if (path === "/_stats") return Response.json(stats);
  if (path === "/_reset") { stats.received = stats.verified = stats.failed = 0; return new Response(null, { status: 204 }); }
  const body = await req.text();
  stats.received++;
  try { hooks.get(path).verify(body, Object.fromEntries(req.headers)); stats.verified++; return new Response(null, { status: 204 }); }
  catch { stats.failed++; return new Response("bad signature", { status: 400 }); }
} });
console.log(s.port);
`;

/** An envelope as the API shows it, so payloads have a realistic size (~1.3 KB). */
const envelope = (i: number) => ({
  id: `env_${String(i).padStart(20, "0")}`,
  subject: "Employment contract — please sign",
  status: "SENT",
  environment: "live",
  documents: [{ id: "doc_4f8k2m9x7q1c5v3b6n0z", name: "contract.pdf", pageCount: 3, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }],
  recipients: [
    { id: "rcp_a1", email: "ada@example.com", name: "Ada Lovelace", role: "SIGNER", routingOrder: 1, status: "SENT", signUrl: "https://sign.example.com/s/abc" },
    { id: "rcp_b2", email: "grace@example.com", name: "Grace Hopper", role: "SIGNER", routingOrder: 2, status: "PENDING", signUrl: null },
  ],
  metadata: { employeeId: `E${i}`, department: "Engineering" },
  createdAt: "2026-01-15T09:00:00.000Z",
  sentAt: "2026-01-15T09:00:01.000Z",
  expiresAt: "2026-02-15T09:00:00.000Z",
});

async function startReceiver() {
  const proc = Bun.spawn([process.execPath, "-e", RECEIVER], { cwd: join(import.meta.dir, ".."), stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const { value } = await reader.read();
  const port = Number(new TextDecoder().decode(value).trim());
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    proc,
    secret: (path: string, secret: string) => fetch(`${base}/_secret`, { method: "POST", body: JSON.stringify({ path, secret }) }),
    stats: async () => (await (await fetch(`${base}/_stats`)).json()) as { received: number; verified: number; failed: number },
    reset: () => fetch(`${base}/_reset`, { method: "POST" }),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

interface Row {
  name: string;
  deliveries: number;
  enqueueMs: number | null;
  emptyMs: number;
  p50: number | null;
  p99: number | null;
  /** CPU time of this process (the sender) per delivery, user + system, in µs. */
  cpuUs: number;
  /** The same for its JavaScript thread alone: the dispatcher's own work (the rest is mostly Bun's HTTP client thread). */
  jsUs: number;
}

/** CPU time of the calling (JavaScript) thread so far, in µs (/proc schedstat: nanoseconds on a CPU). */
const jsThreadUs = () => Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]) / 1000;

function percentile(sorted: number[], p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

/** The outbox: enqueue EVENTS events (one transaction each, as an API request would), then drain it. */
async function outbox(rx: Receiver, endpoints: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "certyneo-bench-webhooks-"));
  const config = loadConfig({
    CERTYNEO_DATA_DIR: dir,
    CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8",
    CERTYNEO_WEBHOOKS_CONCURRENCY: String(CONCURRENCY),
    CERTYNEO_LOG_LEVEL: "error",
  });
  const deps = await openInstance(config, { log: createLogger("error", () => {}) });
  try {
    // Each endpoint subscribes to one event type; events cycle through the types, so the
    // deliveries spread evenly and every event is delivered exactly once.
    const types = WEBHOOK_EVENT_TYPES.slice(0, endpoints);
    for (const [i, type] of types.entries()) {
      const path = `/outbox-${endpoints}-${i}`;
      const { secret } = await createWebhook(deps, "live", { url: rx.base + path, events: [type] });
      await rx.secret(path, secret);
    }
    await rx.reset();
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      await transaction(deps.db, (tx) => recordEvent(tx, deps.clock, { environment: "live", envelopeId: envelope(i).id, type: types[i % types.length]!, data: { envelope: envelope(i) } }));
    }
    const enqueueMs = performance.now() - t0;
    const dispatcher = createWebhookDispatcher(deps);
    samples = [];
    const cpu0 = process.cpuUsage();
    const js0 = jsThreadUs();
    const t1 = performance.now();
    const r = await dispatcher.drain();
    const emptyMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const jsUs = (jsThreadUs() - js0) / EVENTS;
    const durations = [...samples].sort((a, b) => a - b);
    const pending = deps.db.$client.query("SELECT count(*) AS n FROM webhook_deliveries WHERE status != 'succeeded'").get() as { n: number };
    const st = await rx.stats();
    if (r.succeeded !== EVENTS || pending.n !== 0 || st.verified !== EVENTS || st.failed !== 0)
      throw new Error(`outbox run incomplete: ${JSON.stringify({ r, pending: pending.n, receiver: st })}`);
    return { name: `certyneo outbox, ${endpoints} endpoint${endpoints > 1 ? "s" : ""}`, deliveries: r.succeeded, enqueueMs, emptyMs, p50: percentile(durations, 50), p99: percentile(durations, 99), cpuUs: (cpu.user + cpu.system) / r.succeeded, jsUs };
  } finally {
    deps.db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Baseline: the same signed POSTs with plain fetch, no database, `parallel` at a time. */
async function baseline(rx: Receiver, parallel: number): Promise<Row> {
  const path = `/baseline-${parallel}`;
  const secret = "whsec_" + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  await rx.secret(path, secret);
  await rx.reset();
  const key = secretKey(secret);
  const bodies = Array.from({ length: EVENTS }, (_, i) =>
    JSON.stringify({ id: `evt_${i}`, type: "envelope.sent", createdAt: new Date().toISOString(), environment: "live", data: { envelope: envelope(i) } }));
  let next = 0;
  samples = [];
  const cpu0 = process.cpuUsage();
  const js0 = jsThreadUs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < EVENTS) {
      const i = next++;
      const res = await fetch(rx.base + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...signatureHeaders(key, `evt_${i}`, Math.floor(Date.now() / 1000), bodies[i]!) },
        body: bodies[i],
        redirect: "manual",
      });
      await res.arrayBuffer();
      if (res.status !== 204) throw new Error(`baseline: HTTP ${res.status}`);
    }
  }));
  const emptyMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const jsUs = (jsThreadUs() - js0) / EVENTS;
  const durations = [...samples].sort((a, b) => a - b);
  return { name: `plain fetch, ${parallel === 1 ? "sequential" : `${parallel} concurrent`}`, deliveries: EVENTS, enqueueMs: null, emptyMs, p50: percentile(durations, 50), p99: percentile(durations, 99), cpuUs: (cpu.user + cpu.system) / EVENTS, jsUs };
}

const machineLoad = loadMeter();
const rx = await startReceiver();
const runs: Row[][] = [[], [], [], []];
try {
  // Warm up the receiver and the connection pool.
  await baseline(rx, CONCURRENCY);
  for (let round = 0; round < ROUNDS; round++) {
    runs[0]!.push(await baseline(rx, 1));
    runs[1]!.push(await outbox(rx, 1));
    runs[2]!.push(await baseline(rx, CONCURRENCY));
    runs[3]!.push(await outbox(rx, CONCURRENCY));
  }
} finally {
  rx.proc.kill();
}
const loadReport = machineLoad.report();
const rate = (r: Row) => r.deliveries / r.emptyMs;
const rows = runs.map((rs) => [...rs].sort((a, b) => rate(a) - rate(b))[Math.floor(rs.length / 2)]!);
const spread = runs.map((rs) => rs.map((r) => Math.round(rate(r) * 1000)).join(" / "));

const fmt = (n: number | null, digits = 0) => (n === null ? "–" : n.toFixed(digits));
const head = ["sender", "deliveries", `enqueue ${EVENTS.toLocaleString("en")} events (ms)`, "until outbox empty (ms)", "deliveries/s", "request p50 (ms)", "request p99 (ms)", "sender CPU µs/delivery", "its JavaScript thread: CPU µs/delivery, busy", `deliveries/s of the ${ROUNDS} runs`];
const body = rows.map((r, i) => [r.name, r.deliveries, fmt(r.enqueueMs), fmt(r.emptyMs), fmt((r.deliveries / r.emptyMs) * 1000), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.cpuUs, 1), `${fmt(r.jsUs, 1)}, ${fmt((r.jsUs * r.deliveries) / (r.emptyMs * 10))} %`, spread[i]!]);
const out = table(head, body);
console.log(out);
const ratio = (a: Row, b: Row) => ((a.deliveries / a.emptyMs) / (b.deliveries / b.emptyMs)).toFixed(2);
writeSection("Webhooks", [
  `Command: \`node_modules/.bin/bun bench/webhooks.bench.ts\` — ${EVENTS.toLocaleString("en")} events per run, ${ROUNDS} runs of each row interleaved, the median shown. Each event is written with its delivery in its own transaction (as an API request does), then the dispatcher drains the outbox to a receiver in a separate process on loopback that verifies every signature with the \`standardwebhooks\` package. Baseline: the same signed POSTs to the same receiver with plain \`fetch\`, no database.`,
  `Machine: ${machine()}; ${loadReport} (the machine is shared: compare rows within a run, not across runs).`,
  "",
  out,
  "",
  `The outbox run with one endpoint is sequential by design (at most one delivery in flight per endpoint); with ${CONCURRENCY} endpoints it runs ${CONCURRENCY} at once (webhooks.concurrency = ${CONCURRENCY}). ` +
    `Outbox vs plain fetch: ${ratio(rows[1]!, rows[0]!)}x sequential, ${ratio(rows[3]!, rows[2]!)}x at ${CONCURRENCY} concurrent. ` +
    `The outbox's cost is SQLite work on the one JavaScript thread: each endpoint's next deliveries are claimed ahead (up to ${CLAIM_AHEAD}, CLAIM_AHEAD, in one select and one update), so after a success the next request starts at once; outcomes wait and are recorded together (WAL, synchronous=NORMAL) when an endpoint's queue runs low, in the transaction that refills it (and tops up the other busy endpoints' queues that are three-quarters full or less, so that their refills share commits), or when it stops. ` +
    "\"Request p50/p99\": each POST from fetch() to the response headers, measured the same way for both. \"Sender CPU\": user + system CPU time of the benchmark's process (the dispatcher, or the plain fetch loop) per delivery, while the outbox empties; the receiver's is not in it. On a shared machine it moves less than the rates do. " +
    "\"Its JavaScript thread\": that thread's share of it, and how much of the run it was busy. At 8 endpoints the outbox's thread is busy only a little over half the time: the rate is bound by waiting as much as by work. Each endpoint has one request in flight, and an answer that comes while a transaction runs (a commit of 150-250 µs, a claim) waits for it (docs/decisions.md, \"The webhook outbox at 8 endpoints waits more than it works\").",
].join("\n"));
