import { and, eq, sql } from "drizzle-orm";
import { isoOrNull } from "../../clock";
import { enqueue } from "../../jobs/queue";
import type { Tx } from "../../store/db";
import { recipients } from "../../store/schema";
import { preparedUpdate } from "../../store/update-rows";
import { SYSTEM } from "./actor";
import { inviteRecipients } from "./invite-recipients";
import { nextStep } from "./routing";
import { auditEnvelope, moveEnvelopeStatus, recordEnvelopeEvent, type EnvelopeChangeDeps } from "./record-change";
import { documentHashes, envelopeRow, recipientRows } from "./rows";

const updateCopiedRecipients = preparedUpdate(recipients, and(eq(recipients.envelopeId, sql.placeholder("envelopeId")), eq(recipients.role, "CC"))!);

/**
 * After a recipient signed: invite the next routing group, or complete the envelope (COMPLETED,
 * CC recipients marked SENT, job "seal_envelope", which queues "notify_completed"). Call inside the
 * transaction that recorded the signature.
 */
export async function inviteNextOrComplete(tx: Tx, deps: EnvelopeChangeDeps, { envelopeId }: { envelopeId: string }) {
  const envelope = (await envelopeRow(tx, envelopeId))!;
  const rs = await recipientRows(tx, envelopeId);
  const step = nextStep(rs);
  if (step.kind === "invite") await inviteRecipients(tx, deps, envelope, rs, step.recipientIds);
  if (step.kind !== "complete") return;
  const now = deps.clock.now();
  await moveEnvelopeStatus(tx, deps, envelope, "COMPLETED", { completedAt: now, endedAt: now, sealStatus: "PENDING" });
  await updateCopiedRecipients(tx, { status: "SENT", sentAt: now }, { envelopeId });
  await auditEnvelope(tx, deps, envelopeId, "envelope.completed", SYSTEM, {
    documents: await documentHashes(tx, envelopeId),
    recipients: rs.filter((r) => r.role !== "CC").map((r) => ({ id: r.id, email: r.email, role: r.role, signedAt: isoOrNull(r.signedAt) })),
  });
  // The completion e-mails go once the seal is made (or has failed): they carry the sealed PDF.
  await enqueue(tx, deps.clock, { kind: "seal_envelope", payload: { envelopeId } });
  await recordEnvelopeEvent(tx, deps, envelope, "envelope.completed");
}
