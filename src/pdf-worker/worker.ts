/**
 * A PDF worker thread: runs one task at a time from pdfTasks, bounded in what it inflates,
 * and answers with the result or the error's code and message. Its own entry point, so
 * `bun build --compile` embeds it (see package.json "build").
 */
import { AppError } from "../errors";
import { withInflateBudget, type InflateLimits } from "./inflate-budget";
import { pdfTasks, type PdfTaskName } from "./tasks";

export interface TaskRequest {
  id: number;
  task: PdfTaskName;
  args: unknown[];
  limits: InflateLimits;
}

export type TaskReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; code: string | null; name: string; message: string };

declare const self: Worker;

self.onmessage = async (event: MessageEvent<TaskRequest>) => {
  const { id, task, args, limits } = event.data;
  let reply: TaskReply;
  try {
    const run = pdfTasks[task] as (...a: unknown[]) => Promise<unknown>;
    reply = { id, ok: true, value: await withInflateBudget(limits, () => run(...args)) };
  } catch (e) {
    const err = e as Error;
    reply = { id, ok: false, code: e instanceof AppError ? e.code : null, name: err?.name ?? "Error", message: String(err?.message ?? e) };
  }
  const value = reply.ok ? reply.value : null;
  self.postMessage(reply, value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []);
};
