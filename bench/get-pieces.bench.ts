/**
 * What an authenticated GET of a document must cost at least, piece by piece: bare `Bun.serve`
 * handlers that each add one more of the parts the API needs for it (reading the request, the
 * answer's fields, the access-log line, the key's check and the rate limit, the cached document),
 * made of the app's own functions, and the app itself, all in one server process
 * (bench/get-pieces-server.ts), loaded by wrk in turn. Issue 14's GET target (0.6x of bare) is
 * out of reach if the handler that only does what the API must already costs more than 1/0.6 of
 * bare. Run: bun bench/get-pieces.bench.ts (needs wrk; taskset pins the server and wrk to a core
 * each where there are two).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, run, tempDir } from "../test/helpers/spawn";
import { loadMeter, machine, requireWrk, table, writeSection } from "./machine";
import { cpuSeconds } from "../test/helpers/proc";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const SECONDS = process.env.BENCH_SECONDS ?? "1";
const ROOT = join(import.meta.dir, "..");

requireWrk();
// One core for the server, the other for wrk: the rounds' spread halves when they do not share one.
const pin = run(["sh", "-c", "command -v taskset"]).code === 0 && navigator.hardwareConcurrency >= 2;
const onCore = (core: number, cmd: string[]) => (pin ? ["taskset", "-c", String(core), ...cmd] : cmd);

const dir = tempDir("certyneo-get-pieces-");
const ready = join(dir, "ready.json");
const env = {
  ...process.env, CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: String(await freePort()), READY_FILE: ready, MIMALLOC_PURGE_HOLES: "0",
  CERTYNEO_RATE_LIMIT_BURST: "1000000", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60000000",
};
// The access log goes to a file, as in production. taskset executes the server in its own place: one pid.
const server = Bun.spawn(onCore(0, [process.execPath, join(import.meta.dir, "get-pieces-server.ts")]), { cwd: ROOT, env, stdout: Bun.file(join(dir, "server.log")), stderr: "inherit" });
const deadline = Date.now() + 30_000;
while (!existsSync(ready)) {
  if (Date.now() > deadline || server.exitCode !== null) throw new Error("the bench's servers did not start");
  await Bun.sleep(50);
}
const { key, path, servers } = JSON.parse(readFileSync(ready, "utf8")) as { key: string; path: string; servers: Record<string, string> };

/** One wrk run against `url`: the server process's CPU µs per request. */
function load(url: string): number {
  const before = cpuSeconds(server.pid);
  const out = run(onCore(1, ["wrk", "-t1", "-c32", `-d${SECONDS}s`, "-H", `authorization: Bearer ${key}`, url + path])).stdout;
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  if (!requests || /Non-2xx/.test(out)) throw new Error(`wrk against ${url}: ${out}`);
  return ((cpuSeconds(server.pid) - before) * 1e6) / requests;
}

const names = Object.keys(servers);
const machineLoad = loadMeter();
try {
  for (const name of names) load(servers[name]!); // warm-up (JIT, caches)
  const runs = Object.fromEntries(names.map((n) => [n, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) runs[name]!.push(load(servers[name]!));
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const lowest = (n: string) => sorted(runs[n]!)[0]!;
  const median = (n: string) => sorted(runs[n]!)[Math.floor(ROUNDS / 2)]!;
  const bare = names[0]!;
  const rows = names.map((n, i) => [
    n, lowest(n).toFixed(1), median(n).toFixed(1),
    i ? `+${(lowest(n) - lowest(names[i - 1]!)).toFixed(1)}` : "–",
    (lowest(bare) / lowest(n)).toFixed(3), (median(bare) / median(n)).toFixed(3),
  ]);
  const minimal = names.at(-2)!;
  const out = [
    `Command: \`node_modules/.bin/bun bench/get-pieces.bench.ts\` (wrk, 1 thread, 32 connections, ${SECONDS} s per run, ${ROUNDS} rounds alternated, all servers in one process${pin ? ", pinned to one core and wrk to the other" : ""}; the server process's user+system CPU per request).`,
    `Machine: ${machine()}; ${machineLoad.report()}.`,
    "",
    table(["handler", "CPU µs/request, lowest round", "median", "added (lowest)", "bare ÷ this, lowest", "bare ÷ this, median"], rows),
    "",
    `Each handler is made of the app's own functions (bench/get-pieces-server.ts) and answers the same bytes as the app. The last hand-made row does only what the API must for this GET: ${(lowest(bare) / lowest(minimal)).toFixed(3)}x of bare by the lowest rounds, against issue 14's target of 0.6x for the whole app (${(lowest(bare) / lowest(names.at(-1)!)).toFixed(3)}x here). The lowest round is the steadier figure on a shared machine: what else runs only adds to a round.`,
  ].join("\n");
  console.log(out);
  writeSection("API: an authenticated GET, piece by piece", out);
} finally {
  server.kill();
}
