import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { newId } from "../../ids";
import { enqueue } from "../../jobs/queue";
import { firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { batches, type Environment } from "../../store/schema";
import { findTemplateRow } from "../templates/rows";
import { batchView, type BatchView } from "./view";

export interface CreateBatchInput {
  environment: Environment;
  keyId: string;
  templateId: string;
  rows: unknown[];
}

/**
 * POST /templates/{id}/bulk-send: the batch is stored with its rows and the first send_batch job,
 * in one transaction; the outbox then sends row after row. Rows are checked as they are sent,
 * so a bad row fails alone.
 */
export async function createBatch(deps: Deps, { environment, keyId, templateId, rows }: CreateBatchInput): Promise<BatchView> {
  return transaction(deps.db, async (tx) => {
    await findTemplateRow(tx, environment, templateId);
    const now = deps.clock.now();
    const id = newId("bat");
    await tx.insert(batches).values({ id, environment, templateId, keyId, status: "queued", total: rows.length, rows, createdAt: now, updatedAt: now });
    await enqueue(tx, deps.clock, { kind: "send_batch", payload: { batchId: id } });
    deps.log.info("bulk send queued", { batchId: id, templateId, rows: rows.length });
    return batchView(tx, (await firstRow(tx.select().from(batches).where(eq(batches.id, id))))!);
  });
}
