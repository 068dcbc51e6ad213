import { and, eq, lt, lte } from "drizzle-orm";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import { periodicDeletion } from "../jobs/periodic-deletion";
import { sha256Hex } from "../ids";
import type { Db } from "../store/db";
import { affectedRows, firstRow } from "../store/portable-sql";
import { transaction } from "../store/transaction";
import { ENVELOPES_SEVERAL, idempotencyKeys, type Environment } from "../store/schema";

/** Replies that are not kept: the work did not run, so a retry must be allowed to run it. */
const NOT_KEPT = new Set([401, 409, 429]);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Shown once, never stored: a replay answers them as null (GET the envelope for signUrls). */
const SECRET_FIELDS = new Set(["key", "secret", "signUrl"]);

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELDS.has(k) && typeof v === "string" ? null : withoutSecrets(v)]));
  return value;
}

/** What a stored reply may hold: the body with its secrets blanked. */
function storable(text: string, contentType: string | null): string {
  if (!contentType?.includes("json")) return text;
  try {
    return JSON.stringify(withoutSecrets(JSON.parse(text)));
  } catch {
    return text;
  }
}

/** Every envelope id a stored reply names: a JSON string starting "env_", as the erasure's LIKE matches it. */
const ENVELOPE_ID = /"(env_[^"\\]+)"/g;

/** The envelope a reply names, for an erasure to find the reply by (idempotency_keys.envelope_id). */
export function envelopeNamedIn(body: string): string | null {
  const ids = new Set(Array.from(body.matchAll(ENVELOPE_ID), (m) => m[1]!));
  if (ids.size > 1) return ENVELOPES_SEVERAL;
  return ids.values().next().value ?? null;
}

/**
 * What makes two requests "the same": method, path, and the body's meaning. A multipart body
 * is compared by its fields and files, not its bytes: a client that retries rebuilds the form
 * with a new boundary.
 */
async function fingerprintOf(req: Request, body: Uint8Array): Promise<string> {
  const url = new URL(req.url);
  const type = req.headers.get("content-type") ?? "";
  let content = `${type}\n${sha256Hex(body)}`;
  if (type.startsWith("multipart/form-data")) {
    const form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { "content-type": type } }).formData().catch(() => null);
    if (form) {
      const parts: string[] = [];
      for (const [name, value] of form)
        parts.push(typeof value === "string" ? `${name}=${value}` : `${name}=file:${value.name}:${sha256Hex(new Uint8Array(await value.arrayBuffer()))}`);
      content = `multipart\n${parts.join("\n")}`;
    }
  }
  return sha256Hex(`${req.method} ${url.pathname}${url.search}\n${content}`);
}

/** Expired replies deleted per statement: short enough that other requests wait milliseconds at most. */
export const PURGE_BATCH = 1000;

/** Claims of a key tried within one request: each lost one means another request claimed it and gave it up meanwhile. */
const MAX_CLAIMS = 3;

/**
 * Stripe-style Idempotency-Key for POST: the first completed response is stored per
 * environment and key and replayed for a retry of the same request; the same key with
 * another request is refused (422), a retry while the first still runs gets 409.
 */
export function createIdempotency(db: Db, clock: Clock, ttlHours: number) {
  const ttlMs = ttlHours * 3_600_000;
  return {
    async run(environment: Environment, key: string, req: Request, body: Uint8Array, handle: () => Promise<Response>): Promise<Response> {
      if (!KEY_FORMAT.test(key)) throw new AppError("bad_request", "Idempotency-Key must be 1 to 255 visible ASCII characters");
      const fingerprint = await fingerprintOf(req, body);
      const now = clock.now();
      const where = and(eq(idempotencyKeys.environment, environment), eq(idempotencyKeys.key, key));

      // Read committed on PostgreSQL, beside the other requests: another node's claim of the key
      // between the read and the insert makes the insert wait for it and insert nothing, and its
      // row is then read and answered like one found at once (409 while it runs). A claim that
      // its failed request removed meanwhile leaves nothing to read: the key is claimed again.
      const claimed = await transaction(db, async (tx) => {
        await tx.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.expiresAt, now)));
        for (let attempt = 0; attempt < MAX_CLAIMS; attempt++) {
          const existing = await firstRow(tx.select().from(idempotencyKeys).where(where));
          if (existing) return existing;
          const inserted = affectedRows(await tx.insert(idempotencyKeys).values({
            environment, key, fingerprint, status: "running", createdAt: now, expiresAt: new Date(now.getTime() + ttlMs),
          }).onConflictDoNothing());
          if (inserted) return null;
        }
        throw new AppError("idempotency_in_progress", "A request with this Idempotency-Key is still in progress; retry later");
      }, { isolation: "read committed" });

      if (claimed) {
        if (claimed.fingerprint !== fingerprint)
          throw new AppError("idempotency_key_reused", "This Idempotency-Key was used with a different request");
        if (claimed.status === "running")
          throw new AppError("idempotency_in_progress", "A request with this Idempotency-Key is still in progress; retry later");
        return new Response(claimed.responseBody, {
          status: claimed.responseStatus!,
          headers: { ...claimed.responseHeaders, "idempotent-replayed": "true" },
        });
      }

      let res: Response;
      try {
        res = await handle();
      } catch (e) {
        await db.delete(idempotencyKeys).where(where);
        throw e;
      }
      if (res.status >= 500 || NOT_KEPT.has(res.status)) {
        await db.delete(idempotencyKeys).where(where);
        return res;
      }
      const text = await res.text();
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "location", "link"]) {
        const v = res.headers.get(name);
        if (v) headers[name] = v;
      }
      const responseBody = storable(text, headers["content-type"] ?? null);
      await db.update(idempotencyKeys).set({ status: "done", responseStatus: res.status, responseHeaders: headers, responseBody, envelopeId: envelopeNamedIn(responseBody) }).where(where);
      return new Response(text, { status: res.status, headers: res.headers });
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;

/**
 * Deletes replies past their 24 h on the job runner's tick, PURGE_BATCH at a time (the oldest, up
 * to the expiry of the last of them, so ties on that instant go too), as the other periodic
 * deletions do. One statement for all of them held the event loop 55 ms at 20,000 and 590 ms at
 * 100,000 (a day of keyed requests after a bulk import).
 */
export const expiredRepliesPurge = () =>
  periodicDeletion((_config, now) => now, PURGE_BATCH, async (deps, before) => {
    const expired = lt(idempotencyKeys.expiresAt, new Date(before));
    const [last] = await deps.db.select({ at: idempotencyKeys.expiresAt }).from(idempotencyKeys).where(expired)
      .orderBy(idempotencyKeys.expiresAt).limit(1).offset(PURGE_BATCH - 1);
    return transaction(deps.db, async (tx) => affectedRows(await tx.delete(idempotencyKeys).where(and(expired, last && lte(idempotencyKeys.expiresAt, last.at)))));
  });
