/**
 * Which due jobs this process takes, and their lease. While a job runs its runAt is pushed
 * `jobs.leaseSeconds` ahead, and again every third of that while the run goes on (runner.ts):
 * the lease, which is what keeps a job from running twice at once. No runner (this one, another
 * node, a CLI process) sees a leased job as due, and if this process dies mid-run the job is
 * still pending and becomes due again when the lease ends (on another node, within a lease), or
 * at once when a server on the same host starts and finds its holder gone (leasedBy).
 */
import { and, asc, eq, lte, sql } from "drizzle-orm";
import { THIS_PROCESS } from "../process-owner";
import type { Db } from "../store/db";
import { dialectOf } from "../store/dialect";
import { affectedRows } from "../store/portable-sql";
import { preparedPerDb, preparedPerSession } from "../store/prepared";
import { jobs } from "../store/schema";
import { transaction } from "../store/transaction";

/** A job this process holds the lease of. */
export interface Claimed {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** Moved ahead while the run goes on (renewLease). */
  leaseUntil: Date;
}

/**
 * The SQLite claim's statements (run every time the runner fills its slots), prepared once per
 * session. A placeholder in a condition takes the stored value (milliseconds); in `set`, the
 * column's type (a Date).
 */
const sqliteClaims = preparedPerSession((tx) => {
  const ph = sql.placeholder;
  return {
    due: tx.select({ id: jobs.id, kind: jobs.kind, payload: jobs.payload, attempts: jobs.attempts, runAt: jobs.runAt }).from(jobs)
      .where(and(eq(jobs.status, "pending"), lte(jobs.runAt, ph("nowMs") as never)))
      .orderBy(asc(jobs.runAt), asc(jobs.createdAt))
      .limit(ph("limit")).prepare(),
    // A compare-and-set on runAt: whoever moved it first owns the job.
    lease: tx.update(jobs).set({ runAt: ph("leaseUntil") as never, attempts: ph("attempts") as never, leasedBy: ph("leasedBy") as never, updatedAt: ph("now") as never })
      .where(and(eq(jobs.id, ph("id")), eq(jobs.status, "pending"), eq(jobs.runAt, ph("runAtMs") as never))).prepare(),
  };
});

/** PostgreSQL's claim, prepared once per database (see claimDueJobs). */
const postgresClaim = preparedPerDb((db) => {
  const ph = sql.placeholder;
  return db.update(jobs)
    .set({ runAt: ph("leaseUntil") as never, attempts: sql`${jobs.attempts} + 1`, leasedBy: THIS_PROCESS, updatedAt: ph("now") as never })
    .where(sql`${jobs.id} IN (SELECT ${jobs.id} FROM ${jobs} WHERE ${jobs.status} = 'pending' AND ${jobs.runAt} <= ${ph("nowMs")}
      ORDER BY ${jobs.runAt}, ${jobs.createdAt} LIMIT ${ph("limit")} FOR UPDATE SKIP LOCKED)`)
    .returning({ id: jobs.id, kind: jobs.kind, payload: jobs.payload, attempts: jobs.attempts })
    .prepare();
});

/**
 * Atomically takes up to `limit` jobs due at `now`: each one is leased for `leaseMs` (runAt
 * pushed ahead) and its attempt counted. PostgreSQL: one statement whose FOR UPDATE SKIP LOCKED
 * lets nodes claim side by side, none waiting on rows another is taking. SQLite (one writer at a
 * time): a compare-and-set on runAt per job, whoever moved it first owning it.
 */
export async function claimDueJobs(db: Db, now: Date, leaseMs: number, limit: number): Promise<Claimed[]> {
  if (limit <= 0) return [];
  const leaseUntil = new Date(now.getTime() + leaseMs);
  if (dialectOf(db) === "postgres") {
    const rows = await postgresClaim(db).execute({ leaseUntil, now, nowMs: now.getTime(), limit });
    return rows.map((r) => ({ ...r, leaseUntil }));
  }
  return transaction(db, async (tx) => {
    const q = sqliteClaims(tx);
    const due = await q.due.execute({ nowMs: now.getTime(), limit });
    const claimed: Claimed[] = [];
    for (const job of due) {
      const res = await q.lease.execute({ id: job.id, runAtMs: job.runAt.getTime(), leaseUntil, attempts: job.attempts + 1, leasedBy: THIS_PROCESS, now });
      if (affectedRows(res) === 1) claimed.push({ id: job.id, kind: job.kind, payload: job.payload, attempts: job.attempts + 1, leaseUntil });
    }
    return claimed;
  });
}
