// The PDF threads run at pdf.workerNice, each thread on its own: the HTTP thread (and the rest of
// the process) keeps its priority. Read from /proc, where Linux shows each thread's nice value.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { createPdfWorkers } from "../src/pdf-worker/pool";
import { HTTP_THREAD_SLICE_NS } from "../src/pdf-worker/thread-priority";
import { tempDir } from "./helpers/spawn";

/** Every thread of this process: its id and nice value (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      out.set(tid, Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[16]));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

/** The nice values of the threads a pool of `workers` started, and of the threads there before. */
async function poolThreads(env: Record<string, string>, workers: number) {
  const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-priority-"), CERTYNEO_PDF_WORKERS: String(workers), ...env });
  const before = threadNices();
  const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
  try {
    // As many tasks as threads at once: each thread takes one.
    await Promise.all(Array.from({ length: workers }, () => pdf.run("sealFile", { source: { sealed: { bytes: new Uint8Array(1 << 20) } }, directory: null })));
    const after = threadNices();
    return {
      started: [...after].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice),
      existing: [...before].map(([tid, nice]) => ({ nice, now: after.get(tid) })),
    };
  } finally {
    pdf.close();
  }
}

describe.skipIf(process.platform !== "linux")("PDF thread priority", () => {
  test("each PDF thread lowers its own priority to pdf.workerNice; no thread that was there changes", async () => {
    const own = threadNices().get(String(process.pid))!;
    const nice = Math.min(19, own + 7);
    const { started, existing } = await poolThreads({ CERTYNEO_PDF_WORKER_NICE: String(nice) }, 2);
    // Two workers at the nice asked (a worker's runtime may start helper threads of its own, e.g. a GC thread).
    expect(started.filter((n) => n === nice).length).toBeGreaterThanOrEqual(2);
    for (const thread of existing) if (thread.now !== undefined) expect(thread.now).toBe(thread.nice);
    expect(threadNices().get(String(process.pid))).toBe(own);
  });

  test("0 leaves the PDF threads at the process's priority", async () => {
    const own = threadNices().get(String(process.pid))!;
    const { started } = await poolThreads({ CERTYNEO_PDF_WORKER_NICE: "0" }, 1);
    expect(started.length).toBeGreaterThan(0);
    for (const nice of started) expect(nice).toBe(own);
  });

  test("a nice value out of range is refused at start", () => {
    expect(() => loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-priority-"), CERTYNEO_PDF_WORKER_NICE: "20" })).toThrow(/CERTYNEO_PDF_WORKER_NICE/);
  });
});

describe.skipIf(process.platform !== "linux")("the HTTP thread's slice", () => {
  test("is set to 0.1 ms for the calling thread alone, in the normal class, its nice value kept", async () => {
    const worker = new Worker(new URL("./helpers/slice-probe.ts", import.meta.url).href);
    const seen = await new Promise<{ ok: boolean; slice: number | null; policy: number; niceBefore: number; niceAfter: number }>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(e);
    });
    worker.terminate();
    expect(seen).toMatchObject({ ok: true, policy: 0, niceBefore: 3, niceAfter: 3 });
    if (seen.slice === null) console.warn("this kernel does not show se.slice: the slice itself is not checked");
    else expect(seen.slice).toBe(HTTP_THREAD_SLICE_NS);
  });
});
