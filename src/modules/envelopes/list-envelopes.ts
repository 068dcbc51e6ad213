import type { Deps } from "../../deps";
import { envelopes, envelopeTombstones, type EnvelopeStatus, type Environment } from "../../store/schema";
import { definePager } from "../../store/paginate";
import { pageBody } from "./view-cache";

export interface ListEnvelopesInput {
  environment: Environment;
  limit?: number;
  startingAfter?: string;
  status?: EnvelopeStatus;
}

const spec = {
  owner: envelopes.environment, filters: { status: envelopes.status },
  // A purged envelope's id still pages on: a client listing while retention purges is not refused.
  departed: { table: envelopeTombstones, id: envelopeTombstones.envelopeId, owner: envelopeTombstones.environment, createdAt: envelopeTombstones.createdAt },
};
/** Pages of one environment's envelopes, on the index (environment, [status,] created_at, id). */
export const envelopePages = definePager(envelopes, spec);
/** The same pages, ids and revisions only (the index covers them): what finding the cached views needs. */
export const revisionPages = definePager<typeof envelopes, "status", { id: string; revision: number }>(envelopes, {
  ...spec, select: { id: envelopes.id, revision: envelopes.revision },
});

/**
 * GET /envelopes as JSON: newest first, optionally by status. The page is read as ids and
 * revisions; its body is the one kept for this query if the same envelopes at the same revisions
 * made it, else it is joined from each envelope's view, cached when current (view-cache.ts),
 * the others read in a fixed number of statements for the whole page.
 */
export async function listEnvelopesJson(deps: Deps, { environment, limit, startingAfter, status }: ListEnvelopesInput): Promise<Blob> {
  const query = [environment, status ?? "", limit ?? "", startingAfter ?? ""].join("|");
  return pageBody(deps, query, () => revisionPages.page(deps.db, { owner: environment, limit, startingAfter, filters: { status } }));
}
