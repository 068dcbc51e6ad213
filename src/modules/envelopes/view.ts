import { eq } from "drizzle-orm";
import { isoOrNull } from "../../clock";
import type { Deps } from "../../deps";
import type { Tx } from "../../store/db";
import { envelopes } from "../../store/schema";
import { auditSummary, type AuditSummary } from "../audit/service";
import { signUrlOf } from "../signing/token";
import { deliveryByRecipient, type Delivery } from "./delivery";
import { signingOrderOf } from "./lifecycle";
import { envelopeDocumentRows, fieldRows, recipientRows, senderOf, type EnvelopeRow, type FieldRow, type RecipientRow } from "./rows";

/** What building the API view needs: the public URL and the instance secret (for signUrl). */
export type ViewDeps = Pick<Deps, "config" | "secret">;

export interface EnvelopeParts {
  envelope: EnvelopeRow;
  documents: ReturnType<typeof envelopeDocumentRows>;
  recipients: RecipientRow[];
  fields: FieldRow[];
  audit: AuditSummary;
  delivery: Map<string, Delivery>;
}

/**
 * The envelope as GET /api/v1/envelopes/{id} returns it. `{ signUrls: false }`: without the
 * recipients' signUrl, as webhook events carry it (their payloads are stored in webhook_events
 * and may go to plain-http receivers: a signing link is a credential).
 */
export function publicEnvelope(deps: ViewDeps, p: EnvelopeParts): EnvelopeView;
export function publicEnvelope(deps: ViewDeps, p: EnvelopeParts, opts: { signUrls: false }): EventEnvelopeView;
export function publicEnvelope(deps: ViewDeps, p: EnvelopeParts, opts?: { signUrls: false }): EnvelopeView | EventEnvelopeView {
  if (opts?.signUrls !== false) return envelopeView(deps, p, true);
  const view = envelopeView(deps, p, false);
  return { ...view, recipients: view.recipients.map(({ signUrl: _, ...r }) => r) };
}

function envelopeView(deps: ViewDeps, p: EnvelopeParts, signUrls: boolean) {
  const e = p.envelope;
  return {
    id: e.id,
    status: e.status,
    subject: e.subject,
    message: e.message,
    locale: e.locale,
    sender: senderOf(e),
    embedding: { allowedOrigins: e.allowedOrigins },
    redirectUrl: e.redirectUrl,
    signingOrder: signingOrderOf(p.recipients),
    expiresAt: isoOrNull(e.expiresAt),
    reminderIntervalHours: e.reminderIntervalHours,
    notifyBySms: e.notifyBySms,
    allowReassign: e.allowReassign,
    metadata: e.metadata,
    prefill: e.prefill,
    templateId: e.templateId,
    documents: p.documents,
    recipients: p.recipients.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      phone: r.phone,
      role: r.role,
      roleName: r.roleName,
      routingOrder: r.routingOrder,
      status: r.status,
      signUrl: signUrls && r.tokenHash ? signUrlOf(deps.config.baseUrl, deps.secret, r.id, r.linkVersion) : null,
      sentAt: isoOrNull(r.sentAt),
      viewedAt: isoOrNull(r.viewedAt),
      signedAt: isoOrNull(r.signedAt),
      declinedAt: isoOrNull(r.declinedAt),
      declineReason: r.declineReason,
      reassignedFrom: r.reassignedFrom,
      authentication: r.authMethod ? { method: r.authMethod } : null,
      embedded: r.embedded,
      delivery: p.delivery.get(r.id) ?? null,
    })),
    fields: p.fields.map((f) => ({
      id: f.id,
      recipientId: f.recipientId,
      documentId: f.documentId,
      type: f.type,
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      required: f.required,
      label: f.label,
      value: f.value,
      source: f.source,
      readOnly: f.readOnly,
    })),
    statusReason: e.endReason,
    sealStatus: e.sealStatus,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    sentAt: isoOrNull(e.sentAt),
    completedAt: isoOrNull(e.completedAt),
    endedAt: isoOrNull(e.endedAt),
    audit: p.audit,
  };
}

export type EnvelopeView = ReturnType<typeof envelopeView>;
/** The envelope in a webhook event: recipients without signUrl. */
export type EventEnvelopeView = Omit<EnvelopeView, "recipients"> & { recipients: Omit<EnvelopeView["recipients"][number], "signUrl">[] };

/** Loads everything the view shows; use it inside the transaction that changed the envelope. */
export function loadEnvelopeParts(tx: Tx, envelope: EnvelopeRow): EnvelopeParts {
  return {
    envelope,
    documents: envelopeDocumentRows(tx, envelope.id),
    recipients: recipientRows(tx, envelope.id),
    fields: fieldRows(tx, envelope.id),
    audit: auditSummary(tx, envelope.id),
    delivery: deliveryByRecipient(tx, envelope.id),
  };
}

/** The API view of an envelope, read through `tx` (so inside a transaction it sees its writes); null if absent. */
export function loadEnvelopeView(tx: Tx, deps: ViewDeps, envelopeId: string): EnvelopeView | null {
  const row = tx.select().from(envelopes).where(eq(envelopes.id, envelopeId)).get();
  return row ? publicEnvelope(deps, loadEnvelopeParts(tx, row)) : null;
}
