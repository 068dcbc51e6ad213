/**
 * Every closed set of values that the store, the API schemas, the job payloads and the rules
 * share, declared once: the store's column types, the TypeBox unions (`literalUnion`) and the
 * lifecycle tables derive from these lists.
 */
import { Type, type SchemaOptions, type TLiteral, type TUnion } from "@sinclair/typebox";

/** The TypeBox union of one of these lists (an anyOf of consts, as the OpenAPI document shows). */
export const literalUnion = <const T extends readonly [string, ...string[]]>(values: T, options?: SchemaOptions) =>
  Type.Union(values.map((v) => Type.Literal(v)), options) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;

export const ENVIRONMENTS = ["test", "live"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const ENVELOPE_STATUSES = ["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED"] as const;
export type EnvelopeStatus = (typeof ENVELOPE_STATUSES)[number];

export const SEAL_STATUSES = ["PENDING", "SEALED", "FAILED"] as const;
export type SealStatus = (typeof SEAL_STATUSES)[number];

export const RECIPIENT_ROLES = ["SIGNER", "APPROVER", "CC"] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

export const RECIPIENT_STATUSES = ["PENDING", "SENT", "VIEWED", "SIGNED", "DECLINED"] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** The fields placed by coordinates (`fields`) or by text tags. */
export const PLACED_FIELD_TYPES = ["signature", "initials", "date", "text", "checkbox"] as const;
export type PlacedFieldType = (typeof PLACED_FIELD_TYPES)[number];
export const isPlacedFieldType = (type: string): type is PlacedFieldType => (PLACED_FIELD_TYPES as readonly string[]).includes(type);
/** Every field a recipient fills: the placed ones, and a document's own radio groups and choice fields handed over (they carry their options). */
export const FIELD_TYPES = [...PLACED_FIELD_TYPES, "radio", "choice"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Where a field came from: the request's `fields`, a text tag of its document, or a field of the document's own form. */
export const FIELD_SOURCES = ["explicit", "tag", "form"] as const;
export type FieldSource = (typeof FIELD_SOURCES)[number];

export const SIGNATURE_TYPES = ["typed", "drawn"] as const;
export type SignatureType = (typeof SIGNATURE_TYPES)[number];

/** How a recipient proves who they are before the signing page shows anything (beyond the link itself). */
export const AUTH_METHODS = ["email_otp", "sms_otp", "access_code"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Languages of the invitations and of the signing page. */
export const LOCALES = ["en", "fr", "de", "es", "it", "pt", "nl", "el", "ar"] as const;
export type Locale = (typeof LOCALES)[number];
/** The locales written right to left: pages get dir="rtl", PDF texts are drawn from the right. */
export const RTL_LOCALES: readonly Locale[] = ["ar"];
export const textDirection = (locale: Locale): "rtl" | "ltr" => (RTL_LOCALES.includes(locale) ? "rtl" : "ltr");

/** "fr-CA" -> "fr" when it is one of LOCALES, else null. */
export function supportedLocale(value: string | null | undefined): Locale | null {
  const l = (value ?? "").trim().toLowerCase().split(/[-_;]/)[0];
  return LOCALES.find((known) => known === l) ?? null;
}

/** The first language of an Accept-Language header that is one of LOCALES, else English. */
export function acceptedLocale(acceptLanguage: string | null): Locale {
  for (const part of (acceptLanguage ?? "").split(",")) {
    const l = supportedLocale(part);
    if (l) return l;
  }
  return "en";
}

/** What an integrator may ask for; the API reports "custom" for per-recipient routing orders. */
export const SIGNING_ORDERS = ["parallel", "sequential"] as const;
export const REPORTED_SIGNING_ORDERS = [...SIGNING_ORDERS, "custom"] as const;
export type SigningOrder = (typeof REPORTED_SIGNING_ORDERS)[number];

/** What the signing page shows a recipient. */
export const SESSION_STATES = ["ready", "signed", "declined", "waiting", "voided", "expired", "completed"] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** What a notification tells a recipient, and the channels it goes through. */
export const MESSAGE_KINDS = ["invitation", "reminder", "declined", "voided", "completed", "expired"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const CHANNELS = ["email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

export const JOB_STATUSES = ["pending", "done", "failed"] as const;

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a revision after a signature changed (pdf/changes.ts): here so the API schema needs no PDF code. */
export const CHANGE_KINDS = ["dss", "document-timestamp", "signature", "form-fill", "annotation", "other"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** A bulk send: waiting for the outbox, going through its rows, done (every row sent or failed). */
export const BATCH_STATUSES = ["queued", "running", "completed"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const BATCH_ROW_STATUSES = ["sent", "failed"] as const;

/** The kinds of a PDF's own form fields (AcroForm). */
export const FORM_FIELD_TYPES = ["text", "checkbox", "radio", "choice", "signature"] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];
