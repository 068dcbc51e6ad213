import { asc, desc, eq } from "drizzle-orm";
import type { Clock } from "../../clock";
import type { Tx } from "../../store/db";
import { auditEvents } from "../../store/schema";
import { eventHash, GENESIS_HASH, verifyChain } from "./chain";

export { canonicalJson, eventHash, GENESIS_HASH, verifyChain, type ChainCheck, type ChainedEvent } from "./chain";

/**
 * Audit event types. Envelope lifecycle: envelope.*; per recipient: recipient.*;
 * message.delivered / message.failed are recorded by the notification jobs.
 */
export type AuditType =
  | "envelope.created"
  | "envelope.updated"
  | "envelope.sent"
  | "envelope.completed"
  | "envelope.sealed"
  | "envelope.voided"
  | "envelope.expired"
  | "envelope.seal_failed"
  | "envelope.seal_retried"
  | "envelope.seal_delayed"
  | "envelope.seal_extended"
  | "recipient.invited"
  | "recipient.corrected"
  | "recipient.reassigned"
  | "recipient.reminded"
  | "recipient.viewed"
  | "recipient.signed"
  | "recipient.approved"
  | "recipient.declined"
  | "document.downloaded"
  | "message.delivered"
  | "message.failed"
  | "recipient.auth_code_sent"
  | "recipient.auth_failed"
  | "recipient.auth_locked"
  | "recipient.authenticated";

export type AuditEvent = typeof auditEvents.$inferSelect;

export interface AuditInput {
  envelopeId: string;
  type: AuditType;
  /** "api:key_…", "recipient:rcp_… <email>", "system". */
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * Appends one event to the envelope's hash chain, in the caller's transaction (use an
 * immediate transaction, or the database's single writer, so two appends cannot race:
 * the primary key (envelope_id, seq) refuses a fork anyway). Returns the stored row.
 */
export function appendAudit(tx: Tx, clock: Clock, e: AuditInput): AuditEvent {
  const last = tx.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents)
    .where(eq(auditEvents.envelopeId, e.envelopeId)).orderBy(desc(auditEvents.seq)).limit(1).get();
  const body = {
    envelopeId: e.envelopeId,
    seq: (last?.seq ?? 0) + 1,
    type: e.type,
    at: clock.now(),
    actor: e.actor,
    ip: e.ip ?? null,
    userAgent: e.userAgent ?? null,
    // Round-trip through JSON so the hashed value is exactly what the column will give back.
    data: e.data == null ? null : (JSON.parse(JSON.stringify(e.data)) as Record<string, unknown>),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row: AuditEvent = { ...body, prevHash, hash: eventHash(prevHash, body) };
  tx.insert(auditEvents).values(row).run();
  return row;
}

/** Every event of an envelope, oldest first. */
export function listAudit(tx: Tx, envelopeId: string): AuditEvent[] {
  return tx.select().from(auditEvents).where(eq(auditEvents.envelopeId, envelopeId)).orderBy(asc(auditEvents.seq)).all();
}

/**
 * Removes an envelope's chain, in the caller's transaction: only for a DRAFT being deleted
 * (nothing has been sent, so there is no evidence to keep). Audit events are otherwise never
 * changed.
 */
export function deleteAudit(tx: Tx, envelopeId: string): void {
  tx.delete(auditEvents).where(eq(auditEvents.envelopeId, envelopeId)).run();
}

export interface AuditSummary {
  count: number;
  head: string;
  valid: boolean;
  events: { seq: number; type: string; at: string; actor: string }[];
}

/** What GET /envelopes/{id} shows: how many events, the chain head, whether it verifies, the last few. */
export function auditSummary(tx: Tx, envelopeId: string, last = 5): AuditSummary {
  const events = listAudit(tx, envelopeId);
  const check = verifyChain(events);
  return {
    count: check.count,
    head: check.head,
    valid: check.valid,
    events: events.slice(-last).map((e) => ({ seq: e.seq, type: e.type, at: e.at.toISOString(), actor: e.actor })),
  };
}
