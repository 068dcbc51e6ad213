import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { enqueue } from "../../jobs/queue";
import { envelopes, type Environment } from "../../store/schema";
import { deleteAudit } from "../audit/service";
import type { ActorMeta } from "./actor";
import { auditEnvelope, immediate, moveEnvelopeStatus, recordEnvelopeEvent } from "./record-change";
import { findEnvelopeRow } from "./rows";
import { loadEnvelopeView, type EnvelopeView } from "./view";

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
export function deleteEnvelope(deps: Deps, { environment, who, envelopeId: id, reason }: DeleteEnvelopeInput): EnvelopeView & { deleted?: boolean } {
  return deps.db.transaction((tx) => {
    const row = findEnvelopeRow(tx, environment, id);
    if (row.status === "DRAFT") {
      const view = loadEnvelopeView(tx, deps, id)!;
      tx.delete(envelopes).where(eq(envelopes.id, id)).run();
      deleteAudit(tx, id);
      return { ...view, deleted: true };
    }
    if (row.status !== "SENT") throw new AppError("envelope_ended", `Envelope ${id} is already ${row.status}`);
    const now = deps.clock.now();
    moveEnvelopeStatus(tx, deps, row, "VOIDED", { endedAt: now, endReason: reason ?? null });
    auditEnvelope(tx, deps, id, "envelope.voided", who, { reason: reason ?? null });
    enqueue(tx, deps.clock, { kind: "notify_voided", payload: { envelopeId: id } });
    recordEnvelopeEvent(tx, deps, id, "envelope.voided");
    return loadEnvelopeView(tx, deps, id)!;
  }, immediate);
}
