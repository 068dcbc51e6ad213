import { AppError, type FieldError } from "../errors";

/** RFC 9457 problem details, extended with a stable `code`, `message` and the `requestId`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  message: string;
  requestId: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  409: "Conflict", 410: "Gone", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
  429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable", 507: "Insufficient Storage",
};

export function problemOf(err: AppError, requestId: string): Problem {
  return {
    type: `urn:certyneo:error:${err.code}`,
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    detail: err.message,
    code: err.code,
    message: err.message,
    requestId,
    ...(err.extra.errors ? { errors: err.extra.errors } : {}),
  };
}

export function problemResponse(err: AppError, requestId: string): Response {
  return new Response(JSON.stringify(problemOf(err, requestId)), {
    status: err.status,
    headers: { "content-type": "application/problem+json", ...err.extra.headers },
  });
}
