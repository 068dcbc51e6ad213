import type { Deps } from "../../deps";
import { committedReadMark, type Db } from "../../store/db";
import { envelopeRows, type EnvelopeRow } from "./rows";
import { loadEnvelopesParts, publicEnvelope } from "./view";

/** Envelopes whose view a node keeps (~2 KB each). */
const MAX_VIEWS = 10_000;

/** UTF-8 already: a page is the concatenation of its envelopes' bytes, with nothing to encode. */
interface CachedView { revision: number; json: Uint8Array }
const caches = new WeakMap<Db, Map<string, CachedView>>();

function cacheOf(db: Db): Map<string, CachedView> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/**
 * The API views (JSON, UTF-8, with signing links) of the envelopes `keys` that this node holds
 * for their current revision. An envelope's revision moves with every committed change of what
 * its view shows (migration 0011's triggers), and never comes back to a value it had, so a view
 * found for the revision a read gives is the view of that revision, on every node.
 */
export function cachedViews(db: Db, keys: readonly Pick<EnvelopeRow, "id" | "revision">[]): Map<string, Uint8Array> {
  const cache = cacheOf(db);
  const found = new Map<string, Uint8Array>();
  for (const { id, revision } of keys) {
    const hit = cache.get(id);
    if (hit?.revision !== revision) continue;
    // Least recently used goes first: a hit moves to the end.
    cache.delete(id);
    cache.set(id, hit);
    found.set(id, hit.json);
  }
  return found;
}

/** The API views of the envelopes `ids` as JSON (UTF-8), by id, read from the database and kept. */
export async function buildViews(deps: Pick<Deps, "db" | "config" | "secret">, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
  // Rows that may include a transaction's writes before its end (SQLite's shared connection) are
  // answered but not kept: rolled back, the revision those writes carried comes back with other rows.
  const before = committedReadMark(deps.db);
  const rows = await envelopeRows(deps.db, ids);
  const views = new Map((await loadEnvelopesParts(deps.db, rows)).map((parts) => [parts.envelope.id, Buffer.from(JSON.stringify(publicEnvelope(deps, parts)))]));
  if (before !== null && committedReadMark(deps.db) === before) {
    const cache = cacheOf(deps.db);
    for (const row of rows) {
      cache.delete(row.id);
      cache.set(row.id, { revision: row.revision, json: views.get(row.id)! });
    }
    for (const id of cache.keys()) {
      if (cache.size <= MAX_VIEWS) break;
      cache.delete(id);
    }
  }
  return views;
}

const [OPEN, COMMA, CLOSE] = ['{"data":[', ",", '],"hasMore":'].map((t) => Buffer.from(t));

/** A page of views as the list's JSON: `{"data":[...],"hasMore":…}`, joined as bytes. */
export function pageJson(views: readonly Uint8Array[], hasMore: boolean): Uint8Array {
  const parts: Uint8Array[] = [OPEN];
  views.forEach((v, i) => parts.push(...(i ? [COMMA, v] : [v])));
  parts.push(CLOSE, Buffer.from(`${hasMore}}`));
  return Buffer.concat(parts);
}
