/**
 * Notification jobs. The envelope use cases enqueue the "what happened" jobs in the transaction
 * that changes the envelope (send_invitation, notify_declined, ...); each of them fans out, in one
 * transaction, into one deliver_message job per recipient and channel, so an e-mail that went out
 * is never sent again because the SMS of the same invitation failed, and each delivery is retried
 * on its own. Every delivery and every failed attempt is an audit event of the envelope.
 */
import type { Deps } from "../../deps";
import type { Channel, MessageKind } from "../../enums";
import { completeJob, enqueue } from "../../jobs/queue";
import { JOB_PAYLOADS, type JobPayload } from "../../jobs/payloads";
import { defineJob, PermanentJobError, type JobContext, type JobDefinitions } from "../../jobs/runner";
import { MAX_ATTEMPTS } from "../../jobs/schedule";
import { transaction } from "../../store/transaction";
import { envelopes, recipients } from "../../store/schema";
import { appendAudit } from "../audit/service";
import { getInvitation, type Invitation } from "../envelopes/get-invitation";
import { recordEnvelopeEvent } from "../envelopes/record-change";
import { envelopeRow, recipientRows, senderOf } from "../envelopes/rows";
import { sealingService } from "../sealing/lazy";
import { signedDocumentUrlOf } from "../signing/token";
import { organisationOf } from "../signing/branding";
import { pickLocale, renderEmail, renderSenderDeclinedEmail, renderSms, type MessageData } from "./messages";
import { createSmsSender, SmsConfigError, type SmsSender } from "./sms";

type Envelope = typeof envelopes.$inferSelect;
type Recipient = typeof recipients.$inferSelect;

/** Invited at some point (PENDING recipients of later routing groups never heard of the envelope). */
const wasInvited = (r: Recipient) => r.status !== "PENDING" || r.sentAt != null;

/** Read committed on PostgreSQL, as every append of a job here: appendAudit locks the chain's head. */
const APPEND_ONLY = { isolation: "read committed" } as const;

/**
 * Appends a message's event to its envelope's trail. False when the envelope is gone: an erasure
 * (purge) may come while a message is on its way, and then there is no trail to record it in.
 */
async function audit(deps: Deps, envelopeId: string, type: "message.delivered" | "message.failed" | "recipient.reminded", data: Record<string, unknown>): Promise<boolean> {
  try {
    await transaction(deps.db, async (tx) => {
      await appendAudit(tx, deps.clock, { envelopeId, type, actor: "system", data });
    }, APPEND_ONLY);
    return true;
  } catch (e) {
    if (!(await envelopeRow(deps.db, envelopeId))) return false;
    throw e;
  }
}

/** The channels a message goes through for this recipient: SMS too for invitations and reminders when asked. */
function channelsFor(envelope: Pick<Envelope, "notifyBySms">, r: Pick<Recipient, "phone">, message: MessageKind): Channel[] {
  const out: Channel[] = ["email"];
  if ((message === "invitation" || message === "reminder") && envelope.notifyBySms && r.phone) out.push("sms");
  return out;
}

interface Target {
  envelopeId: string;
  notifyBySms: boolean;
  recipient: Pick<Recipient, "id" | "phone">;
}

/**
 * Enqueues one deliver_message job per recipient and channel, and marks the job `jobId` that asked
 * for them done, in one transaction: a re-run of that job (the process died, or the runner's own
 * bookkeeping failed, after the commit) finds it done and queues nothing twice. Read committed on
 * PostgreSQL: two runs at once (a lease that ran out) both try the conditional completeJob, the
 * second waits for the first's row lock and then updates nothing. An SMS the
 * envelope asks for while no gateway is configured is recorded as a failed message (not retried).
 */
async function fanOut(deps: Deps, jobId: string, smsEnabled: boolean, message: MessageKind, targets: Target[]): Promise<number> {
  return transaction(deps.db, async (tx) => {
    let n = 0;
    if (!await completeJob(tx, deps.clock, jobId)) {
      deps.log.info(`${message} already fanned out by an earlier run`, { jobId });
      return n;
    }
    for (const { envelopeId, notifyBySms, recipient } of targets) {
      for (const channel of channelsFor({ notifyBySms }, recipient, message)) {
        if (channel === "sms" && !smsEnabled) {
          deps.log.warn("SMS asked for but no SMS gateway is configured (sms.gatewayUrl)", { envelopeId, recipientId: recipient.id });
          await appendAudit(tx, deps.clock, {
            envelopeId,
            type: "message.failed",
            actor: "system",
            data: { recipientId: recipient.id, channel, message, to: recipient.phone, error: "no SMS gateway is configured", willRetry: false },
          });
          continue;
        }
        await enqueue(tx, deps.clock, { kind: "deliver_message", payload: { recipientId: recipient.id, message, channel } });
        n++;
      }
    }
    return n;
  }, APPEND_ONLY);
}

/** Who hears about an envelope's end, by message. */
function audienceOf(message: MessageKind, all: Recipient[]): Recipient[] {
  switch (message) {
    case "completed":
      // Everyone, CC included: the completed copy is what a CC recipient is there for.
      return all;
    case "declined":
      return all.filter((r) => r.role !== "CC" && r.status !== "DECLINED" && wasInvited(r));
    default:
      // voided, expired: those who hold a link that stopped working.
      return all.filter((r) => r.role !== "CC" && wasInvited(r));
  }
}

/** What the texts need, from the envelope's invitation (getInvitation) (plus the decliner and the void reason for notices). */
async function messageData(deps: Deps, message: MessageKind, inv: Invitation): Promise<MessageData> {
  const withLink = message === "invitation" || message === "reminder" || message === "completed";
  let declinedBy: string | null = null;
  let reason: string | null = null;
  if (message === "declined") {
    const decliner = (await recipientRows(deps.db, inv.envelopeId)).find((r) => r.status === "DECLINED");
    declinedBy = decliner?.name ?? null;
    reason = decliner?.declineReason ?? null;
  } else if (message === "voided") {
    reason = (await envelopeRow(deps.db, inv.envelopeId))?.endReason ?? null;
  }
  return {
    subject: inv.subject,
    message: inv.message,
    recipientName: inv.recipient.name,
    role: inv.recipient.role,
    signUrl: withLink ? inv.signUrl : null,
    expiresAt: inv.expiresAt,
    declinedBy,
    reason,
    sender: inv.sender,
    organisation: await organisationOf(deps.db),
  };
}

/**
 * The completion e-mail's copy of the sealed PDF: a link that downloads it once sealed, and the
 * file itself when it is small enough to attach (notifications.attachSignedMaxMb).
 */
async function sealedCopy(deps: Deps, inv: Invitation): Promise<{ downloadUrl: string; attachment: { filename: string; content: Uint8Array; contentType: string } | null } | null> {
  const row = await envelopeRow(deps.db, inv.envelopeId);
  if (row?.sealStatus !== "SEALED") return null;
  const downloadUrl = signedDocumentUrlOf(deps.config.baseUrl, deps.secret, inv.recipient.id);
  // Sized before it is read: a large sealed PDF, never attached, is not loaded into the server's memory for each recipient.
  if ((await deps.files.size(row.sealedSha256!)) > deps.config.notifications.attachSignedMaxMb * 1024 * 1024) return { downloadUrl, attachment: null };
  const pdf = (await sealingService()).wholeSealedPdf(row);
  return { downloadUrl, attachment: { filename: pdf.filename, content: await deps.files.get(pdf.sha256), contentType: "application/pdf" } };
}

/**
 * notify_sender_declined {envelopeId}: the envelope's sender hears who declined and why (one
 * e-mail, retried on its own; the envelope.declined webhook tells the integrator).
 */
async function tellSenderOfDecline(deps: Deps, envelopeId: string, { jobId, attempt }: JobContext) {
  const envelope = await envelopeRow(deps.db, envelopeId);
  if (!envelope) throw new PermanentJobError(`envelope ${envelopeId} does not exist`);
  const sender = senderOf(envelope);
  const decliner = (await recipientRows(deps.db, envelopeId)).find((r) => r.status === "DECLINED");
  if (!sender || !decliner) return;
  const base = { recipientId: null, audience: "sender", channel: "email", message: "declined", to: sender.email, jobId, attempt };
  let messageId: string;
  try {
    const email = renderSenderDeclinedEmail(pickLocale(envelope.locale), {
      envelopeId, subject: envelope.subject, senderName: sender.name, reason: decliner.declineReason,
      declinedBy: { name: decliner.name, email: decliner.email }, organisation: await organisationOf(deps.db),
    });
    ({ messageId } = await deps.mailer.send({ to: sender.email, ...email }));
  } catch (e) {
    const error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    await audit(deps, envelopeId, "message.failed", { ...base, error, willRetry: attempt < MAX_ATTEMPTS });
    throw e;
  }
  await audit(deps, envelopeId, "message.delivered", { ...base, messageId });
}

/** The job handlers of notifications, by kind. */
export function notificationHandlers(deps: Deps): JobDefinitions {
  const sms: SmsSender | null = createSmsSender(deps.config.sms, deps.log);

  /** send_invitation / send_reminder {recipientId}: one delivery per channel, if the recipient still has to act. */
  const toRecipient = (message: "invitation" | "reminder") => defineJob(JOB_PAYLOADS[`send_${message}`], async ({ recipientId }, { jobId }) => {
    const inv = await getInvitation(deps, { recipientId });
    if (!inv) throw new PermanentJobError(`recipient ${recipientId} does not exist`);
    if (!inv.active) {
      deps.log.info(`${message} not sent: nothing left to do`, { recipientId: inv.recipient.id, envelopeStatus: inv.envelopeStatus, recipientStatus: inv.recipient.status });
      return;
    }
    await fanOut(deps, jobId, sms !== null, message, [{ envelopeId: inv.envelopeId, notifyBySms: inv.notifyBySms, recipient: inv.recipient }]);
  });

  /** notify_* {envelopeId}: the envelope ended; tell those concerned. */
  const toAudience = (message: "declined" | "voided" | "completed" | "expired") => defineJob(JOB_PAYLOADS[`notify_${message}`], async ({ envelopeId }, { jobId }) => {
    const envelope = await envelopeRow(deps.db, envelopeId);
    if (!envelope) throw new PermanentJobError(`envelope ${envelopeId} does not exist`);
    const all = await recipientRows(deps.db, envelope.id);
    await fanOut(deps, jobId, sms !== null, message, audienceOf(message, all).map((recipient) => ({ envelopeId: envelope.id, notifyBySms: envelope.notifyBySms, recipient })));
  });

  const deliver = async (payload: JobPayload<"deliver_message">, { jobId, attempt, signal }: JobContext) => {
    const inv = await getInvitation(deps, { recipientId: payload.recipientId });
    if (!inv) throw new PermanentJobError(`recipient ${payload.recipientId} does not exist`);
    const { message, channel } = payload;
    if ((message === "invitation" || message === "reminder") && !inv.active) {
      deps.log.info(`${message} not sent: nothing left to do`, { recipientId: inv.recipient.id, channel, envelopeStatus: inv.envelopeStatus });
      return;
    }
    const locale = pickLocale(inv.locale);
    const data = await messageData(deps, message, inv);
    const to = channel === "sms" ? (inv.recipient.phone ?? "") : inv.recipient.email;
    const base = { recipientId: inv.recipient.id, channel, message, to, jobId, attempt };
    let delivered: Record<string, unknown>;
    try {
      if (channel === "email") {
        const copy = message === "completed" ? await sealedCopy(deps, inv) : null;
        const attachments = copy?.attachment ? [copy.attachment] : [];
        const email = renderEmail(message, locale, { ...data, downloadUrl: copy?.downloadUrl ?? null, attached: attachments.length > 0 });
        const { messageId } = await deps.mailer.send({ to, ...email, attachments, replyTo: inv.sender?.email, id: jobId });
        delivered = { messageId, ...(attachments.length ? { attached: attachments[0]!.filename } : {}) };
      } else {
        if (!sms) throw new PermanentJobError("no SMS gateway is configured (sms.gatewayUrl)");
        if (!to) throw new PermanentJobError("the recipient has no phone number");
        const { status } = await sms.send({ to, text: renderSms(message, locale, data) }, signal);
        delivered = { gatewayStatus: status };
      }
    } catch (e) {
      const permanent = e instanceof PermanentJobError || e instanceof SmsConfigError;
      const error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      const willRetry = !permanent && attempt < MAX_ATTEMPTS;
      await audit(deps, inv.envelopeId, "message.failed", { ...base, error, willRetry });
      if (!willRetry && (message === "invitation" || message === "reminder"))
        await transaction(deps.db, (tx) => recordEnvelopeEvent(tx, deps, { id: inv.envelopeId, environment: inv.environment }, "recipient.delivery_failed", { recipientId: inv.recipient.id, channel, message, error }), APPEND_ONLY);
      throw permanent && !(e instanceof PermanentJobError) ? new PermanentJobError(error) : e;
    }
    // The message went: a failing audit write (a busy database) must not fail the job, whose
    // retry would send the message again. Logged instead, with what the event would have said.
    try {
      if (!(await audit(deps, inv.envelopeId, "message.delivered", { ...base, ...delivered })))
        deps.log.info("message delivered after its envelope was purged: no trail to record it in", { envelopeId: inv.envelopeId, recipientId: inv.recipient.id, channel, message, jobId });
    } catch (e) {
      deps.log.error("message delivered but its audit event could not be written", { envelopeId: inv.envelopeId, ...base, ...delivered, error: e instanceof Error ? e.message : String(e) });
    }
  };

  return {
    send_invitation: toRecipient("invitation"),
    send_reminder: toRecipient("reminder"),
    notify_declined: toAudience("declined"),
    notify_voided: toAudience("voided"),
    notify_completed: toAudience("completed"),
    notify_expired: toAudience("expired"),
    deliver_message: defineJob(JOB_PAYLOADS.deliver_message, deliver),
    notify_sender_declined: defineJob(JOB_PAYLOADS.notify_sender_declined, ({ envelopeId }, ctx) => tellSenderOfDecline(deps, envelopeId, ctx)),
  };
}
