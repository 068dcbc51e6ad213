import type { Deps } from "../../deps";
import { envelopes, type EnvelopeStatus, type Environment } from "../../store/schema";
import { definePager } from "../../store/paginate";
import { buildViews, cachedViews, pageJson } from "./view-cache";

export interface ListEnvelopesInput {
  environment: Environment;
  limit?: number;
  startingAfter?: string;
  status?: EnvelopeStatus;
}

const spec = { owner: envelopes.environment, filters: { status: envelopes.status } };
/** Pages of one environment's envelopes, on the index (environment, [status,] created_at, id). */
export const envelopePages = definePager(envelopes, spec);
/** The same pages, ids and revisions only (the index covers them): what finding the cached views needs. */
export const revisionPages = definePager<typeof envelopes, "status", { id: string; revision: number }>(envelopes, {
  ...spec, select: { id: envelopes.id, revision: envelopes.revision },
});

/**
 * GET /envelopes as JSON (UTF-8): newest first, optionally by status. Each envelope's view comes
 * from the cache when it holds the current revision (view-cache.ts), the others are read in a
 * fixed number of statements for the whole page.
 */
export async function listEnvelopesJson(deps: Deps, { environment, limit, startingAfter, status }: ListEnvelopesInput): Promise<Uint8Array> {
  const page = await revisionPages.page(deps.db, { owner: environment, limit, startingAfter, filters: { status } });
  const views = cachedViews(deps.db, page.data);
  const missing = page.data.filter((k) => !views.has(k.id)).map((k) => k.id);
  if (missing.length) for (const [id, json] of await buildViews(deps, missing)) views.set(id, json);
  // An envelope purged between the page and its view (another node) is left out.
  const data = page.data.flatMap((k) => views.get(k.id) ?? []);
  return pageJson(data, page.hasMore);
}
