import type { Config } from "../config";
import { AppError } from "../errors";
import type { Logger } from "../log";
import { threadEntry } from "../threads";
import type { PdfTaskName, PdfTasks } from "./tasks";
import { buffersIn } from "./transfer";
import type { TaskReply, TaskRequest } from "./worker";

/** A task that failed in the worker with an error that is not an AppError (its name and message kept). */
export class PdfTaskError extends Error {
  constructor(override readonly name: string, message: string) {
    super(message);
  }
}

export interface PdfWorkers {
  /** Runs a PDF task on a worker thread: the event loop only waits. */
  run<K extends PdfTaskName>(task: K, ...args: Parameters<PdfTasks[K]>): Promise<Awaited<ReturnType<PdfTasks[K]>>>;
  /**
   * run(), handing the byte arrays among the arguments over to the worker instead of copying
   * them (transfer.ts): for files the caller has no further use for. Their views are empty afterwards.
   */
  handOver<K extends PdfTaskName>(task: K, ...args: Parameters<PdfTasks[K]>): Promise<Awaited<ReturnType<PdfTasks[K]>>>;
  /** Stops the threads now (tasks running or queued are refused); a later run starts new ones. */
  close(): void;
}

interface Pending {
  request: Omit<TaskRequest, "id">;
  /** Buffers handed over with the request, not copied. */
  transfer: ArrayBuffer[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Bun's Worker: ref/unref decide whether it keeps the process alive (only while it has a task). */
type BunWorker = Worker & { ref(): void; unref(): void };

interface Slot {
  worker: BunWorker | null;
  job: (Pending & { id: number; timer?: ReturnType<typeof setTimeout> }) | null;
  idle: ReturnType<typeof setTimeout> | null;
}

const WORKER_URL = threadEntry(new URL("./worker.ts", import.meta.url), "pdf-worker/worker.js");

/** A thread not used for this long is stopped: an idle server does not keep its memory. */
const IDLE_MS = 5 * 60_000;

const tooSlow = (seconds: number) =>
  new AppError("pdf_too_complex", `The PDF took longer than ${seconds} s to process, the server's limit; ` +
    "a file this complex is usually damaged or built to stall servers. Save it again with a PDF editor (or print it to a new PDF) and upload that");

/**
 * A small pool of Bun Workers for the PDF work that can take long or blow up on a hostile
 * file (parsing, checking, stamping): each task is bounded in time (the thread is stopped
 * and replaced) and in inflated bytes (inflate-budget.ts), one task per thread at a time.
 */
export function createPdfWorkers(config: Config["pdf"], log: Logger): PdfWorkers {
  const limits = { perStreamBytes: config.maxInflatedStreamMb * 1024 * 1024, totalBytes: config.maxInflatedTotalMb * 1024 * 1024 };
  const slots: Slot[] = Array.from({ length: config.workers }, () => ({ worker: null, job: null, idle: null }));
  const queue: Pending[] = [];
  let nextId = 0;

  function stop(slot: Slot) {
    slot.worker?.terminate();
    slot.worker = null;
  }

  /** An idle thread does not keep the process alive, and stops after IDLE_MS. */
  function idle(slot: Slot) {
    if (!slot.worker) return;
    slot.worker.unref();
    slot.idle = setTimeout(() => stop(slot), IDLE_MS);
    slot.idle.unref?.();
  }

  function finish(slot: Slot, settle: (job: Pending) => void) {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = null;
    settle(job);
    dispatch();
    // Idle only if no queued task took the thread: a busy pool does not unref, time and ref it again per task.
    if (!slot.job) idle(slot);
  }

  function spawn(slot: Slot): BunWorker {
    const worker = new Worker(WORKER_URL) as BunWorker;
    worker.addEventListener("message", (event: MessageEvent<TaskReply>) => {
      const reply = event.data;
      if (slot.job?.id !== reply.id) return;
      if (reply.started) {
        const task = slot.job.request.task;
        slot.job.timer = setTimeout(() => {
          log.warn("pdf task stopped at its time limit", { task, seconds: config.timeoutSeconds });
          stop(slot);
          finish(slot, (job) => job.reject(tooSlow(config.timeoutSeconds)));
        }, config.timeoutSeconds * 1000);
        return;
      }
      const task = slot.job.request.task;
      // Which thread did the work: what shows the event loop was left free (and where time went).
      log.debug("pdf task done", { task, thread: reply.thread, ok: reply.ok });
      if (reply.warnings.count) log.debug("pdf parser warnings", { task, ...reply.warnings });
      finish(slot, (job) => {
        if (reply.ok) job.resolve(reply.value);
        else if (reply.code) job.reject(new AppError(reply.code as AppError["code"], reply.message));
        // The system's refusal (as when the event loop reads or writes the file itself): a 500, and a seal retried.
        else job.reject(reply.system ? new Error(reply.message) : new PdfTaskError(reply.name, reply.message));
      });
    });
    worker.addEventListener("error", (event: ErrorEvent) => {
      log.error("pdf worker crashed", { error: event.message });
      stop(slot);
      // A server fault (the thread failed to load, or died), not a verdict on the file: a 500, and a seal retried.
      finish(slot, (job) => job.reject(new Error(`pdf worker crashed: ${event.message}`)));
    });
    return worker;
  }

  function dispatch() {
    for (const slot of slots) {
      if (slot.job || !queue.length) continue;
      const pending = queue.shift()!;
      if (slot.idle) clearTimeout(slot.idle);
      slot.idle = null;
      const worker = (slot.worker ??= spawn(slot));
      worker.ref();
      const id = ++nextId;
      slot.job = { ...pending, id };
      worker.postMessage({ id, ...pending.request } satisfies TaskRequest, pending.transfer);
    }
  }

  const enqueue = (task: PdfTaskName, args: unknown[], transfer: ArrayBuffer[]) =>
    new Promise<never>((resolve, reject) => {
      queue.push({ request: { task, args, limits, nice: config.workerNice }, transfer, resolve: resolve as (v: unknown) => void, reject });
      dispatch();
    });

  return {
    run: (task, ...args) => enqueue(task, args, []),
    handOver: (task, ...args) => enqueue(task, args, buffersIn(args)),
    close() {
      for (const pending of queue.splice(0)) pending.reject(new AppError("unavailable", "The server is stopping"));
      for (const slot of slots) {
        if (slot.idle) clearTimeout(slot.idle);
        stop(slot);
        finish(slot, (job) => job.reject(new AppError("unavailable", "The server is stopping")));
      }
    },
  };
}
