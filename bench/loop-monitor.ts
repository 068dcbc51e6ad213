/**
 * Preloaded into the server by the e2e bench (`--preload`, BENCH_LOOP_MONITOR=1): a 1 ms timer
 * on the event loop that writes every gap over 3 ms between two of its ticks to the file
 * CERTYNEO_BENCH_LOOP_FILE, with the event loop's own CPU time within the gap (its schedstat):
 * a long gap with little CPU was a wait for a core, one with as much CPU was the event loop
 * running (a GET with the seal's main-thread steps, a collection). Lines: wall-clock ms, gap ms, CPU ms.
 */
import { appendFileSync, readFileSync } from "node:fs";

const file = process.env.CERTYNEO_BENCH_LOOP_FILE;
if (file) {
  const cpuMs = () => Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]) / 1e6;
  let lastAt = performance.now();
  let lastCpu = cpuMs();
  const timer = setInterval(() => {
    const at = performance.now();
    const cpu = cpuMs();
    try {
      if (at - lastAt > 3) appendFileSync(file, `${Date.now()} ${(at - lastAt).toFixed(2)} ${(cpu - lastCpu).toFixed(2)}\n`);
    } catch {
      clearInterval(timer); // the bench removed its directory: the server is stopping
    }
    lastAt = at;
    lastCpu = cpu;
  }, 1);
  timer.unref();
}
