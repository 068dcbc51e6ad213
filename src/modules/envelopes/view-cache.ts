import type { Deps } from "../../deps";
import { Recent } from "../../recent";
import type { Db } from "../../store/db";
import { dialectOf } from "../../store/dialect";
import { preparedPerDb } from "../../store/prepared";
import { committedReadMark } from "../../store/transaction";
import { generationReader } from "../../store/cache-generations";
import type { Page } from "../../store/paginate";
import { envelopeRows, type EnvelopeRow } from "./rows";
import { loadEnvelopesParts, publicEnvelope } from "./view";

/** Envelopes whose view a node keeps (~2 KB each). */
const MAX_VIEWS = 10_000;
/** List pages a node keeps as sent (~40 KB for 20 envelopes). */
const MAX_PAGES = 1_000;

type Key = Pick<EnvelopeRow, "id" | "revision">;
type ViewDeps = Pick<Deps, "db" | "config" | "secret">;

/** UTF-8 already: a page is the concatenation of its envelopes' bytes, with nothing to encode. */
interface CachedView { revision: number; json: Uint8Array }
/**
 * A page as sent, with what made it: its envelopes' ids and revisions, and whether more follow;
 * and the envelopes' generation it is known current at (SQLite), null if none.
 */
interface CachedPage { signature: string; generation: number | null; body: Blob }
const caches = new WeakMap<Db, { views: Recent<CachedView>; pages: Recent<CachedPage> }>();

function cacheOf(db: Db) {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { views: new Recent(MAX_VIEWS), pages: new Recent(MAX_PAGES) }));
  return cache;
}

/**
 * The API views (JSON, UTF-8, with signing links) of the envelopes `keys` that this node holds
 * for their current revision. An envelope's revision moves with every committed change of what
 * its view shows (migration 0011's triggers), and never comes back to a value it had, so a view
 * found for the revision a read gives is the view of that revision, on every node.
 */
export function cachedViews(db: Db, keys: readonly Key[]): Map<string, Uint8Array> {
  const { views } = cacheOf(db);
  const found = new Map<string, Uint8Array>();
  for (const { id, revision } of keys) {
    const hit = views.get(id);
    if (hit?.revision === revision) found.set(id, hit.json);
  }
  return found;
}

/**
 * Whether reads made since `before` (a committedReadMark) saw committed rows only, so that what
 * they built may be kept. Rows read between two statements of a transaction still open on
 * SQLite's shared connection are answered but not kept: rolled back, the revision those writes
 * carried comes back with other rows.
 */
const keepable = (db: Db, before: number | null) => before !== null && committedReadMark(db) === before;

/** The API views of the envelopes `ids` as JSON (UTF-8), by id, read from the database and kept. */
export async function buildViews(deps: ViewDeps, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
  const before = committedReadMark(deps.db);
  const rows = await envelopeRows(deps.db, ids);
  const built = new Map((await loadEnvelopesParts(deps.db, rows)).map((parts) => [parts.envelope.id, Buffer.from(JSON.stringify(publicEnvelope(deps, parts)))]));
  if (keepable(deps.db, before)) {
    const { views } = cacheOf(deps.db);
    for (const row of rows) views.set(row.id, { revision: row.revision, json: built.get(row.id)! });
  }
  return built;
}

const [OPEN, COMMA, CLOSE] = ['{"data":[', ",", '],"hasMore":'].map((t) => Buffer.from(t));

/** A page of views as the list's JSON: `{"data":[...],"hasMore":…}`, joined as bytes. */
function pageJson(views: readonly Uint8Array[], hasMore: boolean): Uint8Array {
  const parts: Uint8Array[] = [OPEN];
  views.forEach((v, i) => parts.push(...(i ? [COMMA, v] : [v])));
  parts.push(CLOSE, Buffer.from(`${hasMore}}`));
  return Buffer.concat(parts);
}

/**
 * The envelopes' generation (migration 0017 on SQLite): it moves in the transaction of every
 * insert, delete or revision move of an envelope, whichever connection or process writes, so
 * while it reads the same, no list page has changed. Read at every list (one point read), not
 * once a millisecond: a client lists right after its own change and must see it. PostgreSQL has
 * no such read (a node learns of another's commits later, by notification): null, and every
 * list runs its page query.
 */
const envelopesGeneration = preparedPerDb((db) => (dialectOf(db) === "postgres" ? () => null : generationReader(db, "envelopes")));

/**
 * A list page as JSON. The body kept for `query` is answered as it is (a Blob: sent without a
 * copy or a new buffer per request) while the envelopes' generation has not moved since it was
 * known current, with no page query; else the page `read` gives (ids and revisions) is compared
 * with what made the kept body, and a page that changed is joined from the envelopes' views
 * (cachedViews, buildViews). Only what committed reads built is kept (keepable), under the
 * generation read before them, so never under a generation newer than what it shows. A kept page
 * shows a committed state: while a transaction is open, it is answered only if the generation
 * read there is its own, i.e. the transaction has changed no envelope.
 */
export async function pageBody(deps: ViewDeps, query: string, read: () => Promise<Page<Key>>): Promise<Blob> {
  const before = committedReadMark(deps.db);
  const generation = envelopesGeneration(deps.db)();
  const { pages } = cacheOf(deps.db);
  const kept = pages.get(query);
  if (generation !== null && kept?.generation === generation) return kept.body;
  const page = await read();
  const signature = page.data.reduce((s, k) => `${s}${k.id}:${k.revision},`, page.hasMore ? "+" : "-");
  if (kept?.signature === signature) {
    if (keepable(deps.db, before)) kept.generation = generation;
    return kept.body;
  }
  const views = cachedViews(deps.db, page.data);
  const missing = page.data.filter((k) => !views.has(k.id)).map((k) => k.id);
  if (missing.length) for (const [id, json] of await buildViews(deps, missing)) views.set(id, json);
  // An envelope purged between the page and its view (another node) is left out.
  const data = page.data.flatMap((k) => views.get(k.id) ?? []);
  const body = new Blob([pageJson(data, page.hasMore) as Uint8Array<ArrayBuffer>]);
  if (data.length === page.data.length && keepable(deps.db, before)) pages.set(query, { signature, generation, body });
  return body;
}
