import { and, eq, lte, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { enqueue } from "../../jobs/queue";
import { preparedPerDb } from "../../store/prepared";
import { transaction } from "../../store/transaction";
import { envelopes } from "../../store/schema";
import { SYSTEM } from "./actor";
import { auditEnvelope, moveEnvelopeStatus, recordEnvelopeEvent } from "./record-change";
import { envelopeRow } from "./rows";

type ExpiryDeps = Pick<Deps, "db" | "config" | "secret" | "clock">;

/**
 * Expires a SENT envelope whose expiresAt has passed (EXPIRED, audit, webhook, job "notify_expired"). Returns whether it
 * did; anything else (not due, not SENT, unknown id) is a no-op, so sweeps may call it freely.
 */
export async function expireEnvelope(deps: ExpiryDeps, { envelopeId }: { envelopeId: string }): Promise<boolean> {
  return transaction(deps.db, async (tx) => {
    const row = await envelopeRow(tx, envelopeId);
    const now = deps.clock.now();
    if (!row || row.status !== "SENT" || !row.expiresAt || row.expiresAt > now) return false;
    await moveEnvelopeStatus(tx, deps, row, "EXPIRED", { endedAt: now });
    await auditEnvelope(tx, deps, envelopeId, "envelope.expired", SYSTEM, { expiresAt: row.expiresAt.toISOString() });
    await enqueue(tx, deps.clock, { kind: "notify_expired", payload: { envelopeId } });
    await recordEnvelopeEvent(tx, deps, row, "envelope.expired");
    return true;
  });
}

/**
 * The SENT envelopes past their expiresAt, prepared once: the sweep runs it on every poll (each
 * second). `now` in ms, as stored (a placeholder is not encoded by the column).
 */
const dueForExpiry = preparedPerDb((db) => db.select({ id: envelopes.id }).from(envelopes)
  .where(and(eq(envelopes.status, "SENT"), lte(envelopes.expiresAt, sql.placeholder("now")))).prepare());

/** Expires every SENT envelope past its expiresAt; returns their ids. For the expiry sweep. */
export async function expireDueEnvelopes(deps: ExpiryDeps): Promise<string[]> {
  const due = await dueForExpiry(deps.db).execute({ now: deps.clock.now().getTime() });
  const expired: string[] = [];
  for (const { id } of due) if (await expireEnvelope(deps, { envelopeId: id })) expired.push(id);
  return expired;
}
