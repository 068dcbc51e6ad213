import type { Logger } from "../log";
import type { SharedBuckets } from "../http/rate-limit";
import { postgresClient, type Db } from "./db";

/** How often each node reconciles its buckets with the shared ones. */
const EVERY_MS = 250;

/**
 * The rate limit's buckets shared through PostgreSQL (table rate_buckets, a PostgreSQL-only
 * table: one SQLite file is one node). One statement per interval adds what this node took from
 * each key, refilled for the time elapsed, and answers each key's count after it.
 */
export function sharedRateBuckets(db: Db, limits: { burst: number; perMinute: number }, log: Logger): SharedBuckets {
  const client = postgresClient(db);
  const perMs = limits.perMinute / 60_000;
  let lastPrune = 0;
  return {
    everyMs: EVERY_MS,
    async reconcile(taken, now) {
      const rows = JSON.stringify([...taken].map(([key, n]) => ({ key, n })));
      const result = await client`
        INSERT INTO rate_buckets (key, tokens, at)
        SELECT key, ${limits.burst}::float8 - n, ${now}::bigint FROM json_to_recordset(${rows}::text::json) AS t(key text, n float8)
        ON CONFLICT (key) DO UPDATE SET
          tokens = least(${limits.burst}::float8, rate_buckets.tokens + (excluded.at - rate_buckets.at) * ${perMs}::float8)
                   - (${limits.burst}::float8 - excluded.tokens),
          at = excluded.at
        RETURNING key, tokens`;
      // Rows of keys quiet long enough to be full again hold nothing: dropped once a minute.
      if (now - lastPrune > 60_000) {
        lastPrune = now;
        await client`DELETE FROM rate_buckets WHERE at < ${now - Math.ceil(limits.burst / perMs)}::bigint`;
      }
      return new Map(result.map((r: { key: string; tokens: number }) => [r.key, Number(r.tokens)]));
    },
    onError: (e) => log.warn("rate limit: shared buckets not reconciled (each node limits alone meanwhile)", { error: (e as Error).message }),
  };
}
