/**
 * The one error type of the domain. It carries a stable machine code; each code has one
 * status here, which http/problem.ts turns into the problem+json answer. The domain throws
 * codes, never builds responses.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  /** A JSON body nested deeper than the API ever needs (http/body-guard.ts). */
  json_too_deep: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  document_in_use: 409,
  envelope_not_draft: 409,
  envelope_already_sent: 409,
  envelope_not_completed: 409,
  seal_pending: 409,
  seal_failed: 503,
  envelope_not_sent: 409,
  envelope_ended: 409,
  signing_not_required: 409,
  signing_not_your_turn: 409,
  signing_already_done: 409,
  signing_closed: 410,
  idempotency_in_progress: 409,
  webhook_disabled: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  idempotency_key_reused: 422,
  pdf_invalid: 422,
  pdf_encrypted: 422,
  pdf_certified_no_changes: 422,
  /** Beyond the bounds of PDF work: inflated size or processing time (pdf-worker/). */
  pdf_too_complex: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
  /** SQLite stayed locked by another process past the busy timeout: retry shortly. */
  database_busy: 503,
  /** The disk (or quota) is full: writes are refused, reads still served. */
  insufficient_storage: 507,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** JSON pointer to the bad value, e.g. /recipients/0/email */
  pointer: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id: string) => new AppError("not_found", `${what} ${id} does not exist`);

export const invalid = (errors: FieldError[], message = "The request has invalid fields") =>
  new AppError("validation_failed", message, { errors });

/**
 * Something that stops the server or a command from starting (data directory, database,
 * instance key, port): the CLI prints its message as one line and exits 2.
 */
export class StartupError extends Error {}
