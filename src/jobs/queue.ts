import { and, eq, sql } from "drizzle-orm";
import type { Clock } from "../clock";
import { newId } from "../ids";
import type { Tx } from "../store/db";
import { affectedRows } from "../store/portable-sql";
import { preparedPerSession } from "../store/prepared";
import { insertRows } from "../store/insert-rows";
import { jobs, recipients } from "../store/schema";
import type { JobKind, JobPayload } from "./payloads";
import { signalWork } from "./worker";

/** The payload a kind declares in JOB_PAYLOADS (any object for a kind that is not there, e.g. in tests). */
type PayloadOf<K extends string> = K extends JobKind ? JobPayload<K> : Record<string, unknown>;

const statements = preparedPerSession((tx) => ({
  complete: tx.update(jobs).set({ status: "done", updatedAt: sql.placeholder("now") as never })
    .where(and(eq(jobs.id, sql.placeholder("id")), eq(jobs.status, "pending"))).prepare(),
  recipientsEnvelope: tx.select({ envelopeId: recipients.envelopeId }).from(recipients).where(eq(recipients.id, sql.placeholder("id"))).prepare(),
}));

/** The envelope a job is about: its payload's, or its recipient's; null for a job about none (a batch, the daily renewal). */
async function envelopeOfJob(tx: Tx, payload: Record<string, unknown>): Promise<string | null> {
  if (typeof payload.envelopeId === "string") return payload.envelopeId;
  if (typeof payload.recipientId !== "string") return null;
  return (await statements(tx).recipientsEnvelope.execute({ id: payload.recipientId }))[0]?.envelopeId ?? null;
}

/**
 * Durable outbox: inserts a pending job in the caller's transaction, so the job exists if and only if
 * the state change that asked for it was committed. The job runner picks it up once `runAt` is due:
 * a job due now wakes it at once (after the commit), without waiting for its poll.
 */
export async function enqueue<K extends string>(
  tx: Tx,
  clock: Clock,
  job: { kind: K; payload: PayloadOf<K>; runAt?: Date },
): Promise<string> {
  const now = clock.now();
  const id = newId("job");
  const envelopeId = await envelopeOfJob(tx, job.payload);
  await insertRows(tx, jobs, [{ id, kind: job.kind, payload: job.payload, status: "pending", runAt: job.runAt ?? now, attempts: 0, lastError: null, envelopeId, createdAt: now, updatedAt: now }]);
  if (!job.runAt || job.runAt <= now) await signalWork(tx, "jobs");
  return id;
}

/**
 * Marks a pending job done, in the caller's transaction; false (and nothing written) when it is
 * no longer pending, i.e. an earlier run already did its work. A handler whose work is a database
 * write calls it in that transaction, so that the work and the job's completion commit together.
 */
export async function completeJob(tx: Tx, clock: Clock, jobId: string): Promise<boolean> {
  const res = await statements(tx).complete.execute({ id: jobId, now: clock.now() });
  return affectedRows(res) === 1;
}
