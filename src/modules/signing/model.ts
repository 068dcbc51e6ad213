import { t } from "elysia";
import { literalUnion, LOCALES, SESSION_STATES, SIGNATURE_TYPES } from "../../enums";
import { AnswerInteger, nullable } from "../../http/schemas";
import { FieldType, RecipientStatus, Role } from "../envelopes/model";

export const TokenParams = t.Object({ token: t.String({ description: "The token at the end of the recipient's signUrl" }) });
export const TokenDocumentParams = t.Object({ token: t.String(), documentId: t.String() });
export const TokenRecipientParams = t.Object({ token: t.String(), recipientId: t.String() });
export const DownloadQuery = t.Object({
  download: t.Optional(t.Union([t.Literal("1"), t.Literal("true")], { description: "Served as an attachment (what the completion e-mail's link asks); inline without it" })),
});

const DateTime = t.String({ format: "date-time" });

export const SigningSessionSchema = t.Object(
  {
    envelope: t.Object({
      id: t.String(),
      subject: t.String(),
      message: nullable(t.String()),
      status: t.String({ examples: ["SENT"] }),
      locale: nullable(literalUnion(LOCALES, { description: "The sender's language; null: the page follows the signer's browser" })),
      expiresAt: nullable(t.String({ format: "date-time", description: "The deadline: after it the link stops working" })),
      sender: nullable(t.Object({ name: t.String(), email: t.String() }, { description: "Who asks for the signatures" })),
      statusReason: nullable(t.String({ description: "Once voided or declined: the reason given" })),
      allowedOrigins: t.Array(t.String(), { description: "Embedded signing: the origins the page may be framed by, and posts its events to" }),
      redirectUrl: nullable(t.String({ description: "Where the page sends the signer after signing or declining" })),
      allowReassign: t.Boolean({ description: "Whether this signer may hand their turn to someone else (POST …/reassign): the envelope allows it, and the recipient does not prove who they are by SMS" }),
    }),
    organisation: t.Object({
      name: t.String(),
      colour: t.String({ description: "#rrggbb, dark enough for white text" }),
      logoUrl: nullable(t.String({ description: "Path of the organisation's logo" })),
    }, { description: "The organisation the signer deals with (the admin console's branding settings)" }),
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
      pageCount: AnswerInteger(),
      pages: t.Array(t.Object({ width: t.Number(), height: t.Number() }), { description: "Displayed page sizes in points" }),
      url: t.String({ description: "Path of the PDF under this signing session" }),
    }), { description: "Empty once the envelope has ended" }),
    signedDocument: nullable(t.Object({
      url: t.String({ description: "Path of the sealed PDF under this signing session (add ?download=1 to get it as an attachment)" }),
      status: t.Union([t.Literal("PENDING"), t.Literal("SEALED"), t.Literal("FAILED")], {
        description: "PENDING while the seal is being made (the URL answers 409 seal_pending), SEALED once it can be downloaded, FAILED if sealing gave up",
      }),
    }, { description: "Once the envelope is COMPLETED: where every recipient downloads the sealed PDF (null before)" })),
    stamps: t.Array(t.Object({
      documentId: t.String(),
      type: FieldType,
      page: AnswerInteger({ description: "1-based" }),
      x: t.Number(),
      y: t.Number(),
      width: t.Number(),
      height: t.Number(),
      recipientName: t.String({ description: "Who placed it" }),
      value: nullable(t.String({ description: "Typed signature, initials, date, text, the chosen option (radio, choice), or \"true\"/\"false\" for a checkbox" })),
      imageUrl: nullable(t.String({ description: "A drawn signature: path of its PNG under this signing session" })),
    }), { description: "What recipients who already signed placed on the pages, to show read-only; empty unless state is ready" }),
    fields: t.Array(t.Object({
      id: t.String(),
      documentId: t.String(),
      type: FieldType,
      page: AnswerInteger({ description: "1-based" }),
      x: t.Number({ description: "Points from the left of the displayed page" }),
      y: t.Number({ description: "Points from the top of the displayed page (y down)" }),
      width: t.Number(),
      height: t.Number(),
      required: t.Boolean(),
      label: nullable(t.String()),
      value: nullable(t.String()),
      readOnly: t.Boolean({ description: "Filled by the sender: show the value; do not send one for it" }),
      options: nullable(t.Array(t.String(), { description: "A radio or choice field's options: its value must be one of them, exactly" })),
      buttons: nullable(t.Array(
        t.Object({ option: t.String(), x: t.Number(), y: t.Number(), width: t.Number(), height: t.Number() }),
        { description: "A radio field's buttons on its page: the option each one selects, and its box (null: show the options another way)" },
      )),
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
      description: "Values by field id: text for text/date/initials fields, true/false for checkboxes, one of the `options` for radio and choice fields. Empty date fields get the signing date.",
    })),
    consent: t.Boolean({ description: "Must be true: the recipient agrees to sign electronically" }),
    locale: t.Optional(literalUnion(LOCALES, {
      description: "The language the signing page showed: the consent text recorded in the audit trail (with its version and SHA-256) is the one in this language (English without it)",
    })),
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

export const AuthBody = t.Object(
  { code: t.String({ minLength: 1, maxLength: 64, writeOnly: true, description: "The 6-digit one-time code, or the access code" }) },
  { additionalProperties: false, title: "SigningAuth" },
);

export const AuthCodeSent = t.Object(
  {
    destination: nullable(t.String({ description: "Where the code went, masked" })),
    retryAfterSeconds: AnswerInteger({ description: "When another code may be asked for" }),
  },
  { title: "SigningAuthCodeSent" },
);
