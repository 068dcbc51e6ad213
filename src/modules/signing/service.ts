import { and, eq, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, invalid } from "../../errors";
import { sha256Hex } from "../../ids";
import type { Tx } from "../../store/db";
import { dialectOf } from "../../store/dialect";
import { keepBlob } from "../../store/blob-lock";
import { transaction } from "../../store/transaction";
import { preparedUpdate } from "../../store/update-rows";
import { openUnlessGone, type StoredBody } from "../../store/files";
import { fields, recipients } from "../../store/schema";
import { appendAudit } from "../audit/service";
import { isEmail } from "../envelopes/draft-rules";
import { assertCanAct, checkCompletion, isBlank, reassignRefusal, sessionState, type CompletionInput } from "../envelopes/signer-rules";
import { replaceRecipientPerson } from "../envelopes/replace-recipient-person";
import { recipientActor } from "../envelopes/actor";
import { declineEnvelope } from "../envelopes/decline-envelope";
import { expireEnvelope } from "../envelopes/expire-envelope";
import { formChoices, type FormChoice } from "../envelopes/form-choices";
import { inviteNextOrComplete } from "../envelopes/invite-next-or-complete";
import { recordEnvelopeEvent } from "../envelopes/record-change";
import { envelopeDocumentRows, envelopeRow, fieldRows, lockedEnvelopeRow, recipientRows, senderOf, updateRecipient, type EnvelopeRow, type RecipientRow } from "../envelopes/rows";
import { AUTH_COOKIE, authRequired, isAuthenticated, sendOneTimeCode, verifyCode } from "./auth";
import { organisationOf, type Organisation } from "./branding";
import { consentRecord } from "./consent";
import { pdfLib, sealingService } from "../sealing/lazy";
import { recipientOfToken, unknownToken } from "./token";

/** Where a request came from: kept with every step of the ceremony. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** The Cookie header: it carries the proof of a signer authentication (auth.ts). */
  cookie?: string | null;
}

/** A signing link's recipient and their envelope. */
type Resolved = { envelope: EnvelopeRow; recipient: RecipientRow };

async function resolve(tx: Tx, token: string): Promise<Resolved> {
  const recipient = await recipientOfToken(tx, token);
  if (!recipient) throw unknownToken();
  const envelope = await envelopeRow(tx, recipient.envelopeId);
  if (!envelope) throw unknownToken();
  return { envelope, recipient };
}

/**
 * resolve() for a step that writes: the envelope's row locked first (lockedEnvelopeRow), so the
 * steps of one envelope's ceremony (on any node) run one after another, each reading what the
 * previous one committed, while other envelopes' run side by side: the transactions below run
 * read committed on PostgreSQL. The recipient is read again once the lock is held (the first
 * read, which only finds the envelope, may predate a step that just committed).
 */
async function resolveLocked(tx: Tx, token: string): Promise<Resolved> {
  const found = await recipientOfToken(tx, token);
  if (!found) throw unknownToken();
  const envelope = await lockedEnvelopeRow(tx, found.envelopeId);
  const recipient = dialectOf(tx) === "postgres" ? await recipientOfToken(tx, token) : found;
  if (!envelope || !recipient) throw unknownToken();
  return { envelope, recipient };
}

/** What the ceremony's writing steps run with (see resolveLocked). */
const CEREMONY_STEP = { isolation: "read committed" } as const;

/**
 * The link's recipient and envelope, once the recipient has passed their authentication method
 * in this browser (401 signing_auth_required otherwise).
 */
async function authorize(deps: Deps, token: string, meta: RequestMeta): Promise<Resolved> {
  const found = await resolve(deps.db, token);
  if (!isAuthenticated(deps, found.recipient, meta.cookie)) throw authRequired(found.recipient, found.envelope.locale);
  return found;
}

/**
 * authorize(), and an envelope past its expiresAt expired when its link is used, without waiting
 * for the sweep (then read again): what every step of the ceremony starts with, read once.
 */
async function opened(deps: Deps, token: string, meta: RequestMeta): Promise<Resolved> {
  const found = await authorize(deps, token, meta);
  const { envelope } = found;
  if (envelope.status !== "SENT" || !envelope.expiresAt || envelope.expiresAt > deps.clock.now()) return found;
  await expireEnvelope(deps, { envelopeId: envelope.id });
  return resolve(deps.db, token);
}

const docUrl = (token: string, documentId: string) => `/api/v1/signing/${token}/documents/${documentId}`;

const signatureImageUrl = (token: string, recipientId: string) => `/api/v1/signing/${token}/signatures/${recipientId}`;

/** Radio and choice fields' options by field id (formChoices): what a session shows of them. */
type Choices = ReadonlyMap<string, FormChoice>;

/** The envelope's radio and choice fields' options, read before a session is built. */
const envelopeChoices = async (deps: Pick<Deps, "db">, envelopeId: string) => formChoices(deps.db, await fieldRows(deps.db, envelopeId));

/** Where a field's value shows: a radio group's chosen button when the form lists it, else the field's box. */
function valueBox(f: { id: string; type: string; value: string | null; x: number; y: number; width: number; height: number }, choices: Choices) {
  const button = f.type === "radio" ? choices.get(f.id)?.buttons?.find((b) => b.option === f.value) : undefined;
  return button ? { x: button.x, y: button.y, width: button.width, height: button.height } : { x: f.x, y: f.y, width: f.width, height: f.height };
}

/**
 * What the recipients who already signed placed on the pages (signatures, initials, values), so
 * that a later signer reviews the documents as they stand: the same values the seal stamps.
 */
async function stamps(tx: Tx, token: string, envelopeId: string, recipientId: string, choices: Choices) {
  const signed = new Map((await recipientRows(tx, envelopeId)).filter((r) => r.status === "SIGNED" && r.id !== recipientId).map((r) => [r.id, r]));
  return (await fieldRows(tx, envelopeId)).flatMap((f) => {
    const by = signed.get(f.recipientId);
    if (!by) return [];
    const drawn = f.type === "signature" && by.signatureType === "drawn";
    return [{
      documentId: f.documentId, type: f.type, page: f.page, ...valueBox(f, choices),
      recipientName: by.name,
      value: drawn ? null : f.value,
      imageUrl: drawn ? signatureImageUrl(token, by.id) : null,
    }];
  });
}

async function session(tx: Tx, organisation: Organisation, token: string, envelope: EnvelopeRow, recipient: RecipientRow, choices: Choices) {
  const open = envelope.status === "SENT";
  const state = sessionState(envelope.status, recipient);
  return {
    envelope: {
      id: envelope.id, subject: envelope.subject, message: envelope.message, status: envelope.status,
      locale: envelope.locale, expiresAt: envelope.expiresAt?.toISOString() ?? null, allowReassign: reassignRefusal(envelope, recipient) === null,
      sender: senderOf(envelope),
      statusReason: envelope.status === "VOIDED" || envelope.status === "DECLINED" ? envelope.endReason : null,
      allowedOrigins: envelope.allowedOrigins,
      redirectUrl: envelope.redirectUrl,
    },
    organisation,
    recipient: { id: recipient.id, name: recipient.name, email: recipient.email, role: recipient.role, status: recipient.status },
    state,
    documents: open
      ? (await envelopeDocumentRows(tx, envelope.id)).map((d) => ({ id: d.id, name: d.name, sha256: d.sha256, pageCount: d.pageCount, pages: d.pages, url: docUrl(token, d.id) }))
      : [],
    signedDocument: envelope.status === "COMPLETED"
      ? { url: `/api/v1/signing/${token}/signed-document`, status: envelope.sealStatus ?? "PENDING" }
      : null,
    stamps: state === "ready" ? await stamps(tx, token, envelope.id, recipient.id, choices) : [],
    fields: open
      ? (await fieldRows(tx, envelope.id, recipient.id)).map((f) => ({
          id: f.id, documentId: f.documentId, type: f.type, page: f.page, x: f.x, y: f.y, width: f.width, height: f.height,
          required: f.required, label: f.label, value: f.value, readOnly: f.readOnly,
          options: choices.get(f.id)?.options ?? null, buttons: choices.get(f.id)?.buttons ?? null,
        }))
      : [],
  };
}

export type SigningSession = Awaited<ReturnType<typeof session>>;

/**
 * The session as the step's transaction left it. `organisation` is read before the transaction:
 * a read-committed body uses only its own connection (see TransactionOptions).
 */
async function reload(tx: Tx, organisation: Organisation, token: string, choices: Choices): Promise<SigningSession> {
  const { envelope, recipient } = await resolve(tx, token);
  return session(tx, organisation, token, envelope, recipient, choices);
}

/** GET /signing/{token}: the session; the first open by an invited recipient records VIEWED. */
export async function getSession(deps: Deps, token: string, meta: RequestMeta): Promise<SigningSession> {
  const choices = await envelopeChoices(deps, (await opened(deps, token, meta)).envelope.id);
  const organisation = await organisationOf(deps.db);
  return transaction(deps.db, async (tx) => {
    const { envelope, recipient } = await resolveLocked(tx, token);
    if (envelope.status === "SENT" && recipient.status === "SENT") {
      await tx.update(recipients).set({ status: "VIEWED", viewedAt: deps.clock.now() }).where(eq(recipients.id, recipient.id));
      await appendAudit(tx, deps.clock, {
        envelopeId: envelope.id, type: "recipient.viewed", ...recipientActor(recipient, meta.ip, meta.userAgent),
        data: { recipientId: recipient.id },
      });
      await recordEnvelopeEvent(tx, deps, envelope, "recipient.viewed");
    }
    return reload(tx, organisation, token, choices);
  }, CEREMONY_STEP);
}

/** GET /signing/{token}/documents/{documentId}: the PDF, while the envelope is SENT; audited. */
export async function openDocument(deps: Deps, token: string, documentId: string, meta: RequestMeta): Promise<{ name: string; sha256: string; file: StoredBody }> {
  await opened(deps, token, meta);
  const doc = await transaction(deps.db, async (tx) => {
    const { envelope, recipient } = await resolveLocked(tx, token);
    if (envelope.status !== "SENT") throw new AppError("signing_closed", `This envelope is ${envelope.status.toLowerCase()}; its documents are no longer served here`);
    const d = (await envelopeDocumentRows(tx, envelope.id)).find((x) => x.id === documentId);
    if (!d) throw new AppError("not_found", `Document ${documentId} is not part of this envelope`);
    await appendAudit(tx, deps.clock, {
      envelopeId: envelope.id, type: "document.downloaded", ...recipientActor(recipient, meta.ip, meta.userAgent),
      data: { recipientId: recipient.id, documentId: d.id, name: d.name, sha256: d.sha256 },
    });
    return d;
  }, CEREMONY_STEP);
  return { name: doc.name, sha256: doc.sha256, file: await openUnlessGone(deps.files, doc.sha256, doc.size, () => resolve(deps.db, token)) };
}

/**
 * A drawn signature is stamped onto the PDF when the envelope is sealed: decode it now with the
 * same decoder (pdf-lib) so that an image it cannot read is a 422 here rather than an envelope
 * that completes and can never be sealed. checkCompletion has already checked its structure and
 * size (pngProblem), which the decoder needs: it would loop forever on a truncated image.
 */
async function assertEmbeddable(png: Uint8Array): Promise<void> {
  try {
    await (await (await pdfLib()).PDFDocument.create()).embedPng(png);
  } catch {
    throw invalid([{ pointer: "/signature/value", message: "the drawn signature is not a PNG image that can be read" }], "The signature cannot be completed");
  }
}

/** A field's value, set only if the field is the recipient's. */
const updateOwnField = preparedUpdate(fields, and(eq(fields.id, sql.placeholder("id")), eq(fields.recipientId, sql.placeholder("recipientId")))!);

/**
 * POST /signing/{token}/complete: checks turn and body, stores the signature (a drawn PNG goes to
 * the file store), field values, time, IP and user agent, then invites the next group or completes.
 */
export async function completeSigning(deps: Deps, token: string, body: CompletionInput, meta: RequestMeta): Promise<SigningSession> {
  const first = await opened(deps, token, meta);
  assertCanAct(first.envelope.status, first.recipient);
  const choices = await envelopeChoices(deps, first.envelope.id);
  const specs = (await fieldRows(deps.db, first.envelope.id, first.recipient.id)).map((f) => ({ ...f, options: choices.get(f.id)?.options ?? null }));
  const { errors, completion } = checkCompletion(first.recipient, specs, body, deps.clock.now());
  if (errors.length) throw invalid(errors, "The signature cannot be completed");
  const sig = completion.signature;
  if (sig?.type === "drawn") await assertEmbeddable(sig.png);
  const imageSha = sig?.type === "drawn" ? sha256Hex(sig.png) : null;
  const organisation = await organisationOf(deps.db);

  const record = async (tx: Tx) => {
    const { envelope, recipient } = await resolveLocked(tx, token);
    assertCanAct(envelope.status, recipient);
    const now = deps.clock.now();
    for (const [id, value] of completion.values) await updateOwnField(tx, { value }, { id, recipientId: recipient.id });
    await updateRecipient(tx, {
      status: "SIGNED", signedAt: now,
      signatureType: sig?.type ?? null,
      signatureValue: sig?.type === "typed" ? sig.name : null,
      signatureImageSha256: imageSha,
      ip: meta.ip, userAgent: meta.userAgent,
    }, { id: recipient.id });
    await appendAudit(tx, deps.clock, {
      envelopeId: envelope.id,
      type: recipient.role === "APPROVER" ? "recipient.approved" : "recipient.signed",
      ...recipientActor(recipient, meta.ip, meta.userAgent),
      data: {
        recipientId: recipient.id,
        role: recipient.role,
        consent: consentRecord(recipient.role, body.locale),
        signature: sig ? (sig.type === "typed" ? { type: "typed", name: sig.name } : { type: "drawn", sha256: imageSha }) : null,
        fields: Object.fromEntries(completion.values),
        documents: (await envelopeDocumentRows(tx, envelope.id)).map((d) => ({ id: d.id, name: d.name, sha256: d.sha256 })),
      },
    });
    await recordEnvelopeEvent(tx, deps, envelope, "recipient.signed");
    await inviteNextOrComplete(tx, deps, { envelopeId: envelope.id });
    return reload(tx, organisation, token, choices);
  };
  // The image is content-addressed: stored and recorded alone against the purge of another
  // envelope whose signer drew the same bytes (an integration sending one image for everyone).
  return sig?.type === "drawn"
    ? keepBlob(deps.db, deps.files, imageSha!, sig.png, record, CEREMONY_STEP)
    : transaction(deps.db, record, CEREMONY_STEP);
}

/**
 * POST /signing/{token}/reassign, when the sender allowed it (allowReassign): the signer hands
 * their turn to someone else. That person takes the recipient's place with a new link and the
 * invitation; this link stops working. Audited with both people and the reason; the
 * certificate of completion shows who handed the place over.
 */
export async function reassignSigning(deps: Deps, token: string, to: { name: string; email: string; reason: string }, meta: RequestMeta) {
  await opened(deps, token, meta);
  return transaction(deps.db, async (tx) => {
    const { envelope, recipient } = await resolveLocked(tx, token);
    assertCanAct(envelope.status, recipient);
    const refusal = reassignRefusal(envelope, recipient);
    if (refusal) throw new AppError("reassign_not_allowed", refusal);
    const email = to.email.trim();
    const name = to.name.trim();
    const others = await tx.select({ id: recipients.id, email: recipients.email }).from(recipients).where(eq(recipients.envelopeId, envelope.id));
    const errors = [
      ...(!isEmail(email) ? [{ pointer: "/email", message: `"${to.email}" is not a valid e-mail address` }] : []),
      ...(isEmail(email) && others.some((o) => o.email.toLowerCase() === email.toLowerCase()) ? [{ pointer: "/email", message: "this person is already a recipient of the envelope" }] : []),
      ...(isBlank(name) ? [{ pointer: "/name", message: "must not be blank" }] : []),
      ...(isBlank(to.reason) ? [{ pointer: "/reason", message: "must not be blank" }] : []),
    ];
    if (errors.length) throw invalid(errors, "The reassignment is not valid");
    const reason = to.reason.trim();
    await replaceRecipientPerson(tx, deps, recipient, { name, email, phone: null }, { reassignedFrom: `${recipient.name} <${recipient.email}>: ${reason}` });
    await appendAudit(tx, deps.clock, {
      envelopeId: envelope.id, type: "recipient.reassigned", ...recipientActor(recipient, meta.ip, meta.userAgent),
      data: { recipientId: recipient.id, from: { name: recipient.name, email: recipient.email }, to: { name, email }, reason },
    });
    return { reassignedTo: { name, email } };
  }, CEREMONY_STEP);
}

/** POST /signing/{token}/decline: the envelope ends DECLINED and the other recipients are told. */
export async function declineSigning(deps: Deps, token: string, reason: string, meta: RequestMeta): Promise<SigningSession> {
  await opened(deps, token, meta);
  const organisation = await organisationOf(deps.db);
  return transaction(deps.db, async (tx) => {
    const { envelope, recipient } = await resolveLocked(tx, token);
    assertCanAct(envelope.status, recipient);
    const text = reason.trim();
    if (isBlank(text) || text.length > 1000) throw invalid([{ pointer: "/reason", message: "a reason of 1 to 1000 characters is required" }]);
    const now = deps.clock.now();
    await tx.update(recipients).set({ status: "DECLINED", declinedAt: now, declineReason: text, ip: meta.ip, userAgent: meta.userAgent })
      .where(eq(recipients.id, recipient.id));
    await appendAudit(tx, deps.clock, {
      envelopeId: envelope.id, type: "recipient.declined", ...recipientActor(recipient, meta.ip, meta.userAgent),
      data: { recipientId: recipient.id, reason: text },
    });
    await declineEnvelope(tx, deps, { envelope, reason: text });
    // Ended: the session shows no fields or stamps, so no options either.
    return reload(tx, organisation, token, new Map());
  }, CEREMONY_STEP);
}

/**
 * GET /signing/{token}/signed-document: once the envelope is COMPLETED, every recipient's link
 * (the completion e-mail carries it) downloads the sealed PDF; audited like any download.
 */
export async function openSignedDocument(deps: Deps, token: string, meta: RequestMeta): Promise<{ filename: string; file: StoredBody }> {
  const { envelope, recipient } = await authorize(deps, token, meta);
  if (envelope.status === "SENT")
    throw new AppError("envelope_not_completed", "The signed document exists once everyone has signed");
  if (envelope.status !== "COMPLETED")
    throw new AppError("signing_closed", `This envelope is ${envelope.status.toLowerCase()}: there is no signed document`);
  const pdf = await (await sealingService()).signedDocument(deps, envelope.environment, envelope.id);
  const file = await openUnlessGone(deps.files, pdf.sha256, undefined, () => resolve(deps.db, token));
  // The link read again with the append: an erasure since has taken it (the answer is then its 404).
  await transaction(deps.db, async (tx) => {
    await resolveLocked(tx, token);
    await appendAudit(tx, deps.clock, {
      envelopeId: envelope.id, type: "document.downloaded", ...recipientActor(recipient, meta.ip, meta.userAgent),
      data: { recipientId: recipient.id, signed: true, sha256: pdf.sha256 },
    });
  }, CEREMONY_STEP);
  return { filename: pdf.filename, file };
}

/**
 * GET /signing/{token}/signatures/{recipientId}: the drawn signature of a recipient who already
 * signed, shown on the pages a later signer reviews; only while this recipient may act.
 */
export async function openSignatureImage(deps: Deps, token: string, recipientId: string, meta: RequestMeta): Promise<Uint8Array> {
  const { envelope, recipient } = await authorize(deps, token, meta);
  assertCanAct(envelope.status, recipient);
  const by = (await recipientRows(deps.db, envelope.id)).find((r) => r.id === recipientId && r.status === "SIGNED");
  if (!by?.signatureImageSha256) throw new AppError("not_found", `No drawn signature of ${recipientId} in this envelope`);
  return deps.files.get(by.signatureImageSha256);
}


/** POST /signing/{token}/auth/code: sends a one-time code (email_otp, sms_otp). */
export async function sendSigningCode(deps: Deps, token: string, meta: RequestMeta) {
  const { envelope, recipient } = await resolve(deps.db, token);
  return sendOneTimeCode(deps, { envelope, recipient, meta });
}

/** POST /signing/{token}/auth: the code; on success the cookie that proves it, and the session. */
export async function authenticateSigner(deps: Deps, token: string, code: string, meta: RequestMeta): Promise<{ cookie: string; session: SigningSession }> {
  const { envelope, recipient } = await resolve(deps.db, token);
  const { cookie } = await verifyCode(deps, { envelope, recipient, meta }, code);
  return { cookie, session: await getSession(deps, token, { ...meta, cookie: `${AUTH_COOKIE}=${cookie}` }) };
}

/** The origins that may frame this link's page (embedded signing); none for an unknown token. */
export async function frameAncestorsOf(deps: Pick<Deps, "db">, token: string): Promise<string[]> {
  try {
    return (await resolve(deps.db, token)).envelope.allowedOrigins;
  } catch {
    return [];
  }
}
