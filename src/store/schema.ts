import { sql } from "drizzle-orm";
import { customType, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Scope } from "../modules/keys/scopes";
import type { TextTag } from "../pdf/text/text-tags";
import type { FormField } from "../pdf/form-fields";
import type { TemplateField, TemplateRole } from "../modules/templates/model";
import {
  AUTH_METHODS, BATCH_ROW_STATUSES, BATCH_STATUSES, DELIVERY_STATUSES, ENVELOPE_STATUSES, ENVIRONMENTS, FIELD_SOURCES, FIELD_TYPES, JOB_STATUSES, LOCALES, RECIPIENT_ROLES,
  RECIPIENT_STATUSES, SEAL_STATUSES, SIGNATURE_TYPES,
} from "../enums";

/**
 * Times are stored as integer milliseconds since the epoch, in both dialects (a PostgreSQL bigint
 * arrives as a string, hence Number()): rows copy verbatim between SQLite and PostgreSQL.
 */
const time = customType<{ data: Date; driverData: number | string }>({
  dataType: () => "integer",
  toDriver: (value) => value.getTime(),
  fromDriver: (value) => new Date(Number(value)),
});
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export type { Environment, EnvelopeStatus, FieldType, RecipientRole, RecipientStatus, SealStatus } from "../enums";

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
  name: text("name").notNull(),
  /** First characters of the key, enough for a human to recognise it ("sk_test_AbC1"). */
  prefix: text("prefix").notNull(),
  /** SHA-256 of the full key; the key itself is never stored. */
  hash: text("hash").notNull().unique(),
  /** What the key may do (modules/keys/scopes.ts); keys made before scopes existed hold all. */
  scopes: json<Scope[]>("scopes").notNull().default(["envelopes", "webhooks", "keys"]),
  createdAt: time("created_at").notNull(),
  lastUsedAt: time("last_used_at"),
  revokedAt: time("revoked_at"),
});

export interface PageSize {
  /** Size of the page as displayed (CropBox, after /Rotate), in points. */
  width: number;
  height: number;
}

export const documents = sqliteTable(
  "documents",
  {
    id: text("id").primaryKey(),
    environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
    name: text("name").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    pageCount: integer("page_count").notNull(),
    pages: json<PageSize[]>("pages").notNull(),
    /** Text tags found at upload (pdf/text/text-tags.ts), in displayed-page coordinates. */
    tags: json<TextTag[]>("tags").notNull().default(sql`'[]'`),
    /** The document's own form fields (AcroForm) found at upload (pdf/form-fields.ts). */
    formFields: json<FormField[]>("form_fields").notNull().default(sql`'[]'`),
    createdAt: time("created_at").notNull(),
    /** Soft delete: envelopes that used the document keep their history. */
    deletedAt: time("deleted_at"),
  },
  (t) => [index("documents_env_created").on(t.environment, t.createdAt, t.id), index("documents_sha").on(t.sha256)],
);

export const envelopes = sqliteTable(
  "envelopes",
  {
    id: text("id").primaryKey(),
    environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
    subject: text("subject").notNull(),
    message: text("message"),
    status: text("status", { enum: ENVELOPE_STATUSES }).notNull(),
    /** The language the sender chose; null: the signing page follows each signer's browser, e-mails are in English. */
    locale: text("locale", { enum: LOCALES }),
    /** Who asks for the signatures (shown to signers, the reply-to of the e-mails, told of a decline). */
    senderName: text("sender_name"),
    senderEmail: text("sender_email"),
    /** Origins whose pages may frame the signing page (embedded signing); empty: none may. */
    allowedOrigins: json<string[]>("allowed_origins").notNull().default(sql`'[]'`),
    /** Where the signing page sends the signer after signing or declining. */
    redirectUrl: text("redirect_url"),
    notifyBySms: integer("notify_by_sms", { mode: "boolean" }).notNull().default(false),
    /** Signers may hand their turn to someone else from the signing page. */
    allowReassign: integer("allow_reassign", { mode: "boolean" }).notNull().default(false),
    expiresAt: time("expires_at"),
    reminderIntervalHours: integer("reminder_interval_hours"),
    metadata: json<Record<string, string>>("metadata").notNull().default(sql`'{}'`),
    /** Values the sender fixed for fields, by field label (read-only to recipients). */
    prefill: json<Record<string, string | boolean>>("prefill").notNull().default(sql`'{}'`),
    /** The template the envelope was made from (a copy: later template edits do not reach it). */
    templateId: text("template_id"),
    /** The bulk send and row that made it: a rerun of the row finds it instead of making another. */
    batchId: text("batch_id"),
    batchRow: integer("batch_row"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
    sentAt: time("sent_at"),
    completedAt: time("completed_at"),
    endedAt: time("ended_at"),
    endReason: text("end_reason"),
    sealStatus: text("seal_status", { enum: SEAL_STATUSES }),
    sealedSha256: text("sealed_sha256"),
    sealedAt: time("sealed_at"),
    /**
     * The audit chain's head as of the last append (modules/audit/service.ts): its seq and hash,
     * written in the same transaction as the event. Reads compare the stored tail with it instead
     * of re-hashing the whole chain.
     */
    auditSeq: integer("audit_seq").notNull().default(0),
    auditHead: text("audit_head").notNull().default("0".repeat(64)),
    /**
     * Moves on every committed change of the envelope or of its recipients, fields, document list
     * and audit rows (database triggers, migration 0011): the key of the cached API views
     * (modules/envelopes/view-cache.ts). A copy of the database makes its own (ops/copy-database.ts).
     */
    revision: integer("revision").notNull().default(0),
  },
  (t) => [
    // The revision last in the list's indexes: a page's ids and revisions (what finding the cached
    // views needs) come from the index alone, no row read per envelope (~4x faster).
    index("envelopes_env_created").on(t.environment, t.createdAt, t.id, t.revision),
    /**
     * The expiry sweep (every poll): SENT envelopes past expiresAt, a range of this index. Only
     * envelopes with an expiry are in it: the others cost no entry when created or moved.
     */
    index("envelopes_status_expires").on(t.status, t.expiresAt).where(sql`${t.expiresAt} IS NOT NULL`),
    /** The reminder sweep (every poll) walks only envelopes that have reminders. */
    index("envelopes_reminding").on(t.status).where(sql`${t.reminderIntervalHours} IS NOT NULL`),
    /** GET /envelopes?status=: the keyset page of one status walks this index, with no sort. */
    index("envelopes_env_status_created").on(t.environment, t.status, t.createdAt, t.id, t.revision),
    /** A bulk send's rerun finds a row's envelope; only envelopes of a bulk send are in it. */
    index("envelopes_batch_row").on(t.batchId, t.batchRow).where(sql`${t.batchId} IS NOT NULL`),
    /** Retention (every tick while retention.days is set): ended envelopes by end, oldest first; only ended ones are in it. */
    index("envelopes_ended").on(t.endedAt).where(sql`${t.endedAt} IS NOT NULL`),
    /** The console's failed seals (dashboard count, failures page), newest first; only they are in it. */
    index("envelopes_seal_failed").on(t.environment, t.updatedAt).where(sql`${t.sealStatus} = 'FAILED'`),
    /** Whether a stored file is still needed (documents/file-needed.ts), at a purge or a deletion; only sealed envelopes are in it. */
    index("envelopes_sealed").on(t.sealedSha256).where(sql`${t.sealedSha256} IS NOT NULL`),
  ],
);

export const envelopeDocuments = sqliteTable(
  "envelope_documents",
  {
    envelopeId: text("envelope_id").notNull().references(() => envelopes.id, { onDelete: "cascade" }),
    documentId: text("document_id").notNull().references(() => documents.id),
    position: integer("position").notNull(),
    /** Per-document sealed copy (?documentId=), once sealed. */
    sealedSha256: text("sealed_sha256"),
  },
  (t) => [
    primaryKey({ columns: [t.envelopeId, t.documentId] }),
    index("envelope_documents_doc").on(t.documentId),
    // As envelopes_sealed: only sealed documents are in it.
    index("envelope_documents_sealed").on(t.sealedSha256).where(sql`${t.sealedSha256} IS NOT NULL`),
  ],
);

export const recipients = sqliteTable(
  "recipients",
  {
    id: text("id").primaryKey(),
    envelopeId: text("envelope_id").notNull().references(() => envelopes.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    phone: text("phone"),
    role: text("role", { enum: RECIPIENT_ROLES }).notNull(),
    /** A free role name ("Employee") that text tags and templates address. */
    roleName: text("role_name"),
    routingOrder: integer("routing_order").notNull(),
    status: text("status", { enum: RECIPIENT_STATUSES }).notNull(),
    /**
     * SHA-256 of the signing token. The token itself is never stored: it is an HMAC of the
     * recipient id under the instance secret, so the API can show the signUrl again while a
     * copy of the database alone does not open any signing session.
     */
    tokenHash: text("token_hash"),
    /** Bumped by each correction of the recipient: a new signing link (see signing/token.ts). */
    linkVersion: integer("link_version").notNull().default(0),
    /** Who held this place before a signer handed it over: "Name <email>: reason" (the certificate shows it). */
    reassignedFrom: text("reassigned_from"),
    sentAt: time("sent_at"),
    viewedAt: time("viewed_at"),
    signedAt: time("signed_at"),
    declinedAt: time("declined_at"),
    declineReason: text("decline_reason"),
    lastRemindedAt: time("last_reminded_at"),
    signatureType: text("signature_type", { enum: SIGNATURE_TYPES }),
    /** The typed name for a typed signature. */
    signatureValue: text("signature_value"),
    /** A drawn signature: the PNG, kept in the file store under this SHA-256. */
    signatureImageSha256: text("signature_image_sha256"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** Signer authentication beyond the link: a one-time code by e-mail or SMS, or an access code. */
    authMethod: text("auth_method", { enum: AUTH_METHODS }),
    /** The access code, hashed (argon2id); the code itself is never stored. */
    accessCodeHash: text("access_code_hash"),
    /** The one-time code last sent, as an HMAC under the instance secret, and until when it works. */
    otpHash: text("otp_hash"),
    otpExpiresAt: time("otp_expires_at"),
    otpSentAt: time("otp_sent_at"),
    otpSends: integer("otp_sends").notNull().default(0),
    /** Wrong codes in a row; at 5 the recipient is locked out until authLockedUntil. */
    authFailures: integer("auth_failures").notNull().default(0),
    authLockedUntil: time("auth_locked_until"),
    /** The last successful authentication: the browser's proof (a cookie) is an HMAC over it. */
    authenticatedAt: time("authenticated_at"),
    /** The integrator shows the signing page in its own app: no invitation or reminder is sent. */
    embedded: integer("embedded", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("recipients_envelope").on(t.envelopeId),
    // Only sent recipients have a token: a draft's recipients write no entry (migration 0023).
    uniqueIndex("recipients_token_hash_unique").on(t.tokenHash).where(sql`${t.tokenHash} IS NOT NULL`),
    // As envelopes_sealed: only recipients who drew their signature are in it.
    index("recipients_signature_image").on(t.signatureImageSha256).where(sql`${t.signatureImageSha256} IS NOT NULL`),
  ],
);

export const fields = sqliteTable(
  "fields",
  {
    id: text("id").primaryKey(),
    envelopeId: text("envelope_id").notNull().references(() => envelopes.id, { onDelete: "cascade" }),
    recipientId: text("recipient_id").notNull().references(() => recipients.id, { onDelete: "cascade" }),
    documentId: text("document_id").notNull(),
    type: text("type", { enum: FIELD_TYPES }).notNull(),
    page: integer("page").notNull(),
    x: real("x").notNull(),
    y: real("y").notNull(),
    width: real("width").notNull(),
    height: real("height").notNull(),
    required: integer("required", { mode: "boolean" }).notNull().default(true),
    label: text("label"),
    value: text("value"),
    source: text("source", { enum: FIELD_SOURCES }).notNull().default("explicit"),
    /** Filled by the sender (prefill): shown to the recipient, not changed by them. */
    readOnly: integer("read_only", { mode: "boolean" }).notNull().default(false),
    /** Order within the envelope (the order the sender gave); PostgreSQL has no rowid to keep it. */
    position: integer("position").notNull().default(0),
  },
  (t) => [
    index("fields_envelope").on(t.envelopeId),
    // A recipient's removal (an envelope deleted or purged, its recipients replaced) finds the
    // fields its cascade deletes by this index: without it SQLite and PostgreSQL read every field
    // of every envelope, per recipient (migration 0023).
    index("fields_recipient").on(t.recipientId),
  ],
);

/**
 * Reusable envelopes: documents, roles, fields bound to roles, and defaults. An envelope made
 * from one copies all of it, so editing a template changes no envelope already made.
 */
export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
    name: text("name").notNull(),
    subject: text("subject").notNull(),
    message: text("message"),
    locale: text("locale", { enum: LOCALES }).notNull().default("en"),
    documentIds: json<string[]>("document_ids").notNull(),
    roles: json<TemplateRole[]>("roles").notNull(),
    fields: json<TemplateField[]>("fields").notNull().default(sql`'[]'`),
    expiresInDays: integer("expires_in_days"),
    reminderIntervalHours: integer("reminder_interval_hours"),
    notifyBySms: integer("notify_by_sms", { mode: "boolean" }).notNull().default(false),
    metadata: json<Record<string, string>>("metadata").notNull().default(sql`'{}'`),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [index("templates_env_created").on(t.environment, t.createdAt, t.id)],
);

/** A bulk send from a template: its rows, worked through by the send_batch job. */
export const batches = sqliteTable("batches", {
  id: text("id").primaryKey(),
  environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
  templateId: text("template_id").notNull(),
  /** The API key that asked: the envelopes' audit trails name it. */
  keyId: text("key_id").notNull(),
  status: text("status", { enum: BATCH_STATUSES }).notNull(),
  total: integer("total").notNull(),
  /** The rows as given (checked one by one when sent, so one bad row stops nothing). */
  rows: json<unknown[]>("rows").notNull(),
  createdAt: time("created_at").notNull(),
  updatedAt: time("updated_at").notNull(),
  completedAt: time("completed_at"),
});

/** What became of each row of a batch. */
export const batchRows = sqliteTable(
  "batch_rows",
  {
    batchId: text("batch_id").notNull().references(() => batches.id, { onDelete: "cascade" }),
    row: integer("row").notNull(),
    status: text("status", { enum: BATCH_ROW_STATUSES }).notNull(),
    envelopeId: text("envelope_id"),
    errors: json<{ pointer: string; message: string }[]>("errors"),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.row] })],
);

/** Append-only, hash-chained per envelope: hash = SHA-256(prevHash + canonical JSON of the event). */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    envelopeId: text("envelope_id").notNull(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    at: time("at").notNull(),
    actor: text("actor").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    data: json<Record<string, unknown>>("data"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.envelopeId, t.seq] })],
);

/** The durable outbox of background work: e-mail, SMS, reminders, expiry, sealing. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    payload: json<Record<string, unknown>>("payload").notNull(),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("pending"),
    runAt: time("run_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** While leased (runAt pushed ahead by a claim): the claiming process, "{hostname}:{pid}", so a restart can reclaim a dead one's leases. */
    leasedBy: text("leased_by"),
    /** The envelope the job is about (its payload's, or its recipient's): a purge finds its unfinished jobs by it. */
    envelopeId: text("envelope_id"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [index("jobs_due").on(t.status, t.runAt, t.createdAt), index("jobs_envelope").on(t.envelopeId).where(sql`${t.envelopeId} IS NOT NULL`)],
);

export const webhooks = sqliteTable("webhooks", {
  id: text("id").primaryKey(),
  environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
  url: text("url").notNull(),
  description: text("description"),
  events: json<string[]>("events").notNull(),
  secret: text("secret").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  disabledReason: text("disabled_reason"),
  failingSince: time("failing_since"),
  createdAt: time("created_at").notNull(),
  deletedAt: time("deleted_at"),
});

export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
    type: text("type").notNull(),
    /** The envelope the event is about: purging an envelope finds its events by it. */
    envelopeId: text("envelope_id"),
    payload: text("payload").notNull(),
    createdAt: time("created_at").notNull(),
  },
  (t) => [
    index("webhook_events_envelope").on(t.envelopeId).where(sql`${t.envelopeId} IS NOT NULL`),
    /** The history's deletion after webhooks.keepDays walks events oldest first. */
    index("webhook_events_created").on(t.createdAt),
  ],
);

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull().references(() => webhookEvents.id),
    webhookId: text("webhook_id").notNull().references(() => webhooks.id),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: time("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastDurationMs: integer("last_duration_ms"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [
    index("webhook_deliveries_hook").on(t.webhookId, t.createdAt),
    index("webhook_deliveries_event").on(t.eventId),
    /**
     * The dispatcher's probe: an endpoint's pending deliveries by due time. Pending ones only: a
     * delivery leaves it when it succeeds or fails, so it holds the backlog, not the history, and
     * an outcome writes no entry. Queries state `status = 'pending'` literally, to match it.
     */
    index("webhook_deliveries_pending").on(t.webhookId, t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id").notNull().references(() => webhookDeliveries.id),
    attempt: integer("attempt").notNull(),
    at: time("at").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
    key: text("key").notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    fingerprint: text("fingerprint").notNull(),
    status: text("status").$type<"running" | "done">().notNull(),
    responseStatus: integer("response_status"),
    responseHeaders: json<Record<string, string>>("response_headers"),
    responseBody: text("response_body"),
    /**
     * The envelope the stored reply names, for an erasure to find it: its id when the reply names
     * one, ENVELOPES_SEVERAL when it names more (the erasure then reads the body), null when none.
     */
    envelopeId: text("envelope_id"),
    createdAt: time("created_at").notNull(),
    expiresAt: time("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.environment, t.key] }),
    index("idempotency_expires").on(t.expiresAt),
    index("idempotency_envelope").on(t.environment, t.envelopeId).where(sql`${t.envelopeId} IS NOT NULL`),
  ],
);

/** idempotency_keys.envelope_id of a reply that names several envelopes. */
export const ENVELOPES_SEVERAL = "*";

// ---------------------------------------------------------------------------------------------
// The admin console: accounts, sessions, login throttling, the record of every admin action.

export const adminUsers = sqliteTable("admin_users", {
  id: text("id").primaryKey(),
  /** Lower-cased. */
  email: text("email").notNull().unique(),
  /** argon2id (Bun.password), in its PHC string form. */
  passwordHash: text("password_hash").notNull(),
  /** Base32 TOTP secret (RFC 6238) when the second factor is on. */
  totpSecret: text("totp_secret"),
  /** The 30-second step of the last TOTP code accepted: a code is good once (RFC 6238 §5.2). */
  totpLastStep: integer("totp_last_step"),
  createdAt: time("created_at").notNull(),
  updatedAt: time("updated_at").notNull(),
  lastLoginAt: time("last_login_at"),
});

export const adminSessions = sqliteTable(
  "admin_sessions",
  {
    /** SHA-256 of the cookie value: a copy of the database opens no session. */
    idHash: text("id_hash").primaryKey(),
    adminId: text("admin_id").notNull().references(() => adminUsers.id, { onDelete: "cascade" }),
    /** The synchronizer token every form of this session carries. */
    csrfToken: text("csrf_token").notNull(),
    /** False until the TOTP code is given (accounts with a second factor). */
    verified: integer("verified", { mode: "boolean" }).notNull(),
    createdAt: time("created_at").notNull(),
    lastSeenAt: time("last_seen_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("admin_sessions_admin").on(t.adminId)],
);

/** Failed logins by e-mail (known or not, so the lockout tells nothing about which accounts exist). */
export const adminLoginThrottle = sqliteTable("admin_login_throttle", {
  email: text("email").primaryKey(),
  failures: integer("failures").notNull(),
  lockedUntil: time("locked_until"),
  updatedAt: time("updated_at").notNull(),
});

export const adminActions = sqliteTable(
  "admin_actions",
  {
    id: text("id").primaryKey(),
    at: time("at").notNull(),
    /** The admin's e-mail, "cli" for the command line, or the e-mail tried for a failed login. */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    environment: text("environment", { enum: ENVIRONMENTS }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    data: json<Record<string, unknown>>("data"),
  },
  (t) => [index("admin_actions_at").on(t.at)],
);

/** What remains of an envelope purged (retention or erasure on request): no personal data, proof it existed. */
export const envelopeTombstones = sqliteTable("envelope_tombstones", {
  envelopeId: text("envelope_id").primaryKey(),
  environment: text("environment", { enum: ENVIRONMENTS }).notNull(),
  /** The status it ended in. */
  status: text("status", { enum: ENVELOPE_STATUSES }).notNull(),
  createdAt: time("created_at").notNull(),
  endedAt: time("ended_at"),
  purgedAt: time("purged_at").notNull(),
  reason: text("reason", { enum: ["retention", "request"] }).notNull(),
  /** Who purged it: "system" (retention), "api:key_…", "admin:…". */
  actor: text("actor").notNull(),
  /** The audit chain's head and length when it was purged: its last hash is the proof of what was. */
  auditHead: text("audit_head").notNull(),
  auditCount: integer("audit_count").notNull(),
  documentHashes: json<string[]>("document_hashes").notNull(),
  sealedSha256: text("sealed_sha256"),
});

/** Settings an admin changes in the console (branding, sender identity), by key; JSON values. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: json<unknown>("value").notNull(),
  updatedAt: time("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/** Every table, parents before the tables that refer to them (the order migrate-data copies in). */
export const schema = {
  apiKeys, documents, envelopes, envelopeDocuments, recipients, fields, templates, batches, batchRows, auditEvents, jobs,
  webhooks, webhookEvents, webhookDeliveries, webhookAttempts, idempotencyKeys,
  adminUsers, adminSessions, adminLoginThrottle, adminActions, envelopeTombstones, settings,
};
