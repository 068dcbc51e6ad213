import { isNumeric, namedSchemas, operations, type OpenApi, type Param, type Schema } from "./openapi";

export const TS_HEADER = "// Generated from the server's OpenAPI document by sdk/scripts/generate.ts. Do not edit: run `npm run sdk:generate`.";

const literal = (v: unknown) => JSON.stringify(v);
const union = (parts: string[]) => [...new Set(parts)].join(" | ") || "never";
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string) => (IDENT.test(name) ? name : literal(name));

function doc(text: string | undefined, indent: string): string {
  if (!text) return "";
  return `${indent}/** ${text.replace(/\*\//g, "*\\/").replace(/\n+/g, " ")} */\n`;
}

/** TypeScript for one schema; titled schemas below the root become references to their named type. */
function render(s: Schema, names: Set<string>, indent: string, root = false): string {
  if (!root && s.title && names.has(s.title)) return s.title;
  if (isNumeric(s)) return "number";
  if (s.const !== undefined) return literal(s.const);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (s.enum) return union([...s.enum.map(literal), ...(types.includes("null") && !s.enum.includes(null) ? ["null"] : [])]);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return union(alternatives.map((a) => render(a, names, indent)));
  if (types.length > 1) return union(types.map((type) => render({ ...s, type, title: undefined }, names, indent)));
  switch (types[0]) {
    case "string":
      return s.format === "binary" ? "Blob" : "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array": {
      const item = s.items ? render(s.items, names, indent) : "unknown";
      return /[ |&]/.test(item) ? `Array<${item}>` : `${item}[]`;
    }
    case "object":
      return objectType(s, names, indent);
    default:
      return s.properties ? objectType(s, names, indent) : "unknown";
  }
}

function objectType(s: Schema, names: Set<string>, indent: string): string {
  const props = Object.entries(s.properties ?? {});
  if (props.length === 0) {
    const values = Object.values(s.patternProperties ?? {});
    const extra = typeof s.additionalProperties === "object" ? [s.additionalProperties] : [];
    const value = [...values, ...extra];
    return value.length ? `Record<string, ${union(value.map((v) => render(v, names, indent)))}>` : "Record<string, unknown>";
  }
  const inner = indent + "  ";
  const required = new Set(s.required ?? []);
  const lines = props.map(([name, p]) => `${doc(p.description, inner)}${inner}${key(name)}${required.has(name) ? "" : "?"}: ${render(p, names, inner)};`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function paramsType(params: Param[], names: Set<string>, indent: string): string {
  if (params.length === 0) return "{}";
  const inner = indent + "  ";
  const lines = params.map((p) => `${doc(p.description, inner)}${inner}${key(p.name)}${p.required ? "" : "?"}: ${render(p.schema, names, inner)};`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** The generated module: one exported type per titled schema, then `Operations` keyed by "METHOD /path". */
export function emitTypeScript(spec: OpenApi): string {
  const named = namedSchemas(spec);
  const names = new Set(named.keys());
  const out: string[] = [TS_HEADER, ""];
  for (const [name, schema] of named) {
    const body = render(schema, names, "", true);
    // A titled schema met first in its nullable form renders as "{…} | null": a type alias, not an interface.
    out.push(`${doc(schema.description, "")}${body.startsWith("{") && body.endsWith("}") ? `export interface ${name} ${body}` : `export type ${name} = ${body};`}`, "");
  }
  out.push("/** Every API operation by method and path: its parameters, JSON body and success response (\"binary\" for a file). */");
  out.push("export interface Operations {");
  for (const op of operations(spec)) {
    const i = "    ";
    out.push(`${doc(op.summary, "  ")}  ${literal(op.key)}: {`);
    out.push(`${i}path: ${paramsType(op.path, names, i)};`);
    out.push(`${i}query: ${paramsType(op.query, names, i)};`);
    out.push(`${i}body: ${op.body ? render(op.body, names, i) : "undefined"};`);
    out.push(`${i}response: ${op.response === "binary" ? '"binary"' : op.response ? render(op.response, names, i) : "unknown"};`);
    out.push("  };");
  }
  out.push("}", "");
  return out.join("\n");
}
