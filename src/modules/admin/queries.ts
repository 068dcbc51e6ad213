/** What the console reads that the public API does not: search, counts, failures. */
import { and, desc, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../../store/db";
import { envelopes, jobs, recipients, webhooks, type Environment, type EnvelopeStatus } from "../../store/schema";
import { paginate } from "../../store/paginate";

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, "\\$&")}%`;

/** Envelopes by subject, recipient name or e-mail, or metadata (case-insensitive substring), newest first. */
export function searchEnvelopes(db: Db, environment: Environment, opts: { q?: string; status?: EnvelopeStatus; startingAfter?: string; limit?: number }) {
  const q = opts.q?.trim();
  const p = q ? likePattern(q) : null;
  const where = and(
    opts.status ? eq(envelopes.status, opts.status) : undefined,
    p ? or(
      sql`${envelopes.subject} LIKE ${p} ESCAPE '\\'`,
      sql`${envelopes.metadata} LIKE ${p} ESCAPE '\\'`,
      sql`EXISTS (SELECT 1 FROM ${recipients} WHERE ${recipients.envelopeId} = ${envelopes.id} AND (${recipients.email} LIKE ${p} ESCAPE '\\' OR ${recipients.name} LIKE ${p} ESCAPE '\\'))`,
    ) : undefined,
  );
  const page = paginate(db, envelopes, { environment, limit: opts.limit ?? 50, startingAfter: opts.startingAfter, where });
  const ids = page.data.map((e) => e.id);
  const people = ids.length ? db.select().from(recipients).where(inArray(recipients.envelopeId, ids)).orderBy(recipients.position).all() : [];
  return { ...page, data: page.data.map((e) => ({ envelope: e, recipients: people.filter((r) => r.envelopeId === e.id) })) };
}

/** Envelopes created since `since`, by status. */
export function envelopeCounts(db: Db, environment: Environment, since: Date): Partial<Record<EnvelopeStatus, number>> {
  const rows = db.select({ status: envelopes.status, n: sql<number>`count(*)` }).from(envelopes)
    .where(and(eq(envelopes.environment, environment), gte(envelopes.createdAt, since))).groupBy(envelopes.status).all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** E-mail and SMS deliveries that failed for good, newest first, with their recipient and envelope. */
export function failedMessages(db: Db, environment: Environment) {
  return db.select({ job: jobs, recipient: recipients, envelope: { id: envelopes.id, subject: envelopes.subject } }).from(jobs)
    .innerJoin(recipients, eq(recipients.id, sql`json_extract(${jobs.payload}, '$.recipientId')`))
    .innerJoin(envelopes, eq(envelopes.id, recipients.envelopeId))
    .where(and(eq(jobs.kind, "deliver_message"), eq(jobs.status, "failed"), eq(envelopes.environment, environment)))
    .orderBy(desc(jobs.updatedAt)).limit(200).all();
}

export const failedSeals = (db: Db, environment: Environment) =>
  db.select().from(envelopes).where(and(eq(envelopes.environment, environment), eq(envelopes.sealStatus, "FAILED"))).orderBy(desc(envelopes.updatedAt)).all();

export const disabledWebhooks = (db: Db, environment: Environment) =>
  db.select().from(webhooks).where(and(eq(webhooks.environment, environment), eq(webhooks.enabled, false), isNull(webhooks.deletedAt))).all();
