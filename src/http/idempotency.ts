import { and, eq, lt } from "drizzle-orm";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import { sha256Hex } from "../ids";
import type { Db } from "../store/db";
import { idempotencyKeys, type Environment } from "../store/schema";

/** Replies that are not kept: the work did not run, so a retry must be allowed to run it. */
const NOT_KEPT = new Set([401, 409, 429]);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

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
      const url = new URL(req.url);
      const fingerprint = sha256Hex(`${req.method} ${url.pathname}${url.search}\n${req.headers.get("content-type") ?? ""}\n${sha256Hex(body)}`);
      const now = clock.now();
      const where = and(eq(idempotencyKeys.environment, environment), eq(idempotencyKeys.key, key));

      const claimed = db.transaction((tx) => {
        tx.delete(idempotencyKeys).where(and(where, lt(idempotencyKeys.expiresAt, now))).run();
        const existing = tx.select().from(idempotencyKeys).where(where).get();
        if (existing) return existing;
        tx.insert(idempotencyKeys).values({
          environment, key, fingerprint, status: "running", createdAt: now, expiresAt: new Date(now.getTime() + ttlMs),
        }).run();
        return null;
      }, { behavior: "immediate" });

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
        db.delete(idempotencyKeys).where(where).run();
        throw e;
      }
      if (res.status >= 500 || NOT_KEPT.has(res.status)) {
        db.delete(idempotencyKeys).where(where).run();
        return res;
      }
      const text = await res.text();
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "location"]) {
        const v = res.headers.get(name);
        if (v) headers[name] = v;
      }
      db.update(idempotencyKeys).set({ status: "done", responseStatus: res.status, responseHeaders: headers, responseBody: text }).where(where).run();
      return new Response(text, { status: res.status, headers: res.headers });
    },
    purgeExpired() {
      db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, clock.now())).run();
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
