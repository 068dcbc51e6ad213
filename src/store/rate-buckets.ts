import type { Logger } from "../log";
import type { SharedBuckets } from "../http/rate-limit";
import type { Db } from "./db";
import { postgresClient } from "./dialect";

/** How often each node reconciles its buckets with the shared ones. */
const EVERY_MS = 250;

/**
 * The rate limit's buckets shared through PostgreSQL (table rate_buckets, a PostgreSQL-only
 * table: one SQLite file is one node). One statement per interval adds what this node took from
 * each key, refilled for the time elapsed, and answers every bucket changed since this node
 * last looked (by any node), so a node also learns of keys it has not served yet.
 */
export function sharedRateBuckets(db: Db, limits: { burst: number; perMinute: number }, log: Logger): SharedBuckets {
  const client = postgresClient(db);
  const perMs = limits.perMinute / 60_000;
  let seen = 0;
  let lastPrune = 0;
  return {
    everyMs: EVERY_MS,
    async reconcile(taken, now) {
      const rows = JSON.stringify([...taken].map(([key, n]) => ({ key, n })));
      const result = await client`
        WITH mine AS (
          INSERT INTO rate_buckets (key, tokens, at)
          SELECT key, ${limits.burst}::float8 - n, ${now}::bigint FROM json_to_recordset(${rows}::text::json) AS t(key text, n float8)
          ON CONFLICT (key) DO UPDATE SET
            tokens = least(${limits.burst}::float8, rate_buckets.tokens + greatest(0, excluded.at - rate_buckets.at) * ${perMs}::float8)
                     - (${limits.burst}::float8 - excluded.tokens),
            at = excluded.at,
            version = nextval('rate_buckets_version')
          RETURNING key, tokens, at, version)
        SELECT key, tokens, at, version FROM mine
        UNION ALL
        SELECT key, tokens, at, version FROM rate_buckets WHERE version > ${seen}::bigint AND key NOT IN (SELECT key FROM mine)`;
      const out = new Map<string, number>();
      for (const r of result as { key: string; tokens: number; at: string; version: string }[]) {
        seen = Math.max(seen, Number(r.version));
        // Refilled up to now: another node's row may have been written a while ago.
        out.set(r.key, Math.min(limits.burst, Number(r.tokens) + Math.max(0, now - Number(r.at)) * perMs));
      }
      // Rows of keys quiet long enough to be full again hold nothing: dropped once a minute.
      if (now - lastPrune > 60_000) {
        lastPrune = now;
        await client`DELETE FROM rate_buckets WHERE at < ${now - Math.ceil(limits.burst / perMs)}::bigint`;
      }
      return out;
    },
    onError: (e) => log.warn("rate limit: shared buckets not reconciled (each node limits alone meanwhile)", { error: (e as Error).message }),
  };
}
