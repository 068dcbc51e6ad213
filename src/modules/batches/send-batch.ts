import { and, count, eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { checkShape } from "../../http/validate";
import { completeJob, enqueue } from "../../jobs/queue";
import { batchRows, batches, envelopes } from "../../store/schema";
import { apiActor } from "../envelopes/actor";
import { createEnvelopeFromTemplate } from "../envelopes/create-envelope-from-template";
import { immediate } from "../envelopes/record-change";
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
function sendBatchRow(deps: Deps, batch: BatchRow, row: number) {
  const who = apiActor(batch.keyId, null, null);
  const environment = batch.environment;
  let outcome: { status: "sent"; envelopeId: string } | { status: "failed"; errors: { pointer: string; message: string }[] };
  try {
    const made = deps.db.select({ id: envelopes.id, status: envelopes.status }).from(envelopes)
      .where(and(eq(envelopes.batchId, batch.id), eq(envelopes.batchRow, row))).get();
    let envelope = made;
    if (!envelope) {
      const shape = checkShape(BatchRowInput, batch.rows[row]);
      envelope = createEnvelopeFromTemplate(deps, {
        environment, who, request: { templateId: batch.templateId, ...shape.value }, shapeErrors: shape.errors, batch: { id: batch.id, row },
      });
    }
    if (envelope.status === "DRAFT") sendEnvelope(deps, { environment, who, envelopeId: envelope.id });
    outcome = { status: "sent", envelopeId: envelope.id };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    const errors = e.extra.errors?.length ? e.extra.errors : [{ pointer: "/", message: e.message }];
    outcome = { status: "failed", errors: errors.map((x) => ({ pointer: `/rows/${row}${x.pointer === "/" ? "" : x.pointer}`, message: x.message })) };
  }
  deps.db.insert(batchRows).values({
    batchId: batch.id, row, status: outcome.status,
    envelopeId: outcome.status === "sent" ? outcome.envelopeId : null, errors: outcome.status === "failed" ? outcome.errors : null,
  }).onConflictDoNothing().run();
}

/**
 * The send_batch job: the next ROWS_PER_RUN rows, then either the next job or the batch
 * completed, in the same transaction that marks this job done (so a crash never leaves two
 * jobs working on one batch).
 */
export function sendBatchRows(deps: Deps, batchId: string, jobId: string) {
  const batch = deps.db.select().from(batches).where(eq(batches.id, batchId)).get();
  if (!batch) return;
  if (batch.status === "queued") deps.db.update(batches).set({ status: "running", updatedAt: deps.clock.now() }).where(eq(batches.id, batchId)).run();
  const done = deps.db.select({ n: count() }).from(batchRows).where(eq(batchRows.batchId, batchId)).get()!.n;
  const end = Math.min(batch.total, done + ROWS_PER_RUN);
  for (let row = done; row < end; row++) sendBatchRow(deps, batch, row);
  deps.db.transaction((tx) => {
    if (!completeJob(tx, deps.clock, jobId)) return;
    const now = deps.clock.now();
    if (end < batch.total) enqueue(tx, deps.clock, { kind: "send_batch", payload: { batchId } });
    else tx.update(batches).set({ status: "completed", completedAt: now, updatedAt: now }).where(eq(batches.id, batchId)).run();
  }, immediate);
  deps.log.info("bulk send progress", { batchId, done: end, total: batch.total });
}
