import { TransformKind, Type, type IntegerOptions } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { t, ValidationError, type TSchema } from "elysia";

/**
 * A whole number in an answer: TypeBox's own integer. What arrives is an InputInteger (below), a
 * transform that takes "3" for 3, which answers never need (they are checked, not encoded:
 * app.ts, ELYSIA_OPTIONS); Elysia's t.Integer, once used for answers too, also compiled a
 * validator as it was made (0.1-0.3 ms each, at start, for 40-odd answer fields).
 */
export const AnswerInteger = Type.Integer;

/**
 * A whole number that arrives: Elysia's t.Integer (a query's text, or a body's number, where
 * "3" is taken for 3), the same schema and the same errors, with its bounds' checker compiled
 * on the first value it decodes rather than as the model loads: t.Integer's compilations, the
 * first ones warming TypeBox's compiler, were ~4 ms of every start.
 */
export function InputInteger(options: IntegerOptions = {}) {
  const schema = Type.Integer(options);
  let checker: TypeCheck<typeof schema> | undefined;
  return t
    .Transform(t.Union([t.String({ format: "integer", default: 0 }), schema], options))
    .Decode((value) => {
      const number = +value;
      checker ??= TypeCompiler.Compile(schema);
      if (!checker.Check(number)) throw new ValidationError("property", checker, number);
      return number;
    })
    .Encode((value) => value);
}

/** Whether a schema is an InputInteger: a transform over integer-looking text or an integer. */
export const isInputInteger = (s: TSchema): boolean =>
  TransformKind in s && ((s.anyOf as TSchema[] | undefined) ?? []).some((b) => b.type === "string" && b.format === "integer");

/** The error body of every failed request, declared once for the OpenAPI document. */
export const Problem = t.Object(
  {
    type: t.String({ description: "`urn:certyneo:error:{code}`; the code's status and meaning are at /docs/errors#{code}, which the `Link` header (rel=\"help\") gives in full", examples: ["urn:certyneo:error:validation_failed"] }),
    title: t.String({ examples: ["Unprocessable Content"] }),
    status: AnswerInteger({ examples: [422] }),
    detail: t.String(),
    code: t.String({ description: "Stable machine-readable error code", examples: ["validation_failed"] }),
    message: t.String({ description: "Human-readable explanation (same as detail)" }),
    requestId: t.String({ examples: ["req_3f2a9c0d5b7e4e21"] }),
    errors: t.Optional(t.Array(t.Object({ pointer: t.String({ examples: ["/recipients/0/email"] }), message: t.String() }))),
    authentication: t.Optional(t.Object({
      method: t.String({ description: "email_otp, sms_otp or access_code" }),
      destination: t.Optional(t.String({ description: "Where a one-time code goes, masked (j•••@example.com)" })),
      locale: t.Optional(t.String({ description: "The envelope's language, for the page that asks for the code" })),
    }, { description: "With signing_auth_required: how the recipient proves who they are" })),
  },
  { $id: "#/components/schemas/Problem", title: "Problem" },
);

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Problem])) as Record<number, typeof Problem>;

/** Errors any authenticated route may answer. */
export const AUTH_ERRORS = [401, 403, 429] as const;
/** The same, described, for the PDF routes that declare their responses in `detail` (see pdfResponses). */
export const AUTH_PROBLEMS = { 401: "Missing, unknown or revoked API key", 403: "The API key lacks the scope this route needs", 429: "Rate limit exceeded" };

export const ListQuery = t.Object(
  {
    limit: t.Optional(InputInteger({ minimum: 1, maximum: 100, default: 20, description: "Page size (1–100)" })),
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

const PDF_CONTENT = { "application/pdf": { schema: { type: "string", format: "binary" } } };
/** What a stored PDF sent as an attachment says of Range requests (pdfResponse: files in the data directory). */
const RANGE_HEADERS = {
  "accept-ranges": { description: "`bytes` when the file is served from the data directory: a download can be resumed with `Range`", schema: { type: "string" } },
  etag: { description: "The file's SHA-256 in quotes, for `If-Range`", schema: { type: "string" } },
};
const RANGE_RESPONSES = {
  206: { description: "The byte range asked for with `Range` (files in the data directory)", content: PDF_CONTENT },
  416: { description: "The range asked for lies outside the file" },
};

/**
 * OpenAPI responses of a route whose 200 is a PDF. Such routes take no `response:` hook
 * (Elysia would replace these with JSON ones), so the errors are declared here too.
 */
export const pdfResponses = (description: string, errors: Record<number, string>, opts: { ranges?: boolean } = {}) => ({
  200: { description, content: PDF_CONTENT, ...(opts.ranges ? { headers: RANGE_HEADERS } : {}) },
  ...(opts.ranges ? RANGE_RESPONSES : {}),
  ...Object.fromEntries(Object.entries(errors).map(([status, text]) =>
    [status, { description: text, content: { "application/problem+json": { schema: Problem as any } } }])),
});

/**
 * The OpenAPI request body of a route that validates its JSON body itself (to report schema
 * errors and business errors together): Elysia then documents `schema` without checking it.
 */
export const jsonRequestBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema: schema as any } } });
