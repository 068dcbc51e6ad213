import { t } from "elysia";
import { BATCH_STATUSES, literalUnion } from "../../enums";
import { AnswerInteger, nullable } from "../../http/schemas";
import { Prefill, TemplateRecipientInput } from "../envelopes/model";

/** At most this many rows per bulk send. */
export const MAX_BATCH_ROWS = 1000;

export const BatchRowInput = t.Object(
  {
    recipients: t.Array(TemplateRecipientInput, { minItems: 1, maxItems: 50, description: "One person per role of the template" }),
    prefill: t.Optional(Prefill),
    metadata: t.Optional(t.Record(t.String({ minLength: 1, maxLength: 40 }), t.String({ maxLength: 500 }), { maxProperties: 50 })),
  },
  { additionalProperties: false, title: "BatchRowInput" },
);

/** The documented body; the request is checked by BulkSendEnvelope and each row when it is sent. */
export const BulkSendBody = t.Object(
  { rows: t.Array(BatchRowInput, { minItems: 1, maxItems: MAX_BATCH_ROWS, description: "One envelope per row; a row that is not valid fails alone" }) },
  {
    additionalProperties: false,
    title: "BulkSend",
    examples: [{ rows: [{ recipients: [{ roleName: "Employee", name: "Marie Dubois", email: "marie@example.com" }], prefill: { "Job title": "Engineer" } }] }],
  },
);

/** What must hold for the batch to start: rows, at most 1,000. Each row's own shape is checked when it is sent. */
export const BulkSendEnvelope = t.Object(
  { rows: t.Array(t.Unknown(), { minItems: 1, maxItems: MAX_BATCH_ROWS }) },
  { additionalProperties: false },
);

export const BulkSendMultipart = t.Object(
  { file: t.File({ description: "CSV, UTF-8, a header line then one envelope per line: `Role.email`, `Role.name`, `Role.phone` per role; every other column is a prefill value by field label" }) },
  { title: "BulkSendCsv" },
);

const RowError = t.Object({ pointer: t.String({ examples: ["/rows/7/recipients/0/email"] }), message: t.String() });

export const BatchSchema = t.Object(
  {
    id: t.String({ examples: ["bat_7c2k8m4x7q1c5v3b6n0z"] }),
    templateId: t.String(),
    status: literalUnion(BATCH_STATUSES, { description: "queued → running → completed (every row sent or failed)" }),
    total: AnswerInteger(),
    processed: AnswerInteger({ description: "Rows done so far (sent + failed)" }),
    sent: AnswerInteger({ description: "Rows whose envelope was created and sent" }),
    failed: AnswerInteger(),
    envelopes: t.Array(t.Object({ row: AnswerInteger({ description: "0-based row number" }), envelopeId: t.String() })),
    errors: t.Array(t.Object({ row: AnswerInteger(), errors: t.Array(RowError) }), { description: "Each failed row with its problems (pointers from /rows/{row})" }),
    createdAt: t.String({ format: "date-time" }),
    completedAt: nullable(t.String({ format: "date-time" })),
  },
  { $id: "#/components/schemas/Batch", title: "Batch" },
);
