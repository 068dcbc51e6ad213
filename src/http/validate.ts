import type { Static, TSchema } from "elysia";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import { DATE_TIME_WORDING } from "../clock";
import { invalid, type FieldError } from "../errors";
import { fits } from "../schema-check";
import { isInputInteger } from "./schemas";

/** At most this many problems in one answer: enough to fix a request, bounded for a hostile one. */
const MAX_ERRORS = 50;

/** The value a message quotes, cut short: a 600 KB drawn signature is not sent back whole. */
const show = (v: unknown) =>
  typeof v === "string"
    ? JSON.stringify(v.slice(0, 60)) + (v.length > 60 ? `… (${v.length} characters)` : "")
    : v === undefined ? "nothing" : JSON.stringify(v)?.slice(0, 60) ?? String(v);

/** The allowed values of a union of literals (an enum), or null for another schema. */
function literalsOf(schema: TSchema): unknown[] | null {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf?.length || !anyOf.every((s) => "const" in s)) return null;
  return anyOf.map((s) => s.const);
}

/** A number's bounds in words: "from 1 to 100", "at least 1". */
function bounds(s: TSchema): string {
  const min = s.minimum ?? s.exclusiveMinimum;
  const max = s.maximum ?? s.exclusiveMaximum;
  const low = min === undefined ? "" : s.exclusiveMinimum !== undefined ? `greater than ${min}` : `at least ${min}`;
  const high = max === undefined ? "" : s.exclusiveMaximum !== undefined ? `less than ${max}` : `at most ${max}`;
  if (s.minimum !== undefined && s.maximum !== undefined) return `from ${min} to ${max}`;
  return [low, high].filter(Boolean).join(" and ");
}

/** A query's numbers arrive as text; Elysia's coerced schema accepts any integer-looking text, so numbers are compared as numbers. */
const numericBranch = (s: TSchema): TSchema | undefined =>
  s.type === "integer" || s.type === "number"
    ? s
    : (s.anyOf as TSchema[] | undefined)?.map(numericBranch).find(Boolean); // nullable(InputInteger()) nests its union

/** Where a schema's InputIntegers are: paths of member names, "*" for an array's items. */
function inputIntegerPaths(schema: TSchema, at: readonly string[] = []): string[][] {
  if (isInputInteger(schema)) return [[...at]];
  if (schema.type === "object") return Object.entries((schema.properties ?? {}) as Record<string, TSchema>).flatMap(([k, p]) => inputIntegerPaths(p, [...at, k]));
  if (schema.type === "array" && schema.items) return inputIntegerPaths(schema.items as TSchema, [...at, "*"]);
  return ((schema.anyOf as TSchema[] | undefined) ?? []).flatMap((branch) => inputIntegerPaths(branch, at));
}
const integerPaths = new WeakMap<TSchema, string[][]>();

/** Text InputInteger takes for a number (" 7", "1e3" too: Elysia's integer format): what its decoding makes of it. */
const integerText = (v: unknown): v is string => typeof v === "string" && v !== "" && Number.isInteger(+v);

/** The integer-looking text at an InputInteger's place (path[i..]) under `node` replaced by its number, in place. */
function decodeAt(node: unknown, path: readonly string[], i: number): void {
  if (node === null || typeof node !== "object") return;
  const step = path[i]!;
  const record = node as Record<string | number, unknown>;
  const keys = step === "*" ? (Array.isArray(node) ? node.keys() : []) : Object.hasOwn(node, step) ? [step] : [];
  for (const key of keys) {
    const child = record[key];
    if (i < path.length - 1) decodeAt(child, path, i + 1);
    else if (integerText(child)) record[key] = +child;
  }
}

/**
 * A body's whole numbers given as text become numbers before the check, as a query's do: the
 * check then applies their bounds (the text branch of InputInteger has none, so "-5" passed as
 * a reminder interval), and the handler gets numbers, as from Elysia's own decoding. In place:
 * the body is this request's own.
 */
function bodyNumbers(schema: TSchema, value: unknown): unknown {
  let paths = integerPaths.get(schema);
  if (!paths) integerPaths.set(schema, (paths = inputIntegerPaths(schema)));
  for (const path of paths) decodeAt(value, path, 0);
  return value;
}

function queryNumbers(schema: TSchema, value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  return Object.fromEntries(Object.entries(value).map(([k, v]) =>
    [k, typeof v === "string" && props[k] && numericBranch(props[k]) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]));
}

/** A union's branch in words ("text of at most 1000 characters", "true or false"), or null for one too rich to say so. */
function kindOf(s: TSchema): string | null {
  const allowed = literalsOf(s);
  if (allowed) return `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
  if (s.type === "string") {
    const { minLength: min, maxLength: max } = s as { minLength?: number; maxLength?: number };
    const length = min && max !== undefined ? `of ${min} to ${max} characters` : max !== undefined ? `of at most ${max} characters` : min ? `of at least ${min} characters` : "";
    return s.pattern || s.format ? null : `text${length ? ` ${length}` : ""}`;
  }
  if (s.type === "boolean") return "true or false";
  if (s.type === "null") return "null";
  if (s.type === "integer" || s.type === "number") {
    const b = bounds(s);
    return `${s.type === "integer" ? "an integer" : "a number"}${b ? ` ${b}` : ""}`;
  }
  return null;
}

/** What a value must be, said so that a reader can fix it without reading the schema. */
function expectation(e: ValueError): string {
  const s = numericBranch(e.schema) ?? e.schema;
  if (literalsOf(s)) return `must be ${kindOf(s)}`;
  if (s.type === "integer" || s.type === "number") {
    const orNull = (e.schema.anyOf as TSchema[] | undefined)?.some((b) => b.type === "null") ? " or null" : "";
    return `must be ${kindOf(s)}${orNull}`;
  }
  // nullable(x): say what x wants, rather than "expected union value".
  const branches = e.schema.anyOf as TSchema[] | undefined;
  if (e.type === ValueErrorType.Union && branches?.length === 2 && branches.some((b) => b.type === "null")) {
    const inner = Value.Errors(branches.find((b) => b.type !== "null")!, e.value).First();
    if (inner && inner.path === "") return `${expectation(inner)} or null`;
  }
  const kinds = e.type === ValueErrorType.Union ? branches?.map(kindOf) : undefined;
  if (kinds?.length && kinds.every((k) => k !== null)) return `must be ${kinds.join(", or ")}`;
  switch (e.type) {
    case ValueErrorType.StringMinLength: return `must be at least ${s.minLength} character${s.minLength === 1 ? "" : "s"} long`;
    case ValueErrorType.StringMaxLength: return `must be at most ${s.maxLength} characters long`;
    case ValueErrorType.StringPattern: return `must match ${s.pattern}`;
    case ValueErrorType.StringFormat: if (s.format === "date-time") return `must be ${DATE_TIME_WORDING}`; break;
    case ValueErrorType.ArrayMinItems: return `must have at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`;
    case ValueErrorType.ArrayMaxItems: return `must have at most ${s.maxItems} items`;
    case ValueErrorType.ObjectMaxProperties: return `must have at most ${s.maxProperties} members`;
    case ValueErrorType.ObjectAdditionalProperties: return "is not a known member";
    case ValueErrorType.ObjectRequiredProperty: return "is required";
  }
  return e.message.charAt(0).toLowerCase() + e.message.slice(1);
}

/**
 * Every way `value` breaks `schema`, one message per JSON pointer, each naming what is allowed
 * (the values of an enum, the bounds of a number). `where: "query"` words them as query
 * parameters: "query parameter limit must be an integer from 1 to 100 (got 500)".
 */
export function schemaErrors(schema: TSchema, value: unknown, where: Where = "body"): FieldError[] {
  return schemaProblems(schema, value, where).map((p) => p.error);
}

type Where = "body" | "query" | "params" | "headers";

function schemaProblems(schema: TSchema, value: unknown, where: Where): { error: FieldError; schema: TSchema }[] {
  const checked = where === "query" ? queryNumbers(schema, value) : where === "body" ? bodyNumbers(schema, value) : value;
  if (fits(schema, checked)) return [];
  const out: { error: FieldError; schema: TSchema }[] = [];
  const seen = new Set<string>();
  const unions: string[] = [];
  for (const e of Value.Errors(schema, checked)) {
    const pointer = e.path || "/";
    // A failed union may also report its branches' failures below it; the union's message says more.
    if (seen.has(pointer) || unions.some((p) => pointer.startsWith(p + "/"))) continue;
    seen.add(pointer);
    if (e.type === ValueErrorType.Union) unions.push(pointer);
    const name = pointer.slice(1).replace(/\//g, ".");
    if (where === "query" && e.type === ValueErrorType.ObjectAdditionalProperties) {
      out.push({ error: { pointer, message: `${name} is not a query parameter of this route` }, schema: e.schema });
      continue;
    }
    // A secret (OpenAPI's writeOnly: an access code) is not quoted back, where a log or a proxy might keep it.
    const got = e.type === ValueErrorType.ObjectRequiredProperty || e.schema.writeOnly ? "" : ` (got ${show(e.value)})`;
    const message = where === "query" || where === "params" || where === "headers"
      ? `${where === "query" ? "query parameter" : where === "params" ? "path parameter" : "header"} ${name} ${expectation(e)}${got}`
      : `${expectation(e)}${e.type === ValueErrorType.ObjectAdditionalProperties || e.type === ValueErrorType.ObjectRequiredProperty ? "" : got}`;
    out.push({ error: { pointer, message }, schema: e.schema });
    if (out.length >= MAX_ERRORS) break;
  }
  return out;
}

/** Sets the member at a JSON pointer (parents must exist). */
function setAt(root: unknown, pointer: string, value: unknown) {
  const keys = pointer.split("/").slice(1).map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (!node || typeof node !== "object") return;
    node = node[k] as Record<string, unknown>;
  }
  if (node && typeof node === "object") node[keys.at(-1)!] = value;
}

/**
 * A body's schema errors, and the body with each bad member replaced by a well-formed stand-in,
 * so that business rules can still read it (their findings at those members are dropped by
 * mergeProblems: the member is reported once, for its shape). A body that is not an object at
 * all (null, a number, text, an array: every body schema is an object's) has nothing to read:
 * its shape is its problem, thrown at once.
 */
export function checkShape<T extends TSchema>(schema: T, value: unknown): { errors: FieldError[]; value: Static<T> } {
  const problems = schemaProblems(schema, value, "body");
  if (!problems.length) return { errors: [], value: value as Static<T> };
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid(problems.map((p) => p.error), "Invalid request body");
  const repaired = structuredClone(value);
  for (const p of problems) {
    // The object's own constraints (a member it must have) leave nothing to replace.
    if (p.error.pointer === "/") continue;
    try {
      setAt(repaired, p.error.pointer, Value.Create(p.schema));
    } catch {
      // No stand-in for this schema: the rules may then find the member unreadable, which mergeProblems tolerates.
    }
  }
  return { errors: problems.map((p) => p.error), value: repaired as Static<T> };
}

/** Validates a value against a TypeBox schema, throwing the API's validation error with JSON pointers. */
export function assertValid<T extends TSchema>(schema: T, value: unknown, what = "request body"): void {
  if (fits(schema, bodyNumbers(schema, value))) return;
  throw invalid(schemaErrors(schema, value), `Invalid ${what}`);
}

/**
 * Shape errors and business errors in one answer: the business rules run too, on what they can
 * read, and their findings under a member whose shape is already wrong are dropped (that member
 * is reported once, for its shape). Rules that cannot read a malformed body add nothing.
 */
export function mergeProblems(shape: readonly FieldError[], rules: () => FieldError[]): FieldError[] {
  let found: FieldError[] = [];
  try {
    found = rules();
  } catch {
    // The body is too malformed for the rules to read; its shape errors say what to fix first.
  }
  const under = (p: string, q: string) => p === q || p.startsWith(q === "/" ? "/" : q + "/");
  const seen = new Set<string>();
  return [...shape, ...found.filter((b) => !shape.some((s) => under(b.pointer, s.pointer) && s.pointer !== "/"))]
    .filter((e) => !seen.has(e.pointer + "\n" + e.message) && seen.add(e.pointer + "\n" + e.message))
    .slice(0, MAX_ERRORS);
}
