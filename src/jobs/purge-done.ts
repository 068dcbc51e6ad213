import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { affectedRows } from "../store/portable-sql";
import { preparedPerDb } from "../store/prepared";
import { jobs } from "../store/schema";
import { transaction } from "../store/transaction";
import { keptForDays, periodicDeletion } from "./periodic-deletion";

/** Rows deleted per transaction: short enough that other writes wait milliseconds at most. */
const BATCH = 1000;

/** The oldest finished jobs that ran before `before` (ms), through the jobs_due index. */
const oldestDone = preparedPerDb((db) =>
  db.select({ id: jobs.id }).from(jobs)
    .where(and(eq(jobs.status, "done"), lt(jobs.runAt, sql.placeholder("before") as never)))
    .limit(BATCH).prepare());

/**
 * Deletes finished jobs `jobs.keepDoneDays` after they ran (0: never): nothing reads a job once
 * done. Pending and failed jobs stay: the console lists failures, and an admin retries them.
 */
export const donePurge = () =>
  periodicDeletion(keptForDays((config) => config.jobs.keepDoneDays), BATCH, async (deps, before) => {
    const ids = (await oldestDone(deps.db).execute({ before })).map((r) => r.id);
    if (!ids.length) return 0;
    return transaction(deps.db, async (tx) => affectedRows(await tx.delete(jobs).where(and(inArray(jobs.id, ids), eq(jobs.status, "done")))));
  });
