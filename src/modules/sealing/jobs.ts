import type { Deps } from "../../deps";
import { MAX_ATTEMPTS } from "../../jobs/schedule";
import { JOB_PAYLOADS } from "../../jobs/payloads";
import { defineJob, PermanentJobError, type JobDefinitions } from "../../jobs/runner";
import { SealRefusedError } from "../../pdf/incremental";
import { markSealFailed, sealEnvelope } from "./service";

/**
 * "seal_envelope" {envelopeId}: enqueued when an envelope completes and retried with back-off.
 * A document that can never be sealed, or the last attempt failing, is recorded as a failed
 * seal (status and audit event) so downloads stop trying and the admin sees why.
 */
export const sealingHandlers = (deps: Deps): JobDefinitions => ({
  seal_envelope: defineJob(JOB_PAYLOADS.seal_envelope, async (payload, { attempt }) => {
    try {
      await sealEnvelope(deps, payload.envelopeId);
    } catch (e) {
      const permanent = e instanceof SealRefusedError;
      if (permanent || attempt >= MAX_ATTEMPTS) {
        markSealFailed(deps, payload.envelopeId, (e as Error).message);
        throw permanent ? new PermanentJobError((e as Error).message) : e;
      }
      throw e;
    }
  }),
});
