import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError, notFound, SignerError } from "../../errors";
import type { CompletionCertificateInput } from "../../pdf/certificate";
import { atLeast } from "../../pdf/levels";
import { LtvError } from "../../pdf/ltv";
import type { RenderAuditEvent, RenderDocument, RenderEnvelope, RenderField, RenderRecipient } from "../../pdf/render-model";
import { taggedPagesOf } from "../../pdf/text/text-tag-model";
import { enqueue } from "../../jobs/queue";
import { openUnlessGone, type StoredBody } from "../../store/files";
import { withNodeLock } from "../../store/node-lock";
import { firstRow, idsParam, inIds } from "../../store/portable-sql";
import { preparedPerDb } from "../../store/prepared";
import { preparedUpdate } from "../../store/update-rows";
import { transaction } from "../../store/transaction";
import { documents, envelopeDocuments, envelopes, jobs, type Environment } from "../../store/schema";
import { appendAudit, verifyEnvelopeChain, type AuditEvent } from "../audit/service";
import { recordEnvelopeEvent } from "../envelopes/record-change";
import { SealRefusedError } from "../../pdf/incremental";
import { envelopeDocumentRows, envelopeRow, fieldRows, lockedEnvelopeRow, recipientRows, type EnvelopeRow, type FieldRow, type RecipientRow } from "../envelopes/rows";
import { PdfTaskError } from "../../pdf-worker/pool";
import { TimestampError } from "../../pdf/tsa";
import type { Locale } from "../../enums";
import { reportTexts } from "../../pdf/report-texts";
import { maskedDestination } from "../signing/auth";
import { sealingCertificate, type SealingKey } from "./key";
import { sealOnThread } from "./off-thread";
import type { DocumentInput } from "../../pdf-worker/file-input";
import type { SealedFile, SealSource } from "../../pdf-worker/seal-file";

/** How the recipient proved who they were: the unguessable link to their address, and the code they entered (its destination masked). */
function authenticationText(r: RecipientRow, locale: Locale | null): string {
  const t = reportTexts(locale);
  const to = maskedDestination(r) ?? "";
  if (r.authMethod === "email_otp") return t("authEmailOtp", { to });
  if (r.authMethod === "sms_otp") return t("authSmsOtp", { to });
  if (r.authMethod === "access_code") return t("authAccessCode");
  return t("authLink");
}

/** A recipient as the generated pages show it; `locale`: the envelope's, for how the recipient proved who they were. */
async function toRenderRecipient(deps: Deps, r: RecipientRow, locale: Locale | null): Promise<RenderRecipient> {
  let signature: RenderRecipient["signature"] = null;
  if (r.signatureType === "typed" && r.signatureValue) signature = { type: "typed", value: r.signatureValue };
  if (r.signatureType === "drawn" && r.signatureImageSha256) {
    const png = await deps.files.get(r.signatureImageSha256);
    signature = { type: "drawn", value: `data:image/png;base64,${Buffer.from(png).toString("base64")}` };
  }
  return {
    id: r.id, name: r.name, email: r.email, role: r.role, status: r.status, signedAt: r.signedAt,
    ip: r.ip, userAgent: r.userAgent, authMethod: authenticationText(r, locale), signature, reassignedFrom: r.reassignedFrom,
  };
}

const toRenderField = (f: FieldRow): RenderField => ({
  id: f.id, recipientId: f.recipientId, documentId: f.documentId, type: f.type,
  page: f.page, x: f.x, y: f.y, width: f.width, height: f.height, value: f.value,
  formField: f.source === "form" ? f.label : null,
});

/**
 * What goes into a document's own form: the envelope's prefill for its form fields' names, then
 * the values recipients gave to form fields handed to them.
 */
function formValuesOf(envelope: EnvelopeRow, formFieldNames: string[], documentId: string, fields: FieldRow[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, v] of Object.entries(envelope.prefill)) if (formFieldNames.includes(name)) values[name] = String(v);
  for (const f of fields) if (f.source === "form" && f.documentId === documentId && f.type !== "signature" && f.value !== null) values[f.label!] = f.value;
  return values;
}

const toRenderEnvelope = (e: EnvelopeRow): RenderEnvelope => ({
  id: e.id, locale: e.locale, subject: e.subject, status: e.status, createdAt: e.createdAt, sentAt: e.sentAt, completedAt: e.completedAt,
});

function toRenderEvent(e: AuditEvent): RenderAuditEvent {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const { documentHashes, ...rest } = data;
  return {
    seq: e.seq, at: e.at, type: e.type, actor: e.actor, ip: e.ip, userAgent: e.userAgent,
    documentHashes: (documentHashes as Record<string, string> | undefined) ?? null,
    detail: Object.keys(rest).length ? JSON.stringify(rest) : null,
    hash: e.hash, prevHash: e.prevHash,
  };
}

async function envelopeOf(deps: Deps, environment: Environment | null, id: string): Promise<EnvelopeRow> {
  const row = await envelopeRow(deps.db, id);
  if (!row || (environment && row.environment !== environment)) throw notFound("Envelope", id);
  return row;
}

/** A key that stopped working after start (expired since, file replaced) is an outage, not a bug. */
export async function sealingKey(deps: Pick<Deps, "sealingKey">): Promise<SealingKey> {
  try {
    return await deps.sealingKey();
  } catch (e) {
    if (e instanceof SignerError) throw new AppError("unavailable", `Sealing is unavailable: ${e.message}`);
    throw e;
  }
}

/**
 * The PDF drawn from `source` and sealed at the configured PAdES level on a PDF thread: stored
 * (`store`), or its parts handed back. The file's bytes stay on that thread (sealOnThread).
 */
const seal = async (deps: Deps, key: SealingKey, source: SealSource, subject: string, store: boolean): Promise<NonNullable<SealedFile>> => {
  const { trust } = deps;
  try {
    const sealed = await sealOnThread(deps, source, {
      seal: {
        signer: key,
        signingTime: deps.clock.now(),
        reason: deps.config.seal.reason,
        location: deps.config.seal.location || undefined,
        name: `Certyneo — ${subject}`.slice(0, 200),
        timestamper: atLeast(trust.level, "B-T") ? trust.timestamper : undefined,
      },
      extend: atLeast(trust.level, "B-LT") ? { level: trust.level } : undefined,
      certificates: async () => [...key.certificateChain, ...trust.trustAnchors],
      store,
    });
    return sealed!;
  } catch (e) {
    // The job retries (or, for seal_failed, gives up); a download meanwhile gets a clear 503 rather than a 500.
    if (e instanceof TimestampError) throw new AppError("unavailable", `Sealing is waiting for the time-stamp authority: ${e.message}`);
    if (e instanceof LtvError) {
      if (e.permanent) throw new AppError("seal_failed", `Sealing at ${trust.level} is impossible: ${e.message}`);
      throw new AppError("unavailable", `Sealing is waiting for revocation data: ${e.message}`);
    }
    if (e instanceof SignerError) throw new AppError("unavailable", `Sealing is unavailable: ${e.message}`); // e.g. an HSM gone
    throw e;
  }
};

/**
 * Failures that running the seal again cannot cure, because the file is the cause: sealing
 * refused it, a PDF task refused it (pdf_* codes) or failed on it, or its validation data
 * cannot be completed for good.
 */
const cannotSeal = (e: unknown) =>
  e instanceof SealRefusedError || e instanceof PdfTaskError || (e instanceof LtvError && e.permanent) || (e instanceof AppError && e.code.startsWith("pdf_"));

/** Envelopes being sealed in this process: the job and an impatient download share one run. */
const inFlight = new Map<string, Promise<void>>();

/** What a seal answers while another node seals the same envelope: a download waits, the job retries. */
const sealedElsewhere = (envelopeId: string) =>
  new AppError("seal_pending", `Envelope ${envelopeId} is being sealed by another node; try again in a few seconds`, { headers: { "retry-after": "5" } });

/**
 * Seals a COMPLETED envelope: field values and signature appearances stamped, a signature
 * page for signers without a field, the certificate of completion, then the PAdES seal —
 * one sealed PDF of all documents in order, and each document sealed alone. Idempotent:
 * an envelope already sealed is left as it is. One node at a time seals an envelope (a lock
 * across nodes on PostgreSQL), so no two do the PDF work twice.
 */
export function sealEnvelope(deps: Deps, envelopeId: string): Promise<void> {
  let run = inFlight.get(envelopeId);
  if (!run) {
    run = withNodeLock(deps.db, `seal:${envelopeId}`, () => doSeal(deps, envelopeId)).then((locked) => {
      if (locked === "busy") throw sealedElsewhere(envelopeId);
    }).catch(async (e) => {
      if (!cannotSeal(e)) throw e;
      await markSealFailed(deps, envelopeId, (e as Error).message);
      throw new AppError("seal_failed", `Sealing envelope ${envelopeId} failed: ${(e as Error).message}`);
    }).finally(() => inFlight.delete(envelopeId));
    inFlight.set(envelopeId, run);
  }
  return run;
}

async function doSeal(deps: Deps, envelopeId: string): Promise<void> {
  const envelope = await envelopeOf(deps, null, envelopeId);
  if (envelope.status !== "COMPLETED") throw new AppError("envelope_not_completed", `Envelope ${envelopeId} is ${envelope.status}, not COMPLETED`);
  if (envelope.sealStatus === "SEALED") return;
  // A seal that had failed for good may be retried by an admin (`certyneo seal`): it succeeds or fails afresh.
  const started = performance.now();
  const sealed = await sealFiles(deps, envelope);
  await recordSeal(deps, envelopeId, sealed);
  deps.log.info("envelope sealed", { envelopeId, sha256: sealed.whole, documents: sealed.perDocument.size, durationMs: Math.round(performance.now() - started) });
}

/** What sealing an envelope stored: the sealed PDF of all documents, each document's, and the key that sealed them. */
export interface SealedFiles {
  key: SealingKey;
  whole: string;
  /** documentId → sha256 of that document sealed alone. */
  perDocument: Map<string, string>;
}

const statements = preparedPerDb((db) => ({
  documentFacts: db.select({ id: documents.id, formFields: documents.formFields, tags: documents.tags }).from(documents).where(inIds(db, documents.id)).prepare(),
  // The envelope's own jobs (jobs_envelope): reading every pending job's payload made each download
  // of a seal still pending 23 ms of the event loop with 100,000 jobs queued (a bulk send).
  retry: db.select({ runAt: jobs.runAt }).from(jobs)
    .where(and(eq(jobs.envelopeId, sql.placeholder("envelopeId")), eq(jobs.kind, "seal_envelope"), eq(jobs.status, "pending"), isNotNull(jobs.lastError)))
    .limit(1).prepare(),
}));
const updateEnvelope = preparedUpdate(envelopes, eq(envelopes.id, sql.placeholder("id")));
const updateEnvelopeDocument = preparedUpdate(envelopeDocuments, and(eq(envelopeDocuments.envelopeId, sql.placeholder("envelopeId")), eq(envelopeDocuments.documentId, sql.placeholder("documentId")))!);

/** The PDF work of a seal: stamps and seals each document, and all of them as one PDF, into the file store. */
export async function sealFiles(deps: Deps, envelope: EnvelopeRow): Promise<SealedFiles> {
  const envelopeId = envelope.id;
  const key = await sealingKey(deps);
  const docRows = await envelopeDocumentRows(deps.db, envelopeId);
  const fieldRowsOf = await fieldRows(deps.db, envelopeId);
  const facts = new Map((await statements(deps.db).documentFacts.execute(idsParam(docRows.map((d) => d.id)))).map((d) => [d.id, d]));
  const docs: Omit<RenderDocument, "bytes">[] = docRows.map((d) => ({
    id: d.id, name: d.name, sha256: d.sha256,
    formValues: formValuesOf(envelope, facts.get(d.id)?.formFields.map((f) => f.name) ?? [], d.id, fieldRowsOf),
    taggedPages: taggedPagesOf(facts.get(d.id)?.tags ?? []),
  }));
  // Read for each use by the thread that uses it (from the data directory), or read here and handed over to it: a copy of a large file would hold the event loop.
  const withBytes = async (d: Omit<RenderDocument, "bytes">): Promise<DocumentInput> =>
    deps.files.directory ? { ...d, file: deps.files.path(d.sha256) } : { ...d, bytes: await deps.files.get(d.sha256) };
  const people = await Promise.all((await recipientRows(deps.db, envelopeId)).map((r) => toRenderRecipient(deps, r, envelope.locale)));
  const placed = fieldRowsOf.map(toRenderField);
  const certificate: CompletionCertificateInput = {
    envelope: toRenderEnvelope(envelope),
    documents: docs.map(({ id, name, sha256 }) => ({ id, name, sha256 })),
    recipients: people,
    generatedAt: deps.clock.now(),
    developmentCertificate: key.development,
  };
  const stampOne = async (d: Omit<RenderDocument, "bytes">): Promise<SealSource> =>
    ({ stamp: [await withBytes(d), people, placed, { appendSignaturePage: true, locale: envelope.locale, certificate: { ...certificate, documents: [certificate.documents.find((c) => c.id === d.id)!] } }] });
  const sealAndStore = async (source: SealSource) => (await seal(deps, key, source, envelope.subject, true)).sha256;

  const perDocument = new Map<string, string>();
  for (const d of docs) perDocument.set(d.id, await sealAndStore(await stampOne(d)));
  const whole = docs.length === 1
    ? perDocument.get(docs[0]!.id)!
    : await sealAndStore({ build: [await Promise.all(docs.map(withBytes)), people, placed, { appendSignaturePage: true, locale: envelope.locale, certificate, title: envelope.subject }] });
  return { key, whole, perDocument };
}

/** Records a seal: the envelope SEALED, its notification queued, `envelope.sealed` in its trail; nothing if it is sealed already. */
export async function recordSeal(deps: Deps, envelopeId: string, { key, whole, perDocument }: SealedFiles): Promise<void> {
  // Read committed on PostgreSQL: the envelope's row is locked before its seal status is read,
  // so of two recordings (a seal the advisory lock did not keep out, e.g. after a lost
  // connection) the second waits, then finds it sealed.
  await transaction(deps.db, async (tx) => {
    const current = await lockedEnvelopeRow(tx, envelopeId);
    if (current?.sealStatus === "SEALED") return;
    const now = deps.clock.now();
    await updateEnvelope(tx, { sealStatus: "SEALED", sealedSha256: whole, sealedAt: now }, { id: envelopeId });
    for (const [documentId, sha] of perDocument) await updateEnvelopeDocument(tx, { sealedSha256: sha }, { envelopeId, documentId });
    await enqueue(tx, deps.clock, { kind: "notify_completed", payload: { envelopeId } });
    await appendAudit(tx, deps.clock, {
      envelopeId, type: "envelope.sealed", actor: "system",
      data: { sealedSha256: whole, documentHashes: Object.fromEntries(perDocument), certificate: sealingCertificate(key).subject, development: key.development },
    });
  }, { isolation: "read committed" });
}

/**
 * Records that sealing is waiting (time-stamp authority or revocation responders unreachable):
 * an audit event, and a warning in the log, while the job retries. Downloads answer 503 meanwhile.
 */
export async function markSealDelayed(deps: Deps, envelopeId: string, reason: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    await appendAudit(tx, deps.clock, { envelopeId, type: "envelope.seal_delayed", actor: "system", data: { reason: reason.slice(0, 500) } });
    await recordEnvelopeEvent(tx, deps, (await envelopeRow(tx, envelopeId))!, "envelope.seal_delayed", { reason: reason.slice(0, 500) });
  }, { isolation: "read committed" });
  deps.log.warn("envelope sealing delayed, retrying", { envelopeId, reason });
}

/** Records that sealing gave up: downloads answer `seal_failed` instead of trying again. */
export async function markSealFailed(deps: Deps, envelopeId: string, reason: string): Promise<void> {
  const marked = await transaction(deps.db, async (tx) => {
    const row = await lockedEnvelopeRow(tx, envelopeId);
    if (!row || row.sealStatus === "SEALED" || row.sealStatus === "FAILED") return false;
    await tx.update(envelopes).set({ sealStatus: "FAILED" }).where(eq(envelopes.id, envelopeId));
    // Everyone still hears the envelope is complete, without the PDF.
    await enqueue(tx, deps.clock, { kind: "notify_completed", payload: { envelopeId } });
    await appendAudit(tx, deps.clock, { envelopeId, type: "envelope.seal_failed", actor: "system", data: { reason: reason.slice(0, 500) } });
    await recordEnvelopeEvent(tx, deps, row, "envelope.seal_failed", { reason: reason.slice(0, 500) });
    return true;
  }, { isolation: "read committed" });
  if (marked) deps.log.error("envelope sealing failed for good", { envelopeId, reason });
}

/** A sealed PDF in the file store, and the name it downloads as. */
export interface SealedPdf {
  sha256: string;
  filename: string;
}

const slug = (s: string) => s.normalize("NFKD").replace(/[^\w\s-]/g, "").trim().replace(/\s+/g, "-").slice(0, 60) || "envelope";

/** The sealed PDF of all of a SEALED envelope's documents, and the name it downloads as. */
export const wholeSealedPdf = (envelope: Pick<EnvelopeRow, "subject" | "sealedSha256">): SealedPdf =>
  ({ sha256: envelope.sealedSha256!, filename: `${slug(envelope.subject)}-signed.pdf` });

/**
 * The sealed PDF of a COMPLETED envelope (all documents), or of one of its documents. The
 * background job normally has sealed it already; with `sealIfPending` (the API, which is
 * authenticated and rate-limited) a download that comes first seals at once, sharing the
 * job's run. Signing links never start a seal: they answer `seal_pending`.
 */
export async function signedDocument(
  deps: Deps, environment: Environment, envelopeId: string, documentId?: string, opts: { sealIfPending?: boolean } = {},
): Promise<SealedPdf> {
  let envelope = await envelopeOf(deps, environment, envelopeId);
  if (envelope.status !== "COMPLETED")
    throw new AppError("envelope_not_completed", `Envelope ${envelopeId} is ${envelope.status}: the signed document exists once it is COMPLETED`);
  if (envelope.sealStatus === "FAILED")
    throw new AppError("seal_failed", `Sealing envelope ${envelopeId} failed; the server log and the audit trail say why`);
  if (envelope.sealStatus !== "SEALED") {
    // A seal that failed and waits for its retry is not run again by every download.
    const retryAt = await sealRetryAt(deps, envelopeId);
    const waitFor = (seconds: number) =>
      new AppError("seal_pending", "The signed document is being sealed; try again in a few seconds", { headers: { "retry-after": String(seconds) } });
    if (!opts.sealIfPending || retryAt) throw waitFor(retryAt ? Math.max(1, Math.ceil((retryAt.getTime() - deps.clock.now().getTime()) / 1000)) : 5);
    await sealEnvelope(deps, envelopeId).catch((e) => {
      if (e instanceof AppError) throw e;
      // The job retries it: the client gets the same answer as while it waits.
      deps.log.error("sealing on download failed", { envelopeId, error: String((e as Error)?.message ?? e) });
      throw waitFor(10);
    });
    envelope = await envelopeOf(deps, environment, envelopeId);
  }
  if (!documentId) return wholeSealedPdf(envelope);
  const row = await firstRow(deps.db.select().from(envelopeDocuments)
    .where(and(eq(envelopeDocuments.envelopeId, envelopeId), eq(envelopeDocuments.documentId, documentId))));
  if (!row?.sealedSha256) throw notFound("Document", `${documentId} in envelope ${envelopeId}`);
  const name = (await envelopeDocumentRows(deps.db, envelopeId)).find((d) => d.id === documentId)!.name.replace(/\.pdf$/i, "");
  return { sha256: row.sealedSha256, filename: `${slug(name)}-signed.pdf` };
}

/**
 * signedDocument with its file opened, as a download sends it: an erasure that removes the file
 * after the envelope was read is answered as the envelope now is (404), not as a missing file.
 */
export async function signedDocumentFile(
  deps: Deps, environment: Environment, envelopeId: string, documentId?: string, opts: { sealIfPending?: boolean } = {},
): Promise<{ filename: string; file: StoredBody }> {
  const pdf = await signedDocument(deps, environment, envelopeId, documentId, opts);
  return { filename: pdf.filename, file: await openUnlessGone(deps.files, pdf.sha256, undefined, () => envelopeOf(deps, environment, envelopeId)) };
}

/** When the seal job, having failed already, runs again; null when it has not failed. */
async function sealRetryAt(deps: Deps, envelopeId: string): Promise<Date | null> {
  const [job] = await statements(deps.db).retry.execute({ envelopeId });
  return job?.runAt ?? null;
}

/** The audit trail as a sealed PDF: every event so far, in order, with the hash chain. */
export async function auditTrail(deps: Deps, environment: Environment, envelopeId: string): Promise<{ bytes: Uint8Array; filename: string }> {
  const envelope = await envelopeOf(deps, environment, envelopeId);
  if (envelope.status === "DRAFT") throw new AppError("envelope_not_sent", `Envelope ${envelopeId} is a DRAFT: it has an audit trail once sent`);
  const key = await sealingKey(deps);
  // The whole chain, its end checked against the head the envelope records (a removed tail shows).
  const { events, chain } = await verifyEnvelopeChain(deps.db, envelopeId);
  const [documents, recipients] = [await envelopeDocumentRows(deps.db, envelopeId), await recipientRows(deps.db, envelopeId)];
  // Read in separate statements: an erasure between them leaves some empty. It deletes the
  // envelope with its parts in one statement, then the events; so the envelope still there
  // now means every part above was read whole. Gone, the answer is what a request gets now.
  await envelopeOf(deps, environment, envelopeId);
  const render = {
    envelope: toRenderEnvelope(envelope),
    documents: documents.map(({ id, name, sha256 }) => ({ id, name, sha256 })),
    recipients: await Promise.all(recipients.map((r) => toRenderRecipient(deps, r, envelope.locale))),
    events: events.map(toRenderEvent),
    chain,
    generatedAt: deps.clock.now(),
    developmentCertificate: key.development,
  };
  // Small, and the answer's body: its parts come back.
  const { parts } = await seal(deps, key, { render }, `Audit trail — ${envelope.subject}`, false);
  return { bytes: Buffer.concat(parts!), filename: `${slug(envelope.subject)}-audit-trail.pdf` };
}
