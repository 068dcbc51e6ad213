import { t, type Static } from "elysia";
import { LOCALES, literalUnion } from "../../enums";
import { AnswerInteger, InputInteger, nullable } from "../../http/schemas";
import { TextTagSchema } from "../documents/model";
import { EnvelopeDocumentSchema, FieldInput, Role, RoleName } from "../envelopes/model";

const Locale = literalUnion(LOCALES, { description: "Language of the invitations and of the signing page" });

export const TemplateRoleInput = t.Object(
  {
    roleName: RoleName,
    role: t.Optional(Role),
    routingOrder: t.Optional(InputInteger({ minimum: 1, maximum: 100, description: "Equal orders sign in parallel; higher orders wait for lower ones. Default 1." })),
  },
  { additionalProperties: false, title: "TemplateRoleInput" },
);

export const TemplateFieldInput = t.Object(
  { roleName: t.String({ minLength: 1, maxLength: 100, description: "One of the template's roles" }), ...FieldInput.properties },
  { additionalProperties: false, title: "TemplateFieldInput" },
);

/** A stored role: the request's with its defaults written out. */
export const TemplateRoleSchema = t.Object({ roleName: t.String(), role: Role, routingOrder: AnswerInteger() });
export type TemplateRole = Static<typeof TemplateRoleSchema>;

/** A stored field, placed for a role rather than for a person. */
export const TemplateFieldSchema = t.Object({
  roleName: t.String(), documentId: t.String(), type: FieldInput.properties.type, page: AnswerInteger(),
  x: t.Number(), y: t.Number(), width: t.Number(), height: t.Number(), required: t.Boolean(), label: nullable(t.String()),
});
export type TemplateField = Static<typeof TemplateFieldSchema>;

const parts = {
  name: t.String({ minLength: 1, maxLength: 200, description: "What the sender calls the template", examples: ["Employment contract (France)"] }),
  subject: t.String({ minLength: 1, maxLength: 255, description: "Subject of the envelopes made from it", examples: ["Employment contract"] }),
  message: t.String({ maxLength: 5000 }),
  documentIds: t.Array(t.String(), { minItems: 1, maxItems: 20, description: "Documents, in order" }),
  roles: t.Array(TemplateRoleInput, { minItems: 1, maxItems: 50, description: "Who signs, by role name; an envelope names a person for each" }),
  fields: t.Array(TemplateFieldInput, { maxItems: 500, description: "Fields bound to roles; the documents' text tags add theirs" }),
  expiresInDays: InputInteger({ minimum: 1, maximum: 365, description: "Envelopes made from it expire this many days after creation" }),
  reminderIntervalHours: InputInteger({ minimum: 1, maximum: 720 }),
  notifyBySms: t.Boolean(),
  metadata: t.Record(t.String({ minLength: 1, maxLength: 40 }), t.String({ maxLength: 500 }), { maxProperties: 50, description: "Copied into each envelope (an envelope's own metadata adds to it)" }),
};

export const CreateTemplateBody = t.Object(
  {
    name: parts.name,
    subject: parts.subject,
    message: t.Optional(parts.message),
    locale: t.Optional(Locale),
    documentIds: parts.documentIds,
    roles: parts.roles,
    fields: t.Optional(parts.fields),
    expiresInDays: t.Optional(parts.expiresInDays),
    reminderIntervalHours: t.Optional(parts.reminderIntervalHours),
    notifyBySms: t.Optional(parts.notifyBySms),
    metadata: t.Optional(parts.metadata),
  },
  {
    additionalProperties: false,
    title: "TemplateCreate",
    examples: [{ name: "Employment contract", subject: "Your employment contract", documentIds: ["doc_4f8k2m9x7q1c5v3b6n0z"], roles: [{ roleName: "Employee" }, { roleName: "HR", routingOrder: 2 }] }],
  },
);

export const UpdateTemplateBody = t.Object(
  {
    name: t.Optional(parts.name),
    subject: t.Optional(parts.subject),
    message: t.Optional(nullable(parts.message)),
    locale: t.Optional(Locale),
    documentIds: t.Optional(parts.documentIds),
    roles: t.Optional(parts.roles),
    fields: t.Optional(parts.fields),
    expiresInDays: t.Optional(nullable(parts.expiresInDays)),
    reminderIntervalHours: t.Optional(nullable(parts.reminderIntervalHours)),
    notifyBySms: t.Optional(parts.notifyBySms),
    metadata: t.Optional(parts.metadata),
  },
  { additionalProperties: false, title: "TemplateUpdate", description: "Only the members given change (`roles`, `fields`, `metadata` whole); null clears. Envelopes already made do not change." },
);

export const TemplateSchema = t.Object(
  {
    id: t.String({ examples: ["tpl_6d2k8m4x7q1c5v3b6n0z"] }),
    name: t.String(),
    subject: t.String(),
    message: nullable(t.String()),
    locale: Locale,
    documents: t.Array(t.Object({ ...EnvelopeDocumentSchema.properties, tags: t.Array(TextTagSchema) })),
    roles: t.Array(TemplateRoleSchema),
    fields: t.Array(TemplateFieldSchema),
    expiresInDays: nullable(AnswerInteger()),
    reminderIntervalHours: nullable(AnswerInteger()),
    notifyBySms: t.Boolean(),
    metadata: t.Record(t.String(), t.String()),
    createdAt: t.String({ format: "date-time" }),
    updatedAt: t.String({ format: "date-time" }),
    deleted: t.Optional(t.Boolean({ description: "Present (true) on the reply to DELETE" })),
  },
  { $id: "#/components/schemas/Template", title: "Template" },
);
