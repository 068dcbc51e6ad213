/**
 * Preloaded into the server by bench/background-work.bench.ts: one thread at a PDF thread's
 * priority (nice 10) that does one kind of background work (CERTYNEO_BENCH_WORK) while the bench
 * has switched it on (SIGUSR1) and rests while it is off (SIGUSR2). The thread starts with the
 * server and does its work twice before the first window: a thread started for each window
 * loads and compiles its modules inside it, and the runtime's JIT threads (at the event loop's
 * priority) then slow the GETs more than the work does.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";
import { readInput } from "../src/pdf-worker/file-input";
import { lowerThreadPriority } from "../src/pdf-worker/thread-priority";
import { sha256Of, storeFileSync } from "../src/store/files";

/** The kinds of work, each what a step of a seal does to a 100 MB file, or a control. */
export const WORK_KINDS = ["spin", "hash", "fresh memory", "read", "stamp", "write and fsync", "map", "seal's steps"] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** The stored file's name: the hash is not the step measured (the "hash" kind is). */
const KNOWN_SHA256 = "0".repeat(64);

const kind = process.env.CERTYNEO_BENCH_WORK as WorkKind | undefined;
const file = process.env.CERTYNEO_BENCH_WORK_FILE ?? "";

if (kind && isMainThread) {
  const on = new Int32Array(new SharedArrayBuffer(4));
  // Bun's Worker: unref'd, it does not keep a stopping server alive.
  const worker = new Worker(import.meta.path) as Worker & { unref(): void };
  worker.postMessage(on);
  worker.unref();
  process.on("SIGUSR1", () => {
    Atomics.store(on, 0, 1);
    Atomics.notify(on, 0);
  });
  process.on("SIGUSR2", () => Atomics.store(on, 0, 0));
} else if (kind) {
  // The switch first: a message that arrives before its handler is set is lost.
  const on: Int32Array = await new Promise((received) => (self.onmessage = (e: MessageEvent) => received(e.data)));
  lowerThreadPriority(10);
  const { stampDocument } = await import("../src/pdf/stamp");
  // What the PDF threads do: read a stored file, store a sealed one (written, fsynced, renamed, its folder fsynced).
  const read = () => readInput({ file });
  const original = read();
  const store = join(dirname(file), `store-${process.pid}`);
  const writeAndSync = (bytes: Uint8Array) => {
    storeFileSync(store, [bytes], KNOWN_SHA256);
    rmSync(store, { recursive: true });
  };
  // A signed document's stamping with nothing to draw and no text tags: its parse and its save.
  const stamp = (bytes: Uint8Array) => stampDocument({ id: "doc_bench", name: "bench.pdf", sha256: "", bytes, taggedPages: [] }, [], [], { appendSignaturePage: false });
  const steps: Record<WorkKind, () => unknown> = {
    spin: () => {
      const end = performance.now() + 200;
      while (performance.now() < end);
    },
    hash: () => sha256Of([original]),
    "fresh memory": () => new Uint8Array(original.length).set(original),
    read,
    stamp: () => stamp(original),
    "write and fsync": () => writeAndSync(original),
    map: () => Bun.mmap(file),
    "seal's steps": async () => {
      const stamped = await stamp(read());
      sha256Of([stamped]);
      writeAndSync(stamped);
    },
  };
  for (let warm = 2; ; warm--) {
    if (warm <= 0) while (Atomics.load(on, 0) === 0) Atomics.wait(on, 0, 0);
    await steps[kind]();
  }
}
