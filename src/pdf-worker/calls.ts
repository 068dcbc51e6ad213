/**
 * A task's calls to the main thread (pool.ts handOverCalling), from a PDF thread: for what only
 * the main thread holds (the sealing key, the trust services). One task runs at a time on a
 * thread, so the calls belong to the task the thread is running.
 */

/** A call from the thread's task to the main thread: the handler `name` with `args`. */
export interface MainCall {
  id: number;
  call: number;
  name: string;
  args: unknown[];
}

/** The main thread's answer to a call. */
export type CallAnswer = { id: number; call: number } & ({ ok: true; value: unknown } | { ok: false; message: string });

declare const self: Worker;

let task = 0;
let nextCall = 0;
const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

/** The task the thread now runs: its calls carry its id; calls a task left unanswered are dropped. */
export function callsFor(id: number): void {
  task = id;
  waiting.clear();
}

/** Settles the call the answer is for (an answer for an earlier task is ignored). */
export function answered(answer: CallAnswer): void {
  const call = answer.id === task ? waiting.get(answer.call) : undefined;
  if (!call) return;
  waiting.delete(answer.call);
  if (answer.ok) call.resolve(answer.value);
  else call.reject(new Error(`the main thread's answer to a PDF task failed: ${answer.message}`));
}

/** Asks the main thread to run its handler `name` for the running task; plain data in and out. */
export function callMain<T>(name: string, ...args: unknown[]): Promise<T> {
  const call = ++nextCall;
  return new Promise<T>((resolve, reject) => {
    waiting.set(call, { resolve: resolve as (value: unknown) => void, reject });
    self.postMessage({ id: task, call, name, args } satisfies MainCall);
  });
}
