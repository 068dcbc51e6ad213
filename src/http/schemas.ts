import { t, type TSchema } from "elysia";

/** The error body of every failed request, declared once for the OpenAPI document. */
export const Problem = t.Object(
  {
    type: t.String({ examples: ["urn:certyneo:error:validation_failed"] }),
    title: t.String({ examples: ["Unprocessable Content"] }),
    status: t.Integer({ examples: [422] }),
    detail: t.String(),
    code: t.String({ description: "Stable machine-readable error code", examples: ["validation_failed"] }),
    message: t.String({ description: "Human-readable explanation (same as detail)" }),
    requestId: t.String({ examples: ["req_3f2a9c0d5b7e4e21"] }),
    errors: t.Optional(t.Array(t.Object({ pointer: t.String({ examples: ["/recipients/0/email"] }), message: t.String() }))),
  },
  { $id: "#/components/schemas/Problem", title: "Problem" },
);

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Problem])) as Record<number, typeof Problem>;

/** Errors any authenticated route may answer. */
export const AUTH_ERRORS = [401, 429] as const;

export const ListQuery = t.Object(
  {
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20, description: "Page size (1–100)" })),
    startingAfter: t.Optional(t.String({ description: "Cursor: the id of the last item of the previous page" })),
  },
  { additionalProperties: false },
);

export const listOf = <T extends TSchema>(item: T, name: string) =>
  t.Object(
    {
      data: t.Array(item),
      hasMore: t.Boolean({ description: "Whether another page follows; pass the last id as startingAfter" }),
    },
    { title: name },
  );

/** `T | null` as JSON Schema `anyOf` (valid OpenAPI 3.1; Elysia's t.Nullable adds a 3.0-only `nullable`). */
export const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const IdParams = t.Object({ id: t.String() });

/**
 * OpenAPI responses of a route whose 200 is a PDF. Such routes take no `response:` hook
 * (Elysia would replace these with JSON ones), so the errors are declared here too.
 */
export const pdfResponses = (description: string, errors: Record<number, string>) => ({
  200: { description, content: { "application/pdf": { schema: { type: "string", format: "binary" } } } },
  ...Object.fromEntries(Object.entries(errors).map(([status, text]) =>
    [status, { description: text, content: { "application/problem+json": { schema: Problem as any } } }])),
});

/**
 * A Content-Disposition header for a download: `filename` stripped to printable ASCII without
 * quotes or backslashes (for old clients), the exact name as RFC 6266 / 8187 `filename*`
 * (percent-encoded UTF-8; `'()*` too, which encodeURIComponent keeps but attr-char excludes).
 */
export const contentDisposition = (filename: string, disposition: "attachment" | "inline" = "attachment") =>
  `${disposition}; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; ` +
  `filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}`;
