import type { Static } from "@sinclair/typebox";
import { and, asc, inArray } from "drizzle-orm";
import type { Tx } from "../../store/db";
import { idsParam, inIds } from "../../store/portable-sql";
import { preparedPerSession } from "../../store/prepared";
import { auditEvents } from "../../store/schema";
import type { DeliverySchema } from "./model";

/** The outcome of a recipient's latest invitation (or reminder), as GET /envelopes/{id} shows it. */
export type Delivery = Static<typeof DeliverySchema>;

const TYPES = ["recipient.invited", "recipient.reminded", "message.delivered", "message.failed"];
const INVITING = new Set(["invitation", "reminder"]);

/** The delivery events of a page of envelopes, in one statement prepared once (store/prepared.ts). */
const deliveryEvents = preparedPerSession((tx) =>
  tx.select({ envelopeId: auditEvents.envelopeId, type: auditEvents.type, at: auditEvents.at, data: auditEvents.data }).from(auditEvents)
    .where(and(inIds(tx, auditEvents.envelopeId), inArray(auditEvents.type, TYPES))).orderBy(asc(auditEvents.envelopeId), asc(auditEvents.seq)).prepare());

/** Delivery status by recipient of each envelope in `ids` (deliveryByRecipient). */
export async function deliveriesByEnvelope(tx: Tx, ids: readonly string[]): Promise<Map<string, Map<string, Delivery>>> {
  const events = new Map<string, { type: string; at: Date; data: Record<string, unknown> | null }[]>();
  for (const e of await deliveryEvents(tx).execute(idsParam(ids))) {
    const list = events.get(e.envelopeId);
    if (list) list.push(e);
    else events.set(e.envelopeId, [e]);
  }
  return new Map(ids.map((id) => [id, deliveryByRecipient(events.get(id) ?? [])]));
}

/**
 * Delivery status by recipient, read from the audit trail, which already records each step:
 * an invitation or reminder queued (pending), each failed attempt (still pending while it will
 * be retried, failed when not) and the delivery (sent). The latest invitation or reminder
 * starts the count afresh. Recipients never invited have no entry.
 */
function deliveryByRecipient(events: { type: string; at: Date; data: Record<string, unknown> | null }[]): Map<string, Delivery> {
  const out = new Map<string, Delivery>();
  for (const e of events) {
    const d = (e.data ?? {}) as { recipientId?: string; message?: string; channel?: "email" | "sms"; error?: string; willRetry?: boolean };
    if (!d.recipientId) continue;
    const updatedAt = e.at.toISOString();
    if (e.type === "recipient.invited" || e.type === "recipient.reminded") {
      out.set(d.recipientId, { status: "pending", channel: null, attempts: 0, lastError: null, updatedAt });
      continue;
    }
    const current = out.get(d.recipientId);
    if (!current || !INVITING.has(d.message ?? "")) continue;
    if (e.type === "message.delivered")
      out.set(d.recipientId, { status: "sent", channel: d.channel ?? null, attempts: current.attempts + 1, lastError: null, updatedAt });
    if (e.type === "message.failed")
      out.set(d.recipientId, {
        status: d.willRetry ? (current.status === "sent" ? "sent" : "pending") : "failed",
        channel: d.channel ?? null, attempts: current.attempts + 1, lastError: d.error ?? null, updatedAt,
      });
  }
  return out;
}
