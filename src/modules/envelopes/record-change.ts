/** Side effects shared by every change of an envelope: the audit event, the webhook event, the status move. */
import { and, eq, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import type { Tx } from "../../store/db";
import { affectedRows } from "../../store/portable-sql";
import { preparedUpdate } from "../../store/update-rows";
import { envelopes, type EnvelopeStatus } from "../../store/schema";
import { appendAudit, type AuditType } from "../audit/service";
import { recordEvent, type WebhookEventType } from "../webhooks/events";
import type { ActorMeta } from "./actor";
import { canTransition } from "./status-machine";
import { envelopeRow, type EnvelopeRow } from "./rows";
import { loadEnvelopeParts, publicEnvelope, type EnvelopeParts } from "./view";

/** What recording a change needs: the clock, and the view's URL and secret for the webhook event. */
export type EnvelopeChangeDeps = Pick<Deps, "config" | "secret" | "clock">;

/** Appends the change to the envelope's audit chain; returns the event. */
export async function auditEnvelope(tx: Tx, deps: EnvelopeChangeDeps, envelopeId: string, type: AuditType, who: ActorMeta, data?: Record<string, unknown>) {
  return appendAudit(tx, deps.clock, { envelopeId, type, actor: who.actor, ip: who.ip, userAgent: who.userAgent, data });
}

/**
 * Records a webhook event carrying the envelope as it is now (without signing links), and any
 * `extra` data of the event, in the same transaction as the change; the envelope's row and parts
 * are read only when an endpoint subscribes (recordEvent), after the change.
 */
export async function recordEnvelopeEvent(tx: Tx, deps: EnvelopeChangeDeps, envelope: Pick<EnvelopeRow, "id" | "environment">, type: WebhookEventType, extra: Record<string, unknown> = {}): Promise<void> {
  await recordEvent(tx, deps.clock, {
    environment: envelope.environment, type, envelopeId: envelope.id,
    data: async () => ({ envelope: publicEnvelope(deps, await loadEnvelopeParts(tx, (await envelopeRow(tx, envelope.id))!), { signUrls: false }), ...extra }),
  });
}

/**
 * recordEnvelopeEvent for a change answered with the envelope (creation, sending, voiding):
 * the parts are loaded once, for the event and the answer (publicEnvelope).
 */
export async function recordEnvelopeEventAndLoad(tx: Tx, deps: EnvelopeChangeDeps, envelopeId: string, type: WebhookEventType): Promise<EnvelopeParts> {
  return recordEnvelopeEventOf(tx, deps, await loadEnvelopeParts(tx, (await envelopeRow(tx, envelopeId))!), type);
}

/** recordEnvelopeEvent with the envelope's parts already in hand (a creation has what it wrote); returns them. */
export async function recordEnvelopeEventOf(tx: Tx, deps: EnvelopeChangeDeps, parts: EnvelopeParts, type: WebhookEventType): Promise<EnvelopeParts> {
  await recordEvent(tx, deps.clock, { environment: parts.envelope.environment, type, envelopeId: parts.envelope.id, data: () => ({ envelope: publicEnvelope(deps, parts, { signUrls: false }) }) });
  return parts;
}

const moveStatus = preparedUpdate(envelopes, and(eq(envelopes.id, sql.placeholder("id")), eq(envelopes.status, sql.placeholder("from")))!);

/** Moves an envelope from one status to another, refusing if someone else moved it first. */
export async function moveEnvelopeStatus(tx: Tx, deps: EnvelopeChangeDeps, e: EnvelopeRow, to: EnvelopeStatus, set: Partial<EnvelopeRow> = {}) {
  if (!canTransition(e.status, to)) throw new AppError("conflict", `An envelope cannot go from ${e.status} to ${to}`);
  const changed = await moveStatus(tx, { ...set, status: to, updatedAt: deps.clock.now() }, { id: e.id, from: e.status });
  if (affectedRows(changed) === 0) throw new AppError("conflict", `Envelope ${e.id} changed meanwhile; retry`);
}
