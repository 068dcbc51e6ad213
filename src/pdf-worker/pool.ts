import type { Config } from "../config";
import { AppError } from "../errors";
import type { Logger } from "../log";
import { threadEntry } from "../threads";
import type { PdfTaskName, PdfTasks } from "./tasks";
import { buffersIn } from "./transfer";
import type { CallAnswer, MainCall, TaskReply, TaskRequest } from "./worker";

/** A task that failed in the worker with an error that is not an AppError (its name and message kept). */
export class PdfTaskError extends Error {
  constructor(override readonly name: string, message: string) {
    super(message);
  }
}

/**
 * What a task may ask of the main thread while it runs (calls.ts, callMain): what only the main
 * thread holds, such as the sealing key or the trust services' connections. Plain data in and out.
 */
export type MainCalls = Record<string, (...args: any[]) => Promise<unknown>>;

/** A task's calls: the main thread's answers, and whether the task may hold its thread long. */
export interface TaskCalls {
  answers: MainCalls;
  /**
   * Whether the task may hold its thread long: an answer waits on a service over the network
   * (a time-stamp authority, a revocation responder), or its file is large. Such tasks hold at
   * most every thread but one, which short work keeps (an upload's check, a small seal), and
   * with it a core for the event loop. A key's signature alone is made at once.
   */
  long: boolean;
}

export interface PdfWorkers {
  /** Runs a PDF task on a worker thread: the event loop only waits. */
  run<K extends PdfTaskName>(task: K, ...args: Parameters<PdfTasks[K]>): Promise<Awaited<ReturnType<PdfTasks[K]>>>;
  /**
   * run(), handing the byte arrays among the arguments over to the worker instead of copying
   * them (transfer.ts): for files the caller has no further use for. Their views are empty afterwards.
   */
  handOver<K extends PdfTaskName>(task: K, ...args: Parameters<PdfTasks[K]>): Promise<Awaited<ReturnType<PdfTasks[K]>>>;
  /**
   * handOver(), the task answering its calls to the main thread with `calls`. The task's time
   * bound counts its own work, not the main thread's answers (a time-stamp authority's round trip).
   * An error a call throws is the task's error, as thrown (its class kept).
   */
  handOverCalling<K extends PdfTaskName>(calls: TaskCalls, task: K, ...args: Parameters<PdfTasks[K]>): Promise<Awaited<ReturnType<PdfTasks[K]>>>;
  /** Stops the threads now (tasks running or queued are refused); a later run starts new ones. */
  close(): void;
}

interface Pending {
  request: Omit<TaskRequest, "id">;
  /** Buffers handed over with the request, not copied. */
  transfer: ArrayBuffer[];
  /** The main thread's answers to the task's calls; null: the task makes none. */
  calls: TaskCalls | null;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Bun's Worker: ref/unref decide whether it keeps the process alive (only while it has a task). */
type BunWorker = Worker & { ref(): void; unref(): void };

interface Running extends Pending {
  id: number;
  timer?: ReturnType<typeof setTimeout>;
  /** The time left of the task's bound while a call is answered (the timer is stopped meanwhile). */
  leftMs?: number;
  deadline?: number;
  /** The first error a call threw: the task's error when the task then fails. */
  callError?: unknown;
}

interface Slot {
  worker: BunWorker | null;
  job: Running | null;
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
  /**
   * Long tasks (TaskCalls.long: a seal waiting for a time-stamp authority, or sealing a large
   * file) hold at most every thread but one: a slow or unreachable authority must not hold up
   * the others (an upload's check, a verification), which then run on the thread left.
   */
  const maxLong = Math.max(1, slots.length - 1);

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

  function finish(slot: Slot, settle: (job: Running) => void) {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = null;
    settle(job);
    dispatch();
    // Idle only if no queued task took the thread: a busy pool does not unref, time and ref it again per task.
    if (!slot.job) idle(slot);
  }

  /** Bounds the slot's task to `ms` more of its own time: past it, the thread is stopped. */
  function arm(slot: Slot, job: Running, ms: number) {
    job.deadline = performance.now() + ms;
    job.timer = setTimeout(() => {
      log.warn("pdf task stopped at its time limit", { task: job.request.task, seconds: config.timeoutSeconds });
      stop(slot);
      finish(slot, (j) => j.reject(tooSlow(config.timeoutSeconds)));
    }, ms);
  }

  /** Answers a task's call to the main thread, its time bound paused meanwhile. */
  async function answer(slot: Slot, job: Running, worker: BunWorker, { call, name, args }: MainCall) {
    clearTimeout(job.timer);
    job.leftMs = Math.max(0, job.deadline! - performance.now());
    let reply: CallAnswer;
    try {
      const handler = job.calls?.answers[name];
      if (!handler) throw new Error(`internal: no answer to the PDF task's call "${name}"`);
      reply = { id: job.id, call, ok: true, value: await handler(...args) };
    } catch (e) {
      job.callError ??= e;
      reply = { id: job.id, call, ok: false, message: String((e as Error)?.message ?? e) };
    }
    // The task may have ended meanwhile (its thread stopped, the pool closed).
    if (slot.job !== job || slot.worker !== worker) return;
    arm(slot, job, job.leftMs);
    worker.postMessage(reply);
  }

  function spawn(slot: Slot): BunWorker {
    const worker = new Worker(WORKER_URL) as BunWorker;
    worker.addEventListener("message", (event: MessageEvent<TaskReply | MainCall>) => {
      const reply = event.data;
      const job = slot.job;
      if (job?.id !== reply.id) return;
      if ("call" in reply) return void answer(slot, job, worker, reply);
      if (reply.started) return arm(slot, job, config.timeoutSeconds * 1000);
      const task = job.request.task;
      // Which thread did the work: what shows the event loop was left free (and where time went).
      log.debug("pdf task done", { task, thread: reply.thread, ok: reply.ok, handedBack: reply.ok ? reply.handedBack : 0 });
      if (reply.warnings.count) log.debug("pdf parser warnings", { task, ...reply.warnings });
      finish(slot, (done) => {
        if (reply.ok) done.resolve(reply.value);
        else if (done.callError !== undefined) done.reject(done.callError as Error);
        else if (reply.code) done.reject(new AppError(reply.code as AppError["code"], reply.message));
        // The system's refusal (as when the event loop reads or writes the file itself): a 500, and a seal retried.
        else done.reject(reply.system ? new Error(reply.message) : new PdfTaskError(reply.name, reply.message));
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

  /**
   * The next queued task a free thread may take: the first seal, else the first task; only short
   * ones while enough threads run long ones. A seal finishes an envelope that someone waits on (a
   * signer's page, an integrator's download, a client polling for SEALED), so work in progress
   * goes before new work (an upload's check, a message): under load, a seal waited ~35 ms behind
   * them on this 2-core VM, and every wait of a client polling costs the server a request.
   */
  function next(): Pending | undefined {
    const long = (p: Pending | null) => !!p?.calls?.long;
    const running = slots.filter((s) => long(s.job)).length;
    let index = -1;
    for (let i = 0; i < queue.length; i++) {
      const p = queue[i]!;
      if (running >= maxLong && long(p)) continue;
      if (p.request.task === "sealFile") {
        index = i;
        break;
      }
      if (index < 0) index = i;
    }
    return index < 0 ? undefined : queue.splice(index, 1)[0];
  }

  function dispatch() {
    for (const slot of slots) {
      if (slot.job || !queue.length) continue;
      const pending = next();
      if (!pending) return;
      if (slot.idle) clearTimeout(slot.idle);
      slot.idle = null;
      const worker = (slot.worker ??= spawn(slot));
      worker.ref();
      const id = ++nextId;
      slot.job = { ...pending, id };
      worker.postMessage({ id, ...pending.request } satisfies TaskRequest, pending.transfer);
    }
  }

  const enqueue = (task: PdfTaskName, args: unknown[], transfer: ArrayBuffer[], calls: TaskCalls | null = null) =>
    new Promise<never>((resolve, reject) => {
      queue.push({ request: { task, args, limits, nice: config.workerNice }, transfer, calls, resolve: resolve as (v: unknown) => void, reject });
      dispatch();
    });

  return {
    run: (task, ...args) => enqueue(task, args, []),
    handOver: (task, ...args) => enqueue(task, args, buffersIn(args)),
    handOverCalling: (calls, task, ...args) => enqueue(task, args, buffersIn(args), calls),
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
