import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { AppError } from "../errors";
import type { Tx } from "./db";
import { preparedPerSession } from "./prepared";

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

type PagedTable = SQLiteTable & { id: SQLiteColumn; createdAt: SQLiteColumn };
/** Where a cursor's id is looked up: its owner and creation time. */
interface CursorSource { table: SQLiteTable; id: SQLiteColumn; owner: SQLiteColumn; createdAt: SQLiteColumn }

export interface PageQuery<F extends string> {
  /** Whose rows: the value of the pager's owner column (an environment, an endpoint id). */
  owner: string;
  limit?: number;
  /** The id of the last item the client saw: it must be one of the owner's rows. */
  startingAfter?: string;
  /** Equality filters on the pager's filter columns; undefined ones are left out. */
  filters?: Partial<Record<F, string>>;
}

/**
 * Newest-first keyset pagination over (createdAt, id) for one table: stable under inserts, no
 * OFFSET scans. The cursor is the row value `(created_at, id) < (?, ?)`, which SQLite answers
 * from an index on (owner, [filters,] created_at, id) as one range seek, however deep the page
 * (an OR of the two comparisons uses only the owner part of the index and scans).
 * `startingAfter` is looked up among the owner's rows, not through the filters, so a filtered
 * list still pages on after that item has left the filtered set; then among the rows of
 * `departed`, when given, so that it also pages on after that item has left the table (a purged
 * envelope's tombstone keeps its creation time).
 * Each combination of filters, with and without a cursor, is one statement prepared per session.
 */
export function definePager<T extends PagedTable, F extends string = never, R = T["$inferSelect"]>(
  table: T,
  spec: {
    owner: SQLiteColumn; where?: SQL; filters?: Record<F, SQLiteColumn>;
    /** The columns a page has (R's); all of the table's by default. */
    select?: Record<string, SQLiteColumn>;
    /** Where the ids that left the table are still found, with the same owner and creation time. */
    departed?: CursorSource;
  },
) {
  const ph = sql.placeholder;
  const filterNames = Object.keys(spec.filters ?? {}) as F[];
  const cursorIn = (from: CursorSource) => preparedPerSession((tx) =>
    tx.select({ createdAt: sql<number>`${from.createdAt}`, id: from.id }).from(from.table)
      .where(and(eq(from.owner, ph("owner")), eq(from.id, ph("after")))).prepare());
  const cursorOf = cursorIn({ table: table as SQLiteTable, id: table.id, owner: spec.owner, createdAt: table.createdAt });
  const departedCursorOf = spec.departed && cursorIn(spec.departed);
  /** The page statement of each set of filters, with or without a cursor. */
  const pages = new Map<string, (tx: Tx) => ReturnType<typeof build>>();

  function build(tx: Tx, used: F[], cursor: boolean, adhoc?: SQL) {
    return (spec.select ? tx.select(spec.select) : tx.select()).from(table as SQLiteTable)
      .where(and(
        eq(spec.owner, ph("owner")),
        spec.where,
        adhoc,
        ...used.map((f) => eq(spec.filters![f], ph(f))),
        cursor ? sql`(${table.createdAt}, ${table.id}) < (${ph("afterCreatedAt")}, ${ph("afterId")})` : undefined,
      ))
      .orderBy(desc(table.createdAt), desc(table.id)).limit(ph("limit")).prepare();
  }

  /**
   * The prepared page statement for `q` and the values to run it with. An `adhoc` condition (a
   * search) makes a statement for this call only.
   */
  async function statement(tx: Tx, q: PageQuery<F>, adhoc?: SQL) {
    const used = filterNames.filter((f) => q.filters?.[f] !== undefined);
    const values: Record<string, unknown> = { owner: q.owner, limit: (q.limit ?? 20) + 1 };
    for (const f of used) values[f] = q.filters![f];
    if (q.startingAfter !== undefined) {
      const at = { owner: q.owner, after: q.startingAfter };
      let [after] = await cursorOf(tx).execute(at);
      if (!after && departedCursorOf) [after] = await departedCursorOf(tx).execute(at);
      if (!after) throw new AppError("validation_failed", "startingAfter is not an id from this list", {
        errors: [{ pointer: "/startingAfter", message: "unknown id" }],
      });
      values.afterCreatedAt = after.createdAt;
      values.afterId = after.id;
    }
    if (adhoc) return { stmt: build(tx, used, q.startingAfter !== undefined, adhoc), values };
    const cursor = q.startingAfter !== undefined;
    const key = `${used.join(",")}|${cursor}`;
    let stmt = pages.get(key);
    if (!stmt) pages.set(key, (stmt = preparedPerSession((t) => build(t, used, cursor))));
    return { stmt: stmt(tx), values };
  }

  async function page(tx: Tx, q: PageQuery<F>, adhoc?: SQL): Promise<Page<R>> {
    const limit = q.limit ?? 20;
    const { stmt, values } = await statement(tx, q, adhoc);
    const rows = (await stmt.execute(values)) as R[];
    return { data: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  return { page, statement };
}
