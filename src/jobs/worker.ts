import { sessionOf, type Tx } from "../store/db";

/** Background loops (outbox, webhooks) started with the server and stopped before the database closes. */
export interface Worker {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

export type WorkTopic = "jobs" | "webhooks";
const listeners = new WeakMap<object, Map<WorkTopic, Set<() => void>>>();

/**
 * Calls `fn` soon after a write on this database's connection gave `topic` work, instead of
 * waiting for the next poll. Returns the unsubscribe function.
 */
export function onWork(db: Tx, topic: WorkTopic, fn: () => void): () => void {
  const session = sessionOf(db);
  let topics = listeners.get(session);
  if (!topics) listeners.set(session, (topics = new Map()));
  let set = topics.get(topic);
  if (!set) topics.set(topic, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/**
 * Tells the workers of `topic` that `tx` gave them work. They run on a later turn of the event
 * loop: on SQLite after the transaction has committed (its body does database work only, which
 * does not wait for I/O), or rolled back (they then find nothing).
 */
export function signalWork(tx: Tx, topic: WorkTopic): void {
  const set = listeners.get(sessionOf(tx))?.get(topic);
  if (set?.size) for (const fn of set) fn();
}
