/**
 * Reads the server's OpenAPI document into what both SDK emitters need: the named schemas
 * (every schema with a `title`) and one entry per operation. The server inlines its
 * schemas (components.schemas is empty), so names come from titles, not from $refs.
 */

export type Schema = {
  type?: string | string[];
  title?: string;
  description?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  [k: string]: unknown;
};

type Media = { schema?: Schema };
type Operation = {
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { required?: boolean; content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
};
export type OpenApi = { paths: Record<string, Record<string, Operation>>; info?: { version?: string } };

export interface Param {
  name: string;
  required: boolean;
  schema: Schema;
  description?: string;
}

export interface ApiOperation {
  /** "GET /api/v1/envelopes/{id}": the key the SDKs type their calls by. */
  key: string;
  summary?: string;
  path: Param[];
  query: Param[];
  /** The JSON request body, when the operation takes one. */
  body?: Schema;
  /** The success response: a JSON schema, or "binary" for a PDF download. */
  response: Schema | "binary" | undefined;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/**
 * t.Numeric (an integer that also parses from a query-string) shows as
 * anyOf[string(format integer), integer]; the server always answers a number, so the SDKs
 * type it as one.
 */
export function isNumeric(s: Schema): boolean {
  return !!s.anyOf && s.anyOf.length === 2 && s.anyOf.some((x) => x.type === "string" && x.format === "integer") && s.anyOf.some((x) => x.type === "integer");
}

const PROSE = new Set(["description", "examples", "example", "default", "summary"]);

/** A schema's shape without its prose: the same type documented twice is still one type. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => !PROSE.has(k)).map(([k, v]) => [k, shape(v)]));
}

/**
 * Every titled schema, by title (the first one met keeps its descriptions). The same title on
 * two schemas of different shapes is an error, not a silent pick.
 */
export function namedSchemas(spec: OpenApi): Map<string, Schema> {
  const named = new Map<string, Schema>();
  const seen = new Map<string, string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const s = node as Schema;
    if (typeof s.title === "string" && (s.type || s.anyOf || s.properties)) {
      const text = JSON.stringify(shape(s));
      const before = seen.get(s.title);
      if (before !== undefined && before !== text) throw new Error(`two schemas of different shapes are titled ${s.title}: give one another title`);
      if (before === undefined) {
        seen.set(s.title, text);
        named.set(s.title, s);
      }
    }
    for (const v of Object.values(s)) visit(v);
  };
  visit(spec.paths);
  return new Map([...named].sort(([a], [b]) => a.localeCompare(b)));
}

export function operations(spec: OpenApi): ApiOperation[] {
  const out: ApiOperation[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const params = (where: string) =>
        (op.parameters ?? []).filter((p) => p.in === where).map((p) => ({ name: p.name, required: !!p.required, schema: p.schema ?? {}, description: p.description }));
      const success = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith("2"))?.[1];
      const content = success?.content ?? {};
      const json = Object.entries(content).find(([type]) => type.includes("json"))?.[1]?.schema;
      const binary = Object.keys(content).some((type) => type === "application/pdf" || type === "application/octet-stream");
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        summary: op.summary,
        path: params("path"),
        query: params("query"),
        body: op.requestBody?.content?.["application/json"]?.schema,
        response: json ?? (binary ? "binary" : undefined),
      });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}
