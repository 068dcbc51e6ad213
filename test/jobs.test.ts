import { afterEach, describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { eq } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import type { Deps } from "../src/deps";
import { openInstance } from "../src/instance";
import { transaction } from "../src/store/transaction";
import { createLogger } from "../src/log";
import { completeJob, enqueue } from "../src/jobs/queue";
import { createJobRunner, defineJob, PermanentJobError, type JobContext } from "../src/jobs/runner";
import { donePurge } from "../src/jobs/purge-done";

/** The default jobs.leaseSeconds, in ms. */
const LEASE_MS = 60_000;
import { MAX_ATTEMPTS, maxRetryDelayMs, RETRY_DELAYS_MS, retryDelayMs } from "../src/jobs/schedule";
import { notificationHandlers } from "../src/modules/notifications/jobs";
import { sealingHandlers } from "../src/modules/sealing/jobs";
import { jobs } from "../src/store/schema";
import { claimDueJobs } from "../src/jobs/claim";
import { queryPlan, statementsOf } from "./helpers/query-plans";
import { fakeClock, type FakeClock } from "./helpers/clock";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A real instance (SQLite on a temporary directory) with a fake clock; no HTTP server. */
async function instance(env: Record<string, string> = {}, dir?: string): Promise<Deps & { clock: FakeClock; logs: any[]; dir: string }> {
  const d = dir ?? mkdtempSync(join(tmpdir(), "certyneo-jobs-"));
  const logs: any[] = [];
  const clock = fakeClock();
  const deps = await openInstance(loadConfig({ CERTYNEO_DATA_DIR: d, CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...env }), {
    clock,
    log: createLogger("debug", (l) => logs.push(JSON.parse(l))),
  });
  cleanups.push(() => {
    deps.db.$client.close();
    if (!dir) rmSync(d, { recursive: true, force: true });
  });
  return { ...deps, clock, logs, dir: d };
}

/** A handler of these runner tests: any object payload. */
type JobHandler = (payload: Record<string, any>, ctx: JobContext) => Promise<void>;
const AnyPayload = Type.Record(Type.String(), Type.Any());

/** A runner over handlers that take any object payload (the runner's own behaviour is under test). */
const runnerOf = (deps: Deps, handlers: Record<string, JobHandler>, periodic: Parameters<typeof createJobRunner>[2], opts?: Parameters<typeof createJobRunner>[3]) =>
  createJobRunner(deps, Object.fromEntries(Object.entries(handlers).map(([kind, run]) => [kind, defineJob(AnyPayload, run)])), periodic, opts);

const row = (deps: Deps, id: string) => deps.db.select().from(jobs).where(eq(jobs.id, id)).get()!;

describe("schedule", () => {
  test("delays grow from 10 s to 24 h with at most 10 % jitter, then stop", () => {
    expect(RETRY_DELAYS_MS.map((d) => d / 1000)).toEqual([10, 60, 300, 1800, 7200, 28800, 86400]);
    expect(retryDelayMs(1, { random: () => 0 })).toBe(10_000);
    expect(retryDelayMs(1, { random: () => 0.999 })).toBeLessThanOrEqual(maxRetryDelayMs(1));
    expect(retryDelayMs(7, { random: () => 0.5 })).toBe(Math.round(86_400_000 * 1.05));
    expect(retryDelayMs(MAX_ATTEMPTS)).toBeNull();
    expect(MAX_ATTEMPTS).toBe(8);
  });

  test("the jitter is an option (the webhook dispatcher uses 20 %)", () => {
    expect(retryDelayMs(2, { jitter: 0.2, random: () => 0.5 })).toBe(66_000);
    expect(retryDelayMs(2, { jitter: 0.2, random: () => 0.999 })).toBeLessThanOrEqual(maxRetryDelayMs(2, 0.2));
    expect(maxRetryDelayMs(2, 0.2)).toBe(72_000);
    expect(retryDelayMs(MAX_ATTEMPTS, { jitter: 0.2 })).toBeNull();
  });
});

describe("job runner", () => {
  test("enqueue inside a transaction: a rolled-back transaction leaves no job", async () => {
    const deps = await instance();
    const id = await enqueue(deps.db, deps.clock, { kind: "x", payload: { a: 1 } });
    expect(id).toMatch(/^job_[0-9a-z]{20}$/);
    expect(row(deps, id)).toMatchObject({ kind: "x", payload: { a: 1 }, status: "pending", attempts: 0, runAt: deps.clock.now() });
    await expect(
      transaction(deps.db, async (tx) => {
        await enqueue(tx, deps.clock, { kind: "y", payload: {} });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(deps.db.select().from(jobs).where(eq(jobs.kind, "y")).all()).toHaveLength(0);
  });

  test("the claim takes due jobs oldest first, by due time then creation, read in that order from jobs_due with no sort", async () => {
    const deps = await instance();
    const at = new Date(deps.clock.now().getTime() - 1_000);
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push(await enqueue(deps.db, deps.clock, { kind: "hello", payload: { n: i }, runAt: i === 3 ? new Date(at.getTime() - 1) : at }));
      deps.clock.advance(5);
    }
    let claimed: string[] = [];
    const statements = await statementsOf(deps.db.$client, async () => {
      claimed = (await claimDueJobs(deps.db, deps.clock.now(), LEASE_MS, 3)).map((j) => j.id);
    });
    // The one due earliest first, then those due together in the order they were made.
    expect(claimed).toEqual([made[3], made[0], made[1]]);
    const select = statements.filter((sql) => /^select .* from "jobs" where .*order by/i.test(sql));
    expect(select).toHaveLength(1);
    expect(queryPlan(deps.db.$client, select[0]!, "pending", deps.clock.now().getTime(), 3)).toBe("SEARCH jobs USING INDEX jobs_due (status=? AND run_at<?)");
  });

  test("drain runs due jobs once, marks them done, and leaves future ones", async () => {
    const deps = await instance();
    const seen: any[] = [];
    const runner = runnerOf(deps, { hello: async (p, ctx) => void seen.push({ p, attempt: ctx.attempt, jobId: ctx.jobId }) }, []);
    const now = await enqueue(deps.db, deps.clock, { kind: "hello", payload: { n: 1 } });
    const later = await enqueue(deps.db, deps.clock, { kind: "hello", payload: { n: 2 }, runAt: new Date(deps.clock.now().getTime() + 60_000) });
    expect(await runner.drain()).toBe(1);
    expect(seen).toEqual([{ p: { n: 1 }, attempt: 1, jobId: now }]);
    expect(row(deps, now)).toMatchObject({ status: "done", attempts: 1 });
    expect(await runner.drain()).toBe(0);
    deps.clock.advance(60_000);
    expect(await runner.drain()).toBe(1);
    expect(row(deps, later).status).toBe("done");
  });

  test("jobs enqueued by a job run in the same drain", async () => {
    const deps = await instance();
    const order: string[] = [];
    const runner = runnerOf(deps, {
      parent: async (_p, { deps }) => {
        order.push("parent");
        await enqueue(deps.db, deps.clock, { kind: "child", payload: {} });
      },
      child: async () => void order.push("child"),
    }, []);
    await enqueue(deps.db, deps.clock, { kind: "parent", payload: {} });
    expect(await runner.drain()).toBe(2);
    expect(order).toEqual(["parent", "child"]);
  });

  test("a failing job is retried with back-off, then failed with its last error", async () => {
    const deps = await instance();
    let calls = 0;
    const runner = runnerOf(deps, { flaky: async () => { calls++; throw new Error(`boom ${calls}`); } }, []);
    const id = await enqueue(deps.db, deps.clock, { kind: "flaky", payload: {} });
    const start = deps.clock.now().getTime();
    await runner.drain();
    let r = row(deps, id);
    expect(r).toMatchObject({ status: "pending", attempts: 1, lastError: "boom 1" });
    expect(r.runAt.getTime() - start).toBeGreaterThanOrEqual(10_000);
    expect(r.runAt.getTime() - start).toBeLessThanOrEqual(maxRetryDelayMs(1));
    // Not due before its delay.
    deps.clock.advance(9_999);
    expect(await runner.drain()).toBe(0);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      deps.clock.set(row(deps, id).runAt);
      expect(await runner.drain()).toBe(1);
      r = row(deps, id);
      expect(r.attempts).toBe(attempt + 1);
    }
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(r).toMatchObject({ status: "failed", lastError: `boom ${MAX_ATTEMPTS}` });
    deps.clock.advance(7 * 86_400_000);
    expect(await runner.drain()).toBe(0);
    expect(deps.logs.some((l) => l.level === "error" && l.msg === "job failed" && l.jobId === id)).toBe(true);
  });

  test("the gaps between attempts follow the schedule", async () => {
    const deps = await instance();
    const runner = runnerOf(deps, { flaky: async () => { throw new Error("no"); } }, []);
    const id = await enqueue(deps.db, deps.clock, { kind: "flaky", payload: {} });
    for (let i = 0; i < RETRY_DELAYS_MS.length; i++) {
      const before = deps.clock.now().getTime();
      await runner.drain();
      const gap = row(deps, id).runAt.getTime() - before;
      expect(gap).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i]!);
      expect(gap).toBeLessThanOrEqual(maxRetryDelayMs(i + 1));
      deps.clock.advance(maxRetryDelayMs(i + 1));
    }
  });

  test("PermanentJobError and unknown kinds fail at once", async () => {
    const deps = await instance();
    const runner = runnerOf(deps, { bad: async () => { throw new PermanentJobError("envelope is gone"); } }, []);
    const a = await enqueue(deps.db, deps.clock, { kind: "bad", payload: {} });
    const b = await enqueue(deps.db, deps.clock, { kind: "nobody_handles_this", payload: {} });
    const c = await enqueue(deps.db, deps.clock, { kind: "toString", payload: {} });
    expect(await runner.drain()).toBe(3);
    expect(row(deps, a)).toMatchObject({ status: "failed", attempts: 1, lastError: "envelope is gone" });
    expect(row(deps, b)).toMatchObject({ status: "failed", attempts: 1, lastError: 'no handler for job kind "nobody_handles_this"' });
    expect(row(deps, c).status).toBe("failed");
  });

  test("a stored payload that does not fit its kind's schema fails the job at once; the handler never sees it", async () => {
    const deps = await instance();
    const seen: unknown[] = [];
    const runner = createJobRunner(deps, { greet: defineJob(Type.Object({ name: Type.String() }), async (p) => void seen.push(p.name)) }, []);
    const good = await enqueue(deps.db, deps.clock, { kind: "greet", payload: { name: "Ana" } });
    const bad = await enqueue(deps.db, deps.clock, { kind: "greet", payload: { name: "Bob" } });
    const missing = await enqueue(deps.db, deps.clock, { kind: "greet", payload: { name: "Eve" } });
    // What a row written by an older version, or by hand, may hold.
    deps.db.$client.run(`UPDATE jobs SET payload = '{"name":42}' WHERE id = ?`, [bad]);
    deps.db.$client.run(`UPDATE jobs SET payload = '{}' WHERE id = ?`, [missing]);
    expect(await runner.drain()).toBe(3);
    expect(seen).toEqual(["Ana"]);
    expect(row(deps, good).status).toBe("done");
    expect(row(deps, bad)).toMatchObject({ status: "failed", attempts: 1, lastError: 'bad payload for job kind "greet": /name: Expected string' });
    expect(row(deps, missing)).toMatchObject({ status: "failed", attempts: 1 });
    expect(row(deps, missing).lastError).toStartWith('bad payload for job kind "greet": /name: ');
  });

  test("the app's job kinds check their payloads too (notifications, sealing)", async () => {
    const deps = await instance();
    const runner = createJobRunner(deps, { ...notificationHandlers(deps), ...sealingHandlers(deps) }, []);
    const rows: [string, string][] = [
      ["send_invitation", '{"recipientId":7}'],
      ["notify_declined", '{"envelope":"env_x"}'],
      ["deliver_message", '{"recipientId":"rcp_x","message":"invitation","channel":"fax"}'],
      ["seal_envelope", '{"envelopeId":null}'],
    ];
    const ids: string[] = [];
    for (const [kind, payload] of rows) {
      const id = await enqueue(deps.db, deps.clock, { kind, payload: {} });
      deps.db.$client.run("UPDATE jobs SET payload = ? WHERE id = ?", [payload, id]);
      ids.push(id);
    }
    expect(await runner.drain()).toBe(rows.length);
    ids.forEach((id, i) => {
      expect(row(deps, id)).toMatchObject({ status: "failed", attempts: 1 });
      expect(row(deps, id).lastError).toStartWith(`bad payload for job kind "${rows[i]![0]}": `);
    });
    expect(deps.db.select().from(jobs).where(eq(jobs.kind, "deliver_message")).all()).toHaveLength(1);
  });

  test("concurrency is bounded and a job never runs twice, even with two runners on two connections", async () => {
    const deps = await instance({ CERTYNEO_JOBS_CONCURRENCY: "3" });
    // A second connection to the same database, as a second process would have.
    const other = await instance({ CERTYNEO_JOBS_CONCURRENCY: "3" }, deps.dir);
    other.clock.set(deps.clock.now());
    const runs = new Map<number, number>();
    let running = 0;
    let maxRunning = 0;
    const handler: JobHandler = async (p) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      runs.set(p.n, (runs.get(p.n) ?? 0) + 1);
      await Bun.sleep(2);
      running--;
    };
    for (let n = 0; n < 30; n++) await enqueue(deps.db, deps.clock, { kind: "work", payload: { n } });
    const a = runnerOf(deps, { work: handler }, []);
    const b = runnerOf(other, { work: handler }, []);
    const [da, db] = await Promise.all([a.drain(), b.drain()]);
    expect(da + db).toBe(30);
    expect(runs.size).toBe(30);
    expect([...runs.values()].every((v) => v === 1)).toBe(true);
    expect(maxRunning).toBeLessThanOrEqual(6);
    expect(deps.db.select().from(jobs).where(eq(jobs.status, "done")).all()).toHaveLength(30);
  });

  test("a job claimed by a process that died runs again once its lease ends", async () => {
    const deps = await instance();
    const id = await enqueue(deps.db, deps.clock, { kind: "work", payload: {} });
    // What a claim does, with no completion: the process crashed mid-run.
    deps.db.update(jobs).set({ runAt: new Date(deps.clock.now().getTime() + LEASE_MS), attempts: 1 }).where(eq(jobs.id, id)).run();
    let ran = 0;
    const runner = runnerOf(deps, { work: async () => void ran++ }, []);
    expect(await runner.drain()).toBe(0);
    deps.clock.advance(LEASE_MS);
    expect(await runner.drain()).toBe(1);
    expect(ran).toBe(1);
    expect(row(deps, id)).toMatchObject({ status: "done", attempts: 2 });
  });

  test("while a job runs it is leased, not due", async () => {
    const deps = await instance();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runner = runnerOf(deps, { slow: () => gate }, []);
    const id = await enqueue(deps.db, deps.clock, { kind: "slow", payload: {} });
    const draining = runner.drain();
    await Bun.sleep(5);
    const r = row(deps, id);
    expect(r.status).toBe("pending");
    expect(r.runAt.getTime()).toBe(deps.clock.now().getTime() + LEASE_MS);
    release();
    expect(await draining).toBe(1);
    expect(row(deps, id).status).toBe("done");
  });

  test("a timed-out job is aborted and keeps its lease: no retry while it may still run", async () => {
    const deps = await instance();
    const signals: AbortSignal[] = [];
    // Honours its signal, as the SMS sender does: rejects once aborted.
    const stuck: JobHandler = (_p, { signal }) => {
      signals.push(signal);
      return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    };
    const runner = runnerOf(deps, { stuck }, [], { timeoutMs: 20 });
    const id = await enqueue(deps.db, deps.clock, { kind: "stuck", payload: {} });
    const leaseEnd = deps.clock.now().getTime() + LEASE_MS;
    expect(await runner.drain()).toBe(1);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(row(deps, id)).toMatchObject({ status: "pending", attempts: 1, lastError: "job timed out after 20 ms" });
    expect(row(deps, id).runAt.getTime()).toBe(leaseEnd);
    // Past the retry delay (10 s) but within the lease: not due.
    deps.clock.advance(maxRetryDelayMs(1));
    expect(await runner.drain()).toBe(0);
    deps.clock.set(new Date(leaseEnd));
    expect(await runner.drain()).toBe(1);
    expect(signals).toHaveLength(2);

    // A retry delay longer than the lease (the 4th: 30 min) is kept.
    const late = await enqueue(deps.db, deps.clock, { kind: "stuck", payload: {} });
    deps.db.update(jobs).set({ attempts: 3 }).where(eq(jobs.id, late)).run();
    const before = deps.clock.now().getTime();
    await runner.drain();
    expect(row(deps, late).runAt.getTime() - before).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[3]);
  });

  test("a timed-out run that succeeds after all, within its lease, completes the job: no retry", async () => {
    const deps = await instance();
    let runs = 0;
    let finish!: () => void;
    const runner = runnerOf(deps, {
      slow: () => {
        runs++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
    }, [], { timeoutMs: 20 });
    const id = await enqueue(deps.db, deps.clock, { kind: "slow", payload: {} });
    await runner.drain();
    expect(row(deps, id)).toMatchObject({ status: "pending", lastError: "job timed out after 20 ms" });
    finish();
    await Bun.sleep(0);
    expect(row(deps, id).status).toBe("done");
    expect(deps.logs.some((l) => l.msg === "job done after its timeout" && l.jobId === id)).toBe(true);
    deps.clock.advance(LEASE_MS);
    expect(await runner.drain()).toBe(0);
    expect(runs).toBe(1);
  });

  test("a job its handler marked done in its own transaction stays done, even if the handler then throws", async () => {
    const deps = await instance();
    const completeOwn: JobHandler = async (_p, { deps, jobId }) => {
      await transaction(deps.db, (tx) => completeJob(tx, deps.clock, jobId));
    };
    const runner = runnerOf(deps, {
      own: completeOwn,
      ownThenThrow: async (p, ctx) => {
        await completeOwn(p, ctx);
        throw new Error("database is locked");
      },
      ownThenPermanent: async (p, ctx) => {
        await completeOwn(p, ctx);
        throw new PermanentJobError("gone");
      },
    }, []);
    const ids: string[] = [];
    for (const kind of ["own", "ownThenThrow", "ownThenPermanent"]) ids.push(await enqueue(deps.db, deps.clock, { kind, payload: {} }));
    expect(await runner.drain()).toBe(3);
    for (const id of ids) expect(row(deps, id)).toMatchObject({ status: "done", attempts: 1, lastError: null });
    expect(deps.logs.some((l) => l.msg === "job bookkeeping failed")).toBe(false);
    // Neither a failure nor a retry is announced for a job that is done.
    expect(deps.logs.filter((l) => l.msg === "job failed" || l.msg === "job will be retried")).toEqual([]);
    expect(deps.logs.filter((l) => l.msg === "job ended in error after it was done or withdrawn: nothing to retry").map((l) => l.jobId)).toEqual(ids.slice(1));
    deps.clock.advance(86_400_000);
    expect(await runner.drain()).toBe(0);
  });

  test("a job removed while it runs (an envelope's erasure) and then failing is neither failed nor retried, and not an error", async () => {
    const deps = await instance();
    const removeOwn: JobHandler = async (_p, { deps, jobId }) => {
      await transaction(deps.db, (tx) => tx.delete(jobs).where(eq(jobs.id, jobId)));
    };
    const runner = runnerOf(deps, {
      thenThrow: async (p, ctx) => {
        await removeOwn(p, ctx);
        throw new Error("recipient gone");
      },
      thenPermanent: async (p, ctx) => {
        await removeOwn(p, ctx);
        throw new PermanentJobError("recipient rcp_x does not exist");
      },
      failing: async () => {
        throw new PermanentJobError("a real failure");
      },
    }, []);
    const [thenThrow, thenPermanent, failing] = [
      await enqueue(deps.db, deps.clock, { kind: "thenThrow", payload: {} }),
      await enqueue(deps.db, deps.clock, { kind: "thenPermanent", payload: {} }),
      await enqueue(deps.db, deps.clock, { kind: "failing", payload: {} }),
    ];
    expect(await runner.drain()).toBe(3);
    expect(deps.db.select().from(jobs).where(eq(jobs.id, thenThrow)).get()).toBeUndefined();
    expect(deps.db.select().from(jobs).where(eq(jobs.id, thenPermanent)).get()).toBeUndefined();
    // In the order of their errors: the three run at once.
    const said = (msg: string) => deps.logs.filter((l) => l.msg === msg).map((l) => [l.level, l.jobId, l.error]).sort((a, b) => a[2].localeCompare(b[2]));
    expect(said("job ended in error after it was done or withdrawn: nothing to retry")).toEqual([
      ["info", thenThrow, "recipient gone"],
      ["info", thenPermanent, "recipient rcp_x does not exist"],
    ]);
    // A job still there that fails is a failure, as before.
    expect(said("job failed")).toEqual([["error", failing, "a real failure"]]);
    expect(said("job will be retried")).toEqual([]);
  });

  test("the timer runs periodic functions and due jobs; stop waits for the running job", async () => {
    const deps = await instance({ CERTYNEO_JOBS_POLL_MS: "10" });
    let ticks = 0;
    let finished = false;
    const runner = runnerOf(deps, {
      slow: async () => {
        await Bun.sleep(50);
        finished = true;
      },
    }, [() => void ticks++]);
    runner.start();
    for (let i = 0; i < 400 && ticks < 2; i++) await Bun.sleep(5);
    expect(ticks).toBeGreaterThanOrEqual(2);
    const id = await enqueue(deps.db, deps.clock, { kind: "slow", payload: {} });
    // Wait until the timer has claimed it (its lease moves runAt ahead).
    for (let i = 0; i < 400 && row(deps, id).runAt.getTime() === deps.clock.now().getTime(); i++) await Bun.sleep(5);
    await runner.stop();
    expect(finished).toBe(true);
    expect(row(deps, id).status).toBe("done");
    const after = ticks;
    await Bun.sleep(40);
    expect(ticks).toBe(after);
  });

  test("a job due now starts once its transaction commits, not at the next poll; a later one waits", async () => {
    const deps = await instance({ CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "true" }); // and a poll of 60 s
    let ticked = false;
    let ranInsideTransaction = false;
    let inTransaction = false;
    const runner = runnerOf(deps, { now: async () => void (ranInsideTransaction ||= inTransaction) }, [() => void (ticked = true)]);
    runner.start();
    for (let i = 0; i < 400 && !ticked; i++) await Bun.sleep(5);
    await Bun.sleep(10); // the start-up poll is over: only a wake-up can run what comes next
    const later = await enqueue(deps.db, deps.clock, { kind: "now", payload: {}, runAt: new Date(deps.clock.now().getTime() + 60_000) });
    const id = await transaction(deps.db, async (tx) => {
      inTransaction = true;
      const jobId = await enqueue(tx, deps.clock, { kind: "now", payload: {} });
      inTransaction = false;
      return jobId;
    });
    for (let i = 0; i < 400 && row(deps, id).status !== "done"; i++) await Bun.sleep(5);
    expect(row(deps, id).status).toBe("done");
    expect(ranInsideTransaction).toBe(false);
    expect(row(deps, later)).toMatchObject({ status: "pending", attempts: 0 });
    await runner.stop();
  });

  test("stop waits for a fill a wake-up has started: nothing it claims runs after stop", async () => {
    const deps = await instance({ CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "true" }); // and a poll of 60 s
    let ticked = false;
    let stopped = false;
    let ranAfterStop = false;
    const runner = runnerOf(deps, { quick: async () => void (ranAfterStop ||= stopped) }, [() => void (ticked = true)]);
    runner.start();
    for (let i = 0; i < 400 && !ticked; i++) await Bun.sleep(5);
    await Bun.sleep(10);
    const id = await enqueue(deps.db, deps.clock, { kind: "quick", payload: {} });
    // The wake-up's turn: its claim now waits for its transaction's turn.
    await new Promise((next) => setImmediate(next));
    await runner.stop();
    stopped = true;
    await Bun.sleep(50);
    expect(ranAfterStop).toBe(false);
    // Either the fill ran its job before stop returned, or it claimed nothing.
    expect(["done", "pending"]).toContain(row(deps, id).status);
    if (row(deps, id).status === "pending") expect(row(deps, id).attempts).toBe(0);
  });

  test("a throwing periodic function is logged and does not stop the others or the jobs", async () => {
    const deps = await instance();
    let second = 0;
    const runner = runnerOf(deps, { ok: async () => {} }, [
      function sweep() { throw new Error("sweep broke"); },
      () => void second++,
    ]);
    await enqueue(deps.db, deps.clock, { kind: "ok", payload: {} });
    expect(await runner.drain()).toBe(1);
    expect(second).toBe(1);
    expect(deps.logs.find((l) => l.msg === "periodic job failed")).toMatchObject({ fn: "sweep", error: "sweep broke" });
  });
});

describe("finished jobs", () => {
  test("are deleted jobs.keepDoneDays after they ran, a batch at a time; pending and failed ones stay", async () => {
    const deps = await instance({ CERTYNEO_JOBS_KEEP_DONE_DAYS: "7" });
    const runner = runnerOf(deps, { ok: async () => {}, bad: async () => { throw new PermanentJobError("no"); } }, []);
    const purge = donePurge();
    // 1,005 finished jobs, a failed one and one due in 8 days, all made now.
    await transaction(deps.db, async (tx) => {
      for (let i = 0; i < 1005; i++) await enqueue(tx, deps.clock, { kind: "ok", payload: { i } });
    });
    const failed = await enqueue(deps.db, deps.clock, { kind: "bad", payload: {} });
    const later = await enqueue(deps.db, deps.clock, { kind: "ok", payload: {}, runAt: new Date(deps.clock.now().getTime() + 8 * 86_400_000) });
    expect(await runner.drain()).toBe(1006);
    const count = (status: string) => deps.db.select().from(jobs).where(eq(jobs.status, status as "done")).all().length;
    expect([count("done"), count("failed"), count("pending")]).toEqual([1005, 1, 1]);

    // Six days on: nothing is old enough.
    deps.clock.advance(6 * 86_400_000);
    expect(await purge(deps)).toBe(0);
    // Eight days on: a full batch, then at the next tick the rest.
    deps.clock.advance(2 * 86_400_000);
    expect(await purge(deps)).toBe(1000);
    expect(await purge(deps)).toBe(5);
    expect(count("done")).toBe(0);
    expect(row(deps, failed).status).toBe("failed");
    expect(row(deps, later).status).toBe("pending");

    // The job due now runs; once done it waits out its 7 days, and the purge looks once a minute.
    expect(await runner.drain()).toBe(1);
    deps.clock.advance(7 * 86_400_000 + 1);
    expect(await purge(deps)).toBe(0);
    deps.clock.advance(60_000);
    expect(await purge(deps)).toBe(1);
    expect(row(deps, later)).toBeUndefined();
  });

  test("are kept with jobs.keepDoneDays 0", async () => {
    const deps = await instance({ CERTYNEO_JOBS_KEEP_DONE_DAYS: "0" });
    const runner = runnerOf(deps, { ok: async () => {} }, []);
    const id = await enqueue(deps.db, deps.clock, { kind: "ok", payload: {} });
    expect(await runner.drain()).toBe(1);
    deps.clock.advance(3650 * 86_400_000);
    expect(await donePurge()(deps)).toBe(0);
    expect(row(deps, id).status).toBe("done");
  });
});
