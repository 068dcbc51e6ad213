import { and, eq, gt, inArray, isNull, like, lt, notInArray, or, sql } from "drizzle-orm";
import type { Static } from "@sinclair/typebox";
import { isoOrNull } from "../../clock";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import type { Tx } from "../../store/db";
import { JOB_STATUSES } from "../../enums";
import { removeBlobUnlessNeeded } from "../../store/blob-lock";
import { emptyLog } from "../../store/empty-log";
import { preparedPerDb } from "../../store/prepared";
import { transaction } from "../../store/transaction";
import {
  documents, envelopeDocuments, envelopes, envelopeTombstones, ENVELOPES_SEVERAL, idempotencyKeys, jobs, recipients, webhookAttempts, webhookDeliveries, webhookEvents,
  type Environment,
} from "../../store/schema";
import { deleteAudit, listAudit, verifyChain } from "../audit/service";
import { fileNeeded } from "../documents/file-needed";
import { forgetCachedDocument } from "../documents/service";
import type { ActorMeta } from "./actor";
import type { PurgedEnvelopeSchema } from "./model";
import { findEnvelopeRow } from "./rows";

const UNFINISHED_JOBS = JOB_STATUSES.filter((status) => status !== "done");

export type Tombstone = typeof envelopeTombstones.$inferSelect;

/** The tombstone as DELETE /envelopes/{id}?purge=true answers it. */
export const publicTombstone = (t: Tombstone): Static<typeof PurgedEnvelopeSchema> => ({
  id: t.envelopeId, purged: true, status: t.status, createdAt: t.createdAt.toISOString(), endedAt: isoOrNull(t.endedAt),
  purgedAt: t.purgedAt.toISOString(), reason: t.reason, auditHead: t.auditHead, auditCount: t.auditCount,
  documentHashes: t.documentHashes, sealedSha256: t.sealedSha256,
});

const ENDED = ["COMPLETED", "DECLINED", "VOIDED", "EXPIRED"] as const;

/** Blobs an envelope's rows name: its documents, its sealed copies, drawn signatures. */
async function blobsOf(tx: Tx, envelopeId: string, sealed: string | null): Promise<string[]> {
  const docs = await tx.select({ sha: documents.sha256, sealed: envelopeDocuments.sealedSha256 }).from(envelopeDocuments)
    .innerJoin(documents, eq(documents.id, envelopeDocuments.documentId)).where(eq(envelopeDocuments.envelopeId, envelopeId));
  const drawn = await tx.select({ sha: recipients.signatureImageSha256 }).from(recipients).where(eq(recipients.envelopeId, envelopeId));
  return [...new Set([...docs.flatMap((d) => [d.sha, d.sealed]), ...drawn.map((d) => d.sha), sealed].filter((s): s is string => !!s))];
}

/**
 * Erases an envelope that has ended (GDPR erasure on request, or the retention sweep): its
 * recipients, fields, audit events, webhook events and their deliveries, stored Idempotency-Key
 * replies naming it (on request), its documents (unless
 * another envelope uses them) and every file only it needed. What remains is a tombstone: the
 * status it ended in, its dates, who purged it and why, the documents' hashes and the audit
 * chain's head, which proves what the trail was without keeping any of it. On SQLite the
 * write-ahead log is emptied after it (emptyLog). A purge cannot be undone; a pending seal must
 * finish first.
 */
export async function purgeEnvelope(deps: Deps, input: PurgeInput): Promise<Tombstone> {
  const tombstone = await eraseEnvelope(deps, input);
  await emptyLog(deps.db, deps.log);
  return tombstone;
}

type PurgeInput = { environment: Environment; who: ActorMeta; envelopeId: string; reason: Tombstone["reason"] };

/** purgeEnvelope but for the write-ahead log, which a batch of purges empties once. */
async function eraseEnvelope(deps: Deps, input: PurgeInput): Promise<Tombstone> {
  const { tombstone, blobs, dropped } = await transaction(deps.db, async (tx) => {
    const e = await findEnvelopeRow(tx, input.environment, input.envelopeId);
    if (!(ENDED as readonly string[]).includes(e.status))
      throw new AppError("envelope_not_ended", `Envelope ${e.id} is ${e.status}: only an ended envelope can be purged (void a sent one first)`);
    if (e.sealStatus === "PENDING") throw new AppError("seal_pending", `Envelope ${e.id} is being sealed; purge it once the seal is done`, { headers: { "retry-after": "5" } });
    const events = await listAudit(tx, e.id);
    const docs = await tx.select({ id: documents.id, sha: documents.sha256 }).from(envelopeDocuments)
      .innerJoin(documents, eq(documents.id, envelopeDocuments.documentId)).where(eq(envelopeDocuments.envelopeId, e.id));
    const blobs = await blobsOf(tx, e.id, e.sealedSha256);
    const tombstone: Tombstone = {
      envelopeId: e.id, environment: e.environment, status: e.status, createdAt: e.createdAt, endedAt: e.endedAt,
      purgedAt: deps.clock.now(), reason: input.reason, actor: input.who.actor,
      auditHead: verifyChain(events).head, auditCount: events.length, documentHashes: docs.map((d) => d.sha), sealedSha256: e.sealedSha256,
    };
    await tx.insert(envelopeTombstones).values(tombstone);
    // Webhook events carry the envelope (names, e-mails): they go with their deliveries.
    const eventIds = (await tx.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.envelopeId, e.id))).map((r) => r.id);
    if (eventIds.length) {
      const deliveryIds = (await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(inArray(webhookDeliveries.eventId, eventIds))).map((r) => r.id);
      if (deliveryIds.length) await tx.delete(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveryIds));
      await tx.delete(webhookDeliveries).where(inArray(webhookDeliveries.eventId, eventIds));
      await tx.delete(webhookEvents).where(inArray(webhookEvents.id, eventIds));
    }
    // Finished jobs only name ids; any still pending (a notice not yet sent) would find nothing.
    // Found by the envelope each job is about (jobs_envelope): reading every unfinished job's
    // payload took 115 ms of the purge's transaction with 100,000 of them queued.
    await tx.delete(jobs).where(and(eq(jobs.envelopeId, e.id), inArray(jobs.status, UNFINISHED_JOBS)));
    // A stored Idempotency-Key reply (the creation's, the send's) holds the envelope with its
    // people and is replayed until it expires (idempotency.ttlHours, 24): an erasure on request
    // takes those still kept. Retention runs days after the end, once they have normally expired.
    // Found by the envelope each names (idempotency_envelope); one naming several is read.
    if (input.reason === "request")
      await tx.delete(idempotencyKeys).where(and(
        eq(idempotencyKeys.environment, e.environment),
        inArray(idempotencyKeys.envelopeId, [e.id, ENVELOPES_SEVERAL]),
        gt(idempotencyKeys.expiresAt, tombstone.purgedAt),
        or(eq(idempotencyKeys.envelopeId, e.id), like(idempotencyKeys.responseBody, `%"${e.id}"%`)),
      ));
    await tx.delete(envelopes).where(eq(envelopes.id, e.id));
    await deleteAudit(tx, e.id);
    const docIds = docs.map((d) => d.id);
    const shared = docIds.length
      ? (await tx.select({ id: envelopeDocuments.documentId }).from(envelopeDocuments).where(inArray(envelopeDocuments.documentId, docIds))).map((r) => r.id)
      : [];
    const dropped = docIds.filter((id) => !shared.includes(id));
    if (dropped.length) await tx.update(documents).set({ deletedAt: tombstone.purgedAt }).where(and(inArray(documents.id, dropped), isNull(documents.deletedAt)));
    const gone: string[] = [];
    for (const sha of blobs) if (!(await fileNeeded(tx, sha))) gone.push(sha);
    return { tombstone, blobs: gone, dropped };
  });
  for (const id of dropped) forgetCachedDocument(deps, id);
  let removed = 0;
  // Asked again, alone against an upload of the same bytes that may have come since.
  for (const sha of blobs) if (await removeBlobUnlessNeeded(deps.db, deps.files, sha, (tx) => fileNeeded(tx, sha))) removed++;
  deps.log.info("envelope purged", { envelopeId: tombstone.envelopeId, reason: tombstone.reason, actor: tombstone.actor, files: removed });
  return tombstone;
}

/** Prepared once: it runs on every tick while retention is on. On the envelopes_ended index; `before` in ms, as stored. */
const dueForRetention = preparedPerDb((db) =>
  db.select({ id: envelopes.id, environment: envelopes.environment }).from(envelopes)
    .where(and(inArray(envelopes.status, [...ENDED]), lt(envelopes.endedAt, sql.placeholder("before") as never), or(isNull(envelopes.sealStatus), notInArray(envelopes.sealStatus, ["PENDING"]))))
    .limit(sql.placeholder("batch") as never).prepare());

/**
 * Retention (config.retention.days, 0 = off): envelopes ended more than that many days ago are
 * purged, a batch per tick, the write-ahead log emptied once after it. Returns how many.
 */
export async function purgeByRetention(deps: Deps, batch = 50): Promise<number> {
  const days = deps.config.retention.days;
  if (!days) return 0;
  const due = await dueForRetention(deps.db).execute({ before: deps.clock.now().getTime() - days * 86400_000, batch });
  for (const e of due) await eraseEnvelope(deps, { environment: e.environment, who: { actor: "system" }, envelopeId: e.id, reason: "retention" });
  if (due.length) await emptyLog(deps.db, deps.log);
  return due.length;
}
