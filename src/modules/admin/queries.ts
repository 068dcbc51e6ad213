/** What the console reads that the public API does not: search, counts, failures. */
import { and, desc, eq, gte, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../store/db";
import { foldForSearch, jsonText, likeFolded } from "../../store/portable-sql";
import { envelopes, jobs, recipients, webhooks, type Environment, type EnvelopeStatus } from "../../store/schema";
import { envelopePages } from "../envelopes/list-envelopes";

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, "\\$&")}%`;

/** Envelopes a search reads between two turns of the event loop (see searchEnvelopes). */
export const SEARCH_CHUNK = 10_000;

/**
 * The last envelope of the next `chunk` (newest first) below `after` (an id; from the newest
 * without one), through the (environment, created_at, id) index alone; undefined when fewer remain.
 */
const chunkEnd = async (db: Db, environment: Environment, after: string | undefined, chunk: number) =>
  (await db.select({ id: envelopes.id, createdAt: sql<number>`${envelopes.createdAt}` }).from(envelopes)
    .where(and(
      eq(envelopes.environment, environment),
      after === undefined ? undefined : sql`(${envelopes.createdAt}, ${envelopes.id}) < (SELECT ${envelopes.createdAt}, ${envelopes.id} FROM ${envelopes} WHERE ${envelopes.id} = ${after})`,
    ))
    .orderBy(desc(envelopes.createdAt), desc(envelopes.id)).limit(1).offset(chunk - 1))[0];

/**
 * Envelopes by subject, recipient name or e-mail, or metadata (a substring, ignoring case and
 * accents), newest first. A substring matches through no index, so a search reads envelopes until
 * it has a page: all of them when nothing matches (~2 s at a million on SQLite, 1.4 s before
 * accents were folded), which would hold the event loop, and every request with it, that long.
 * It reads them `chunk` at a time, yielding to the event loop between chunks; the page is the same.
 */
export async function searchEnvelopes(db: Db, environment: Environment, opts: { q?: string; status?: EnvelopeStatus; startingAfter?: string; limit?: number; chunk?: number }) {
  const q = opts.q?.trim();
  const limit = opts.limit ?? 50;
  const query = (after: string | undefined, size: number, search?: SQL) =>
    envelopePages.page(db, { owner: environment, limit: size, startingAfter: after, filters: { status: opts.status } }, search);
  let page: Awaited<ReturnType<typeof query>>;
  if (!q) page = await query(opts.startingAfter, limit);
  else {
    // Folded on both sides (case and accents): the term is folded here, each column in the database.
    const p = likePattern(foldForSearch(q));
    const like = (column: SQLiteColumn) => likeFolded(db, column, p);
    const search = or(
      like(envelopes.subject),
      like(envelopes.metadata),
      sql`EXISTS (SELECT 1 FROM ${recipients} WHERE ${recipients.envelopeId} = ${envelopes.id} AND (${like(recipients.email)} OR ${like(recipients.name)}))`,
    );
    const found: typeof page.data = [];
    for (let after = opts.startingAfter; ;) {
      const end = await chunkEnd(db, environment, after, opts.chunk ?? SEARCH_CHUNK);
      const part = await query(after, limit - found.length, and(search, end && sql`(${envelopes.createdAt}, ${envelopes.id}) >= (${end.createdAt}, ${end.id})`));
      found.push(...part.data);
      if (part.hasMore || !end) {
        page = { data: found, hasMore: part.hasMore };
        break;
      }
      after = end.id;
      await new Promise((next) => setImmediate(next));
    }
  }
  const ids = page.data.map((e) => e.id);
  const people = ids.length ? await db.select().from(recipients).where(inArray(recipients.envelopeId, ids)).orderBy(recipients.position) : [];
  return { ...page, data: page.data.map((e) => ({ envelope: e, recipients: people.filter((r) => r.envelopeId === e.id) })) };
}

/** Whether an environment holds any envelope. */
export const hasEnvelopes = async (db: Db, environment: Environment) =>
  (await db.select({ id: envelopes.id }).from(envelopes).where(eq(envelopes.environment, environment)).limit(1)).length > 0;

/** Envelopes created since `since`, by status. */
export async function envelopeCounts(db: Db, environment: Environment, since: Date): Promise<Partial<Record<EnvelopeStatus, number>>> {
  const rows = await db.select({ status: envelopes.status, n: sql<number>`count(*)`.mapWith(Number) }).from(envelopes)
    .where(and(eq(envelopes.environment, environment), gte(envelopes.createdAt, since))).groupBy(envelopes.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** How many failures of each kind the console lists, newest first; the dashboard counts them all. */
export const FAILURES_SHOWN = 200;

/** E-mail and SMS deliveries that failed for good, of an environment's envelopes (a job's payload names its recipient). */
const failedMessage = (db: Db, environment: Environment) => ({
  recipient: eq(recipients.id, jsonText(db, jobs.payload, ["recipientId"])),
  envelope: eq(envelopes.id, recipients.envelopeId),
  where: and(eq(jobs.kind, "deliver_message"), eq(jobs.status, "failed"), eq(envelopes.environment, environment)),
});
/** Stated as the envelopes_seal_failed index states it: it holds only these rows. */
const failedSeal = (environment: Environment) => and(eq(envelopes.environment, environment), sql`${envelopes.sealStatus} = 'FAILED'`);

/** The latest FAILURES_SHOWN failed deliveries, with their recipient and envelope. */
export async function failedMessages(db: Db, environment: Environment) {
  const f = failedMessage(db, environment);
  return await db.select({ job: jobs, recipient: recipients, envelope: { id: envelopes.id, subject: envelopes.subject } }).from(jobs)
    .innerJoin(recipients, f.recipient).innerJoin(envelopes, f.envelope).where(f.where)
    .orderBy(desc(jobs.updatedAt)).limit(FAILURES_SHOWN);
}

/** The latest FAILURES_SHOWN envelopes whose seal failed. */
export const failedSeals = async (db: Db, environment: Environment) =>
  await db.select().from(envelopes).where(failedSeal(environment)).orderBy(desc(envelopes.updatedAt)).limit(FAILURES_SHOWN);

/** The jobs of every failed delivery, oldest first (for "Retry all"). */
export async function allFailedMessageIds(db: Db, environment: Environment): Promise<string[]> {
  const f = failedMessage(db, environment);
  return (await db.select({ id: jobs.id }).from(jobs).innerJoin(recipients, f.recipient).innerJoin(envelopes, f.envelope).where(f.where).orderBy(jobs.updatedAt)).map((r) => r.id);
}

/** Every envelope whose seal failed, oldest first (for "Retry all"). */
export const allFailedSealIds = async (db: Db, environment: Environment): Promise<string[]> =>
  (await db.select({ id: envelopes.id }).from(envelopes).where(failedSeal(environment)).orderBy(envelopes.updatedAt)).map((r) => r.id);

/** How many deliveries and seals failed, all of them (the lists stop at FAILURES_SHOWN). */
export async function failureCounts(db: Db, environment: Environment): Promise<{ messages: number; seals: number }> {
  const f = failedMessage(db, environment);
  const n = sql<number>`count(*)`.mapWith(Number);
  const [messages] = await db.select({ n }).from(jobs).innerJoin(recipients, f.recipient).innerJoin(envelopes, f.envelope).where(f.where);
  const [seals] = await db.select({ n }).from(envelopes).where(failedSeal(environment));
  return { messages: messages?.n ?? 0, seals: seals?.n ?? 0 };
}

export const disabledWebhooks = async (db: Db, environment: Environment) =>
  await db.select().from(webhooks).where(and(eq(webhooks.environment, environment), eq(webhooks.enabled, false), isNull(webhooks.deletedAt)));
