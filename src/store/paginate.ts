import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./db";
import type { Environment } from "./schema";
import { AppError } from "../errors";

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

type PagedTable = SQLiteTable & { id: SQLiteColumn; createdAt: SQLiteColumn };

/**
 * Whose rows a list shows: an environment, for tables that have that column, or any condition
 * (e.g. an endpoint's deliveries). `startingAfter` must be one of these rows.
 */
type Owner<T> = { scope: SQL } | (T extends { environment: SQLiteColumn } ? { environment: Environment } : never);

/**
 * Newest-first cursor pagination over (createdAt, id): stable under inserts, no OFFSET scans.
 * `startingAfter` is the id of the last item the client saw: it is looked up among the owner's
 * rows, not through `where`, so a filter (e.g. by status) still pages on after that item
 * has left the filtered set.
 */
export function paginate<T extends PagedTable>(
  db: Db,
  table: T,
  opts: Owner<T> & { limit?: number; startingAfter?: string; where?: SQL },
): Page<T["$inferSelect"]> {
  const limit = opts.limit ?? 20;
  const owner = "scope" in opts ? opts.scope : eq((table as unknown as { environment: SQLiteColumn }).environment, opts.environment);
  let cursor: SQL | undefined;
  if (opts.startingAfter) {
    const after = db.select({ createdAt: table.createdAt, id: table.id }).from(table as SQLiteTable)
      .where(and(owner, eq(table.id, opts.startingAfter))).get() as { createdAt: Date; id: string } | undefined;
    if (!after) throw new AppError("validation_failed", "startingAfter is not an id from this list", {
      errors: [{ pointer: "/startingAfter", message: "unknown id" }],
    });
    cursor = or(lt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), lt(table.id, after.id)));
  }
  const rows = db.select().from(table as SQLiteTable).where(and(owner, opts.where, cursor))
    .orderBy(desc(table.createdAt), desc(table.id)).limit(limit + 1).all() as T["$inferSelect"][];
  return { data: rows.slice(0, limit), hasMore: rows.length > limit };
}
