import { t } from "elysia";
import { AnswerInteger } from "../../http/schemas";
import { FormFieldSchema } from "../../pdf/form-field-model";
import { TextTagSchema } from "../../pdf/text/text-tag-model";

export { FormFieldSchema, TextTagSchema };

export const DocumentSchema = t.Object(
  {
    id: t.String({ examples: ["doc_4f8k2m9x7q1c5v3b6n0z"] }),
    name: t.String({ examples: ["employment-contract.pdf"] }),
    size: AnswerInteger({ description: "Bytes", examples: [48213] }),
    sha256: t.String({ description: "SHA-256 of the uploaded bytes, hex", examples: ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"] }),
    pageCount: AnswerInteger({ examples: [3] }),
    pages: t.Array(t.Object({ width: t.Number(), height: t.Number() }), { description: "Displayed size of each page in points (CropBox, after rotation): the space field coordinates refer to" }),
    formFields: t.Array(FormFieldSchema, { description: "The document's own form fields: prefill them by name, or hand them to recipients (`formFields`)" }),
    tags: t.Array(TextTagSchema, { description: "Text tags found in the document (`{{Name;type=signature;role=Employee}}` and the Adobe Sign / Dropbox Sign forms): an envelope turns them into fields" }),
    createdAt: t.String({ format: "date-time" }),
  },
  { $id: "#/components/schemas/Document", title: "Document" },
);

export const UploadJsonBody = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 255, examples: ["contract.pdf"] }),
    contentBase64: t.String({ minLength: 1, description: "The PDF, base64-encoded" }),
  },
  { additionalProperties: false, title: "DocumentUploadJson" },
);

export const UploadMultipartBody = t.Object(
  {
    file: t.File({ description: "The PDF file" }),
    name: t.Optional(t.String({ minLength: 1, maxLength: 255, description: "Defaults to the file's name" })),
  },
  { title: "DocumentUploadMultipart" },
);
