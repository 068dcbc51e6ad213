import { and, eq, lte } from "drizzle-orm";
import type { Deps } from "../../deps";
import { enqueue } from "../../jobs/queue";
import { envelopes } from "../../store/schema";
import { SYSTEM } from "./actor";
import { auditEnvelope, immediate, moveEnvelopeStatus, recordEnvelopeEvent } from "./record-change";

type ExpiryDeps = Pick<Deps, "db" | "config" | "secret" | "clock">;

/**
 * Expires a SENT envelope whose expiresAt has passed (EXPIRED, audit, webhook, job "notify_expired"). Returns whether it
 * did; anything else (not due, not SENT, unknown id) is a no-op, so sweeps may call it freely.
 */
export function expireEnvelope(deps: ExpiryDeps, { envelopeId }: { envelopeId: string }): boolean {
  return deps.db.transaction((tx) => {
    const row = tx.select().from(envelopes).where(eq(envelopes.id, envelopeId)).get();
    const now = deps.clock.now();
    if (!row || row.status !== "SENT" || !row.expiresAt || row.expiresAt > now) return false;
    moveEnvelopeStatus(tx, deps, row, "EXPIRED", { endedAt: now });
    auditEnvelope(tx, deps, envelopeId, "envelope.expired", SYSTEM, { expiresAt: row.expiresAt.toISOString() });
    enqueue(tx, deps.clock, { kind: "notify_expired", payload: { envelopeId } });
    recordEnvelopeEvent(tx, deps, envelopeId, "envelope.expired");
    return true;
  }, immediate);
}

/** Expires every SENT envelope past its expiresAt; returns their ids. For the expiry sweep. */
export function expireDueEnvelopes(deps: ExpiryDeps): string[] {
  const due = deps.db.select({ id: envelopes.id }).from(envelopes)
    .where(and(eq(envelopes.status, "SENT"), lte(envelopes.expiresAt, deps.clock.now()))).all();
  return due.map((d) => d.id).filter((envelopeId) => expireEnvelope(deps, { envelopeId }));
}
