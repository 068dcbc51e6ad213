/**
 * What the API says of a text tag found in a document: apart from text-tags.ts (which reads
 * pages with pdf-lib) so that the routes, which load at start, do not load pdf-lib.
 */
import { Type, type Static } from "@sinclair/typebox";
import { literalUnion, PLACED_FIELD_TYPES } from "../../enums";

export const TextTagSchema = Type.Object(
  {
    name: Type.String({ description: "The tag's name (DocuSeal: the text before the first `;`); becomes the field's label", examples: ["Employee signature"] }),
    type: literalUnion(PLACED_FIELD_TYPES),
    role: Type.Union([Type.String({ description: "The recipient `roleName` the field goes to; null: the first signer", examples: ["Employee"] }), Type.Null()]),
    required: Type.Boolean(),
    page: Type.Integer({ minimum: 1 }),
    x: Type.Number({ description: "Points from the left edge of the displayed page" }),
    y: Type.Number({ description: "Points from the TOP edge of the displayed page" }),
    width: Type.Number(),
    height: Type.Number(),
  },
  { title: "TextTag", description: "A text tag found in the document's text: where a field goes, without coordinates (see docs/documents.md)" },
);

export type TextTag = Static<typeof TextTagSchema>;

/** The pages (1-based, each once, in order) that carry `tags`: the pages sealing takes tags out of (RenderDocument.taggedPages). */
export const taggedPagesOf = (tags: readonly Pick<TextTag, "page">[]): number[] => [...new Set(tags.map((t) => t.page))].sort((a, b) => a - b);
