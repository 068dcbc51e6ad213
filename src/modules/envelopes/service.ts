import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, invalid, notFound } from "../../errors";
import { newId } from "../../ids";
import { enqueue } from "../../jobs/queue";
import type { Tx } from "../../store/db";
import {
  documents, envelopeDocuments, envelopes, fields, recipients,
  type Environment, type EnvelopeStatus,
} from "../../store/schema";
import { appendAudit, auditSummary, deleteAudit, type AuditSummary, type AuditType } from "../audit/service";
import { paginate, type Page } from "../pagination";
import { signUrlOf, signingToken, tokenHash } from "../signing/token";
import { recordEvent, type WebhookEventType } from "../webhooks/events";
import {
  canTransition, fieldRequired, nextStep, routingOrders, signingOrderOf, validateDraft,
  type DocumentFacts, type EnvelopeDraft, type RecipientDraft,
} from "./lifecycle";

export type EnvelopeRow = typeof envelopes.$inferSelect;
export type RecipientRow = typeof recipients.$inferSelect;
export type FieldRow = typeof fields.$inferSelect;

/** Who does something, as the audit trail records it. */
export interface ActorMeta {
  /** "api:key_…", "recipient:rcp_… <email>", "system". */
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
}

export const SYSTEM: ActorMeta = { actor: "system" };
export const apiActor = (keyId: string, ip: string | null, userAgent: string | null): ActorMeta => ({ actor: `api:${keyId}`, ip, userAgent });
export const recipientActor = (r: { id: string; email: string }, ip: string | null, userAgent: string | null): ActorMeta =>
  ({ actor: `recipient:${r.id} <${r.email}>`, ip, userAgent });

/** What building the API view needs: the public URL and the instance secret (for signUrl). */
export type ViewDeps = Pick<Deps, "config" | "secret">;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

// ---------------------------------------------------------------------------------------------
// The API view

export interface EnvelopeParts {
  envelope: EnvelopeRow;
  documents: { id: string; name: string; size: number; sha256: string; pageCount: number; pages: { width: number; height: number }[] }[];
  recipients: RecipientRow[];
  fields: FieldRow[];
  audit: AuditSummary;
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
    locale: e.locale as "en" | "fr",
    signingOrder: signingOrderOf(p.recipients),
    expiresAt: iso(e.expiresAt),
    reminderIntervalHours: e.reminderIntervalHours,
    notifyBySms: e.notifyBySms,
    metadata: e.metadata,
    documents: p.documents,
    recipients: p.recipients.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      phone: r.phone,
      role: r.role,
      routingOrder: r.routingOrder,
      status: r.status,
      signUrl: signUrls && r.tokenHash ? signUrlOf(deps.config.baseUrl, deps.secret, r.id) : null,
      sentAt: iso(r.sentAt),
      viewedAt: iso(r.viewedAt),
      signedAt: iso(r.signedAt),
      declinedAt: iso(r.declinedAt),
      declineReason: r.declineReason,
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
    })),
    statusReason: e.endReason,
    sealStatus: e.sealStatus,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    sentAt: iso(e.sentAt),
    completedAt: iso(e.completedAt),
    endedAt: iso(e.endedAt),
    audit: p.audit,
  };
}

export type EnvelopeView = ReturnType<typeof envelopeView>;
/** The envelope in a webhook event: recipients without signUrl. */
export type EventEnvelopeView = Omit<EnvelopeView, "recipients"> & { recipients: Omit<EnvelopeView["recipients"][number], "signUrl">[] };

/** Documents of an envelope, in order (deleted ones too: a finished envelope keeps its history). */
export function envelopeDocumentRows(tx: Tx, envelopeId: string) {
  return tx.select({
    id: documents.id, name: documents.name, size: documents.size, sha256: documents.sha256,
    pageCount: documents.pageCount, pages: documents.pages,
  }).from(envelopeDocuments).innerJoin(documents, eq(documents.id, envelopeDocuments.documentId))
    .where(eq(envelopeDocuments.envelopeId, envelopeId)).orderBy(asc(envelopeDocuments.position)).all();
}

export const recipientRows = (tx: Tx, envelopeId: string): RecipientRow[] =>
  tx.select().from(recipients).where(eq(recipients.envelopeId, envelopeId)).orderBy(asc(recipients.position)).all();

/** Fields in the order they were given (recipient by recipient). */
export const fieldRows = (tx: Tx, envelopeId: string, recipientId?: string): FieldRow[] =>
  tx.select().from(fields)
    .where(and(eq(fields.envelopeId, envelopeId), recipientId ? eq(fields.recipientId, recipientId) : undefined))
    .orderBy(sql`rowid`).all();

/** Loads everything the view shows; use it inside the transaction that changed the envelope. */
export function loadEnvelopeParts(tx: Tx, envelope: EnvelopeRow): EnvelopeParts {
  return {
    envelope,
    documents: envelopeDocumentRows(tx, envelope.id),
    recipients: recipientRows(tx, envelope.id),
    fields: fieldRows(tx, envelope.id),
    audit: auditSummary(tx, envelope.id),
  };
}

/** The API view of an envelope, read through `tx` (so inside a transaction it sees its writes); null if absent. */
export function loadEnvelopeView(tx: Tx, deps: ViewDeps, envelopeId: string): EnvelopeView | null {
  const row = tx.select().from(envelopes).where(eq(envelopes.id, envelopeId)).get();
  return row ? publicEnvelope(deps, loadEnvelopeParts(tx, row)) : null;
}

// ---------------------------------------------------------------------------------------------
// Side effects shared by every transition: audit, webhook event, jobs

type Writer = Pick<Deps, "config" | "secret" | "clock">;

function audit(tx: Tx, deps: Writer, envelopeId: string, type: AuditType, who: ActorMeta, data?: Record<string, unknown>) {
  appendAudit(tx, deps.clock, { envelopeId, type, actor: who.actor, ip: who.ip, userAgent: who.userAgent, data });
}

/**
 * Records a webhook event carrying the envelope as it is now (without signing links), in the
 * same transaction as the change.
 */
export function publish(tx: Tx, deps: Writer, envelopeId: string, type: WebhookEventType) {
  const row = tx.select().from(envelopes).where(eq(envelopes.id, envelopeId)).get()!;
  const envelope = publicEnvelope(deps, loadEnvelopeParts(tx, row), { signUrls: false });
  recordEvent(tx, deps.clock, { environment: row.environment, type, data: { envelope } });
}

const documentHashes = (tx: Tx, envelopeId: string) =>
  envelopeDocumentRows(tx, envelopeId).map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 }));

/** Moves an envelope from one status to another, refusing if someone else moved it first. */
function transition(tx: Tx, deps: Writer, e: EnvelopeRow, to: EnvelopeStatus, set: Partial<EnvelopeRow> = {}) {
  if (!canTransition(e.status, to)) throw new AppError("conflict", `An envelope cannot go from ${e.status} to ${to}`);
  const changed = tx.update(envelopes).set({ ...set, status: to, updatedAt: deps.clock.now() })
    .where(and(eq(envelopes.id, e.id), eq(envelopes.status, e.status))).run();
  if ((changed as any).changes === 0) throw new AppError("conflict", `Envelope ${e.id} changed meanwhile; retry`);
}

// ---------------------------------------------------------------------------------------------
// Drafts

function getRow(tx: Tx, environment: Environment, id: string): EnvelopeRow {
  const row = tx.select().from(envelopes).where(and(eq(envelopes.id, id), eq(envelopes.environment, environment))).get();
  if (!row) throw notFound("Envelope", id);
  return row;
}

function documentFacts(tx: Tx, environment: Environment, ids: string[]): Map<string, DocumentFacts & { id: string }> {
  if (!ids.length) return new Map();
  const rows = tx.select({ id: documents.id, pageCount: documents.pageCount, pages: documents.pages }).from(documents)
    .where(and(inArray(documents.id, [...new Set(ids)]), eq(documents.environment, environment), isNull(documents.deletedAt))).all();
  return new Map(rows.map((r) => [r.id, r]));
}

function validated(tx: Tx, deps: Writer, environment: Environment, draft: EnvelopeDraft) {
  const errors = validateDraft(draft, documentFacts(tx, environment, draft.documentIds), deps.clock.now());
  if (errors.length) throw invalid(errors, "The envelope is not valid");
}

/** Replaces an envelope's documents, recipients and fields. `keepIds` reuses recipient ids (PATCH without recipients). */
function writeParts(tx: Tx, envelopeId: string, draft: EnvelopeDraft, keepIds?: string[]) {
  tx.delete(fields).where(eq(fields.envelopeId, envelopeId)).run();
  tx.delete(recipients).where(eq(recipients.envelopeId, envelopeId)).run();
  tx.delete(envelopeDocuments).where(eq(envelopeDocuments.envelopeId, envelopeId)).run();
  tx.insert(envelopeDocuments).values(draft.documentIds.map((documentId, position) => ({ envelopeId, documentId, position }))).run();
  const orders = routingOrders(draft);
  draft.recipients.forEach((r, position) => {
    const id = keepIds?.[position] ?? newId("rcp");
    tx.insert(recipients).values({
      id, envelopeId, position,
      email: r.email.trim(), name: r.name.trim(), phone: r.phone ?? null,
      role: r.role ?? "SIGNER", routingOrder: orders[position]!, status: "PENDING",
    }).run();
    if (r.fields?.length)
      tx.insert(fields).values(r.fields.map((f) => ({
        id: newId("fld"), envelopeId, recipientId: id, documentId: f.documentId, type: f.type,
        page: f.page, x: f.x, y: f.y, width: f.width, height: f.height, required: fieldRequired(f), label: f.label ?? null,
      }))).run();
  });
}

/** The stored recipients as the draft they came from (for PATCH without recipients). */
function currentRecipients(tx: Tx, envelopeId: string, withOrders: boolean): { drafts: RecipientDraft[]; ids: string[] } {
  const rs = recipientRows(tx, envelopeId);
  const fs = fieldRows(tx, envelopeId);
  return {
    ids: rs.map((r) => r.id),
    drafts: rs.map((r) => ({
      email: r.email, name: r.name, role: r.role,
      ...(r.phone ? { phone: r.phone } : {}),
      ...(withOrders ? { routingOrder: r.routingOrder } : {}),
      fields: fs.filter((f) => f.recipientId === r.id).map((f) => ({
        documentId: f.documentId, type: f.type, page: f.page, x: f.x, y: f.y, width: f.width, height: f.height,
        required: f.required, ...(f.label != null ? { label: f.label } : {}),
      })),
    })),
  };
}

const immediate = { behavior: "immediate" as const };

export function createEnvelope(deps: Deps, environment: Environment, who: ActorMeta, draft: EnvelopeDraft): EnvelopeView {
  return deps.db.transaction((tx) => {
    validated(tx, deps, environment, draft);
    const now = deps.clock.now();
    const id = newId("env");
    tx.insert(envelopes).values({
      id, environment, subject: draft.subject, message: draft.message ?? null, status: "DRAFT",
      locale: draft.locale ?? "en", notifyBySms: draft.notifyBySms ?? false,
      expiresAt: draft.expiresAt ? new Date(draft.expiresAt) : null,
      reminderIntervalHours: draft.reminderIntervalHours ?? null,
      metadata: draft.metadata ?? {}, createdAt: now, updatedAt: now,
    }).run();
    writeParts(tx, id, draft);
    audit(tx, deps, id, "envelope.created", who, {
      subject: draft.subject,
      documents: documentHashes(tx, id),
      recipients: recipientRows(tx, id).map((r) => ({ id: r.id, email: r.email, role: r.role, routingOrder: r.routingOrder })),
    });
    publish(tx, deps, id, "envelope.created");
    return loadEnvelopeView(tx, deps, id)!;
  }, immediate);
}

export type EnvelopePatch = Partial<Omit<EnvelopeDraft, "subject">> & { subject?: string };

/** Updates a DRAFT (409 envelope_not_draft otherwise); the result is validated as a whole. */
export function updateEnvelope(deps: Deps, environment: Environment, who: ActorMeta, id: string, patch: EnvelopePatch): EnvelopeView {
  return deps.db.transaction((tx) => {
    const row = getRow(tx, environment, id);
    if (row.status !== "DRAFT") throw new AppError("envelope_not_draft", `Envelope ${id} is ${row.status}: only a DRAFT can be changed`);
    const reshapes = patch.documentIds !== undefined || patch.recipients !== undefined || patch.signingOrder !== undefined;
    const current = currentRecipients(tx, id, patch.signingOrder === undefined);
    const draft: EnvelopeDraft = {
      subject: patch.subject ?? row.subject,
      message: patch.message !== undefined ? patch.message : row.message,
      documentIds: patch.documentIds ?? envelopeDocumentRows(tx, id).map((d) => d.id),
      recipients: patch.recipients ?? current.drafts,
      signingOrder: patch.signingOrder,
      locale: patch.locale ?? (row.locale as "en" | "fr"),
      expiresAt: patch.expiresAt !== undefined ? patch.expiresAt : iso(row.expiresAt),
      reminderIntervalHours: patch.reminderIntervalHours !== undefined ? patch.reminderIntervalHours : row.reminderIntervalHours,
      notifyBySms: patch.notifyBySms ?? row.notifyBySms,
      metadata: patch.metadata ?? row.metadata,
    };
    validated(tx, deps, environment, draft);
    tx.update(envelopes).set({
      subject: draft.subject, message: draft.message ?? null, locale: draft.locale, notifyBySms: draft.notifyBySms,
      expiresAt: draft.expiresAt ? new Date(draft.expiresAt) : null, reminderIntervalHours: draft.reminderIntervalHours ?? null,
      metadata: draft.metadata, updatedAt: deps.clock.now(),
    }).where(eq(envelopes.id, id)).run();
    if (reshapes) writeParts(tx, id, draft, patch.recipients ? undefined : current.ids);
    audit(tx, deps, id, "envelope.updated", who, { changed: Object.keys(patch).filter((k) => (patch as any)[k] !== undefined).sort() });
    return loadEnvelopeView(tx, deps, id)!;
  }, immediate);
}

export function getEnvelope(deps: Deps, environment: Environment, id: string): EnvelopeView {
  return publicEnvelope(deps, loadEnvelopeParts(deps.db, getRow(deps.db, environment, id)));
}

export function listEnvelopes(deps: Deps, environment: Environment, q: { limit?: number; startingAfter?: string; status?: EnvelopeStatus }): Page<EnvelopeView> {
  const page = paginate(deps.db, envelopes, { environment, limit: q.limit, startingAfter: q.startingAfter, where: q.status ? eq(envelopes.status, q.status) : undefined });
  return { data: page.data.map((row) => publicEnvelope(deps, loadEnvelopeParts(deps.db, row))), hasMore: page.hasMore };
}

// ---------------------------------------------------------------------------------------------
// Transitions

/** Invites recipients: status SENT, one "send_invitation" job each, an audit event each. */
function invite(tx: Tx, deps: Writer, envelope: EnvelopeRow, recipientIds: string[]) {
  const now = deps.clock.now();
  for (const r of recipientRows(tx, envelope.id).filter((r) => recipientIds.includes(r.id))) {
    tx.update(recipients).set({ status: "SENT", sentAt: now }).where(eq(recipients.id, r.id)).run();
    enqueue(tx, deps.clock, { kind: "send_invitation", payload: { recipientId: r.id } });
    const channels = envelope.notifyBySms && r.phone ? ["email", "sms"] : ["email"];
    audit(tx, deps, envelope.id, "recipient.invited", SYSTEM, { recipientId: r.id, email: r.email, routingOrder: r.routingOrder, channels });
  }
}

/** DRAFT → SENT: tokens issued to every recipient, the first routing group invited. Twice: 409. */
export function sendEnvelope(deps: Deps, environment: Environment, who: ActorMeta, id: string): EnvelopeView {
  return deps.db.transaction((tx) => {
    const row = getRow(tx, environment, id);
    if (row.status !== "DRAFT")
      throw new AppError("envelope_already_sent", `Envelope ${id} is ${row.status}: it was already sent`);
    const now = deps.clock.now();
    if (row.expiresAt && row.expiresAt <= now)
      throw invalid([{ pointer: "/expiresAt", message: "the envelope's expiresAt has passed: PATCH a later one, then send" }], "The envelope has expired before being sent");
    transition(tx, deps, row, "SENT", { sentAt: now });
    const rs = recipientRows(tx, id);
    for (const r of rs)
      tx.update(recipients).set({ tokenHash: tokenHash(signingToken(deps.secret, r.id)) }).where(eq(recipients.id, r.id)).run();
    audit(tx, deps, id, "envelope.sent", who, {
      documents: documentHashes(tx, id),
      recipients: rs.map((r) => ({ id: r.id, email: r.email, role: r.role, routingOrder: r.routingOrder })),
    });
    const step = nextStep(rs);
    if (step.kind === "invite") invite(tx, deps, { ...row, status: "SENT" }, step.recipientIds);
    publish(tx, deps, id, "envelope.sent");
    return loadEnvelopeView(tx, deps, id)!;
  }, immediate);
}

/**
 * After a recipient signed: invite the next routing group, or complete the envelope (COMPLETED,
 * CC recipients marked SENT, job "seal_envelope", which queues "notify_completed"). Call inside the
 * transaction that recorded the signature.
 */
export function advanceEnvelope(tx: Tx, deps: Writer, envelopeId: string) {
  const envelope = tx.select().from(envelopes).where(eq(envelopes.id, envelopeId)).get()!;
  const rs = recipientRows(tx, envelopeId);
  const step = nextStep(rs);
  if (step.kind === "invite") invite(tx, deps, envelope, step.recipientIds);
  if (step.kind !== "complete") return;
  const now = deps.clock.now();
  transition(tx, deps, envelope, "COMPLETED", { completedAt: now, endedAt: now, sealStatus: "PENDING" });
  tx.update(recipients).set({ status: "SENT", sentAt: now })
    .where(and(eq(recipients.envelopeId, envelopeId), eq(recipients.role, "CC"))).run();
  audit(tx, deps, envelopeId, "envelope.completed", SYSTEM, {
    documents: documentHashes(tx, envelopeId),
    recipients: rs.filter((r) => r.role !== "CC").map((r) => ({ id: r.id, email: r.email, role: r.role, signedAt: iso(r.signedAt) })),
  });
  // The completion e-mails go once the seal is made (or has failed): they carry the sealed PDF.
  enqueue(tx, deps.clock, { kind: "seal_envelope", payload: { envelopeId } });
  publish(tx, deps, envelopeId, "envelope.completed");
}

/** A recipient declined: the envelope ends DECLINED and the others are told. Inside the caller's transaction. */
export function declineEnvelope(tx: Tx, deps: Writer, envelope: EnvelopeRow, reason: string) {
  const now = deps.clock.now();
  transition(tx, deps, envelope, "DECLINED", { endedAt: now, endReason: reason });
  enqueue(tx, deps.clock, { kind: "notify_declined", payload: { envelopeId: envelope.id } });
  publish(tx, deps, envelope.id, "envelope.declined");
}

/**
 * DELETE /envelopes/{id}: a DRAFT is removed with its audit events (the reply is its last state
 * with `deleted: true`);
 * a SENT envelope is voided (links stop working, recipients are told); an ended one: 409.
 */
export function deleteEnvelope(deps: Deps, environment: Environment, who: ActorMeta, id: string, reason?: string): EnvelopeView & { deleted?: boolean } {
  return deps.db.transaction((tx) => {
    const row = getRow(tx, environment, id);
    if (row.status === "DRAFT") {
      const view = loadEnvelopeView(tx, deps, id)!;
      tx.delete(envelopes).where(eq(envelopes.id, id)).run();
      deleteAudit(tx, id);
      return { ...view, deleted: true };
    }
    if (row.status !== "SENT") throw new AppError("envelope_ended", `Envelope ${id} is already ${row.status}`);
    const now = deps.clock.now();
    transition(tx, deps, row, "VOIDED", { endedAt: now, endReason: reason ?? null });
    audit(tx, deps, id, "envelope.voided", who, { reason: reason ?? null });
    enqueue(tx, deps.clock, { kind: "notify_voided", payload: { envelopeId: id } });
    publish(tx, deps, id, "envelope.voided");
    return loadEnvelopeView(tx, deps, id)!;
  }, immediate);
}

/**
 * Expires a SENT envelope whose expiresAt has passed (EXPIRED, audit, webhook, job "notify_expired"). Returns whether it
 * did; anything else (not due, not SENT, unknown id) is a no-op, so sweeps may call it freely.
 */
export function expireEnvelope(deps: Pick<Deps, "db" | "config" | "secret" | "clock">, envelopeId: string): boolean {
  return deps.db.transaction((tx) => {
    const row = tx.select().from(envelopes).where(eq(envelopes.id, envelopeId)).get();
    const now = deps.clock.now();
    if (!row || row.status !== "SENT" || !row.expiresAt || row.expiresAt > now) return false;
    transition(tx, deps, row, "EXPIRED", { endedAt: now });
    audit(tx, deps, envelopeId, "envelope.expired", SYSTEM, { expiresAt: row.expiresAt.toISOString() });
    enqueue(tx, deps.clock, { kind: "notify_expired", payload: { envelopeId } });
    publish(tx, deps, envelopeId, "envelope.expired");
    return true;
  }, immediate);
}

/** Expires every SENT envelope past its expiresAt; returns their ids. For the expiry sweep. */
export function expireDueEnvelopes(deps: Pick<Deps, "db" | "config" | "secret" | "clock">): string[] {
  const due = deps.db.select({ id: envelopes.id }).from(envelopes)
    .where(and(eq(envelopes.status, "SENT"), lte(envelopes.expiresAt, deps.clock.now()))).all();
  return due.map((d) => d.id).filter((id) => expireEnvelope(deps, id));
}

/** Everything an invitation (or a reminder) needs. `active`: the envelope is SENT and this recipient still has to act. */
export interface Invitation {
  envelopeId: string;
  environment: Environment;
  envelopeStatus: EnvelopeStatus;
  subject: string;
  message: string | null;
  locale: "en" | "fr";
  notifyBySms: boolean;
  expiresAt: Date | null;
  reminderIntervalHours: number | null;
  recipient: { id: string; name: string; email: string; phone: string | null; role: RecipientRow["role"]; status: RecipientRow["status"]; routingOrder: number };
  signUrl: string;
  active: boolean;
}

export function invitationFor(deps: Pick<Deps, "db" | "config" | "secret">, recipientId: string): Invitation | null {
  const row = deps.db.select({ r: recipients, e: envelopes }).from(recipients)
    .innerJoin(envelopes, eq(envelopes.id, recipients.envelopeId)).where(eq(recipients.id, recipientId)).get();
  if (!row) return null;
  const { r, e } = row;
  return {
    envelopeId: e.id,
    environment: e.environment,
    envelopeStatus: e.status,
    subject: e.subject,
    message: e.message,
    locale: e.locale as "en" | "fr",
    notifyBySms: e.notifyBySms,
    expiresAt: e.expiresAt,
    reminderIntervalHours: e.reminderIntervalHours,
    recipient: { id: r.id, name: r.name, email: r.email, phone: r.phone, role: r.role, status: r.status, routingOrder: r.routingOrder },
    signUrl: signUrlOf(deps.config.baseUrl, deps.secret, r.id),
    active: e.status === "SENT" && (r.status === "SENT" || r.status === "VIEWED"),
  };
}
