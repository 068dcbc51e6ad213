import type { Deps } from "../../deps";
import { notFound } from "../../errors";
import type { Environment } from "../../store/schema";
import { envelopeRevision, findEnvelopeRow } from "./rows";
import { loadEnvelopeParts, publicEnvelope, type EnvelopeView } from "./view";
import { buildViews, cachedViews } from "./view-cache";

export interface GetEnvelopeInput {
  environment: Environment;
  envelopeId: string;
}

/** The envelope with its signing links (the console); 404 outside its environment. */
export async function getEnvelope(deps: Deps, { environment, envelopeId }: GetEnvelopeInput): Promise<EnvelopeView> {
  return publicEnvelope(deps, await loadEnvelopeParts(deps.db, await findEnvelopeRow(deps.db, environment, envelopeId)));
}

/** GET /envelopes/{id} as JSON (UTF-8), from the cache when it holds the current revision (view-cache.ts). */
export async function getEnvelopeJson(deps: Deps, { environment, envelopeId }: GetEnvelopeInput): Promise<Uint8Array> {
  const key = await envelopeRevision(deps.db, environment, envelopeId);
  const json = key && (cachedViews(deps.db, [key]).get(key.id) ?? (await buildViews(deps, [key.id])).get(key.id));
  if (json) return json;
  // Absent (404), purged (410), or purged between the two reads by another node (410).
  await findEnvelopeRow(deps.db, environment, envelopeId);
  throw notFound("Envelope", envelopeId);
}
