import type { Deps } from "../../deps";
import { notFound } from "../../errors";
import type { Environment } from "../../store/schema";
import { findEnvelopeRow } from "./rows";
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
  const row = await findEnvelopeRow(deps.db, environment, envelopeId);
  const json = cachedViews(deps.db, [row]).get(row.id) ?? (await buildViews(deps, [row.id])).get(row.id);
  if (json !== undefined) return json;
  // Purged between the two reads (another node): answered as a purged envelope is (410).
  await findEnvelopeRow(deps.db, environment, envelopeId);
  throw notFound("Envelope", envelopeId);
}
