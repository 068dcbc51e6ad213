/**
 * What in a large seal slows an authenticated GET: one server per kind of background work
 * (bench/background-work.ts, a thread at a PDF thread's priority doing what one step of a seal
 * does to a 100 MB PDF, again and again), each GET-ed every 2 ms through windows with the work
 * off, then on; the servers take turns, round after round. The table gives each kind's p99 with
 * the work on over the p99 of the window just before it (the same server, the same minute), the
 * median of the rounds. Writes `## GET latency beside one kind of background work` in
 * bench/RESULTS.md.
 *
 *   node_modules/.bin/bun bench/background-work.bench.ts
 *
 * BENCH_ROUNDS (6), BENCH_WINDOW_SECONDS (2), BENCH_WORK (kinds, comma-separated: all by default).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, run, tempDir, waitForHealth } from "../test/helpers/spawn";
import { WORK_KINDS, type WorkKind } from "./background-work";
import { loadMeter, machine, median, table, writeSection } from "./machine";
import { imagePdf, uploadOnePagePdf } from "./pdfs";

const ROOT = join(import.meta.dir, "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_SECONDS ?? 2) * 1000;
const KINDS = (process.env.BENCH_WORK?.split(",") ?? WORK_KINDS) as WorkKind[];
const unknown = KINDS.filter((k) => !WORK_KINDS.includes(k));
if (unknown.length) throw new Error(`BENCH_WORK: no such kind of work: ${unknown.join(", ")} (kinds: ${WORK_KINDS.join(", ")})`);
/** A step of the work in progress when it is switched off ends before the next idle window. */
const SETTLE_MS = 1_000;

const bigPdf = join(tempDir("certyneo-background-"), "big.pdf");
writeFileSync(bigPdf, await imagePdf(100));

async function startServer(kind: WorkKind) {
  const dir = tempDir("certyneo-background-");
  const port = await freePort();
  // With the allocator's setting given, `serve` does not start itself again (src/allocator.ts).
  const env = {
    ...process.env, CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: String(port), MIMALLOC_PURGE_HOLES: "0",
    CERTYNEO_RATE_LIMIT_BURST: "1000000", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60000000",
    CERTYNEO_BENCH_WORK: kind, CERTYNEO_BENCH_WORK_FILE: bigPdf,
  };
  const key = run([process.execPath, "src/main.ts", "keys", "create", "--env", "test", "--name", "bench"], { cwd: ROOT, env }).stdout.trim().split("\n").at(-1)!;
  const proc = Bun.spawn([process.execPath, "--preload", join(import.meta.dir, "background-work.ts"), "src/main.ts", "serve"], { cwd: ROOT, env, stdout: Bun.file(join(dir, "server.log")), stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  const headers = { authorization: `Bearer ${key}` };
  return { kind, proc, url: `${url}/api/v1/documents/${await uploadOnePagePdf(url, headers)}`, headers };
}
type Server = Awaited<ReturnType<typeof startServer>>;

/** A GET every 2 ms for `ms`: the p99 of their times, from fetch() to the body read. */
async function window(server: Server, ms: number): Promise<number> {
  const times: number[] = [];
  for (const end = performance.now() + ms; performance.now() < end; ) {
    const start = performance.now();
    const res = await fetch(server.url, { headers: server.headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
    times.push(performance.now() - start);
    await Bun.sleep(2);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length * 0.99)]!;
}

const servers: Server[] = [];
for (const kind of KINDS) servers.push(await startServer(kind));
const meter = loadMeter();
const ratios = new Map<WorkKind, number[]>(KINDS.map((k) => [k, []]));
try {
  // The work's first two steps, done at start, end before the first window; the JIT warms on GETs.
  for (const server of servers) await window(server, SETTLE_MS * 2);
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of round % 2 ? [...servers].reverse() : servers) {
      const idle = await window(server, WINDOW_MS);
      server.proc.kill("SIGUSR1");
      const busy = await window(server, WINDOW_MS);
      server.proc.kill("SIGUSR2");
      await Bun.sleep(SETTLE_MS);
      ratios.get(server.kind)!.push(busy / idle);
    }
  }
} finally {
  for (const server of servers) server.proc.kill();
}

const rows = KINDS.map((kind) => [kind, `${median(ratios.get(kind)!).toFixed(2)}x`, ratios.get(kind)!.map((r) => r.toFixed(2)).join(" / ")]);
const t = table(["background work (one thread at nice 10, on a 100 MB PDF)", "GET p99 with it ÷ without, median", "each round"], rows);
console.log(t);
writeSection("GET latency beside one kind of background work", [
  `Command: \`node_modules/.bin/bun bench/background-work.bench.ts\`: one server per kind of work, each with a thread at a PDF thread's priority (nice 10, bench/background-work.ts) that does one step of what a seal does to a 100 MB PDF, again and again, while it is switched on; a GET of a document every 2 ms through a ${WINDOW_MS / 1000} s window with the work off, then one with it on; the servers take turns, ${ROUNDS} rounds. The ratio is the p99 with the work over the p99 of the window just before, on the same server.`,
  `Machine: ${machine()}; ${meter.report()}.`,
  "",
  t,
  "",
  "\"seal's steps\" is read, stamp, hash and write-and-fsync one after the other, the PDF thread's share of a seal of that file (its CMS aside). Where a kind's CPU alone (spin, hash) costs the GETs nothing, a slow GET beside another kind is a wait on something the thread shares with the event loop other than a core: the kernel's write-back, the address space (map), the runtime's threads (docs/decisions.md, \"What slows a GET while a large PDF is sealed\").",
].join("\n"));
