import { and, eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { AppError, notFound } from "../errors";
import { firstRow } from "../store/portable-sql";
import { jobs } from "../store/schema";

/** A job that failed for good runs again now, with a fresh count of attempts (an admin's "Retry"). */
export async function retryFailedJob(deps: Pick<Deps, "db" | "clock">, jobId: string): Promise<typeof jobs.$inferSelect> {
  const now = deps.clock.now();
  const row = await firstRow(deps.db.update(jobs).set({ status: "pending", attempts: 0, runAt: now, updatedAt: now })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, "failed"))).returning());
  if (row) return row;
  if (!await firstRow(deps.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, jobId)))) throw notFound("Job", jobId);
  throw new AppError("conflict", `Job ${jobId} has not failed`);
}
