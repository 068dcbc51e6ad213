import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { envelopes, type EnvelopeStatus, type Environment } from "../../store/schema";
import { paginate, type Page } from "../../store/paginate";
import { loadEnvelopeParts, publicEnvelope, type EnvelopeView } from "./view";

export interface ListEnvelopesInput {
  environment: Environment;
  limit?: number;
  startingAfter?: string;
  status?: EnvelopeStatus;
}

/** GET /envelopes: newest first, optionally by status. */
export function listEnvelopes(deps: Deps, { environment, limit, startingAfter, status }: ListEnvelopesInput): Page<EnvelopeView> {
  const page = paginate(deps.db, envelopes, { environment, limit, startingAfter, where: status ? eq(envelopes.status, status) : undefined });
  return { data: page.data.map((row) => publicEnvelope(deps, loadEnvelopeParts(deps.db, row))), hasMore: page.hasMore };
}
