/**
 * Every job kind and the schema of its payload, declared once: enqueue() type-checks a payload
 * against its kind, and the runner checks each stored payload before a handler sees it.
 */
import { Type, type Static } from "@sinclair/typebox";
import { CHANNELS, literalUnion, MESSAGE_KINDS } from "../enums";

const RecipientJob = Type.Object({ recipientId: Type.String() });
const EnvelopeJob = Type.Object({ envelopeId: Type.String() });

export const JOB_PAYLOADS = {
  /** Invite a recipient (fans out into one deliver_message per channel). */
  send_invitation: RecipientJob,
  send_reminder: RecipientJob,
  /** The envelope ended: tell those concerned. */
  notify_declined: EnvelopeJob,
  notify_voided: EnvelopeJob,
  notify_completed: EnvelopeJob,
  notify_expired: EnvelopeJob,
  /** A recipient declined: tell the envelope's sender (when it has one). */
  notify_sender_declined: EnvelopeJob,
  /** One message to one recipient through one channel. */
  deliver_message: Type.Object({ recipientId: Type.String(), message: literalUnion(MESSAGE_KINDS), channel: literalUnion(CHANNELS) }),
  seal_envelope: EnvelopeJob,
  /** The next rows of a bulk send; each run enqueues the next until every row is done. */
  send_batch: Type.Object({ batchId: Type.String() }),
  /** The daily archival renewal of sealed PDFs' document time-stamps; each run schedules the next. */
  extend_archival_seals: Type.Object({}),
};

export type JobKind = keyof typeof JOB_PAYLOADS;
export type JobPayload<K extends JobKind> = Static<(typeof JOB_PAYLOADS)[K]>;
