/** Updates prepared once per table, condition and shape of the values set. */
import type { SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Tx } from "./db";
import { placeholders, shapeOf } from "./insert-rows";
import { preparedPerSession } from "./prepared";

type Prepared = { execute(values: Record<string, unknown>): Promise<unknown> };

/**
 * `update table set … where condition`, for updates whose values (and which columns they set)
 * change from call to call: building a drizzle update costs ~40 µs more than running it prepared,
 * and an envelope's life ran a dozen. Returns the function that runs it: `set` the values, each
 * through its column's encoder (a null is written into the statement, as insertRows does: an
 * encoder does not pass null by), `params` the values of the condition's placeholders. Prepared
 * once per session (preparedPerSession) and shape of `set` (the columns given, those null).
 * Answers what the update's run does (affectedRows reads it).
 */
export function preparedUpdate<T extends SQLiteTable>(table: T, condition: SQL) {
  const byShape = new Map<string, (tx: Tx) => Prepared>();
  return (tx: Tx, set: Partial<T["$inferInsert"]>, params: Record<string, unknown> = {}): Promise<unknown> => {
    const given = set as Record<string, unknown>;
    const shape = shapeOf(given);
    let statement = byShape.get(shape);
    if (!statement) {
      const values = placeholders(given, "set.") as T["$inferInsert"];
      byShape.set(shape, (statement = preparedPerSession((t) => t.update(table).set(values).where(condition).prepare() as Prepared)));
    }
    const values: Record<string, unknown> = { ...params };
    for (const c in given) if (given[c] != null) values[`set.${c}`] = given[c];
    return statement(tx).execute(values);
  };
}
