import { t } from "elysia";
import {
  AUTH_METHODS, ENVELOPE_STATUSES, FIELD_SOURCES, FIELD_TYPES, literalUnion, LOCALES, PLACED_FIELD_TYPES, RECIPIENT_ROLES, RECIPIENT_STATUSES, REPORTED_SIGNING_ORDERS,
  SEAL_STATUSES, SIGNING_ORDERS,
} from "../../enums";
import { AnswerInteger, InputInteger, nullable } from "../../http/schemas";

export const Role = literalUnion(RECIPIENT_ROLES, {
  description: "SIGNER signs; APPROVER approves without a signature; CC only receives the completed copy",
});
export const FieldType = literalUnion(FIELD_TYPES, {
  description: "radio and choice: a radio group or a choice (dropdown, list) field of the document's own form, handed to the recipient with `formFields`",
});
const Locale = literalUnion(LOCALES, {
  description: "Language of the e-mails, the signing page, the certificate of completion and the audit trail. " +
    "Not set: the signing page follows each signer's browser (Accept-Language) and the e-mails are in English; a signer may switch the page's language either way.",
});
const Sender = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 200, examples: ["Maria Keller, HR"] }),
    email: t.String({ minLength: 3, maxLength: 254, examples: ["hr@example.com"] }),
  },
  { additionalProperties: false, description: "Who asks for the signatures: shown on the signing page and in the e-mails (their reply-to), and told by e-mail when a recipient declines" },
);
const SigningOrder = literalUnion(SIGNING_ORDERS, {
  description: "Shorthand for routingOrder: parallel = everyone at once; sequential = in the order of `recipients`. Do not combine with per-recipient routingOrder.",
});
export const EnvelopeStatus = literalUnion(ENVELOPE_STATUSES,
  { description: "DRAFT → SENT → COMPLETED, or DECLINED, VOIDED, EXPIRED" },
);
export const RecipientStatus = literalUnion(RECIPIENT_STATUSES, {
  description: "PENDING (not invited yet), SENT (invited), VIEWED, SIGNED (or approved), DECLINED",
});
export const RoleName = t.String({
  minLength: 1, maxLength: 100,
  description: "A free role name (\"Employee\"), distinct from `role`: the documents' text tags with this role become this recipient's fields",
  examples: ["Employee"],
});
const Metadata = t.Record(t.String({ minLength: 1, maxLength: 40 }), t.String({ maxLength: 500 }), {
  maxProperties: 50,
  description: "Your own string key/values (up to 50), returned as given",
  examples: [{ employeeId: "E-1042" }],
});
const DateTime = t.String({ format: "date-time" });

/**
 * The smallest side of a field placed through the API, in points (1.4 mm): below it a field is
 * one the signer can hardly see or click, and a signature stamped into it does not show on the
 * page. Real forms' smallest boxes are about twice that.
 */
export const MIN_FIELD_POINTS = 4;
const FIELD_SIDE = `Points, at least ${MIN_FIELD_POINTS}: a field the signer can see and click`;

export const FieldInput = t.Object(
  {
    documentId: t.String({ description: "One of the envelope's documentIds", examples: ["doc_4f8k2m9x7q1c5v3b6n0z"] }),
    type: literalUnion(PLACED_FIELD_TYPES),
    page: InputInteger({ minimum: 1, description: "1-based page number", examples: [1] }),
    x: t.Number({ minimum: 0, description: "Points from the left edge of the displayed page", examples: [72] }),
    y: t.Number({ minimum: 0, description: "Points from the TOP edge of the displayed page (y grows downwards)", examples: [650] }),
    width: t.Number({ minimum: MIN_FIELD_POINTS, maximum: 5000, description: FIELD_SIDE, examples: [180] }),
    height: t.Number({ minimum: MIN_FIELD_POINTS, maximum: 5000, description: FIELD_SIDE, examples: [50] }),
    required: t.Optional(t.Boolean({
      description: "Whether the recipient must fill it. Default: true for signature, initials, text and date fields; false for checkboxes " +
        "(a box to tick is a choice unless you make it a condition with required: true).",
    })),
    label: t.Optional(t.String({ maxLength: 200 })),
  },
  { additionalProperties: false, title: "FieldInput" },
);

export const RecipientInput = t.Object(
  {
    email: t.String({ minLength: 3, maxLength: 254, examples: ["jane.doe@example.com"] }),
    name: t.String({ minLength: 1, maxLength: 200, examples: ["Jane Doe"] }),
    phone: t.Optional(t.String({ pattern: "^\\+[1-9][0-9]{6,14}$", description: "E.164, for SMS invitations", examples: ["+33612345678"] })),
    role: t.Optional(Role),
    roleName: t.Optional(RoleName),
    formFields: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 500 }), {
      maxItems: 200,
      description: "Names of the documents' own form fields (their `formFields`) this recipient fills: text, checkbox, radio, choice and signature fields. The sealed PDF carries the values as real form values.",
    })),
    routingOrder: t.Optional(InputInteger({ minimum: 1, maximum: 100, description: "Equal orders sign in parallel; higher orders wait for lower ones. Default 1." })),
    fields: t.Optional(t.Array(FieldInput, { maxItems: 200, description: "Where this recipient fills in; a signer without a signature field gets a signature block on an appended page. The documents' text tags for this recipient's roleName add to these." })),
    embedded: t.Optional(t.Boolean({ description: "You show the signing page in your own app (its signUrl, framed from embedding.allowedOrigins): no invitation or reminder is sent" })),
    authentication: t.Optional(t.Object({
      method: literalUnion(AUTH_METHODS, {
        description: "email_otp: a 6-digit code sent to the recipient's e-mail; sms_otp: the same by SMS (needs `phone`); access_code: a code you give the recipient yourself",
      }),
      accessCode: t.Optional(t.String({ minLength: 4, maxLength: 64, writeOnly: true, description: "For access_code: the code (stored hashed, never shown again)" })),
    }, {
      additionalProperties: false,
      description: "Ask the recipient to prove who they are before the signing page shows anything: until then the signing API answers 401 signing_auth_required",
    })),
  },
  { additionalProperties: false, title: "RecipientInput" },
);

export const Prefill = t.Record(t.String({ minLength: 1, maxLength: 200 }), t.Union([t.String({ maxLength: 1000 }), t.Boolean()]), {
  maxProperties: 200,
  description: "Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them.",
  examples: [{ "Job title": "Engineer", "Start date": "2027-01-04" }],
});

const common = {
  message: t.String({ maxLength: 5000, description: "Shown in the invitation and on the signing page" }),
  locale: Locale,
  expiresAt: { ...DateTime, description: "After this instant the envelope expires and its links stop working" },
  reminderIntervalHours: InputInteger({ minimum: 1, maximum: 720, description: "Remind pending recipients every N hours" }),
  notifyBySms: t.Boolean({ description: "Also invite recipients that have a phone by SMS" }),
  allowReassign: t.Boolean({ description: "Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate" }),
  metadata: Metadata,
  sender: Sender,
  embedding: t.Object({
    allowedOrigins: t.Array(t.String({ maxLength: 255, examples: ["https://hr.example.com"] }), {
      maxItems: 10,
      description: "Origins (scheme://host[:port]: https, or http on loopback) whose pages may frame the signing page; the page posts its events to them",
    }),
  }, { additionalProperties: false, description: "Embedded signing: which of your web apps may show the signing page in a frame" }),
  redirectUrl: t.String({ maxLength: 2000, description: "Where the signing page sends the signer after signing or declining (https, or http on loopback)", examples: ["https://hr.example.com/contracts/done"] }),
};

export const CreateEnvelopeBody = t.Object(
  {
    subject: t.String({ minLength: 1, maxLength: 255, examples: ["Employment contract"] }),
    message: t.Optional(common.message),
    documentIds: t.Array(t.String(), { minItems: 1, maxItems: 20, description: "Documents, in order" }),
    recipients: t.Array(RecipientInput, { minItems: 1, maxItems: 50 }),
    signingOrder: t.Optional(SigningOrder),
    locale: t.Optional(common.locale),
    sender: t.Optional(common.sender),
    embedding: t.Optional(common.embedding),
    redirectUrl: t.Optional(common.redirectUrl),
    expiresAt: t.Optional(t.String(common.expiresAt)),
    reminderIntervalHours: t.Optional(common.reminderIntervalHours),
    notifyBySms: t.Optional(common.notifyBySms),
    allowReassign: t.Optional(common.allowReassign),
    metadata: t.Optional(common.metadata),
    prefill: t.Optional(Prefill),
  },
  {
    additionalProperties: false,
    title: "EnvelopeCreate",
    examples: [{ subject: "Employment contract", documentIds: ["doc_4f8k2m9x7q1c5v3b6n0z"], recipients: [{ email: "jane.doe@example.com", name: "Jane Doe", role: "SIGNER" }] }],
  },
);

export const TemplateRecipientInput = t.Object(
  {
    roleName: t.String({ minLength: 1, maxLength: 100, description: "One of the template's roles", examples: ["Employee"] }),
    email: RecipientInput.properties.email,
    name: RecipientInput.properties.name,
    phone: RecipientInput.properties.phone,
  },
  { additionalProperties: false, title: "TemplateRecipientInput" },
);

export const CreateFromTemplateBody = t.Object(
  {
    templateId: t.String({ description: "The template to copy: documents, roles, fields and defaults", examples: ["tpl_6d2k8m4x7q1c5v3b6n0z"] }),
    recipients: t.Array(TemplateRecipientInput, { minItems: 1, maxItems: 50, description: "One person per role of the template" }),
    prefill: t.Optional(Prefill),
    subject: t.Optional(t.String({ minLength: 1, maxLength: 255, description: "Default: the template's subject" })),
    message: t.Optional(common.message),
    locale: t.Optional(common.locale),
    expiresAt: t.Optional(t.String({ ...common.expiresAt, description: "Default: the template's expiresInDays after now" })),
    reminderIntervalHours: t.Optional(common.reminderIntervalHours),
    notifyBySms: t.Optional(common.notifyBySms),
    allowReassign: t.Optional(common.allowReassign),
    metadata: t.Optional(t.Record(t.String({ minLength: 1, maxLength: 40 }), t.String({ maxLength: 500 }), { maxProperties: 50, description: "Added to the template's metadata" })),
  },
  {
    additionalProperties: false,
    title: "EnvelopeCreateFromTemplate",
    examples: [{ templateId: "tpl_6d2k8m4x7q1c5v3b6n0z", recipients: [{ roleName: "Employee", name: "Marie Dubois", email: "marie@example.com" }], prefill: { "Job title": "Engineer" } }],
  },
);

export const UpdateEnvelopeBody = t.Object(
  {
    subject: t.Optional(t.String({ minLength: 1, maxLength: 255 })),
    message: t.Optional(nullable(common.message)),
    documentIds: t.Optional(t.Array(t.String(), { minItems: 1, maxItems: 20 })),
    recipients: t.Optional(t.Array(RecipientInput, { minItems: 1, maxItems: 50, description: "Replaces every recipient (and their fields)" })),
    signingOrder: t.Optional(SigningOrder),
    locale: t.Optional(nullable(common.locale)),
    sender: t.Optional(nullable(common.sender)),
    embedding: t.Optional(nullable(common.embedding)),
    redirectUrl: t.Optional(nullable(common.redirectUrl)),
    expiresAt: t.Optional(nullable(t.String(common.expiresAt))),
    reminderIntervalHours: t.Optional(nullable(common.reminderIntervalHours)),
    notifyBySms: t.Optional(common.notifyBySms),
    allowReassign: t.Optional(common.allowReassign),
    metadata: t.Optional(common.metadata),
    prefill: t.Optional(Prefill),
  },
  { additionalProperties: false, title: "EnvelopeUpdate", description: "Only the members given change; `recipients` and `metadata` are replaced whole; null clears." },
);

export const CorrectRecipientBody = t.Object(
  {
    email: t.Optional(RecipientInput.properties.email),
    name: t.Optional(RecipientInput.properties.name),
    phone: t.Optional(nullable(t.String({ pattern: "^\\+[1-9][0-9]{6,14}$", description: "E.164; null removes it" }))),
  },
  { additionalProperties: false, minProperties: 1, title: "RecipientCorrection", description: "The members given change; the recipient gets a new signing link and, if already invited, the invitation again." },
);

export const ReassignBody = t.Object(
  {
    name: RecipientInput.properties.name,
    email: RecipientInput.properties.email,
    reason: t.String({ minLength: 1, maxLength: 1000, description: "Why, for the sender and the audit trail" }),
  },
  { additionalProperties: false, title: "SigningReassign" },
);

export const RecipientParams = t.Object({ id: t.String(), recipientId: t.String() });

export const ListEnvelopesQuery = t.Object(
  {
    limit: t.Optional(InputInteger({ minimum: 1, maximum: 100, default: 20, description: "Page size (1–100)" })),
    startingAfter: t.Optional(t.String({ description: "Cursor: the id of the last item of the previous page" })),
    status: t.Optional(EnvelopeStatus),
  },
  { additionalProperties: false },
);

export const VoidQuery = t.Object(
  {
    reason: t.Optional(t.String({ minLength: 1, maxLength: 1000, description: "Why a sent envelope is voided (told to the recipients)" })),
    purge: t.Optional(t.Boolean({ description: "true: erase an ended envelope (GDPR erasure): everything but a tombstone goes, files included" })),
  },
  { additionalProperties: false },
);

export const PurgedEnvelopeSchema = t.Object(
  {
    id: t.String(),
    purged: t.Literal(true),
    status: EnvelopeStatus,
    createdAt: DateTime,
    endedAt: nullable(DateTime),
    purgedAt: DateTime,
    reason: t.Union([t.Literal("retention"), t.Literal("request")]),
    auditHead: t.String({ description: "The audit chain's last hash when it was purged" }),
    auditCount: AnswerInteger(),
    documentHashes: t.Array(t.String(), { description: "SHA-256 of each original document" }),
    sealedSha256: nullable(t.String()),
  },
  { $id: "#/components/schemas/PurgedEnvelope", title: "PurgedEnvelope", description: "What remains of a purged envelope: no personal data" },
);

const PageSize = t.Object({ width: t.Number(), height: t.Number() });

export const EnvelopeDocumentSchema = t.Object({
  id: t.String(),
  name: t.String(),
  size: AnswerInteger(),
  sha256: t.String(),
  pageCount: AnswerInteger(),
  pages: t.Array(PageSize, { description: "Displayed page sizes in points: the space field coordinates refer to" }),
});

export const DeliverySchema = t.Object(
  {
    status: t.Union([t.Literal("pending"), t.Literal("sent"), t.Literal("failed")], {
      description: "pending: queued or being retried; sent: accepted by the SMTP server or SMS gateway; failed: given up (see lastError)",
    }),
    channel: nullable(t.Union([t.Literal("email"), t.Literal("sms")], { description: "The channel of the latest attempt" })),
    attempts: AnswerInteger({ description: "Attempts since the latest invitation or reminder" }),
    lastError: nullable(t.String()),
    updatedAt: DateTime,
  },
  { $id: "#/components/schemas/Delivery", title: "Delivery", description: "The outcome of the recipient's latest invitation or reminder" },
);

export const RecipientSchema = t.Object(
  {
    id: t.String({ examples: ["rcp_8m4k2r9x7q1c5v3b6n0z"] }),
    email: t.String(),
    name: t.String(),
    phone: nullable(t.String()),
    role: Role,
    roleName: nullable(t.String()),
    routingOrder: AnswerInteger(),
    status: RecipientStatus,
    signUrl: nullable(t.String({ description: "The recipient's personal signing link, once the envelope is sent" })),
    sentAt: nullable(DateTime),
    viewedAt: nullable(DateTime),
    signedAt: nullable(DateTime),
    declinedAt: nullable(DateTime),
    declineReason: nullable(t.String()),
    authentication: nullable(t.Object({ method: literalUnion(AUTH_METHODS) }, { description: "How the recipient proves who they are (the access code is never shown)" })),
    embedded: t.Boolean({ description: "Shown in your app: no invitation or reminder is sent" }),
    delivery: nullable(DeliverySchema),
  },
  { $id: "#/components/schemas/Recipient", title: "Recipient" },
);

export const FieldSchema = t.Object(
  {
    id: t.String({ examples: ["fld_2m4k2r9x7q1c5v3b6n0z"] }),
    recipientId: t.String(),
    documentId: t.String(),
    type: FieldType,
    page: AnswerInteger(),
    x: t.Number(),
    y: t.Number(),
    width: t.Number(),
    height: t.Number(),
    required: t.Boolean(),
    label: nullable(t.String()),
    value: nullable(t.String({ description: "What the recipient filled in (checkbox: \"true\"/\"false\")" })),
    source: literalUnion(FIELD_SOURCES, { description: "explicit: given in `fields`; tag: made from a text tag of the document (its label is the tag's name)" }),
    readOnly: t.Boolean({ description: "Filled by the sender (`prefill`): the recipient sees the value and cannot change it" }),
  },
  { $id: "#/components/schemas/Field", title: "Field" },
);

export const AuditSummarySchema = t.Object(
  {
    count: AnswerInteger(),
    head: t.String({ description: "Hash of the last event: the head of the envelope's SHA-256 hash chain" }),
    valid: t.Boolean({
      description: "Whether the stored chain ends at the head recorded with its last event, the events shown linked to it. " +
        "No hash is recomputed here; the audit-trail PDF reports the whole chain verified, every hash recomputed.",
    }),
    events: t.Array(t.Object({ seq: AnswerInteger(), type: t.String(), at: DateTime, actor: t.String() }), { description: "The last events, oldest first" }),
  },
  { title: "AuditSummary" },
);

export const EnvelopeSchema = t.Object(
  {
    id: t.String({ examples: ["env_3k8m2r9x7q1c5v3b6n0z"] }),
    status: EnvelopeStatus,
    subject: t.String(),
    message: nullable(t.String()),
    locale: nullable(Locale),
    sender: nullable(Sender),
    embedding: t.Object({ allowedOrigins: t.Array(t.String()) }, { description: "Origins that may frame the signing page (empty: none)" }),
    redirectUrl: nullable(t.String()),
    signingOrder: literalUnion(REPORTED_SIGNING_ORDERS),
    expiresAt: nullable(DateTime),
    reminderIntervalHours: nullable(AnswerInteger()),
    notifyBySms: t.Boolean(),
    allowReassign: t.Boolean(),
    metadata: t.Record(t.String(), t.String()),
    prefill: t.Record(t.String(), t.Union([t.String(), t.Boolean()])),
    templateId: nullable(t.String({ description: "The template it was made from, if any" })),
    documents: t.Array(EnvelopeDocumentSchema),
    recipients: t.Array(RecipientSchema),
    fields: t.Array(FieldSchema),
    statusReason: nullable(t.String({ description: "The decline or void reason" })),
    sealStatus: nullable(literalUnion(SEAL_STATUSES)),
    createdAt: DateTime,
    updatedAt: DateTime,
    sentAt: nullable(DateTime),
    completedAt: nullable(DateTime),
    endedAt: nullable(DateTime),
    audit: AuditSummarySchema,
    deleted: t.Optional(t.Boolean({ description: "Present (true) on the reply to DELETE of a draft" })),
  },
  { $id: "#/components/schemas/Envelope", title: "Envelope" },
);
