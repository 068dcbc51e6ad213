/**
 * The one error type of the domain. It carries a stable machine code; each code has one
 * status and one meaning here, which http/problem.ts turns into the problem+json answer and
 * http/errors-page.ts into the errors page (/docs/errors). The domain throws codes, never
 * builds responses.
 */
export const ERRORS = {
  bad_request: { status: 400, meaning: "A header or parameter is malformed, e.g. an Idempotency-Key that is not 1 to 255 visible ASCII characters." },
  invalid_json: { status: 400, meaning: "The request body is not valid JSON." },
  json_too_deep: { status: 400, meaning: "The JSON body nests objects or arrays deeper than 64 levels; no request of this API needs that many." },
  unauthorized: { status: 401, meaning: "No API key was sent, or the key is unknown, malformed or revoked." },
  forbidden: { status: 403, meaning: "The key may not do this: it lacks the route's scope, or a test key asks for live data or keys." },
  not_found: { status: 404, meaning: "No such resource in the key's environment (test and live never see each other), or an unknown signing token." },
  route_not_found: { status: 404, meaning: "No route has this path." },
  method_not_allowed: { status: 405, meaning: "The path exists but not with this method; the Allow header lists the methods it takes." },
  conflict: { status: 409, meaning: "The resource changed meanwhile, or is not in a state that allows this change; read it again and retry." },
  document_in_use: { status: 409, meaning: "The document belongs to a draft or sent envelope, or to a template, so it cannot be deleted." },
  template_in_use: { status: 409, meaning: "A bulk send from the template has rows still to send (each is made from the template when its turn comes); delete the template once the batch has completed." },
  envelope_not_draft: { status: 409, meaning: "Only a DRAFT envelope can be changed; this one was sent." },
  envelope_already_sent: { status: 409, meaning: "The envelope was already sent." },
  envelope_not_completed: { status: 409, meaning: "The signed document exists once every recipient has signed (status COMPLETED)." },
  seal_pending: { status: 409, meaning: "The signed document is being sealed; retry after the Retry-After seconds." },
  seal_failed: { status: 503, meaning: "Sealing the signed document failed for good (e.g. a document sealing cannot process); the audit trail and the server log say why, and `certyneo seal` retries it once the cause is mended." },
  envelope_not_sent: { status: 409, meaning: "The envelope is a DRAFT: it has no audit trail yet, and its recipients change with PATCH /envelopes/{id}. Send it first." },
  envelope_ended: { status: 409, meaning: "The envelope has already ended (completed, declined, voided or expired)." },
  envelope_not_ended: { status: 409, meaning: "Only an ended envelope (completed, declined, voided or expired) can be purged; void a sent one first." },
  envelope_purged: { status: 410, meaning: "The envelope was purged (retention or erasure on request); only its tombstone remains." },
  signing_not_required: { status: 409, meaning: "This recipient (CC) only receives the completed copy: there is nothing to sign." },
  signing_not_your_turn: { status: 409, meaning: "Sequential signing: earlier recipients sign first; this one is invited when its turn comes." },
  signing_already_done: { status: 409, meaning: "This recipient has already signed, approved or declined." },
  reassign_not_allowed: { status: 409, meaning: "The sender did not let this envelope's signers hand their turn to someone else (allowReassign), or this recipient cannot hand it over (one who proves who they are by SMS: the sender corrects the recipient instead)." },
  signing_auth_required: { status: 401, meaning: "The recipient must prove who they are first: the one-time code sent by e-mail or SMS, or the access code the sender gave (POST …/auth)." },
  auth_code_invalid: { status: 401, meaning: "The code is wrong or has expired; after 5 wrong codes authentication is locked for a while." },
  auth_locked: { status: 429, meaning: "Too many wrong codes: authentication is locked; retry after the Retry-After seconds." },
  auth_resend_too_soon: { status: 429, meaning: "A code was sent moments ago; ask for another after the Retry-After seconds." },
  auth_not_required: { status: 409, meaning: "This recipient has no authentication beyond the signing link (or an access code, which is not sent)." },
  signing_closed: { status: 410, meaning: "The envelope has ended (declined, voided or expired): its signing links and documents are no longer served." },
  idempotency_in_progress: { status: 409, meaning: "A request with this Idempotency-Key is still running; retry once it has finished." },
  webhook_disabled: { status: 409, meaning: "The webhook endpoint is disabled; re-enable it (PATCH `enabled: true`) before resending." },
  payload_too_large: { status: 413, meaning: "The request body or uploaded file is larger than the configured upload limit (maxUploadMb)." },
  unsupported_media_type: { status: 415, meaning: "The request body is neither application/json nor multipart/form-data (for uploads)." },
  validation_failed: { status: 422, meaning: "The request has invalid fields; `errors` lists each one with its JSON pointer." },
  idempotency_key_reused: { status: 422, meaning: "This Idempotency-Key was used with a different request; use a new key for a new request." },
  pdf_invalid: { status: 422, meaning: "The file is not a readable PDF: no %PDF- header, truncated, empty, or unparseable." },
  pdf_encrypted: { status: 422, meaning: "The PDF is encrypted or password-protected; remove the encryption and upload it again." },
  pdf_certified_no_changes: { status: 422, meaning: "The PDF is certified with no changes allowed (DocMDP P=1): signing it would break its certification." },
  pdf_too_complex: { status: 422, meaning: "The PDF exceeds the server's processing bounds: its compressed streams expand too much (a zip bomb), it takes too long to read, or it holds more than 5,000 text tags. Save it again with a PDF editor, or print it to a new PDF." },
  rate_limited: { status: 429, meaning: "The rate limit is exhausted (the key's, or without a key the client address's or the signing link's); retry after the Retry-After seconds." },
  internal_error: { status: 500, meaning: "An unexpected server error; the requestId finds it in the server log." },
  unavailable: { status: 503, meaning: "A service the request needs (the sealing key, the time-stamp authority, the mail server or SMS gateway that sends a signer's code) is unavailable; retry later." },
  database_busy: { status: 503, meaning: "The database is locked by another process (a backup, a maintenance command); retry after the Retry-After seconds." },
  storage_unavailable: { status: 503, meaning: "The file storage (an S3 bucket) cannot be reached or is failing; retry after the Retry-After seconds." },
  database_unavailable: { status: 503, meaning: "The database (PostgreSQL) cannot be reached: the connection was refused, lost or timed out. Retry after the Retry-After seconds; a write whose connection was lost as it committed may have been saved, so send it again with the same Idempotency-Key." },
  insufficient_storage: { status: 507, meaning: "The server's disk is full: nothing was saved. Reads still work; retry once an administrator has made space." },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldError {
  /** JSON pointer to the bad value, e.g. /recipients/0/email */
  pointer: string;
  message: string;
}

/** A key as one reference token of a JSON pointer (RFC 6901: "~" and "/" escaped). */
export const pointerKey = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; authentication?: { method: string; destination?: string; locale?: string } } = {},
  ) {
    super(message);
  }
  get status(): number {
    return ERRORS[this.code].status;
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

/** The signing key cannot be used (file, password, token, certificate); the message is one human line. */
export class SignerError extends Error {
  override name = "SignerError";
}
