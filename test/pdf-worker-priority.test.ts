// The PDF threads run at pdf.workerNice and, with pdf.workerSpareCore, off one core, each thread on
// its own: the HTTP thread (and the rest of the process) keeps its priority and its cores. Read from
// /proc, where Linux shows each thread's nice value and CPU set.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { createPdfWorkers } from "../src/pdf-worker/pool";
import { tempDir } from "./helpers/spawn";

/** Every thread of this process, by id: its nice value (field 19 of /proc/self/task/<tid>/stat) and the cores it may run on. */
function threadSettings(): Map<string, { nice: number; cores: string }> {
  const out = new Map<string, { nice: number; cores: string }>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const cores = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, "utf8"))![1]!;
      out.set(tid, { nice: Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[16]), cores });
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

/** The cores of a Cpus_allowed_list ("0-3,6"). */
const coresOf = (list: string): number[] =>
  list.split(",").flatMap((range) => {
    const [from, to = from] = range.split("-").map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
  });

/** The settings of the threads a pool of `workers` started, and of the threads there before. */
async function poolThreads(env: Record<string, string>, workers: number) {
  const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-priority-"), CERTYNEO_PDF_WORKERS: String(workers), ...env });
  const before = threadSettings();
  const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
  try {
    // As many tasks as threads at once: each thread takes one.
    await Promise.all(Array.from({ length: workers }, () => pdf.run("sha256Parts", [new Uint8Array(1 << 20)])));
    const after = threadSettings();
    return {
      started: [...after].filter(([tid]) => !before.has(tid)).map(([, settings]) => settings),
      existing: [...before].map(([tid, settings]) => ({ ...settings, now: after.get(tid) })),
    };
  } finally {
    pdf.close();
  }
}

const own = () => threadSettings().get(String(process.pid))!;

describe.skipIf(process.platform !== "linux")("PDF thread priority", () => {
  test("each PDF thread lowers its own priority to pdf.workerNice; no thread that was there changes", async () => {
    const main = own();
    const nice = Math.min(19, main.nice + 7);
    const { started, existing } = await poolThreads({ CERTYNEO_PDF_WORKER_NICE: String(nice) }, 2);
    // Two workers at the nice asked (a worker's runtime may start helper threads of its own, e.g. a GC thread).
    expect(started.filter((t) => t.nice === nice).length).toBeGreaterThanOrEqual(2);
    for (const thread of existing) if (thread.now !== undefined) expect(thread.now.nice).toBe(thread.nice);
    expect(own()).toEqual(main);
  });

  test("0 leaves the PDF threads at the process's priority", async () => {
    const main = own();
    const { started } = await poolThreads({ CERTYNEO_PDF_WORKER_NICE: "0" }, 1);
    expect(started.length).toBeGreaterThan(0);
    for (const thread of started) expect(thread.nice).toBe(main.nice);
  });

  test("with pdf.workerSpareCore each PDF thread keeps off the lowest core it had; the other threads keep every core", async () => {
    const main = own();
    const cores = coresOf(main.cores);
    const { started, existing } = await poolThreads({ CERTYNEO_PDF_WORKER_SPARE_CORE: "true" }, 2);
    // On one core there is none to leave: the threads keep it.
    const expected = cores.length > 1 ? cores.slice(1) : cores;
    expect(started.filter((t) => String(coresOf(t.cores)) === String(expected)).length).toBeGreaterThanOrEqual(2);
    for (const thread of existing) if (thread.now !== undefined) expect(thread.now.cores).toBe(thread.cores);
    expect(own()).toEqual(main);
  });

  test("without pdf.workerSpareCore the PDF threads keep the process's cores", async () => {
    const main = own();
    const { started } = await poolThreads({ CERTYNEO_PDF_WORKER_SPARE_CORE: "false" }, 1);
    expect(started.length).toBeGreaterThan(0);
    for (const thread of started) expect(thread.cores).toBe(main.cores);
  });

  test("a nice value out of range is refused at start", () => {
    expect(() => loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-priority-"), CERTYNEO_PDF_WORKER_NICE: "20" })).toThrow(/CERTYNEO_PDF_WORKER_NICE/);
  });
});
