import type { Static } from "elysia";
import type { AppError } from "../errors";
import { errorDocsUrl, errorType } from "./errors-page";
import type { Problem } from "./schemas";

const TITLES: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  409: "Conflict", 410: "Gone", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
  429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable", 507: "Insufficient Storage",
};

/** RFC 9457 problem details, extended with a stable `code`, `message` and the `requestId`. */
function problemOf(err: AppError, requestId: string): Static<typeof Problem> {
  return {
    type: errorType(err.code),
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    detail: err.message,
    code: err.code,
    message: err.message,
    requestId,
    ...(err.extra.errors ? { errors: err.extra.errors } : {}),
    ...(err.extra.authentication ? { authentication: err.extra.authentication } : {}),
  };
}

/** The problem+json answer; its `Link` (rel="help") leads to the code's section of the errors page. */
export function problemResponse(err: AppError, requestId: string, baseUrl: string): Response {
  return new Response(JSON.stringify(problemOf(err, requestId)), {
    status: err.status,
    headers: {
      "content-type": "application/problem+json",
      link: `<${errorDocsUrl(baseUrl, err.code)}>; rel="help"`,
      ...err.extra.headers,
    },
  });
}
