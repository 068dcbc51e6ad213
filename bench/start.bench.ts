/**
 * Cold start and idle memory of the single executable: builds it as `npm run build` does, then
 * starts it STARTS times on one data directory (after a first start that creates the database,
 * instance secret and development certificate) and measures, for each start, the time and the
 * process's CPU until the first `/healthz` 200, and its RSS once idle. Each start alternates with
 * one whose environment already has the allocator setting (MIMALLOC_PURGE_HOLES=0, as the Docker
 * image sets it), which spares `serve` its restart. Then watches one more start's RSS while it
 * stays idle for IDLE_SECONDS (BENCH_IDLE_SECONDS, 180). Writes `## Start and memory`.
 *
 *   node_modules/.bin/bun bench/start.bench.ts [BINARY]
 */
import { join } from "node:path";
import { freePort, tempDir } from "../test/helpers/spawn";
import { buildLikeNpm, loadMeter, machine, median, table, writeSection } from "./machine";
import { cpuSeconds, memoryBytes } from "../test/helpers/proc";

const STARTS = Number(process.env.BENCH_STARTS ?? 7);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 180);
let binary = process.argv[2];
if (!binary) {
  binary = join(tempDir("certyneo-start-"), "certyneo");
  buildLikeNpm(binary);
}
const dataDir = tempDir("certyneo-start-data-");

/** The process's user+system CPU in ms, and its resident memory in MB, from /proc. */
function usage(pid: number) {
  return { cpuMs: cpuSeconds(pid) * 1000, rssMb: memoryBytes(pid, "VmRSS") / 2 ** 20 };
}

async function start(watchSeconds = 0, env: Record<string, string> = {}) {
  const port = await freePort();
  const t0 = performance.now();
  const proc = Bun.spawn([binary!, "serve"], { env: { ...process.env, CERTYNEO_DATA_DIR: dataDir, CERTYNEO_PORT: String(port), ...env }, stdout: "ignore", stderr: "inherit" });
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await Bun.sleep(1);
  }
  const ms = performance.now() - t0;
  const { cpuMs } = usage(proc.pid);
  await Bun.sleep(1000); // idle: the key check and the first poll have run
  const { rssMb } = usage(proc.pid);
  // An idle server's RSS moves: its polls' garbage piles up between the heap's collections.
  const watched: number[] = [];
  for (let s = 0; s < watchSeconds; s++) {
    await Bun.sleep(1000);
    watched.push(usage(proc.pid).rssMb);
  }
  proc.kill("SIGTERM");
  await proc.exited;
  return { ms, cpuMs, rssMb, watched };
}

const machineLoad = loadMeter();
await start(); // creates the data directory's files
const starts = [];
const preset = [];
for (let i = 0; i < STARTS; i++) {
  starts.push(await start());
  preset.push(await start(0, { MIMALLOC_PURGE_HOLES: "0" }));
}
const { watched } = await start(IDLE_SECONDS);
const loadReport = machineLoad.report();
const min = (xs: number[]) => Math.min(...xs);
const row = (measure: string, xs: number[], digits = 0) => [measure, median(xs).toFixed(0), min(xs).toFixed(0), xs.map((x) => x.toFixed(digits)).join(" / ")];
const out = table(["measure", "median", "best", `each of the ${STARTS} starts`], [
  row("start to first /healthz 200, ms", starts.map((s) => s.ms)),
  row("CPU until then, ms (user+system)", starts.map((s) => s.cpuMs)),
  row("idle RSS 1 s later, MB", starts.map((s) => s.rssMb)),
  row("with MIMALLOC_PURGE_HOLES=0 set (no restart): start to first /healthz 200, ms", preset.map((s) => s.ms)),
  row("with MIMALLOC_PURGE_HOLES=0 set: CPU until then, ms", preset.map((s) => s.cpuMs)),
]);
const idleLine = `Idle RSS of one more start over the ${IDLE_SECONDS} s after that (sampled each second): median ${median(watched).toFixed(0)} MB, lowest ${min(watched).toFixed(0)}, highest ${Math.max(...watched).toFixed(0)}. ` +
  "It moves with the JavaScript heap: the polls (jobs, webhooks, sweeps, each second) run statements prepared once, and what little garbage they leave is collected once the server has had no request for 10 s (src/server.ts, idleCollector). Before the polls' statements were prepared (session 11) it moved more: median 79 MB, highest 82.";
const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
const [asRun, withSetting, idleRss] = [median(starts.map((s) => s.ms)), median(preset.map((s) => s.ms)), median(starts.map((s) => s.rssMb))];
const targets = `Targets (issue 14): cold start to the first 200 < 150 ms (as run: ${asRun.toFixed(0)} ms, ${verdict(asRun < 150)}; with the setting preset: ${withSetting.toFixed(0)} ms, ${verdict(withSetting < 150)}), idle RSS < 80 MB (${idleRss.toFixed(0)} MB, ${verdict(idleRss < 80)}).`;
console.log(out + "\n\n" + idleLine + "\n\n" + targets);
writeSection("Start and memory", [
  `Command: \`node_modules/.bin/bun bench/start.bench.ts\`: the executable of \`npm run build\`, started ${STARTS} times on one data directory with the development certificate (a first start created it and recorded the key's check), each start alternating with one whose environment has MIMALLOC_PURGE_HOLES=0 already (the Docker image's), which spares \`serve\` the restart that gives it its allocator setting (docs/configuration.md). For scale: a Bun executable that prints one line reaches it 30-40 ms after it starts on this VM; \`serve\` as run directly starts the runtime twice. Machine: ${machine()}; ${loadReport}: on a loaded machine the wall time mostly measures waiting for a core; the CPU column is what the start costs.`,
  "",
  out,
  "",
  idleLine,
  "",
  targets,
].join("\n"));
