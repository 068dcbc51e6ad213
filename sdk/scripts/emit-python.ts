import { isNumeric, namedSchemas, type OpenApi, type Schema } from "./openapi";

export const PY_HEADER = '"""Generated from the server\'s OpenAPI document by sdk/scripts/generate.ts. Do not edit: run `npm run sdk:generate`."""';

const PY_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(" "),
);
const union = (parts: string[]) => {
  const unique = [...new Set(parts)];
  const nullable = unique.includes("None");
  const rest = unique.filter((p) => p !== "None");
  const inner = rest.length === 0 ? "None" : rest.length === 1 ? rest[0]! : `Union[${rest.join(", ")}]`;
  return nullable && rest.length ? `Optional[${inner}]` : inner;
};
const pyLiteral = (v: unknown) => (v === null ? "None" : typeof v === "boolean" ? (v ? "True" : "False") : JSON.stringify(v));

/** A Python annotation for one schema: titled schemas are TypedDicts, other objects plain dicts. */
function render(s: Schema, names: Set<string>): string {
  if (s.title && names.has(s.title)) return s.title;
  if (isNumeric(s)) return "int";
  if (s.const !== undefined) return `Literal[${pyLiteral(s.const)}]`;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (s.enum) {
    const values = s.enum.filter((v) => v !== null);
    const nullable = s.enum.includes(null) || types.includes("null");
    return union([`Literal[${values.map(pyLiteral).join(", ")}]`, ...(nullable ? ["None"] : [])]);
  }
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return union(alternatives.map((a) => render(a, names)));
  if (types.length > 1) return union(types.map((type) => render({ ...s, type, title: undefined }, names)));
  switch (types[0]) {
    case "string":
      return s.format === "binary" ? "bytes" : "str";
    case "integer":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    case "null":
      return "None";
    case "array":
      return `List[${s.items ? render(s.items, names) : "Any"}]`;
    case "object": {
      if (s.properties) return "Dict[str, Any]";
      const values = [...Object.values(s.patternProperties ?? {}), ...(typeof s.additionalProperties === "object" ? [s.additionalProperties] : [])];
      return `Dict[str, ${values.length ? union(values.map((v) => render(v, names))) : "Any"}]`;
    }
    default:
      return "Any";
  }
}

function field(name: string, p: Schema, names: Set<string>, owner: string): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || PY_KEYWORDS.has(name)) throw new Error(`${owner}.${name} cannot be a TypedDict class field; teach emit-python the functional form`);
  const comment = p.description ? [`    #: ${p.description.replace(/\n+/g, " ")}`] : [];
  return [...comment, `    ${name}: ${render(p, names)}`];
}

/**
 * One TypedDict per titled object schema. Python 3.9 has no NotRequired, so optional keys
 * go to a `total=False` subclass of a base holding the required ones.
 */
function typedDict(name: string, s: Schema, names: Set<string>): string[] {
  const props = Object.entries(s.properties ?? {});
  const required = new Set(s.required ?? []);
  const must = props.filter(([k]) => required.has(k));
  const may = props.filter(([k]) => !required.has(k));
  const docLine = s.description ? [`    """${s.description.replace(/"""/g, "'''")}"""`] : [];
  const block = (cls: string, fields: [string, Schema][]) => [cls, ...docLine, ...fields.flatMap(([k, p]) => field(k, p, names, name))];
  if (may.length === 0) return block(`class ${name}(TypedDict):`, must);
  if (must.length === 0) return block(`class ${name}(TypedDict, total=False):`, may);
  return [...block(`class _${name}Required(TypedDict):`, must), "", "", ...block(`class ${name}(_${name}Required, total=False):`, may)];
}

export function emitPython(spec: OpenApi): string {
  const named = namedSchemas(spec);
  const names = new Set(named.keys());
  const out = [PY_HEADER, "", "from __future__ import annotations", "", "from typing import Any, Dict, List, Literal, Optional, TypedDict, Union", ""];
  const exported: string[] = [];
  for (const [name, schema] of named) {
    exported.push(name);
    const isObject = schema.properties || schema.type === "object";
    out.push("", ...(isObject ? typedDict(name, schema, names) : [`${name} = ${render({ ...schema, title: undefined }, names)}`]), "");
  }
  out.push("", `__all__ = [${exported.map((n) => JSON.stringify(n)).join(", ")}]`, "");
  return out.join("\n").replace(/\n{4,}/g, "\n\n\n");
}
