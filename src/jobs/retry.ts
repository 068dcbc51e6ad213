import { and, eq, inArray } from "drizzle-orm";
import type { Deps } from "../deps";
import { AppError, notFound } from "../errors";
import { inBatches } from "../store/batches";
import type { Tx } from "../store/db";
import { firstRow } from "../store/portable-sql";
import { jobs } from "../store/schema";
import { signalWork } from "./worker";

/** The given jobs that failed for good run again now, each with a fresh count of attempts; answers the rows changed. */
async function requeueJobs(db: Tx, deps: Pick<Deps, "clock">, ids: readonly string[]) {
  const now = deps.clock.now();
  const rows = await db.update(jobs).set({ status: "pending", attempts: 0, runAt: now, updatedAt: now })
    .where(and(inArray(jobs.id, [...ids]), eq(jobs.status, "failed"))).returning();
  if (rows.length) await signalWork(db, "jobs");
  return rows;
}

/** A job that failed for good runs again now, with a fresh count of attempts (an admin's "Retry"). */
export async function retryFailedJob(deps: Pick<Deps, "db" | "clock">, jobId: string): Promise<typeof jobs.$inferSelect> {
  const [row] = await requeueJobs(deps.db, deps, [jobId]);
  if (row) return row;
  if (!await firstRow(deps.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, jobId)))) throw notFound("Job", jobId);
  throw new AppError("conflict", `Job ${jobId} has not failed`);
}

/** Every failed job in `ids` runs again (the console's "Retry all"), a batch per statement; answers how many. */
export const retryFailedJobs = (deps: Pick<Deps, "db" | "clock">, ids: readonly string[]): Promise<number> =>
  inBatches(ids, async (batch) => (await requeueJobs(deps.db, deps, batch)).length);
