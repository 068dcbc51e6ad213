import type { Problem } from "./generated.js";

/** A field the server refused, by JSON pointer into the request body. */
export type FieldError = NonNullable<Problem["errors"]>[number];

/**
 * Every failure of a call: an RFC 9457 problem from the server (`status`, `code`,
 * `requestId`, `problem`), or no answer at all (`status` 0, `code` "network_error" or
 * "timeout").
 */
export class CertyneoError extends Error {
  override readonly name = "CertyneoError";
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** The server's stable machine code (e.g. "validation_failed"), or "network_error" / "timeout". */
  readonly code: string;
  /** The request id the server logged: quote it in a support ticket. */
  readonly requestId: string | null;
  /** The whole problem+json body, when the server sent one. */
  readonly problem: Problem | null;
  /** The fields the server refused (validation errors). */
  readonly errors: FieldError[];
  /** Seconds the server asked to wait (Retry-After), when it did. */
  readonly retryAfterSeconds: number | null;

  constructor(init: { status: number; code: string; message: string; requestId?: string | null; problem?: Problem | null; retryAfterSeconds?: number | null; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.problem = init.problem ?? null;
    this.errors = init.problem?.errors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}
