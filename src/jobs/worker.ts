import type { Db, Tx } from "../store/db";
import { dialectOf, postgresClient } from "../store/dialect";
import { sessionOf } from "../store/prepared";

/** Background loops (outbox, webhooks) started with the server and stopped before the database closes. */
export interface Worker {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

/** "webhook-endpoints": an endpoint's URL changed, or it was disabled or deleted (no new work: what was claimed with its old settings is stale). */
export type WorkTopic = "jobs" | "webhooks" | "webhook-endpoints";
const listeners = new WeakMap<object, Map<WorkTopic, Set<() => void>>>();
/** PostgreSQL: the channel on which a commit that gave work tells every node (pg_notify in the transaction). */
const CHANNEL = "certyneo_work";

function fire(key: object, topic: string) {
  const set = listeners.get(key)?.get(topic as WorkTopic);
  if (set?.size) for (const fn of set) fn();
}

/**
 * Calls `fn` soon after a write gave `topic` work, instead of waiting for the next poll: on
 * SQLite a write on this database's connection; on PostgreSQL a commit on any node (LISTEN).
 * Returns the unsubscribe function.
 */
export function onWork(db: Db, topic: WorkTopic, fn: () => void): () => void {
  const key = sessionOf(db);
  let topics = listeners.get(key);
  if (!topics) {
    listeners.set(key, (topics = new Map()));
    // Without the LISTEN (connection refused), the workers still find the work at their next poll.
    if (dialectOf(db) === "postgres") void postgresClient(db).listen(CHANNEL, (payload) => fire(key, payload)).catch(() => {});
  }
  let set = topics.get(topic);
  if (!set) topics.set(topic, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/**
 * Tells the workers of `topic` that `tx` gave them work. SQLite: they run on a later turn of
 * the event loop, after the transaction has committed (its body does database work only, which
 * does not wait for I/O), or rolled back (they then find nothing). PostgreSQL: a notification
 * the server delivers to every node when the transaction commits (none if it rolls back).
 */
export async function signalWork(tx: Tx, topic: WorkTopic): Promise<void> {
  // On the transaction's own connection, as text: a drizzle query built for each call cost more than the notification.
  if (dialectOf(tx) === "postgres") await (sessionOf(tx) as { client: import("bun").SQL }).client.unsafe("SELECT pg_notify($1, $2)", [CHANNEL, topic]);
  else fire(sessionOf(tx), topic);
}

/**
 * After the commit of a transaction that signalled `topic` (signalWork), tells this node's
 * workers at once on PostgreSQL, whose notification comes back a round trip later: for a change
 * this node must act on from its commit on (an endpoint's new URL). SQLite: signalWork did.
 */
export function signalCommittedHere(db: Db, topic: WorkTopic): void {
  if (dialectOf(db) === "postgres") fire(sessionOf(db), topic);
}
