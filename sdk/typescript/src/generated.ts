// Generated from the server's OpenAPI document by sdk/scripts/generate.ts. Do not edit: run `npm run sdk:generate`.

export interface ApiKey {
  id: string;
  name: string;
  environment: "test" | "live";
  /** First characters of the key, to recognise it */
  prefix: string;
  /** What the key may do; a route needing another scope answers 403 forbidden */
  scopes: Array<"envelopes" | "webhooks" | "keys">;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeyList {
  data: ApiKey[];
}

export interface AuditSummary {
  count: number;
  /** Hash of the last event: the head of the envelope's SHA-256 hash chain */
  head: string;
  /** Whether the stored chain ends at the head recorded with its last event, the events shown linked to it. No hash is recomputed here; the audit-trail PDF reports the whole chain verified, every hash recomputed. */
  valid: boolean;
  /** The last events, oldest first */
  events: Array<{
    seq: number;
    type: string;
    at: string;
    actor: string;
  }>;
}

export interface Batch {
  id: string;
  templateId: string;
  status: "queued" | "running" | "completed";
  total: number;
  /** Rows done so far (sent + failed) */
  processed: number;
  /** Rows whose envelope was created and sent */
  sent: number;
  failed: number;
  envelopes: Array<{
    /** 0-based row number */
    row: number;
    envelopeId: string;
  }>;
  /** Each failed row with its problems (pointers from /rows/{row}) */
  errors: Array<{
    row: number;
    errors: Array<{
      pointer: string;
      message: string;
    }>;
  }>;
  createdAt: string;
  completedAt: string | null;
}

export interface BatchRowInput {
  /** One person per role of the template */
  recipients: TemplateRecipientInput[];
  /** Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them. */
  prefill?: Record<string, string | boolean>;
  metadata?: Record<string, string>;
}

export interface BulkSend {
  /** One envelope per row; a row that is not valid fails alone */
  rows: BatchRowInput[];
}

export interface BulkSendCsv {
  /** CSV, UTF-8, a header line then one envelope per line: `Role.email`, `Role.name`, `Role.phone` per role; every other column is a prefill value by field label */
  file: Blob;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  environment: "test" | "live";
  /** First characters of the key, to recognise it */
  prefix: string;
  /** What the key may do; a route needing another scope answers 403 forbidden */
  scopes: Array<"envelopes" | "webhooks" | "keys">;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The secret key. Shown once: store it now. */
  key: string;
}

export interface CreatedWebhook {
  id: string;
  /** The URL deliveries are POSTed to */
  url: string;
  description: string | null;
  events: Array<"envelope.created" | "envelope.sent" | "envelope.completed" | "envelope.declined" | "envelope.voided" | "envelope.expired" | "recipient.viewed" | "recipient.signed" | "envelope.seal_delayed" | "recipient.delivery_failed" | "envelope.seal_failed" | "*">;
  /** False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH) */
  enabled: boolean;
  /** Why the endpoint was disabled */
  disabledReason: string | null;
  /** Start of the current run of failed deliveries, null while healthy */
  failingSince: string | null;
  createdAt: string;
  /** Signing secret (Standard Webhooks `whsec_<base64>`). Shown once: store it now. */
  secret: string;
}

export interface DeletedWebhook {
  id: string;
  /** The URL deliveries are POSTed to */
  url: string;
  description: string | null;
  events: Array<"envelope.created" | "envelope.sent" | "envelope.completed" | "envelope.declined" | "envelope.voided" | "envelope.expired" | "recipient.viewed" | "recipient.signed" | "envelope.seal_delayed" | "recipient.delivery_failed" | "envelope.seal_failed" | "*">;
  /** False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH) */
  enabled: boolean;
  /** Why the endpoint was disabled */
  disabledReason: string | null;
  /** Start of the current run of failed deliveries, null while healthy */
  failingSince: string | null;
  createdAt: string;
  /** When the endpoint was deleted */
  deletedAt: string;
}

/** The outcome of the recipient's latest invitation or reminder */
export type Delivery = {
  status: "pending" | "sent" | "failed";
  channel: "email" | "sms" | null;
  /** Attempts since the latest invitation or reminder */
  attempts: number;
  lastError: string | null;
  updatedAt: string;
} | null;

export interface Document {
  id: string;
  name: string;
  /** Bytes */
  size: number;
  /** SHA-256 of the uploaded bytes, hex */
  sha256: string;
  pageCount: number;
  /** Displayed size of each page in points (CropBox, after rotation): the space field coordinates refer to */
  pages: Array<{
    width: number;
    height: number;
  }>;
  /** The document's own form fields: prefill them by name, or hand them to recipients (`formFields`) */
  formFields: FormField[];
  /** Text tags found in the document (`{{Name;type=signature;role=Employee}}` and the Adobe Sign / Dropbox Sign forms): an envelope turns them into fields */
  tags: TextTag[];
  createdAt: string;
}

export interface DocumentList {
  data: Document[];
  /** Whether another page follows; pass the last id as startingAfter */
  hasMore: boolean;
}

export interface DocumentUploadJson {
  name: string;
  /** The PDF, base64-encoded */
  contentBase64: string;
}

export interface DocumentUploadMultipart {
  /** The PDF file */
  file: Blob;
  /** Defaults to the file's name */
  name?: string;
}

export interface Envelope {
  id: string;
  status: "DRAFT" | "SENT" | "COMPLETED" | "DECLINED" | "VOIDED" | "EXPIRED";
  subject: string;
  message: string | null;
  locale: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar" | null;
  /** Who asks for the signatures: shown on the signing page and in the e-mails (their reply-to), and told by e-mail when a recipient declines */
  sender: {
    name: string;
    email: string;
  } | null;
  /** Origins that may frame the signing page (empty: none) */
  embedding: {
    allowedOrigins: string[];
  };
  redirectUrl: string | null;
  signingOrder: "parallel" | "sequential" | "custom";
  expiresAt: string | null;
  reminderIntervalHours: number | null;
  notifyBySms: boolean;
  allowReassign: boolean;
  metadata: Record<string, string>;
  prefill: Record<string, string | boolean>;
  /** The template it was made from, if any */
  templateId: string | null;
  documents: Array<{
    id: string;
    name: string;
    size: number;
    sha256: string;
    pageCount: number;
    /** Displayed page sizes in points: the space field coordinates refer to */
    pages: Array<{
      width: number;
      height: number;
    }>;
  }>;
  recipients: Recipient[];
  fields: Field[];
  /** The decline or void reason */
  statusReason: string | null;
  sealStatus: "PENDING" | "SEALED" | "FAILED" | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  completedAt: string | null;
  endedAt: string | null;
  audit: AuditSummary;
  /** Present (true) on the reply to DELETE of a draft */
  deleted?: boolean;
}

export interface EnvelopeCreate {
  subject: string;
  /** Shown in the invitation and on the signing page */
  message?: string;
  /** Documents, in order */
  documentIds: string[];
  recipients: RecipientInput[];
  /** Shorthand for routingOrder: parallel = everyone at once; sequential = in the order of `recipients`. Do not combine with per-recipient routingOrder. */
  signingOrder?: "parallel" | "sequential";
  /** Language of the e-mails, the signing page, the certificate of completion and the audit trail. Not set: the signing page follows each signer's browser (Accept-Language) and the e-mails are in English; a signer may switch the page's language either way. */
  locale?: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar";
  /** Who asks for the signatures: shown on the signing page and in the e-mails (their reply-to), and told by e-mail when a recipient declines */
  sender?: {
    name: string;
    email: string;
  };
  /** Embedded signing: which of your web apps may show the signing page in a frame */
  embedding?: {
    /** Origins (scheme://host[:port]: https, or http on loopback) whose pages may frame the signing page; the page posts its events to them */
    allowedOrigins: string[];
  };
  /** Where the signing page sends the signer after signing or declining (https, or http on loopback) */
  redirectUrl?: string;
  /** After this instant the envelope expires and its links stop working */
  expiresAt?: string;
  /** Remind pending recipients every N hours */
  reminderIntervalHours?: number;
  /** Also invite recipients that have a phone by SMS */
  notifyBySms?: boolean;
  /** Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate */
  allowReassign?: boolean;
  /** Your own string key/values (up to 50), returned as given */
  metadata?: Record<string, string>;
  /** Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them. */
  prefill?: Record<string, string | boolean>;
}

export interface EnvelopeCreateFromTemplate {
  /** The template to copy: documents, roles, fields and defaults */
  templateId: string;
  /** One person per role of the template */
  recipients: TemplateRecipientInput[];
  /** Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them. */
  prefill?: Record<string, string | boolean>;
  /** Default: the template's subject */
  subject?: string;
  /** Shown in the invitation and on the signing page */
  message?: string;
  /** Language of the e-mails, the signing page, the certificate of completion and the audit trail. Not set: the signing page follows each signer's browser (Accept-Language) and the e-mails are in English; a signer may switch the page's language either way. */
  locale?: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar";
  /** Default: the template's expiresInDays after now */
  expiresAt?: string;
  /** Remind pending recipients every N hours */
  reminderIntervalHours?: number;
  /** Also invite recipients that have a phone by SMS */
  notifyBySms?: boolean;
  /** Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate */
  allowReassign?: boolean;
  /** Added to the template's metadata */
  metadata?: Record<string, string>;
}

export interface EnvelopeList {
  data: Envelope[];
  /** Whether another page follows; pass the last id as startingAfter */
  hasMore: boolean;
}

/** Only the members given change; `recipients` and `metadata` are replaced whole; null clears. */
export interface EnvelopeUpdate {
  subject?: string;
  message?: string | null;
  documentIds?: string[];
  /** Replaces every recipient (and their fields) */
  recipients?: RecipientInput[];
  /** Shorthand for routingOrder: parallel = everyone at once; sequential = in the order of `recipients`. Do not combine with per-recipient routingOrder. */
  signingOrder?: "parallel" | "sequential";
  locale?: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar" | null;
  sender?: {
    name: string;
    email: string;
  } | null;
  embedding?: {
    /** Origins (scheme://host[:port]: https, or http on loopback) whose pages may frame the signing page; the page posts its events to them */
    allowedOrigins: string[];
  } | null;
  redirectUrl?: string | null;
  expiresAt?: string | null;
  reminderIntervalHours?: number | null;
  /** Also invite recipients that have a phone by SMS */
  notifyBySms?: boolean;
  /** Signers may hand their turn to someone else (name, e-mail, reason) from the signing page; audited and shown in the certificate */
  allowReassign?: boolean;
  /** Your own string key/values (up to 50), returned as given */
  metadata?: Record<string, string>;
  /** Values the sender fixes, by field label (a field's `label` or a text tag's name): text and date fields take text, checkboxes true or false. Recipients see them and cannot change them. */
  prefill?: Record<string, string | boolean>;
}

export interface Field {
  id: string;
  recipientId: string;
  documentId: string;
  type: "signature" | "initials" | "date" | "text" | "checkbox" | "radio" | "choice";
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required: boolean;
  label: string | null;
  /** What the recipient filled in (checkbox: "true"/"false") */
  value: string | null;
  source: "explicit" | "tag" | "form";
  /** Filled by the sender (`prefill`): the recipient sees the value and cannot change it */
  readOnly: boolean;
}

export interface FieldInput {
  /** One of the envelope's documentIds */
  documentId: string;
  type: "signature" | "initials" | "date" | "text" | "checkbox";
  /** 1-based page number */
  page: number;
  /** Points from the left edge of the displayed page */
  x: number;
  /** Points from the TOP edge of the displayed page (y grows downwards) */
  y: number;
  /** Points, at least 4: a field the signer can see and click */
  width: number;
  /** Points, at least 4: a field the signer can see and click */
  height: number;
  /** Whether the recipient must fill it. Default: true for signature, initials, text and date fields; false for checkboxes (a box to tick is a choice unless you make it a condition with required: true). */
  required?: boolean;
  label?: string;
}

/** A field of the document's own form (AcroForm), placed by its first widget */
export interface FormField {
  /** The form field's full name: what `prefill` and a recipient's `formFields` use */
  name: string;
  type: "text" | "checkbox" | "radio" | "choice" | "signature";
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Its current value: text, the chosen option, "true"/"false" for a checkbox; absent when empty */
  value?: string;
  /** A radio group's or choice field's options */
  options?: string[];
  /** A radio group's buttons on the first button's page: the option each one selects, and its box */
  buttons?: Array<{
    option: string;
    x: number;
    y: number;
    width: number;
    height: number;
  }>;
}

export interface Health {
  status: "ok";
  version: string;
}

export interface Problem {
  /** `urn:certyneo:error:{code}`; the code's status and meaning are at /docs/errors#{code}, which the `Link` header (rel="help") gives in full */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable machine-readable error code */
  code: string;
  /** Human-readable explanation (same as detail) */
  message: string;
  requestId: string;
  errors?: Array<{
    pointer: string;
    message: string;
  }>;
  /** With signing_auth_required: how the recipient proves who they are */
  authentication?: {
    /** email_otp, sms_otp or access_code */
    method: string;
    /** Where a one-time code goes, masked (j•••@example.com) */
    destination?: string;
    /** The envelope's language, for the page that asks for the code */
    locale?: string;
  };
}

/** What remains of a purged envelope: no personal data */
export interface PurgedEnvelope {
  id: string;
  purged: true;
  status: "DRAFT" | "SENT" | "COMPLETED" | "DECLINED" | "VOIDED" | "EXPIRED";
  createdAt: string;
  endedAt: string | null;
  purgedAt: string;
  reason: "retention" | "request";
  /** The audit chain's last hash when it was purged */
  auditHead: string;
  auditCount: number;
  /** SHA-256 of each original document */
  documentHashes: string[];
  sealedSha256: string | null;
}

export interface Recipient {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  role: "SIGNER" | "APPROVER" | "CC";
  roleName: string | null;
  routingOrder: number;
  status: "PENDING" | "SENT" | "VIEWED" | "SIGNED" | "DECLINED";
  /** The recipient's personal signing link, once the envelope is sent */
  signUrl: string | null;
  sentAt: string | null;
  viewedAt: string | null;
  signedAt: string | null;
  declinedAt: string | null;
  declineReason: string | null;
  /** How the recipient proves who they are (the access code is never shown) */
  authentication: {
    method: "email_otp" | "sms_otp" | "access_code";
  } | null;
  /** Shown in your app: no invitation or reminder is sent */
  embedded: boolean;
  /** The outcome of the recipient's latest invitation or reminder */
  delivery: Delivery;
}

/** The members given change; the recipient gets a new signing link and, if already invited, the invitation again. */
export interface RecipientCorrection {
  email?: string;
  name?: string;
  phone?: string | null;
}

export interface RecipientInput {
  email: string;
  name: string;
  /** E.164, for SMS invitations */
  phone?: string;
  /** SIGNER signs; APPROVER approves without a signature; CC only receives the completed copy */
  role?: "SIGNER" | "APPROVER" | "CC";
  /** A free role name ("Employee"), distinct from `role`: the documents' text tags with this role become this recipient's fields */
  roleName?: string;
  /** Names of the documents' own form fields (their `formFields`) this recipient fills: text, checkbox, radio, choice and signature fields. The sealed PDF carries the values as real form values. */
  formFields?: string[];
  /** Equal orders sign in parallel; higher orders wait for lower ones. Default 1. */
  routingOrder?: number;
  /** Where this recipient fills in; a signer without a signature field gets a signature block on an appended page. The documents' text tags for this recipient's roleName add to these. */
  fields?: FieldInput[];
  /** You show the signing page in your own app (its signUrl, framed from embedding.allowedOrigins): no invitation or reminder is sent */
  embedded?: boolean;
  /** Ask the recipient to prove who they are before the signing page shows anything: until then the signing API answers 401 signing_auth_required */
  authentication?: {
    /** email_otp: a 6-digit code sent to the recipient's e-mail; sms_otp: the same by SMS (needs `phone`); access_code: a code you give the recipient yourself */
    method: "email_otp" | "sms_otp" | "access_code";
    /** For access_code: the code (stored hashed, never shown again) */
    accessCode?: string;
  };
}

export interface SignatureReport {
  fieldName: string | null;
  /** A signature, or a document time-stamp (PAdES B-LTA archive time-stamp) */
  kind: "signature" | "document-timestamp";
  subFilter: string;
  signerSubject: string;
  issuer: string;
  /** Claimed signing time (/M or the signed attribute): not proven */
  signingTime: string | null;
  /** Time in the RFC 3161 signature time-stamp, if any (or of the document time-stamp itself) */
  timestampTime: string | null;
  /** The signed bytes are unchanged and the CMS signature verifies */
  intact: boolean;
  coversWholeDocument: boolean;
  /** Bytes added after the signed revision (0 when it covers the whole document) */
  bytesAppendedAfter: number;
  changesAfter: {
    /** What later revisions changed: validation data (dss), document time-stamps, signatures, form filling, annotations, or other changes (content) */
    kinds: Array<"dss" | "document-timestamp" | "signature" | "form-fill" | "annotation" | "other">;
    /** Every later change is one the document's permissions (DocMDP) allow; DSS and document time-stamps always are */
    allowed: boolean;
  };
  /** Certificate path: the signer's subject first, up to the trust anchor or as far as it could be built */
  chain: string[];
  /** Intact, the path ends in a configured trust anchor (verify.trustAnchors), every certificate valid at the signing time, not revoked */
  trusted: boolean;
  /** Revocation status at the signing time from the validation data in the file (DSS OCSP/CRL); not-applicable for a self-signed certificate */
  revocation: "good" | "revoked" | "unknown" | "not-applicable";
  revocationSources: Array<"ocsp" | "crl">;
  timestamp: TimestampReport;
  /** PAdES baseline level reached (ETSI.CAdES.detached signatures) */
  level: "B-B" | "B-T" | "B-LT" | "B-LTA" | null;
  /** Made with this instance's sealing certificate */
  byThisInstance: boolean;
}

export interface SigningAuth {
  /** The 6-digit one-time code, or the access code */
  code: string;
}

export interface SigningAuthCodeSent {
  /** Where the code went, masked */
  destination: string | null;
  /** When another code may be asked for */
  retryAfterSeconds: number;
}

export interface SigningComplete {
  /** Required for a SIGNER; an APPROVER needs none */
  signature?: {
    type: "typed" | "drawn";
    /** typed: the signer's name (1–100 characters); drawn: a data:image/png;base64,… URL of at most 500 KB */
    value: string;
  };
  /** Values by field id: text for text/date/initials fields, true/false for checkboxes, one of the `options` for radio and choice fields. Empty date fields get the signing date. */
  fields?: Record<string, string | boolean>;
  /** Must be true: the recipient agrees to sign electronically */
  consent: boolean;
  locale?: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar";
}

export interface SigningDecline {
  /** Told to the sender and the other recipients */
  reason: string;
}

export interface SigningReassign {
  name: string;
  email: string;
  /** Why, for the sender and the audit trail */
  reason: string;
}

/** Who now holds the place; this signing link no longer works */
export interface SigningReassigned {
  reassignedTo: {
    name: string;
    email: string;
  };
}

export interface SigningSession {
  envelope: {
    id: string;
    subject: string;
    message: string | null;
    status: string;
    locale: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar" | null;
    /** The deadline: after it the link stops working */
    expiresAt: string | null;
    /** Who asks for the signatures */
    sender: {
      name: string;
      email: string;
    } | null;
    /** Once voided or declined: the reason given */
    statusReason: string | null;
    /** Embedded signing: the origins the page may be framed by, and posts its events to */
    allowedOrigins: string[];
    /** Where the page sends the signer after signing or declining */
    redirectUrl: string | null;
    /** Whether this signer may hand their turn to someone else (POST …/reassign): the envelope allows it, and the recipient does not prove who they are by SMS */
    allowReassign: boolean;
  };
  /** The organisation the signer deals with (the admin console's branding settings) */
  organisation: {
    name: string;
    /** #rrggbb, dark enough for white text */
    colour: string;
    /** Path of the organisation's logo */
    logoUrl: string | null;
  };
  recipient: {
    id: string;
    name: string;
    email: string;
    role: "SIGNER" | "APPROVER" | "CC";
    status: "PENDING" | "SENT" | "VIEWED" | "SIGNED" | "DECLINED";
  };
  state: "ready" | "signed" | "declined" | "waiting" | "voided" | "expired" | "completed";
  /** Empty once the envelope has ended */
  documents: Array<{
    id: string;
    name: string;
    sha256: string;
    pageCount: number;
    /** Displayed page sizes in points */
    pages: Array<{
      width: number;
      height: number;
    }>;
    /** Path of the PDF under this signing session */
    url: string;
  }>;
  /** Once the envelope is COMPLETED: where every recipient downloads the sealed PDF (null before) */
  signedDocument: {
    /** Path of the sealed PDF under this signing session (add ?download=1 to get it as an attachment) */
    url: string;
    status: "PENDING" | "SEALED" | "FAILED";
  } | null;
  /** What recipients who already signed placed on the pages, to show read-only; empty unless state is ready */
  stamps: Array<{
    documentId: string;
    type: "signature" | "initials" | "date" | "text" | "checkbox" | "radio" | "choice";
    /** 1-based */
    page: number;
    x: number;
    y: number;
    width: number;
    height: number;
    /** Who placed it */
    recipientName: string;
    /** Typed signature, initials, date, text, the chosen option (radio, choice), or "true"/"false" for a checkbox */
    value: string | null;
    /** A drawn signature: path of its PNG under this signing session */
    imageUrl: string | null;
  }>;
  /** This recipient's fields only; empty once the envelope has ended */
  fields: Array<{
    id: string;
    documentId: string;
    type: "signature" | "initials" | "date" | "text" | "checkbox" | "radio" | "choice";
    /** 1-based */
    page: number;
    /** Points from the left of the displayed page */
    x: number;
    /** Points from the top of the displayed page (y down) */
    y: number;
    width: number;
    height: number;
    required: boolean;
    label: string | null;
    value: string | null;
    /** Filled by the sender: show the value; do not send one for it */
    readOnly: boolean;
    /** A radio or choice field's options: its value must be one of them, exactly */
    options: string[] | null;
    /** A radio field's buttons on its page: the option each one selects, and its box (null: show the options another way) */
    buttons: Array<{
      option: string;
      x: number;
      y: number;
      width: number;
      height: number;
    }> | null;
  }>;
}

export interface Template {
  id: string;
  name: string;
  subject: string;
  message: string | null;
  locale: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar";
  documents: Array<{
    id: string;
    name: string;
    size: number;
    sha256: string;
    pageCount: number;
    /** Displayed page sizes in points: the space field coordinates refer to */
    pages: Array<{
      width: number;
      height: number;
    }>;
    tags: TextTag[];
  }>;
  roles: Array<{
    roleName: string;
    role: "SIGNER" | "APPROVER" | "CC";
    routingOrder: number;
  }>;
  fields: Array<{
    roleName: string;
    documentId: string;
    type: "signature" | "initials" | "date" | "text" | "checkbox";
    page: number;
    x: number;
    y: number;
    width: number;
    height: number;
    required: boolean;
    label: string | null;
  }>;
  expiresInDays: number | null;
  reminderIntervalHours: number | null;
  notifyBySms: boolean;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Present (true) on the reply to DELETE */
  deleted?: boolean;
}

export interface TemplateCreate {
  /** What the sender calls the template */
  name: string;
  /** Subject of the envelopes made from it */
  subject: string;
  message?: string;
  /** Language of the invitations and of the signing page */
  locale?: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar";
  /** Documents, in order */
  documentIds: string[];
  /** Who signs, by role name; an envelope names a person for each */
  roles: TemplateRoleInput[];
  /** Fields bound to roles; the documents' text tags add theirs */
  fields?: TemplateFieldInput[];
  /** Envelopes made from it expire this many days after creation */
  expiresInDays?: number;
  reminderIntervalHours?: number;
  notifyBySms?: boolean;
  /** Copied into each envelope (an envelope's own metadata adds to it) */
  metadata?: Record<string, string>;
}

export interface TemplateFieldInput {
  /** One of the template's roles */
  roleName: string;
  /** One of the envelope's documentIds */
  documentId: string;
  type: "signature" | "initials" | "date" | "text" | "checkbox";
  /** 1-based page number */
  page: number;
  /** Points from the left edge of the displayed page */
  x: number;
  /** Points from the TOP edge of the displayed page (y grows downwards) */
  y: number;
  /** Points, at least 4: a field the signer can see and click */
  width: number;
  /** Points, at least 4: a field the signer can see and click */
  height: number;
  /** Whether the recipient must fill it. Default: true for signature, initials, text and date fields; false for checkboxes (a box to tick is a choice unless you make it a condition with required: true). */
  required?: boolean;
  label?: string;
}

export interface TemplateList {
  data: Template[];
  /** Whether another page follows; pass the last id as startingAfter */
  hasMore: boolean;
}

export interface TemplateRecipientInput {
  /** One of the template's roles */
  roleName: string;
  email: string;
  name: string;
  /** E.164, for SMS invitations */
  phone?: string;
}

export interface TemplateRoleInput {
  /** A free role name ("Employee"), distinct from `role`: the documents' text tags with this role become this recipient's fields */
  roleName: string;
  /** SIGNER signs; APPROVER approves without a signature; CC only receives the completed copy */
  role?: "SIGNER" | "APPROVER" | "CC";
  /** Equal orders sign in parallel; higher orders wait for lower ones. Default 1. */
  routingOrder?: number;
}

/** Only the members given change (`roles`, `fields`, `metadata` whole); null clears. Envelopes already made do not change. */
export interface TemplateUpdate {
  /** What the sender calls the template */
  name?: string;
  /** Subject of the envelopes made from it */
  subject?: string;
  message?: string | null;
  /** Language of the invitations and of the signing page */
  locale?: "en" | "fr" | "de" | "es" | "it" | "pt" | "nl" | "el" | "ar";
  /** Documents, in order */
  documentIds?: string[];
  /** Who signs, by role name; an envelope names a person for each */
  roles?: TemplateRoleInput[];
  /** Fields bound to roles; the documents' text tags add theirs */
  fields?: TemplateFieldInput[];
  expiresInDays?: number | null;
  reminderIntervalHours?: number | null;
  notifyBySms?: boolean;
  /** Copied into each envelope (an envelope's own metadata adds to it) */
  metadata?: Record<string, string>;
}

/** A text tag found in the document's text: where a field goes, without coordinates (see docs/documents.md) */
export interface TextTag {
  /** The tag's name (DocuSeal: the text before the first `;`); becomes the field's label */
  name: string;
  type: "signature" | "initials" | "date" | "text" | "checkbox";
  /** The recipient `roleName` the field goes to; null: the first signer */
  role: string | null;
  required: boolean;
  page: number;
  /** Points from the left edge of the displayed page */
  x: number;
  /** Points from the TOP edge of the displayed page */
  y: number;
  width: number;
  height: number;
}

export type TimestampReport = {
  /** genTime of the RFC 3161 token (ISO 8601) */
  time: string | null;
  /** The token's signature verifies and it stamps what it should */
  intact: boolean;
  /** The authority's certificate is for time-stamping and chains to a trust anchor */
  trusted: boolean;
  /** Subject of the time-stamp authority's certificate */
  authority: string;
} | null;

export interface Verification {
  /** At least one signature, all intact, the last one covering the whole document (or followed by validation data only, a DSS update) */
  valid: boolean;
  /** Valid, and every signature and time-stamp trusted (chains to a configured anchor, not revoked) */
  trusted: boolean;
  signatures: SignatureReport[];
}

export interface VerifyUpload {
  /** The PDF to check */
  file: Blob;
}

export interface Webhook {
  id: string;
  /** The URL deliveries are POSTed to */
  url: string;
  description: string | null;
  events: Array<"envelope.created" | "envelope.sent" | "envelope.completed" | "envelope.declined" | "envelope.voided" | "envelope.expired" | "recipient.viewed" | "recipient.signed" | "envelope.seal_delayed" | "recipient.delivery_failed" | "envelope.seal_failed" | "*">;
  /** False once disabled (after failing continuously for webhooks.disableAfterHours, or by PATCH) */
  enabled: boolean;
  /** Why the endpoint was disabled */
  disabledReason: string | null;
  /** Start of the current run of failed deliveries, null while healthy */
  failingSince: string | null;
  createdAt: string;
}

export interface WebhookAttempt {
  attempt: number;
  at: string;
  /** HTTP status answered, null if no response (timeout, refused, network policy) */
  statusCode: number | null;
  durationMs: number;
  /** Why the attempt failed, null on success */
  error: string | null;
}

export interface WebhookCreate {
  /** http(s) URL that receives POSTs; no credentials in it */
  url: string;
  /** Event types to receive: envelope.created, envelope.sent, envelope.completed, envelope.declined, envelope.voided, envelope.expired, recipient.viewed, recipient.signed, envelope.seal_delayed, recipient.delivery_failed, envelope.seal_failed, or "*" for all. Default: all. */
  events?: string[];
  description?: string;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  /** Also the webhook-id header: the same on every attempt and resend */
  eventId: string;
  /** An event type, or "*" for every type (including types added later) */
  eventType: "envelope.created" | "envelope.sent" | "envelope.completed" | "envelope.declined" | "envelope.voided" | "envelope.expired" | "recipient.viewed" | "recipient.signed" | "envelope.seal_delayed" | "recipient.delivery_failed" | "envelope.seal_failed" | "*";
  status: "pending" | "succeeded" | "failed";
  /** Attempts made so far */
  attemptCount: number;
  /** When the next attempt is due, while pending */
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: string;
  updatedAt: string;
  /** Attempts, newest first */
  attempts: WebhookAttempt[];
}

export interface WebhookDeliveryList {
  data: WebhookDelivery[];
  /** Whether another page follows; pass the last id as startingAfter */
  hasMore: boolean;
}

export interface WebhookList {
  data: Webhook[];
  /** Whether another page follows; pass the last id as startingAfter */
  hasMore: boolean;
}

export interface WebhookUpdate {
  url?: string;
  /** Event types to receive: envelope.created, envelope.sent, envelope.completed, envelope.declined, envelope.voided, envelope.expired, recipient.viewed, recipient.signed, envelope.seal_delayed, recipient.delivery_failed, envelope.seal_failed, or "*" for all. Default: all. */
  events?: string[];
  description?: string | null;
  /** true re-enables a disabled endpoint; false disables it (its pending deliveries fail) */
  enabled?: boolean;
}

/** Every API operation by method and path: its parameters, JSON body and success response ("binary" for a file). */
export interface Operations {
  /** Delete a document (refused while a draft or sent envelope uses it) */
  "DELETE /api/v1/documents/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Document;
  };
  /** Delete a DRAFT, void a sent envelope, or purge an ended one */
  "DELETE /api/v1/envelopes/{id}": {
    path: {
      id: string;
    };
    query: {
      reason?: string;
      purge?: boolean;
    };
    body: undefined;
    response: Envelope | PurgedEnvelope;
  };
  /** Revoke an API key (effective on its next request) */
  "DELETE /api/v1/keys/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: ApiKey;
  };
  /** Delete a template (envelopes made from it are not affected); 409 template_in_use while a bulk send from it has rows to send */
  "DELETE /api/v1/templates/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Template;
  };
  /** Delete a webhook endpoint (its pending deliveries are dropped) */
  "DELETE /api/v1/webhooks/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: DeletedWebhook;
  };
  /** A bulk send's progress: counts, each row's envelope or problems */
  "GET /api/v1/batches/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Batch;
  };
  /** List documents, newest first */
  "GET /api/v1/documents": {
    path: {};
    query: {
      limit?: number;
      startingAfter?: string;
    };
    body: undefined;
    response: DocumentList;
  };
  /** Get a document's metadata */
  "GET /api/v1/documents/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Document;
  };
  /** Download a document's original bytes */
  "GET /api/v1/documents/{id}/content": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: "binary";
  };
  /** List envelopes, newest first, optionally by status */
  "GET /api/v1/envelopes": {
    path: {};
    query: {
      limit?: number;
      startingAfter?: string;
      status?: "DRAFT" | "SENT" | "COMPLETED" | "DECLINED" | "VOIDED" | "EXPIRED";
    };
    body: undefined;
    response: EnvelopeList;
  };
  /** Get an envelope: recipients (with signUrl once sent), fields, status, audit summary */
  "GET /api/v1/envelopes/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Envelope;
  };
  /** Download the sealed audit-trail PDF */
  "GET /api/v1/envelopes/{id}/audit-trail": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: "binary";
  };
  /** Download the sealed PDF of a COMPLETED envelope */
  "GET /api/v1/envelopes/{id}/signed-document": {
    path: {
      id: string;
    };
    query: {
      documentId?: string;
    };
    body: undefined;
    response: "binary";
  };
  /** List the API keys of this environment */
  "GET /api/v1/keys": {
    path: {};
    query: {};
    body: undefined;
    response: ApiKeyList;
  };
  /** Open a signing session */
  "GET /api/v1/signing/{token}": {
    path: {
      token: string;
    };
    query: {};
    body: undefined;
    response: SigningSession;
  };
  /** Download one of the envelope's PDFs */
  "GET /api/v1/signing/{token}/documents/{documentId}": {
    path: {
      token: string;
      documentId: string;
    };
    query: {};
    body: undefined;
    response: "binary";
  };
  /** An earlier signer's drawn signature */
  "GET /api/v1/signing/{token}/signatures/{recipientId}": {
    path: {
      token: string;
      recipientId: string;
    };
    query: {};
    body: undefined;
    response: unknown;
  };
  /** Download the sealed PDF of a completed envelope */
  "GET /api/v1/signing/{token}/signed-document": {
    path: {
      token: string;
    };
    query: {
      download?: "1" | "true";
    };
    body: undefined;
    response: "binary";
  };
  /** List templates, newest first */
  "GET /api/v1/templates": {
    path: {};
    query: {
      limit?: number;
      startingAfter?: string;
    };
    body: undefined;
    response: TemplateList;
  };
  /** Get a template */
  "GET /api/v1/templates/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Template;
  };
  /** List webhook endpoints, newest first (disabled ones included) */
  "GET /api/v1/webhooks": {
    path: {};
    query: {
      limit?: number;
      startingAfter?: string;
    };
    body: undefined;
    response: WebhookList;
  };
  /** Get a webhook endpoint */
  "GET /api/v1/webhooks/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Webhook;
  };
  /** Recent deliveries of an endpoint, newest first, with their attempts (status code, duration, error) */
  "GET /api/v1/webhooks/{id}/deliveries": {
    path: {
      id: string;
    };
    query: {
      limit?: number;
      startingAfter?: string;
      status?: "pending" | "succeeded" | "failed";
    };
    body: undefined;
    response: WebhookDeliveryList;
  };
  /** Liveness and version (no authentication) */
  "GET /healthz": {
    path: {};
    query: {};
    body: undefined;
    response: Health;
  };
  /** Update a DRAFT envelope */
  "PATCH /api/v1/envelopes/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: EnvelopeUpdate;
    response: Envelope;
  };
  /** Correct a recipient of a SENT envelope */
  "PATCH /api/v1/envelopes/{id}/recipients/{recipientId}": {
    path: {
      id: string;
      recipientId: string;
    };
    query: {};
    body: RecipientCorrection;
    response: Envelope;
  };
  /** Update a template */
  "PATCH /api/v1/templates/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: TemplateUpdate;
    response: Template;
  };
  /** Change a webhook endpoint, or re-enable a disabled one (`enabled: true`) */
  "PATCH /api/v1/webhooks/{id}": {
    path: {
      id: string;
    };
    query: {};
    body: WebhookUpdate;
    response: Webhook;
  };
  /** Upload a PDF */
  "POST /api/v1/documents": {
    path: {};
    query: {};
    body: DocumentUploadJson;
    response: Document;
  };
  /** Create an envelope (DRAFT) */
  "POST /api/v1/envelopes": {
    path: {};
    query: {};
    body: EnvelopeCreate | EnvelopeCreateFromTemplate;
    response: Envelope;
  };
  /** Remind a recipient now */
  "POST /api/v1/envelopes/{id}/recipients/{recipientId}/remind": {
    path: {
      id: string;
      recipientId: string;
    };
    query: {};
    body: undefined;
    response: Envelope;
  };
  /** Send a DRAFT envelope */
  "POST /api/v1/envelopes/{id}/send": {
    path: {
      id: string;
    };
    query: {};
    body: undefined;
    response: Envelope;
  };
  /** Create an API key (the secret is returned once) */
  "POST /api/v1/keys": {
    path: {};
    query: {};
    body: {
      name: string;
      environment?: "test" | "live";
      /** At most the scopes of the key that creates it. Default: the creator's scopes except keys. */
      scopes?: Array<"envelopes" | "webhooks" | "keys">;
    };
    response: CreatedApiKey;
  };
  /** Prove who you are */
  "POST /api/v1/signing/{token}/auth": {
    path: {
      token: string;
    };
    query: {};
    body: SigningAuth;
    response: SigningSession;
  };
  /** Send a one-time code */
  "POST /api/v1/signing/{token}/auth/code": {
    path: {
      token: string;
    };
    query: {};
    body: undefined;
    response: SigningAuthCodeSent;
  };
  /** Sign (or approve) */
  "POST /api/v1/signing/{token}/complete": {
    path: {
      token: string;
    };
    query: {};
    body: SigningComplete;
    response: SigningSession;
  };
  /** Decline to sign, with a reason */
  "POST /api/v1/signing/{token}/decline": {
    path: {
      token: string;
    };
    query: {};
    body: SigningDecline;
    response: SigningSession;
  };
  /** Hand this signer's turn to someone else */
  "POST /api/v1/signing/{token}/reassign": {
    path: {
      token: string;
    };
    query: {};
    body: SigningReassign;
    response: SigningReassigned;
  };
  /** Create a template */
  "POST /api/v1/templates": {
    path: {};
    query: {};
    body: TemplateCreate;
    response: Template;
  };
  /** Send a template to many people: one envelope per row */
  "POST /api/v1/templates/{id}/bulk-send": {
    path: {
      id: string;
    };
    query: {};
    body: BulkSend;
    response: Batch;
  };
  /** Verify the signatures of a PDF */
  "POST /api/v1/verify": {
    path: {};
    query: {};
    body: undefined;
    response: Verification;
  };
  /** Register a webhook endpoint (the signing secret is returned once) */
  "POST /api/v1/webhooks": {
    path: {};
    query: {};
    body: WebhookCreate;
    response: CreatedWebhook;
  };
  /** Send a delivery's event again */
  "POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/resend": {
    path: {
      id: string;
      deliveryId: string;
    };
    query: {};
    body: undefined;
    response: WebhookDelivery;
  };
}
