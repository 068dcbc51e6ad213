import { and, count, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { checkShape } from "../../http/validate";
import { completeJob, enqueue } from "../../jobs/queue";
import { firstRow } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { batchRows, batches, envelopes } from "../../store/schema";
import { apiActor } from "../envelopes/actor";
import { createEnvelopeFromTemplate } from "../envelopes/create-envelope-from-template";
import { sendEnvelope } from "../envelopes/send-envelope";
import { BatchRowInput } from "./model";
import type { BatchRow } from "./view";

/** Rows per job run: progress shows as it goes, and no run holds the outbox for long. */
export const ROWS_PER_RUN = 25;

/**
 * One row: its envelope made from the template and sent, or the reasons it cannot be. A rerun
 * of the row (after a crash) finds the envelope the first run made (by batch and row) and
 * finishes it instead of making another.
 */
async function sendBatchRow(deps: Deps, batch: BatchRow, row: number) {
  const who = apiActor(batch.keyId, null, null);
  const environment = batch.environment;
  let outcome: { status: "sent"; envelopeId: string } | { status: "failed"; errors: { pointer: string; message: string }[] };
  try {
    const made = await firstRow(deps.db.select({ id: envelopes.id, status: envelopes.status }).from(envelopes)
      .where(and(eq(envelopes.batchId, batch.id), eq(envelopes.batchRow, row))).limit(1));
    let envelope = made;
    if (!envelope) {
      const shape = checkShape(BatchRowInput, batch.rows[row]);
      envelope = await createEnvelopeFromTemplate(deps, {
        environment, who, request: { templateId: batch.templateId, ...shape.value }, shapeErrors: shape.errors, batch: { id: batch.id, row },
      });
    }
    if (envelope.status === "DRAFT") await sendEnvelope(deps, { environment, who, envelopeId: envelope.id });
    outcome = { status: "sent", envelopeId: envelope.id };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const errors = e.extra.errors?.length ? e.extra.errors : [{ pointer: "/", message: e.message }];
    outcome = { status: "failed", errors: errors.map((x) => ({ pointer: `/rows/${row}${x.pointer === "/" ? "" : x.pointer}`, message: x.message })) };
  }
  await deps.db.insert(batchRows).values({
    batchId: batch.id, row, status: outcome.status,
    envelopeId: outcome.status === "sent" ? outcome.envelopeId : null, errors: outcome.status === "failed" ? outcome.errors : null,
  }).onConflictDoNothing();
}

/**
 * The send_batch job: the next ROWS_PER_RUN rows, then either the next job or the batch
 * completed, in the same transaction that marks this job done (so a crash never leaves two
 * jobs working on one batch).
 */
export async function sendBatchRows(deps: Deps, batchId: string, jobId: string) {
  const batch = await firstRow(deps.db.select().from(batches).where(eq(batches.id, batchId)));
  if (!batch) return;
  if (batch.status === "queued") await deps.db.update(batches).set({ status: "running", updatedAt: deps.clock.now() }).where(eq(batches.id, batchId));
  const done = (await firstRow(deps.db.select({ n: count() }).from(batchRows).where(eq(batchRows.batchId, batchId))))!.n;
  const end = Math.min(batch.total, done + ROWS_PER_RUN);
  for (let row = done; row < end; row++) await sendBatchRow(deps, batch, row);
  await transaction(deps.db, async (tx) => {
    if (!(await completeJob(tx, deps.clock, jobId))) return;
    const now = deps.clock.now();
    if (end < batch.total) await enqueue(tx, deps.clock, { kind: "send_batch", payload: { batchId } });
    else await tx.update(batches).set({ status: "completed", completedAt: now, updatedAt: now }).where(eq(batches.id, batchId));
  });
  deps.log.info("bulk send progress", { batchId, done: end, total: batch.total });
}
