/**
 * The OpenAPI document as integrators read it: Elysia's generated paths, finished here in one
 * place so every route gets the same treatment (response descriptions, the Idempotency-Key
 * header on every POST the pipeline replays, query numbers as numbers), then the 3.0 edition
 * derived from it for generators that do not read 3.1.
 */
import { toOpenAPISchema } from "@elysiajs/openapi";
import type { AnyElysia } from "elysia";
import { needsApiKey } from "./auth";

type Json = Record<string, any>;

/** What each error status means on any route; a route's own `code`s are on the errors page. */
const PROBLEM_DESCRIPTIONS: Record<string, string> = {
  400: "Bad request: a malformed header or parameter (`bad_request`, `invalid_json`)",
  401: "Missing, unknown or revoked API key (`unauthorized`)",
  403: "The API key lacks this route's scope, or the environment forbids it (`forbidden`)",
  404: "No such resource in the key's environment, or an unknown signing token (`not_found`)",
  409: "The resource's state does not allow this now; `code` says why",
  410: "Gone: the envelope has ended (`signing_closed`)",
  413: "The body or file is larger than the upload limit (`payload_too_large`)",
  415: "The body is neither JSON nor multipart as this route takes (`unsupported_media_type`)",
  422: "Invalid request: `errors` lists every problem with its JSON pointer (`validation_failed`)",
  429: "Rate limit exceeded: retry after the Retry-After seconds (`rate_limited`)",
  503: "A service this needs is unavailable; retry later",
};

const SUCCESS_WORDS: Record<string, string> = { 200: "The", 201: "Created: the", 202: "Accepted: the" };

/** "EnvelopeList" -> "envelope list" */
const humanise = (title: string) => title.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().replace(/\bapi\b/g, "API");

const GENERATED = /^Response for status \d+$/;

/** Elysia coerces a query integer into "integer or integer-looking text"; the document says integer. */
function plainNumber(schema: Json): Json {
  const numeric = schema.anyOf?.find((b: Json) => b.type === "integer" || b.type === "number");
  const text = schema.anyOf?.find((b: Json) => b.type === "string" && (b.format === "integer" || b.format === "number"));
  return numeric && text && schema.anyOf.length === 2 ? numeric : schema;
}

function describeResponses(method: string, path: string, op: Json) {
  for (const [status, res] of Object.entries<Json>(op.responses ?? {})) {
    if (!GENERATED.test(res.description ?? "")) continue;
    if (Number(status) >= 400) {
      const text = PROBLEM_DESCRIPTIONS[status];
      if (!text) throw new Error(`openapi: no description for ${status} (${method.toUpperCase()} ${path}); add it to PROBLEM_DESCRIPTIONS`);
      res.description = text;
      continue;
    }
    const schema = res.content?.["application/json"]?.schema;
    // A union of titled schemas reads "the envelope or the purged envelope".
    const titles: string[] = schema?.title ? [schema.title] : (schema?.anyOf ?? schema?.oneOf ?? []).map((b: Json) => b.title);
    const title = titles.length && titles.every(Boolean) ? titles.map(humanise).join(" or the ") : undefined;
    if (!title || !SUCCESS_WORDS[status])
      throw new Error(`openapi: ${method.toUpperCase()} ${path} ${status} has no described response; give its schema a title`);
    res.description = `${SUCCESS_WORDS[status]} ${title}`;
  }
}

export const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Makes a retry safe: the first completed answer is stored for this key (per environment) and replayed to a retry of the same request; the same key with another request is refused (422 `idempotency_key_reused`).",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
} as const;

/** The 3.1 document of `app`'s routes, with `documentation` (info, tags, security) around them. */
export function openapi31(app: AnyElysia, documentation: Json, excludePaths: string[]): Json {
  const { paths, components } = toOpenAPISchema(app, { paths: excludePaths }, undefined, undefined, "3.1.2") as Json;
  for (const [path, ops] of Object.entries<Json>(paths)) {
    for (const [method, op] of Object.entries<Json>(ops)) {
      describeResponses(method, path, op);
      for (const p of op.parameters ?? []) if (p.in === "query") p.schema = plainNumber(p.schema);
      if (method === "post" && needsApiKey(path))
        op.parameters = [...(op.parameters ?? []), { $ref: "#/components/parameters/IdempotencyKey" }];
    }
  }
  return {
    openapi: "3.1.2",
    ...documentation,
    paths,
    components: {
      ...documentation.components,
      parameters: { IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER },
      ...(Object.keys(components?.schemas ?? {}).length ? { schemas: components.schemas } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0: the same document in the older schema dialect

/** One JSON Schema (2020-12, as TypeBox writes it) in OpenAPI 3.0's dialect. */
function schema30(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(schema30);
  if (!s || typeof s !== "object") return s;
  let src = plainNumber(s as Json);
  if (Array.isArray(src.type)) {
    // ["string", "null"]: one type, nullable (3.0 has no type lists).
    const types = src.type.filter((t: string) => t !== "null");
    src = types.length === 1
      ? { ...src, type: types[0], ...(types.length < src.type.length ? { nullable: true } : {}) }
      : { ...src, type: undefined, anyOf: types.map((type: string) => ({ type })) };
    if (src.type === undefined) delete src.type;
  }
  const nonNull = Array.isArray(src.anyOf) ? src.anyOf.filter((b: Json) => b.type !== "null") : null;
  if (nonNull && nonNull.length < src.anyOf.length) {
    const { anyOf: _, ...rest } = src;
    const branches = nonNull.map((b: Json) => plainNumber(b));
    if (branches.length > 1)
      // 3.0 wants `nullable` beside a `type`: each branch says it.
      return { ...(schema30(rest) as Json), anyOf: branches.map((b: Json) => ({ ...(schema30(b) as Json), nullable: true })) };
    const inner = schema30(branches[0]) as Json;
    // A union inside: each of its branches says it (3.0 wants `nullable` beside a `type`).
    if (inner.anyOf && !inner.type) return { ...(schema30(rest) as Json), ...inner, anyOf: inner.anyOf.map((b: Json) => ({ ...b, nullable: true })) };
    // 3.0 ignores siblings of $ref, so a nullable reference is wrapped in allOf.
    const base = inner.$ref ? { allOf: [inner] } : inner;
    return { ...(schema30(rest) as Json), ...base, nullable: true };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    switch (k) {
      case "$id": case "$schema": case "contentMediaType": case "contentEncoding":
        break;
      case "const":
        out.enum = [v];
        if (src.type === undefined) out.type = typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string";
        break;
      case "examples":
        if (Array.isArray(v) && v.length) out.example = v[0];
        break;
      case "exclusiveMinimum": case "exclusiveMaximum":
        if (typeof v === "number") {
          out[k === "exclusiveMinimum" ? "minimum" : "maximum"] = v;
          out[k] = true;
        } else out[k] = v;
        break;
      case "patternProperties": {
        const values = Object.values(v as Json);
        if (values.length) out.additionalProperties = schema30(values[0]);
        break;
      }
      case "properties":
        out.properties = Object.fromEntries(Object.entries(v as Json).map(([name, p]) => [name, schema30(p)]));
        break;
      case "items": case "additionalProperties": case "not":
        out[k] = typeof v === "object" ? schema30(v) : v;
        break;
      case "anyOf": case "oneOf": case "allOf":
        out[k] = (v as unknown[]).map(schema30);
        break;
      default:
        out[k] = v;
    }
  }
  return out;
}

/** Every schema slot of a media-type map, parameter list or header map, converted. */
const content30 = (content: Json | undefined) =>
  content && Object.fromEntries(Object.entries(content).map(([type, media]) => [type, { ...media, ...(media.schema ? { schema: schema30(media.schema) } : {}) }]));

const withSchema = <T extends Json>(x: T): T => ("schema" in x ? { ...x, schema: schema30(x.schema) } : x);

/** The 3.0.3 edition of a 3.1 document made by openapi31. */
export function openapi30(doc: Json): Json {
  const paths = Object.fromEntries(Object.entries<Json>(doc.paths).map(([path, ops]) => [path, Object.fromEntries(
    Object.entries<Json>(ops).map(([method, op]) => [method, {
      ...op,
      ...(op.parameters ? { parameters: op.parameters.map(withSchema) } : {}),
      ...(op.requestBody ? { requestBody: { ...op.requestBody, content: content30(op.requestBody.content) } } : {}),
      responses: Object.fromEntries(Object.entries<Json>(op.responses ?? {}).map(([status, res]) => [status, {
        ...res,
        ...(res.content ? { content: content30(res.content) } : {}),
        ...(res.headers ? { headers: Object.fromEntries(Object.entries<Json>(res.headers).map(([h, v]) => [h, withSchema(v)])) } : {}),
      }])),
    }]),
  )]));
  const { identifier: _, ...license } = doc.info.license ?? {};
  const components = doc.components ?? {};
  return {
    ...doc,
    openapi: "3.0.3",
    info: { ...doc.info, ...(doc.info.license ? { license } : {}) },
    paths,
    components: {
      ...components,
      ...(components.parameters ? { parameters: Object.fromEntries(Object.entries<Json>(components.parameters).map(([n, p]) => [n, withSchema(p)])) } : {}),
      ...(components.schemas ? { schemas: Object.fromEntries(Object.entries(components.schemas).map(([n, s]) => [n, schema30(s)])) } : {}),
    },
  };
}
