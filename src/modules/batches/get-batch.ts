import { and, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { notFound } from "../../errors";
import { firstRow } from "../../store/portable-sql";
import { batches, type Environment } from "../../store/schema";
import { batchView, type BatchView } from "./view";

/** GET /batches/{id}: progress and per-row outcome; 404 outside its environment. */
export async function getBatch(deps: Deps, environment: Environment, id: string): Promise<BatchView> {
  const row = await firstRow(deps.db.select().from(batches).where(and(eq(batches.id, id), eq(batches.environment, environment))));
  if (!row) throw notFound("Batch", id);
  return batchView(deps.db, row);
}
