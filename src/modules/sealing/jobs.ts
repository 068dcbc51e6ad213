import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { MAX_ATTEMPTS } from "../../jobs/schedule";
import { JOB_PAYLOADS } from "../../jobs/payloads";
import { defineJob, PermanentJobError, type JobDefinitions } from "../../jobs/runner";
import { preparedPerDb } from "../../store/prepared";
import { transaction } from "../../store/transaction";
import { jobs } from "../../store/schema";
import { archivalRenewal, pdfIncremental, sealingService } from "./lazy";

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
    const { markSealDelayed, markSealFailed, sealEnvelope } = await sealingService();
    try {
      await sealEnvelope(deps, payload.envelopeId);
    } catch (e) {
      // Another node is sealing it (a download that came first): retried, then found sealed.
      if (e instanceof AppError && e.code === "seal_pending") throw e;
      const permanent = e instanceof (await pdfIncremental()).SealRefusedError || (e instanceof AppError && e.code === "seal_failed");
      if (permanent || attempt >= MAX_ATTEMPTS) {
        await markSealFailed(deps, payload.envelopeId, (e as Error).message);
        throw permanent ? new PermanentJobError((e as Error).message) : e;
      }
      if (attempt === 1) await markSealDelayed(deps, payload.envelopeId, (e as Error).message);
      throw e;
    }
  }),
  extend_archival_seals: defineJob(JOB_PAYLOADS.extend_archival_seals, async () => {
    try {
      if (deps.trust.timestamper) await (await archivalRenewal()).extendArchivalSeals(deps, deps.config.seal.extendBeforeDays);
    } finally {
      await scheduleNextRenewal(deps);
    }
  }),
});

const scheduleNextRenewal = (deps: Deps) =>
  transaction(deps.db, async (tx) => {
    await enqueue(tx, deps.clock, { kind: "extend_archival_seals", payload: {}, runAt: new Date(deps.clock.now().getTime() + DAY_MS) });
  });

/** The pending renewal job, if any: prepared once, as the check runs on every poll (each second). */
const pendingRenewal = preparedPerDb((db) => db.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.kind, "extend_archival_seals"), eq(jobs.status, "pending"))).limit(1).prepare());

/** Makes sure the daily renewal is scheduled (a fresh database, or one from before it existed); the first run is a day after. */
export const sealingPeriodic: Array<(deps: Deps) => Promise<void>> = [
  async function scheduleArchivalRenewal(deps) {
    const [pending] = await pendingRenewal(deps.db).execute();
    if (!pending) await scheduleNextRenewal(deps);
  },
];
