import { enqueue } from "../../jobs/queue";
import type { Tx } from "../../store/db";
import { moveEnvelopeStatus, recordEnvelopeEvent, type EnvelopeChangeDeps } from "./record-change";
import type { EnvelopeRow } from "./rows";

/** A recipient declined: the envelope ends DECLINED; the others and the sender are told. Inside the caller's transaction. */
export async function declineEnvelope(tx: Tx, deps: EnvelopeChangeDeps, { envelope, reason }: { envelope: EnvelopeRow; reason: string }) {
  const now = deps.clock.now();
  await moveEnvelopeStatus(tx, deps, envelope, "DECLINED", { endedAt: now, endReason: reason });
  await enqueue(tx, deps.clock, { kind: "notify_declined", payload: { envelopeId: envelope.id } });
  if (envelope.senderEmail) await enqueue(tx, deps.clock, { kind: "notify_sender_declined", payload: { envelopeId: envelope.id } });
  await recordEnvelopeEvent(tx, deps, envelope, "envelope.declined");
}
