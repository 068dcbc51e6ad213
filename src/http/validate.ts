import type { TSchema } from "elysia";
import { Value } from "@sinclair/typebox/value";
import { invalid } from "../errors";

/** Validates a value against a TypeBox schema, throwing the API's validation error with JSON pointers. */
export function assertValid<T extends TSchema>(schema: T, value: unknown, what = "request body"): void {
  if (Value.Check(schema, value)) return;
  const errors = [...Value.Errors(schema, value)].slice(0, 20).map((e) => ({ pointer: e.path || "/", message: e.message }));
  throw invalid(errors, `Invalid ${what}`);
}
