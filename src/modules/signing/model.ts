import { t } from "elysia";
import { literalUnion, LOCALES, SESSION_STATES, SIGNATURE_TYPES } from "../../enums";
import { nullable } from "../../http/schemas";
import { FieldType, RecipientStatus, Role } from "../envelopes/model";

export const TokenParams = t.Object({ token: t.String({ description: "The token at the end of the recipient's signUrl" }) });
export const TokenDocumentParams = t.Object({ token: t.String(), documentId: t.String() });

const DateTime = t.String({ format: "date-time" });

export const SigningSessionSchema = t.Object(
  {
    envelope: t.Object({
      id: t.String(),
      subject: t.String(),
      message: nullable(t.String()),
      status: t.String({ examples: ["SENT"] }),
      locale: literalUnion(LOCALES),
      expiresAt: nullable(DateTime),
      allowReassign: t.Boolean({ description: "Whether this signer may hand their turn to someone else (POST …/reassign)" }),
    }),
    recipient: t.Object({
      id: t.String(),
      name: t.String(),
      email: t.String(),
      role: Role,
      status: RecipientStatus,
    }),
    state: literalUnion(SESSION_STATES, {
      description: "What to show: ready = sign or decline now; waiting = not this recipient's turn yet (or a CC); " +
        "signed/declined = done; voided/expired/completed = the envelope has ended and its documents are no longer served",
    }),
    documents: t.Array(t.Object({
      id: t.String(),
      name: t.String(),
      sha256: t.String(),
      pageCount: t.Integer(),
      pages: t.Array(t.Object({ width: t.Number(), height: t.Number() }), { description: "Displayed page sizes in points" }),
      url: t.String({ description: "Path of the PDF under this signing session" }),
    }), { description: "Empty once the envelope has ended" }),
    signedDocument: nullable(t.Object({
      url: t.String({ description: "Path of the sealed PDF under this signing session" }),
    }, { description: "Once the envelope is COMPLETED: where every recipient downloads the sealed PDF (null before)" })),
    fields: t.Array(t.Object({
      id: t.String(),
      documentId: t.String(),
      type: FieldType,
      page: t.Integer({ description: "1-based" }),
      x: t.Number({ description: "Points from the left of the displayed page" }),
      y: t.Number({ description: "Points from the top of the displayed page (y down)" }),
      width: t.Number(),
      height: t.Number(),
      required: t.Boolean(),
      label: nullable(t.String()),
      value: nullable(t.String()),
      readOnly: t.Boolean({ description: "Filled by the sender: show the value; do not send one for it" }),
    }), { description: "This recipient's fields only; empty once the envelope has ended" }),
  },
  { $id: "#/components/schemas/SigningSession", title: "SigningSession" },
);

export const CompleteBody = t.Object(
  {
    signature: t.Optional(t.Object({
      type: literalUnion(SIGNATURE_TYPES),
      value: t.String({ maxLength: 600_000, description: "typed: the signer's name (1–100 characters); drawn: a data:image/png;base64,… URL of at most 500 KB" }),
    }, { additionalProperties: false, description: "Required for a SIGNER; an APPROVER needs none" })),
    fields: t.Optional(t.Record(t.String(), t.Union([t.String({ maxLength: 1000 }), t.Boolean()]), {
      description: "Values by field id: text for text/date/initials fields, true/false for checkboxes. Empty date fields get the signing date.",
    })),
    consent: t.Boolean({ description: "Must be true: the recipient agrees to sign electronically" }),
  },
  {
    additionalProperties: false,
    title: "SigningComplete",
    examples: [{ signature: { type: "typed", value: "Jane Doe" }, fields: {}, consent: true }],
  },
);

export const DeclineBody = t.Object(
  { reason: t.String({ minLength: 1, maxLength: 1000, description: "Told to the sender and the other recipients" }) },
  { additionalProperties: false, title: "SigningDecline" },
);

export const ReassignedSchema = t.Object(
  { reassignedTo: t.Object({ name: t.String(), email: t.String() }) },
  { title: "SigningReassigned", description: "Who now holds the place; this signing link no longer works" },
);
