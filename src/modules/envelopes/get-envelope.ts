import type { Deps } from "../../deps";
import type { Environment } from "../../store/schema";
import { findEnvelopeRow } from "./rows";
import { loadEnvelopeParts, publicEnvelope, type EnvelopeView } from "./view";

export interface GetEnvelopeInput {
  environment: Environment;
  envelopeId: string;
}

/** GET /envelopes/{id}: the envelope with its signing links; 404 outside its environment. */
export async function getEnvelope(deps: Deps, { environment, envelopeId }: GetEnvelopeInput): Promise<EnvelopeView> {
  return publicEnvelope(deps, await loadEnvelopeParts(deps.db, await findEnvelopeRow(deps.db, environment, envelopeId)));
}
