import { isoOrNull } from "../../clock";
import type { Deps } from "../../deps";
import type { Tx } from "../../store/db";
import { auditSummaries, type AuditSummary } from "../audit/service";
import { signUrlOf } from "../signing/token";
import { deliveriesByEnvelope, type Delivery } from "./delivery";
import { signingOrderOf } from "./routing";
import { envelopeRow, documentsByEnvelope, fieldsByEnvelope, recipientsByEnvelope, senderOf, type EnvelopeDocumentRow, type EnvelopeRow, type FieldRow, type RecipientRow } from "./rows";

/** What building the API view needs: the public URL and the instance secret (for signUrl). */
export type ViewDeps = Pick<Deps, "config" | "secret">;

export interface EnvelopeParts {
  envelope: EnvelopeRow;
  documents: EnvelopeDocumentRow[];
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
    documents: p.documents.map((d) => ({ id: d.id, name: d.name, size: d.size, sha256: d.sha256, pageCount: d.pageCount, pages: d.pages })),
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

/**
 * Loads everything the view shows, for a whole page of envelopes in a fixed number of queries;
 * use it inside the transaction that changed an envelope to see its writes.
 */
export async function loadEnvelopesParts(tx: Tx, rows: readonly EnvelopeRow[]): Promise<EnvelopeParts[]> {
  const ids = rows.map((e) => e.id);
  const docs = await documentsByEnvelope(tx, ids);
  const people = await recipientsByEnvelope(tx, ids);
  const placed = await fieldsByEnvelope(tx, ids);
  const audit = await auditSummaries(tx, rows);
  const deliveries = await deliveriesByEnvelope(tx, ids);
  return rows.map((envelope) => ({
    envelope,
    documents: docs.get(envelope.id) ?? [],
    recipients: people.get(envelope.id) ?? [],
    fields: placed.get(envelope.id) ?? [],
    audit: audit.get(envelope.id)!,
    delivery: deliveries.get(envelope.id)!,
  }));
}

export const loadEnvelopeParts = async (tx: Tx, envelope: EnvelopeRow): Promise<EnvelopeParts> => (await loadEnvelopesParts(tx, [envelope]))[0]!;

/** The API view of an envelope, read through `tx` (so inside a transaction it sees its writes); null if absent. */
export async function loadEnvelopeView(tx: Tx, deps: ViewDeps, envelopeId: string): Promise<EnvelopeView | null> {
  const row = await envelopeRow(tx, envelopeId);
  return row ? publicEnvelope(deps, await loadEnvelopeParts(tx, row)) : null;
}
