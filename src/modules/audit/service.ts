import { and, asc, eq, sql } from "drizzle-orm";
import type { Clock } from "../../clock";
import type { Tx } from "../../store/db";
import { affectedRows, idsParam, inIds, lockingRows } from "../../store/portable-sql";
import { preparedPerSession } from "../../store/prepared";
import { auditEvents, envelopes } from "../../store/schema";
import { eventHash, GENESIS_HASH, verifyChain, type ChainCheck } from "./chain";

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

/** An envelope's chain head: the seq and hash of its last event. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface AuditInput {
  envelopeId: string;
  type: AuditType;
  /** "api:key_…", "recipient:rcp_… <email>", "system". */
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
  data?: Record<string, unknown> | null;
}

const statements = preparedPerSession((tx) => {
  const ph = sql.placeholder;
  return {
    head: tx.select({ seq: envelopes.auditSeq, hash: envelopes.auditHead }).from(envelopes).where(eq(envelopes.id, ph("id"))).prepare(),
    // The head an append continues from, its row locked (PostgreSQL): a read-committed append
    // waits for another one in flight, then reads the head that one moved, instead of forking.
    lockedHead: lockingRows(tx, tx.select({ seq: envelopes.auditSeq, hash: envelopes.auditHead }).from(envelopes).where(eq(envelopes.id, ph("id")))).prepare(),
    insert: tx.insert(auditEvents).values({
      envelopeId: ph("envelopeId"), seq: ph("seq"), type: ph("type"), at: ph("at"), actor: ph("actor"), ip: ph("ip"),
      userAgent: ph("userAgent"), data: sql`${ph("data")}`, prevHash: ph("prevHash"), hash: ph("hash"),
    } as any).prepare(),
    // Compare-and-set on the head: two appends that read the same head cannot both record theirs.
    // Moves the revision itself: the envelope's trigger would otherwise update the row a second time.
    advance: tx.update(envelopes).set({ auditSeq: ph("seq") as any, auditHead: ph("hash") as any, revision: sql`${envelopes.revision} + 1` })
      .where(and(eq(envelopes.id, ph("id")), eq(envelopes.auditSeq, ph("prevSeq")))).prepare(),
    // The last `last` events of each envelope in `ids` (a JSON array): a range of the primary key per envelope.
    // With the head as of the same statement: an append committing between two reads cannot make a chain look broken.
    tails: tx.select({ envelopeId: auditEvents.envelopeId, seq: auditEvents.seq, type: auditEvents.type, at: auditEvents.at, actor: auditEvents.actor, prevHash: auditEvents.prevHash, hash: auditEvents.hash, headSeq: envelopes.auditSeq, headHash: envelopes.auditHead })
      .from(envelopes).innerJoin(auditEvents, and(eq(auditEvents.envelopeId, envelopes.id), sql`${auditEvents.seq} > ${envelopes.auditSeq} - ${ph("last")}`))
      .where(inIds(tx, envelopes.id))
      .orderBy(auditEvents.envelopeId, auditEvents.seq).prepare(),
  };
});

/**
 * Appends one event to the envelope's hash chain, in the caller's transaction (store/transaction.ts
 * transaction(): on SQLite it holds the write lock from its start, so two appends cannot race;
 * on PostgreSQL the head's row is read locked, so they run one after the other whatever the
 * isolation; the compare-and-set on the head and the primary key (envelope_id, seq) refuse a fork anyway,
 * the loser throwing). The chain continues from the
 * head recorded on the envelope, which is moved to the new event in the same transaction.
 * Returns the stored row.
 */
export async function appendAudit(tx: Tx, clock: Clock, e: AuditInput): Promise<AuditEvent> {
  const q = statements(tx);
  const [last] = await q.lockedHead.execute({ id: e.envelopeId });
  if (!last) throw new Error(`audit event for an envelope that does not exist: ${e.envelopeId}`);
  const event = chainedEvent(last, clock.now(), e);
  await insertEvent(tx, event);
  if (affectedRows(await q.advance.execute({ id: e.envelopeId, seq: event.row.seq, hash: event.row.hash, prevSeq: last.seq })) !== 1)
    throw new Error(`audit chain of ${e.envelopeId} moved during an append`);
  return event.row;
}

/** An event made to follow a head, not yet written: its row, and its data as the JSON text stored. */
export interface ChainedAuditEvent {
  row: AuditEvent;
  dataJson: string | null;
}

/** The chain's start, before any event: what a new envelope's first event follows. */
export const CHAIN_START: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The event that follows `last` in its envelope's chain, at `at`, hashed. */
export function chainedEvent(last: ChainHead, at: Date, e: AuditInput): ChainedAuditEvent {
  const dataJson = e.data == null ? null : JSON.stringify(e.data);
  // Parsed back, so the hashed value is exactly what the column will give back.
  const data = dataJson === null ? null : (JSON.parse(dataJson) as Record<string, unknown>);
  const body = { envelopeId: e.envelopeId, seq: last.seq + 1, type: e.type, at, actor: e.actor, ip: e.ip ?? null, userAgent: e.userAgent ?? null, data };
  return { row: { ...body, prevHash: last.hash, hash: eventHash(last.hash, body) }, dataJson };
}

/**
 * Writes a chained event without moving the head recorded on its envelope. appendAudit moves it
 * next; a creation inserts its envelope with its first event's head already, and writes that
 * event last (create-envelope.ts).
 */
export async function insertEvent(tx: Tx, { row, dataJson }: ChainedAuditEvent): Promise<void> {
  await statements(tx).insert.execute({ ...row, data: dataJson });
}

/** Every event of an envelope, oldest first. */
export async function listAudit(tx: Tx, envelopeId: string): Promise<AuditEvent[]> {
  return tx.select().from(auditEvents).where(eq(auditEvents.envelopeId, envelopeId)).orderBy(asc(auditEvents.seq));
}

/**
 * The whole chain verified, every hash recomputed, and its end compared with the head recorded
 * by the last append (so a removed tail shows too): what the audit-trail PDF reports.
 */
export async function verifyEnvelopeChain(tx: Tx, envelopeId: string): Promise<{ events: AuditEvent[]; chain: ChainCheck }> {
  const events = await listAudit(tx, envelopeId);
  const chain = verifyChain(events);
  const [recorded] = await statements(tx).head.execute({ id: envelopeId });
  if (chain.valid && recorded && (recorded.seq !== chain.count || recorded.hash !== chain.head))
    return { events, chain: { ...chain, valid: false, brokenAt: chain.count + 1, reason: `the chain ends at event ${chain.count} but its recorded head is event ${recorded.seq}` } };
  return { events, chain };
}

/**
 * Removes an envelope's chain, in the caller's transaction: only for a DRAFT being deleted
 * (nothing has been sent, so there is no evidence to keep). Audit events are otherwise never
 * changed.
 */
export async function deleteAudit(tx: Tx, envelopeId: string): Promise<void> {
  await tx.delete(auditEvents).where(eq(auditEvents.envelopeId, envelopeId));
}

export interface AuditSummary {
  count: number;
  head: string;
  valid: boolean;
  events: { seq: number; type: string; at: string; actor: string }[];
}

/** The recorded head of an envelope (envelopes.audit_seq / audit_head). */
export interface RecordedHead {
  id: string;
  auditSeq: number;
  auditHead: string;
}

/**
 * What GET /envelopes shows of each envelope's chain, for a page of envelopes in one query:
 * the recorded head, the last few events, and whether that tail holds (consecutive, linked by
 * prevHash, ending at the recorded head). No hash is recomputed here: that is the full check
 * of verifyEnvelopeChain, done for the audit-trail PDF (docs/decisions.md).
 */
export async function auditSummaries(tx: Tx, heads: readonly RecordedHead[], last = 5): Promise<Map<string, AuditSummary>> {
  const out = new Map<string, AuditSummary>();
  if (!heads.length) return out;
  const tails = new Map<string, { seq: number; type: string; at: Date; actor: string; prevHash: string; hash: string; headSeq: number; headHash: string }[]>();
  for (const row of await statements(tx).tails.execute({ ...idsParam(heads.map((h) => h.id)), last })) {
    let list = tails.get(row.envelopeId);
    if (!list) tails.set(row.envelopeId, (list = []));
    list.push(row);
  }
  for (const recorded of heads) {
    const tail = tails.get(recorded.id) ?? [];
    out.set(recorded.id, auditSummary(tail.length ? { auditSeq: tail[0]!.headSeq, auditHead: tail[0]!.headHash } : recorded, tail, last));
  }
  return out;
}

type TailEvent = Pick<AuditEvent, "seq" | "type" | "at" | "actor" | "prevHash" | "hash">;

/**
 * The summary of a chain from its recorded head and its last `last` events, oldest first: valid
 * when that tail is consecutive, linked by prevHash and ends at the head. A creation makes it
 * from the one event it appended.
 */
export function auditSummary(h: Pick<RecordedHead, "auditSeq" | "auditHead">, tail: readonly TailEvent[], last = 5): AuditSummary {
  let valid = tail.length === Math.min(h.auditSeq, last) && (tail.at(-1)?.hash ?? GENESIS_HASH) === h.auditHead;
  for (let i = 0; valid && i < tail.length; i++) {
    const e = tail[i]!;
    valid = e.seq === h.auditSeq - tail.length + 1 + i && (i === 0 ? e.seq > 1 || e.prevHash === GENESIS_HASH : e.prevHash === tail[i - 1]!.hash);
  }
  return { count: h.auditSeq, head: h.auditHead, valid, events: tail.map((e) => ({ seq: e.seq, type: e.type, at: e.at.toISOString(), actor: e.actor })) };
}
