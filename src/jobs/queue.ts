import type { Clock } from "../clock";
import { newId } from "../ids";
import type { Tx } from "../store/db";
import { jobs } from "../store/schema";

/**
 * Durable outbox: inserts a pending job in the caller's transaction, so the job exists if and only if
 * the state change that asked for it was committed. The job runner picks it up once `runAt` is due.
 */
export function enqueue(
  tx: Tx,
  clock: Clock,
  job: { kind: string; payload: Record<string, unknown>; runAt?: Date },
): string {
  const now = clock.now();
  const id = newId("job");
  tx.insert(jobs)
    .values({
      id,
      kind: job.kind,
      payload: job.payload,
      status: "pending",
      runAt: job.runAt ?? now,
      attempts: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    })
    .run();
  return id;
}
