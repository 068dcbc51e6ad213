import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { transaction } from "../../store/transaction";
import { envelopes, type Environment } from "../../store/schema";
import { deleteAudit } from "../audit/service";
import type { ActorMeta } from "./actor";
import { auditEnvelope, moveEnvelopeStatus, recordEnvelopeEventAndLoad } from "./record-change";
import { findEnvelopeRow } from "./rows";
import { loadEnvelopeView, publicEnvelope, type EnvelopeView } from "./view";

export interface DeleteEnvelopeInput {
  environment: Environment;
  who: ActorMeta;
  envelopeId: string;
  /** Why a sent envelope is voided (told to the recipients). */
  reason?: string;
}

/**
 * DELETE /envelopes/{id}: a DRAFT is removed with its audit events (the reply is its last state
 * with `deleted: true`);
 * a SENT envelope is voided (links stop working, recipients are told); an ended one: 409.
 */
export async function deleteEnvelope(deps: Deps, { environment, who, envelopeId: id, reason }: DeleteEnvelopeInput): Promise<EnvelopeView & { deleted?: boolean }> {
  return transaction(deps.db, async (tx) => {
    const row = await findEnvelopeRow(tx, environment, id);
    if (row.status === "DRAFT") {
      const view = (await loadEnvelopeView(tx, deps, id))!;
      await tx.delete(envelopes).where(eq(envelopes.id, id));
      await deleteAudit(tx, id);
      return { ...view, deleted: true };
    }
    if (row.status !== "SENT") throw new AppError("envelope_ended", `Envelope ${id} is already ${row.status}`);
    const now = deps.clock.now();
    await moveEnvelopeStatus(tx, deps, row, "VOIDED", { endedAt: now, endReason: reason ?? null });
    await auditEnvelope(tx, deps, id, "envelope.voided", who, { reason: reason ?? null });
    await enqueue(tx, deps.clock, { kind: "notify_voided", payload: { envelopeId: id } });
    return publicEnvelope(deps, await recordEnvelopeEventAndLoad(tx, deps, id, "envelope.voided"));
  });
}
