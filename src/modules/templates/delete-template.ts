import { and, eq, exists, ne, sql } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { firstRow, jsonText } from "../../store/portable-sql";
import { transaction } from "../../store/transaction";
import { batches, jobs, templates, type Environment } from "../../store/schema";
import { findTemplateRow } from "./rows";
import { templateView, type TemplateView } from "./view";

/** DELETE /templates/{id}: envelopes made from it keep their copy (and its id, for the record). */
export async function deleteTemplate(deps: Deps, environment: Environment, id: string): Promise<TemplateView & { deleted: true }> {
  return transaction(deps.db, async (tx) => {
    const view = await templateView(tx, await findTemplateRow(tx, environment, id));
    // Each row of a bulk send is made from the template when its turn comes: the rest would fail.
    // A batch whose job has failed for good sends nothing more, so it holds nothing. The
    // template's unfinished batches are found first (usually none), and only for them is their job
    // looked for among the pending ones: joined the other way, every pending job's payload was
    // read (a bulk send queues one job per invitation: ~18 ms with 100,000 queued).
    const sendingJob = tx.select({ one: sql`1` }).from(jobs)
      .where(and(eq(jobs.kind, "send_batch"), eq(jobs.status, "pending"), eq(jsonText(tx, jobs.payload, ["batchId"]), batches.id)));
    const sending = await firstRow(tx.select({ id: batches.id }).from(batches)
      .where(and(eq(batches.templateId, id), ne(batches.status, "completed"), exists(sendingJob))).limit(1));
    if (sending) throw new AppError("template_in_use", `Template ${id} is being sent in bulk (batch ${sending.id}); delete it once the batch has completed`);
    await tx.delete(templates).where(eq(templates.id, id));
    return { ...view, deleted: true as const };
  });
}
