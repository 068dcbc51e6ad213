import type { Deps } from "../../deps";
import { envelopes, type EnvelopeStatus, type Environment } from "../../store/schema";
import { definePager, type Page } from "../../store/paginate";
import { loadEnvelopesParts, publicEnvelope, type EnvelopeView } from "./view";

export interface ListEnvelopesInput {
  environment: Environment;
  limit?: number;
  startingAfter?: string;
  status?: EnvelopeStatus;
}

/** Pages of one environment's envelopes, on the index (environment, [status,] created_at, id). */
export const envelopePages = definePager(envelopes, { owner: envelopes.environment, filters: { status: envelopes.status } });

/** GET /envelopes: newest first, optionally by status. */
export async function listEnvelopes(deps: Deps, { environment, limit, startingAfter, status }: ListEnvelopesInput): Promise<Page<EnvelopeView>> {
  const page = await envelopePages.page(deps.db, { owner: environment, limit, startingAfter, filters: { status } });
  return { data: (await loadEnvelopesParts(deps.db, page.data)).map((parts) => publicEnvelope(deps, parts)), hasMore: page.hasMore };
}
