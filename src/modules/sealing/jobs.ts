import type { Deps } from "../../deps";
import type { JobHandler } from "../../jobs/runner";
import { sealEnvelope } from "./service";

/** "seal_envelope" {envelopeId}: enqueued when an envelope completes; retried by the runner on failure. */
export const sealingHandlers = (deps: Deps): Record<string, JobHandler> => ({
  seal_envelope: async (payload: { envelopeId: string }) => sealEnvelope(deps, payload.envelopeId),
});
