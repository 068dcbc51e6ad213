/**
 * A PDF worker thread: runs one task at a time from pdfTasks, bounded in what it inflates,
 * and answers with the result or the error's code and message. Its own entry point, so
 * `bun build --compile` embeds it (see package.json "build").
 */
// First, as in main.ts: @peculiar/x509 (tsyringe) needs it before it loads. The tasks, which load
// it, are imported once this has run (below): the bundle's chunks do not keep the import order.
import "reflect-metadata";
import { threadId } from "node:worker_threads";
import { AppError } from "../errors";
import { answered, callsFor, type CallAnswer } from "./calls";
import { withInflateBudget, type InflateLimits } from "./inflate-budget";
import { buffersIn } from "./transfer";
import type { PdfTaskName } from "./tasks";
import { lowerThreadPriority } from "./thread-priority";

export type { CallAnswer, MainCall } from "./calls";

export interface TaskRequest {
  id: number;
  task: PdfTaskName;
  args: unknown[];
  limits: InflateLimits;
  /** The thread's nice value (pdf.workerNice), set before its first task; 0: left as it is. */
  nice: number;
}

/**
 * "started" when the thread takes the task (its time bound runs from then, not from the thread's
 * load), then the outcome, with the thread that ran it (the main thread is 0).
 */
export type TaskReply =
  | { id: number; started: true }
  | ({ id: number; started?: undefined; thread: number; warnings: { count: number; first: string[] } } & (
    /** `handedBack`: the bytes of the arrays handed over with the value (what the event loop receives of a file). */
    | { ok: true; value: unknown; handedBack: number }
    /** `system`: the operating system refused (a file missing, a disk full): a server fault, not a verdict on the PDF. */
    | { ok: false; code: string | null; system: boolean; name: string; message: string }
  ));

declare const self: Worker;

/**
 * pdf-lib reports what it skips with console.warn ("Trying to parse invalid object"): plain
 * lines in a JSON log. They are collected per task and go to the server's logger instead.
 */
let warnings = { count: 0, first: [] as string[] };
console.warn = console.log = console.info = (...parts: unknown[]) => {
  if (warnings.count++ < 5) warnings.first.push(parts.map(String).join(" ").slice(0, 300));
};

/** The tasks' modules, loading from the thread's start on. */
const tasks = import("./tasks");

/** The thread's priority is set at its first task (the pool's config comes with each). */
let prioritySet = false;

self.onmessage = async (event: MessageEvent<TaskRequest | CallAnswer>) => {
  if ("call" in event.data) return answered(event.data);
  const { id, task, args, limits, nice } = event.data;
  const { pdfTasks } = await tasks;
  callsFor(id);
  if (!prioritySet) {
    prioritySet = true;
    lowerThreadPriority(nice);
  }
  self.postMessage({ id, started: true } satisfies TaskReply);
  warnings = { count: 0, first: [] };
  let reply: TaskReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const run = pdfTasks[task] as (...a: unknown[]) => Promise<unknown>;
    const value = await withInflateBudget(limits, () => run(...args));
    transfer = buffersIn([value]);
    reply = { id, thread: threadId, warnings, ok: true, value, handedBack: transfer.reduce((sum, b) => sum + b.byteLength, 0) };
  } catch (e) {
    const err = e as Error;
    reply = {
      id, thread: threadId, warnings, ok: false, code: e instanceof AppError ? e.code : null,
      system: typeof (e as { syscall?: unknown })?.syscall === "string", name: err?.name ?? "Error", message: String(err?.message ?? e),
    };
  }
  // The result's bytes are this thread's own: handed over, not copied back.
  self.postMessage(reply, transfer);
};
