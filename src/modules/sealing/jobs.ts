import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { MAX_ATTEMPTS } from "../../jobs/schedule";
import { PermanentJobError, type JobHandler } from "../../jobs/runner";
import { SealRefusedError } from "../../pdf/incremental";
import { jobs } from "../../store/schema";
import { extendArchivalSeals } from "./extend";
import { markSealDelayed, markSealFailed, sealEnvelope } from "./service";

const EXTEND_JOB = "extend_archival_seals";
const DAY_MS = 86_400_000;

/**
 * "seal_envelope" {envelopeId}: enqueued when an envelope completes and retried with back-off.
 * A document that can never be sealed, or the last attempt failing, is recorded as a failed
 * seal (status and audit event) so downloads stop trying and the admin sees why; the first
 * retryable failure (time-stamp authority or revocation responders down) is recorded as a delay.
 *
 * "extend_archival_seals": the daily archival renewal (seal.extendBeforeDays); each run schedules the next.
 */
export const sealingHandlers = (deps: Deps): Record<string, JobHandler> => ({
  seal_envelope: async (payload: { envelopeId: string }, { attempt }) => {
    try {
      await sealEnvelope(deps, payload.envelopeId);
    } catch (e) {
      const permanent = e instanceof SealRefusedError || (e instanceof AppError && e.code === "seal_failed");
      if (permanent || attempt >= MAX_ATTEMPTS) {
        markSealFailed(deps, payload.envelopeId, (e as Error).message);
        throw permanent ? new PermanentJobError((e as Error).message) : e;
      }
      if (attempt === 1) markSealDelayed(deps, payload.envelopeId, (e as Error).message);
      throw e;
    }
  },
  [EXTEND_JOB]: async () => {
    try {
      if (deps.trust.timestamper) await extendArchivalSeals(deps, deps.config.seal.extendBeforeDays);
    } finally {
      scheduleNextRenewal(deps);
    }
  },
});

const scheduleNextRenewal = (deps: Deps) =>
  deps.db.transaction((tx) => void enqueue(tx, deps.clock, { kind: EXTEND_JOB, payload: {}, runAt: new Date(deps.clock.now().getTime() + DAY_MS) }));

/** Makes sure the daily renewal is scheduled (a fresh database, or one from before it existed); the first run is a day after. */
export const sealingPeriodic: Array<(deps: Deps) => void> = [
  function scheduleArchivalRenewal(deps) {
    const pending = deps.db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.kind, EXTEND_JOB), eq(jobs.status, "pending"))).get();
    if (!pending) scheduleNextRenewal(deps);
  },
];
