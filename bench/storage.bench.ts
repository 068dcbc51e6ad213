// Storage benchmark: bun bench/storage.bench.ts
//
// The same work on the embedded storage (data directory) and on an S3-compatible bucket
// (s3rver on loopback, the test suite's server): API uploads of a small PDF, the envelope cycle
// (upload, send, sign, seal, download), and FileStore put/get of a 20 MiB blob. s3rver writes to
// the same local disk, so the difference is the S3 protocol's cost (HTTP, SigV4, HEAD before
// PUT), not a remote bucket's latency.
import { complete, createEnvelope, quickStart, sendEnvelope, tokenOf, uploadDoc } from "../test/helpers/envelopes";
import { startS3Server, startS3TestServer } from "../test/helpers/s3";
import { download } from "../test/helpers/sealing";
import { startTestServer, type TestServer } from "../test/helpers/server";
import { machine, median, table, writeSection } from "./machine";

const UPLOADS = 100;
const CYCLES = 10;
const BLOB = 20 * 1024 * 1024;

const ms = (t0: number) => performance.now() - t0;

async function cycleOnce(s: TestServer) {
  const doc = await uploadDoc(s, { pages: 2 });
  const sent = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
  await complete(s, tokenOf(sent.recipients[0].signUrl));
  await s.running.app.jobs.drain();
  if ((await download(s, `/api/v1/envelopes/${sent.id}/signed-document`)).status !== 200) throw new Error("no sealed PDF");
}

async function measure(s: TestServer) {
  await cycleOnce(s); // warm-up: fonts, the sealing key, JIT; not counted
  const up: number[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    const t0 = performance.now();
    await uploadDoc(s, { pages: 1, name: `u${i}.pdf` });
    up.push(ms(t0));
  }
  const cycle: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const t0 = performance.now();
    await cycleOnce(s);
    cycle.push(ms(t0));
  }
  const blob = crypto.getRandomValues(new Uint8Array(65536));
  const big = new Uint8Array(BLOB).map((_, i) => blob[i % blob.length]! ^ (i >> 16));
  let t0 = performance.now();
  const sha = await s.deps.files.put(big);
  const put = ms(t0);
  t0 = performance.now();
  await s.deps.files.get(sha);
  const get = ms(t0);
  return { up, cycle, put, get };
}

const s3 = await startS3Server("bench");
const disk = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_LOG_LEVEL: "error" } });
const bucket = await startS3TestServer(s3, "bench", { CERTYNEO_LOG_LEVEL: "error" });
const rows: (string | number)[][] = [];
for (const [name, s] of [["data directory", disk], ["S3 (s3rver, loopback)", bucket]] as const) {
  const r = await measure(s);
  const mbps = (t: number) => (BLOB / 2 ** 20 / (t / 1000)).toFixed(0);
  rows.push([name, median(r.up).toFixed(1), (UPLOADS / (r.up.reduce((a, b) => a + b) / 1000)).toFixed(0), median(r.cycle).toFixed(0), mbps(r.put), mbps(r.get)]);
  await s.stop();
}
await s3.stop();

const body = `${machine()}

One process, sequential requests (no concurrency): ${UPLOADS} uploads of a one-page PDF through
the API, ${CYCLES} envelope cycles (upload, create, send, sign, seal with the development
certificate, download), and one 20 MiB blob put and read through the FileStore.

${table(["storage", "upload p50 (ms)", "uploads/s", "cycle p50 (ms)", "put 20 MiB (MiB/s)", "get 20 MiB (MiB/s)"], rows)}

Each storage gets one uncounted cycle first (fonts, sealing key, JIT). The data directory
fsyncs every new file and its directory before answering; s3rver (a test server) does not
fsync, so small writes can come out either way on a busy machine. Large blobs show the
protocol's cost (HTTP, SigV4, a Node server in between). A real bucket adds its network round
trips: a HEAD and a PUT per new file, a GET per read.`;
writeSection("Storage: data directory and S3", body);
console.log(body);
