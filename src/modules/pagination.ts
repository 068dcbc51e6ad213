import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../store/db";
import type { Environment } from "../store/schema";
import { AppError } from "../errors";

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

type ListedTable = SQLiteTable & { id: SQLiteColumn; environment: SQLiteColumn; createdAt: SQLiteColumn };

/**
 * Newest-first cursor pagination over (createdAt, id): stable under inserts, no OFFSET scans.
 * `startingAfter` is the id of the last item the client saw.
 */
export function paginate<T extends ListedTable>(
  db: Db,
  table: T,
  opts: { environment: Environment; limit?: number; startingAfter?: string; where?: SQL },
): Page<T["$inferSelect"]> {
  const limit = opts.limit ?? 20;
  const scope = and(eq(table.environment, opts.environment), opts.where);
  let cursor: SQL | undefined;
  if (opts.startingAfter) {
    const after = db.select({ createdAt: table.createdAt, id: table.id }).from(table as SQLiteTable)
      .where(and(scope, eq(table.id, opts.startingAfter))).get() as { createdAt: Date; id: string } | undefined;
    if (!after) throw new AppError("validation_failed", "startingAfter is not an id from this list", {
      errors: [{ pointer: "/startingAfter", message: "unknown id" }],
    });
    cursor = or(lt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), lt(table.id, after.id)));
  }
  const rows = db.select().from(table as SQLiteTable).where(and(scope, cursor))
    .orderBy(desc(table.createdAt), desc(table.id)).limit(limit + 1).all() as T["$inferSelect"][];
  return { data: rows.slice(0, limit), hasMore: rows.length > limit };
}
