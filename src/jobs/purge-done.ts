import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { affectedRows } from "../store/portable-sql";
import { preparedPerDb } from "../store/prepared";
import { jobs } from "../store/schema";
import { transaction } from "../store/transaction";

/** Rows deleted per transaction: short enough that other writes wait milliseconds at most. */
const BATCH = 1000;
/** The purge looks at most this often; a backlog goes a batch per tick until it is gone. */
const EVERY_MS = 60_000;

/** The oldest finished jobs that ran before `before` (ms), through the jobs_due index. */
const oldestDone = preparedPerDb((db) =>
  db.select({ id: jobs.id }).from(jobs)
    .where(and(eq(jobs.status, "done"), lt(jobs.runAt, sql.placeholder("before") as never)))
    .limit(BATCH).prepare());

/**
 * Deletes finished jobs `jobs.keepDoneDays` after they ran (0: never), a batch per tick while
 * there are more, else once a minute. Pending and failed jobs stay: the console lists failures,
 * and an admin retries them.
 */
export function donePurge() {
  let next = 0;
  return async (deps: Deps): Promise<number> => {
    const days = deps.config.jobs.keepDoneDays;
    const now = deps.clock.now().getTime();
    if (!days || now < next) return 0;
    const ids = (await oldestDone(deps.db).execute({ before: now - days * 86_400_000 })).map((r) => r.id);
    const deleted = ids.length ? await transaction(deps.db, async (tx) => affectedRows(await tx.delete(jobs).where(and(inArray(jobs.id, ids), eq(jobs.status, "done"))))) : 0;
    next = ids.length === BATCH ? 0 : now + EVERY_MS;
    return deleted;
  };
}
