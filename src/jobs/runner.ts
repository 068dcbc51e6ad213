import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { and, eq, gt, isNotNull } from "drizzle-orm";
import type { Deps } from "../deps";
import { ownerGone, THIS_PROCESS } from "../process-owner";
import { fits } from "../schema-check";
import { affectedRows, storableText } from "../store/portable-sql";
import { outageNotice } from "../store/outage";
import { jobs } from "../store/schema";
import { claimDueJobs, type Claimed } from "./claim";
import { completeJob } from "./queue";
import { retryDelayMs } from "./schedule";
import { onWork, type Worker } from "./worker";

export interface JobContext {
  deps: Deps;
  jobId: string;
  attempt: number;
  /** Aborted when the run times out (JOB_TIMEOUT_MS): give up, the job is retried. */
  signal: AbortSignal;
}

/**
 * A job kind: the schema of its payload and its handler. The runner checks a claimed job's
 * payload against the schema and fails the job at once when it does not match, so `run` only
 * ever sees a payload of its type.
 *
 * `run` must be safe to run again (at-least-once delivery): a crash after the work but before
 * the job is marked done runs it a second time after the lease expires. A handler whose work is
 * a database write avoids that by marking the job done in the same transaction (completeJob);
 * the runner then finds it done and leaves it so.
 */
export interface JobDefinition<S extends TSchema = TSchema> {
  payload: S;
  // Method syntax: definitions of different payloads fit in one JobDefinitions record.
  run(payload: Static<S>, ctx: JobContext): Promise<void>;
}

export type JobDefinitions = Record<string, JobDefinition>;

export const defineJob = <S extends TSchema>(payload: S, run: (payload: Static<S>, ctx: JobContext) => Promise<void>): JobDefinition<S> =>
  ({ payload, run });

/** Why a stored payload does not fit its kind's schema, or null if it does (the errors are looked for only then). */
function payloadProblem(schema: TSchema, payload: unknown): string | null {
  if (fits(schema, payload)) return null;
  const first = Value.Errors(schema, payload).First();
  return first ? `${first.path || "/"}: ${first.message}` : null;
}

/** Thrown by a handler when retrying cannot help (the envelope is gone, bad input): fails the job at once. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/**
 * A handler still running after this long counts as failed and its ctx.signal is aborted. A
 * promise cannot be cancelled, so the run may go on: the job keeps its lease (the retry is due at
 * the lease end at the earliest), and if the run then succeeds within the lease the job is done
 * and not retried. Handlers keep their I/O timeouts (SMTP, SMS gateway) below this, so a run
 * outliving its lease, and overlapping its retry, takes a handler that ignores both.
 */
export const JOB_TIMEOUT_MS = 2 * 60_000;

export type JobRunner = Worker & {
  /**
   * Runs the periodic functions, then every job due now (and those they enqueue due now), after
   * the start-up reclaim of dead processes' leases; resolves with how many jobs finished meanwhile.
   */
  drain(): Promise<number>;
};

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/**
 * The outbox worker: every config.jobs.pollMs it runs the periodic functions (reminders, expiry),
 * then claims due pending jobs and runs them, at most config.jobs.concurrency at once. A job
 * enqueued due now on this connection wakes it at once. A failure is
 * retried with back-off (jobs/schedule.ts), then the job is failed with its last error.
 */
export function createJobRunner(
  deps: Deps,
  definitions: JobDefinitions,
  periodic: Array<(deps: Deps) => Promise<void> | void>,
  /** timeoutMs: JOB_TIMEOUT_MS unless a test shortens it. */
  opts: { timeoutMs?: number } = {},
): JobRunner {
  const { db, clock, log } = deps;
  const { pollMs, concurrency } = deps.config.jobs;
  const leaseMs = deps.config.jobs.leaseSeconds * 1000;
  const timeoutMs = opts.timeoutMs ?? JOB_TIMEOUT_MS;
  const inflight = new Set<Promise<void>>();
  let started = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let ticking: Promise<void> | null = null;
  let periodicChain: Promise<void> = Promise.resolve();
  let finished = 0;
  let unsubscribe = () => {};
  let wakeScheduled = false;
  /** The fill of free slots under way, and the one asked for while it runs (see pump). */
  let filling: Promise<number> = Promise.resolve(0);
  let nextFill: Promise<number> | null = null;
  /** The reclaim of dead processes' leases that start() runs. */
  let reclaimed: Promise<void> = Promise.resolve();
  const outage = outageNotice(log, "background work");

  /** A job due now was enqueued: fill the free slots on the next turn rather than at the next poll. */
  function wake() {
    if (!started || wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      if (started) void pump();
    });
  }

  /** Pushes a running job's lease ahead, as long as it still holds it; false once it does not. */
  async function renewLease(job: Claimed): Promise<boolean> {
    const leaseUntil = new Date(clock.now().getTime() + leaseMs);
    const res = await db.update(jobs).set({ runAt: leaseUntil })
      .where(and(eq(jobs.id, job.id), eq(jobs.status, "pending"), eq(jobs.leasedBy, THIS_PROCESS), eq(jobs.runAt, job.leaseUntil)));
    if (affectedRows(res) !== 1) return false;
    job.leaseUntil = leaseUntil;
    return true;
  }

  /**
   * A run that ended in error after its job stopped being pending: marked done by its handler,
   * or removed while it ran (an envelope's erasure removes the jobs that name it). Nothing is
   * left to fail or retry, and nobody needs to act on it.
   */
  const withdrawn = (about: { jobId: string; kind: string; attempt: number; error: string }) =>
    log.info("job ended in error after it was done or withdrawn: nothing to retry", about);

  async function execute(job: Claimed): Promise<void> {
    const definition = Object.hasOwn(definitions, job.kind) ? definitions[job.kind] : undefined;
    const abort = new AbortController();
    let timeout: ReturnType<typeof setTimeout> | undefined;
    let run: Promise<void> | undefined;
    let renewal: ReturnType<typeof setInterval> | undefined;
    // Every write below is conditional on the job being pending: a handler may have marked it done
    // in its own transaction (completeJob), and that outcome stands.
    const stillPending = and(eq(jobs.id, job.id), eq(jobs.status, "pending"));
    try {
      if (!definition) throw new PermanentJobError(`no handler for job kind "${job.kind}"`);
      const problem = payloadProblem(definition.payload, job.payload);
      if (problem) throw new PermanentJobError(`bad payload for job kind "${job.kind}": ${problem}`);
      run = definition.run(job.payload, { deps, jobId: job.id, attempt: job.attempts, signal: abort.signal });
      // Until it ends or times out, the run keeps its lease (a failed renewal is tried again next time).
      renewal = setInterval(() => void renewLease(job).catch((e) => log.warn("job lease not renewed", { jobId: job.id, error: errorText(e) })), leaseMs / 3);
      await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => {
            clearInterval(renewal);
            const e = new Error(`job timed out after ${timeoutMs} ms`);
            abort.abort(e);
            reject(e);
          }, timeoutMs);
        }),
      ]);
      await completeJob(db, clock, job.id);
      log.debug("job done", { jobId: job.id, kind: job.kind, attempt: job.attempts });
    } catch (e) {
      const error = storableText(errorText(e)).slice(0, 2000);
      const now = clock.now();
      const delay = e instanceof PermanentJobError ? null : retryDelayMs(job.attempts);
      const about = { jobId: job.id, kind: job.kind, attempt: job.attempts, error };
      if (delay === null) {
        const res = await db.update(jobs).set({ status: "failed", lastError: error, updatedAt: now }).where(stillPending);
        if (affectedRows(res) === 1) log.error("job failed", about);
        else withdrawn(about);
      } else {
        const timedOut = abort.signal.aborted;
        // A timed-out run may still be working: its retry waits for the lease to end.
        const runAt = new Date(Math.max(now.getTime() + delay, timedOut ? job.leaseUntil.getTime() : 0));
        const res = await db.update(jobs).set({ runAt, lastError: error, updatedAt: now }).where(stillPending);
        if (affectedRows(res) !== 1) withdrawn(about);
        else {
          log.warn("job will be retried", { ...about, retryAt: runAt.toISOString() });
          if (timedOut) completeLate(job, run!, runAt);
        }
      }
    } finally {
      clearTimeout(timeout);
      clearInterval(renewal);
      finished++;
    }
  }

  /**
   * A timed-out run that succeeds after all marks the job done, so its retry does not do the work
   * a second time; unless the retry was claimed meanwhile (runAt moved by the claim).
   */
  function completeLate(job: Claimed, run: Promise<void>, retryAt: Date) {
    run.then(
      async () => {
        try {
          const res = await db.update(jobs)
            .set({ status: "done", updatedAt: clock.now() })
            .where(and(eq(jobs.id, job.id), eq(jobs.status, "pending"), eq(jobs.runAt, retryAt)));
          if (affectedRows(res) === 1) log.info("job done after its timeout", { jobId: job.id, kind: job.kind, attempt: job.attempts });
        } catch (e) {
          log.error("job bookkeeping failed", { jobId: job.id, error: errorText(e) });
        }
      },
      // Failed after its timeout: the retry already scheduled stands.
      () => {},
    );
  }

  /** Jobs leased by a process that has died (a crash, a kill) are due again now, not when their lease ends. */
  async function reclaimDeadLeases() {
    const now = clock.now();
    const leased = await db.select({ id: jobs.id, leasedBy: jobs.leasedBy }).from(jobs)
      .where(and(eq(jobs.status, "pending"), isNotNull(jobs.leasedBy), gt(jobs.runAt, now)));
    const dead = leased.filter((j) => ownerGone(j.leasedBy!));
    for (const j of dead)
      await db.update(jobs).set({ runAt: now, leasedBy: null, updatedAt: now }).where(and(eq(jobs.id, j.id), eq(jobs.leasedBy, j.leasedBy!), eq(jobs.status, "pending")));
    if (dead.length) log.info("reclaimed jobs leased by a process that ended", { jobs: dead.length });
  }

  /** Fills the free slots with due jobs; returns how many it started. Never rejects. */
  async function fillSlots(): Promise<number> {
    let jobsToRun: Claimed[];
    try {
      jobsToRun = await claimDueJobs(db, clock.now(), leaseMs, concurrency - inflight.size);
    } catch (e) {
      if (!outage.failed(e)) log.error("job claim failed", { error: errorText(e) });
      return 0;
    }
    for (const job of jobsToRun) {
      const p: Promise<void> = execute(job)
        .catch((e) => log.error("job bookkeeping failed", { jobId: job.id, error: errorText(e) }))
        .finally(() => {
          inflight.delete(p);
          // Keep the slots busy while there is due work, without waiting for the next poll.
          if (started) void pump();
        });
      inflight.add(p);
    }
    return jobsToRun.length;
  }

  /**
   * Fills the free slots, one fill at a time: a claim awaits the database, and two fills counting
   * the same free slots would run more than `concurrency` jobs. A call while a fill runs gets the
   * next one, which starts after it (calls meanwhile share that one). Never rejects.
   */
  function pump(): Promise<number> {
    if (nextFill) return nextFill;
    const next = filling.then(() => {
      nextFill = null;
      return fillSlots();
    });
    nextFill = next;
    filling = next;
    return next;
  }

  /**
   * Runs every periodic function once; rounds never overlap. While the database cannot be used
   * (locked by another process, PostgreSQL unreachable), a round stops at the first function
   * that finds it so (the others would wait for the same), and no job is claimed.
   */
  function runPeriodic(): Promise<void> {
    periodicChain = periodicChain.then(async () => {
      for (const fn of periodic) {
        try {
          await fn(deps);
        } catch (e) {
          if (outage.failed(e)) return;
          log.error("periodic job failed", { fn: fn.name || "anonymous", error: errorText(e) });
        }
      }
      outage.ok();
    });
    return periodicChain;
  }

  async function tick() {
    try {
      await runPeriodic();
      if (started && !outage.waiting) await pump();
    } finally {
      ticking = null;
      if (started) timer = setTimeout(startTick, pollMs);
    }
  }

  function startTick() {
    timer = null;
    if (!started || ticking) return;
    ticking = tick();
  }

  return {
    name: "jobs",
    start() {
      if (started) return;
      started = true;
      if (deps.config.jobs.wakeOnEnqueue) unsubscribe = onWork(db, "jobs", wake);
      reclaimed = reclaimDeadLeases().catch((e) => log.error("reclaiming leases failed", { error: errorText(e) }));
      // The first tick waits for the reclaim, so that it finds the reclaimed jobs due.
      ticking = reclaimed.then(tick);
    },
    async stop() {
      started = false;
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = null;
      if (ticking) await ticking;
      await periodicChain;
      // A fill under way (a wake-up's) claims and starts its jobs after this: wait for it, then for them.
      await filling;
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
    async drain() {
      const before = finished;
      await reclaimed;
      // The round under way first (the first one starts with the runner), then one of its own.
      if (ticking) await ticking;
      await runPeriodic();
      for (;;) {
        await pump();
        if (inflight.size === 0) break;
        await Promise.race(inflight);
      }
      return finished - before;
    },
  };
}
