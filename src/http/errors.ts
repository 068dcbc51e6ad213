import { Elysia, type TSchema } from "elysia";
import type { Config } from "../config";
import type { Logger } from "../log";
import { AppError, type FieldError } from "../errors";
import { schemaErrors } from "./validate";
import { contextOf } from "./context";
import { refusalAnswer } from "./refusal-page";
import { systemError } from "./system-errors";

interface RouteShape {
  method: string;
  pattern: RegExp;
  /** The route's query schema, to name every bad query parameter at once. */
  query?: TSchema;
}

/** The methods the app answers on a path, for 405 + Allow instead of a bare 404. */
export function allowedMethods(routes: RouteShape[], path: string): string[] {
  return [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}

export const routePattern = (path: string) =>
  new RegExp("^" + (path.replace(/\/+$/, "") || "/").replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+").replace(/\/\*$/, "/.*") + "/?$");

/**
 * Elysia's validation failure, re-checked against the route's schema so that every problem is
 * named with what is allowed. Elysia stops at the first bad query parameter (and then reports
 * it without its name): the whole query is checked again from the URL.
 */
function validationErrors(error: any, where: string, request: Request, routes: RouteShape[]): FieldError[] {
  let found: FieldError[] = [];
  if (where === "query" || where === "property") {
    const url = new URL(request.url);
    const schema = routes.find((r) => r.query && r.method === request.method && r.pattern.test(url.pathname))?.query;
    if (schema) found = schemaErrors(schema, Object.fromEntries(url.searchParams), "query");
  } else {
    const schema = error?.validator?.schema;
    if (schema) found = schemaErrors(schema, error.value, where === "params" || where === "headers" ? where : "body");
  }
  return found.length ? found : [{ pointer: "/", message: String(error?.message ?? "invalid") }];
}

/**
 * Maps everything thrown inside Elysia to the one problem shape (a page for a browser opening one
 * of the server's pages: refusal-page.ts). `routes` is read lazily because the plugin is
 * registered before the modules that add routes.
 */
export function errorHandler(log: Logger, config: Config, routes: () => RouteShape[]) {
  return new Elysia({ name: "errors" }).onError({ as: "global" }, ({ code, error, request }) => {
    const ctx = contextOf(request);
    const path = new URL(request.url).pathname;
    let err: AppError;
    if (error instanceof AppError) err = error;
    else if (code === "VALIDATION") {
      const where = (error as any).type as string;
      const errors = validationErrors(error, where, request, routes());
      err = new AppError("validation_failed", where === "body" ? "Invalid request body" : `Invalid ${where === "property" ? "query" : where}: ${errors.map((e) => e.message).join("; ")}`, { errors });
    } else if (code === "PARSE") {
      err = request.headers.get("content-type")?.startsWith("multipart/")
        ? new AppError("bad_request", "The multipart/form-data body cannot be parsed: check that its parts match the boundary in Content-Type")
        : new AppError("invalid_json", "The request body is not valid JSON");
    }
    else if (code === "NOT_FOUND") {
      const allow = allowedMethods(routes(), path);
      err = allow.length
        ? new AppError("method_not_allowed", `${request.method} is not allowed on ${path}`, { headers: { allow: allow.join(", ") } })
        : new AppError("route_not_found", `No route ${request.method} ${path}`);
    } else {
      const system = systemError(error);
      if (!system) log.error("unhandled error", { requestId: ctx.id, code, error: String((error as Error)?.stack ?? error), ...causeOf(error) });
      err = system ?? new AppError("internal_error", "Internal error; the request id identifies it in the server log");
    }
    return refusalAnswer(err, request, path, ctx.id, config.baseUrl);
  });
}

/** The error under a wrapper (drizzle's "Failed query" carries the database's own words as its cause). */
function causeOf(error: unknown): { cause?: string } {
  const cause = (error as { cause?: unknown })?.cause;
  if (!cause) return {};
  const c = cause as { message?: string; errno?: unknown; code?: unknown };
  return { cause: [c.message ?? String(cause), c.errno ?? c.code].filter(Boolean).join(" ") };
}
