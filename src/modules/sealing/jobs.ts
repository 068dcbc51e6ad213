import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { MAX_ATTEMPTS } from "../../jobs/schedule";
import { JOB_PAYLOADS } from "../../jobs/payloads";
import { defineJob, PermanentJobError, type JobDefinitions } from "../../jobs/runner";
import { SealRefusedError } from "../../pdf/incremental";
import { jobs } from "../../store/schema";
import { extendArchivalSeals } from "./extend";
import { markSealDelayed, markSealFailed, sealEnvelope } from "./service";

const DAY_MS = 86_400_000;

/**
 * "seal_envelope" {envelopeId}: enqueued when an envelope completes and retried with back-off.
 * A document that can never be sealed, or the last attempt failing, is recorded as a failed
 * seal (status and audit event) so downloads stop trying and the admin sees why; the first
 * retryable failure (time-stamp authority or revocation responders down) is recorded as a delay.
 *
 * "extend_archival_seals": the daily archival renewal (seal.extendBeforeDays); each run schedules the next.
 */
export const sealingHandlers = (deps: Deps): JobDefinitions => ({
  seal_envelope: defineJob(JOB_PAYLOADS.seal_envelope, async (payload, { attempt }) => {
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
  }),
  extend_archival_seals: defineJob(JOB_PAYLOADS.extend_archival_seals, async () => {
    try {
      if (deps.trust.timestamper) await extendArchivalSeals(deps, deps.config.seal.extendBeforeDays);
    } finally {
      scheduleNextRenewal(deps);
    }
  }),
});

const scheduleNextRenewal = (deps: Deps) =>
  deps.db.transaction((tx) => void enqueue(tx, deps.clock, { kind: "extend_archival_seals", payload: {}, runAt: new Date(deps.clock.now().getTime() + DAY_MS) }));

/** Makes sure the daily renewal is scheduled (a fresh database, or one from before it existed); the first run is a day after. */
export const sealingPeriodic: Array<(deps: Deps) => void> = [
  function scheduleArchivalRenewal(deps) {
    const pending = deps.db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.kind, "extend_archival_seals"), eq(jobs.status, "pending"))).get();
    if (!pending) scheduleNextRenewal(deps);
  },
];
