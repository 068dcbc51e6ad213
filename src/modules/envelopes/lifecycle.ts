/**
 * The envelope's rules as pure functions over plain values: validation of a draft, the status
 * machine, routing groups, what a recipient may do and see. No database, no clock, no HTTP:
 * the use-case files beside it (create-envelope.ts, send-envelope.ts, ...) load rows, ask these
 * functions, and write the outcome.
 */
import { AppError, type FieldError } from "../../errors";
import { pngProblem } from "../../pdf/png";
import type { Static } from "@sinclair/typebox";
import type { EnvelopeStatus, FieldType, FormFieldType, RecipientRole, RecipientStatus, SessionState, SigningOrder } from "../../enums";
import type { PageSize } from "../../store/schema";
import type { TextTag } from "../../pdf/text/text-tags";
import { formValueProblem, type FormField } from "../../pdf/form-field-model";
import type { CompleteBody } from "../signing/model";
import type { CreateEnvelopeBody, FieldInput, RecipientInput, UpdateEnvelopeBody } from "./model";

const TRANSITIONS: Record<EnvelopeStatus, readonly EnvelopeStatus[]> = {
  DRAFT: ["SENT"],
  SENT: ["COMPLETED", "DECLINED", "VOIDED", "EXPIRED"],
  COMPLETED: [],
  DECLINED: [],
  VOIDED: [],
  EXPIRED: [],
};

export const canTransition = (from: EnvelopeStatus, to: EnvelopeStatus): boolean => TRANSITIONS[from].includes(to);

// ---------------------------------------------------------------------------------------------
// Draft validation

export type FieldDraft = Static<typeof FieldInput>;
/** A field as a draft makes it: a placed one, or a radio or choice field of a document's form handed over. */
export type MadeField = Omit<FieldDraft, "type"> & { type: FieldType };
export type RecipientDraft = Static<typeof RecipientInput>;
/** A stored recipient as a draft again (PATCH without recipients): its access code only as the hash kept. */
export type StoredRecipientDraft = RecipientDraft & { storedAccessCodeHash?: string | null };

/**
 * An envelope as created (the POST body), or as a PATCH leaves it: the members a PATCH may
 * clear (null) are taken from the PATCH body.
 */
export type EnvelopeDraft = Omit<Static<typeof CreateEnvelopeBody>, Clearable> & Pick<Static<typeof UpdateEnvelopeBody>, Clearable>;
type Clearable = "message" | "expiresAt" | "reminderIntervalHours" | "locale" | "sender" | "embedding" | "redirectUrl";

export interface DocumentFacts {
  pageCount: number;
  pages: PageSize[];
  /** Text tags of the document: fields for the recipients their roles name. */
  tags?: TextTag[];
  /** The document's own form fields: prefilled by name, or handed to recipients. */
  formFields?: FormField[];
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

export const isEmail = (s: string): boolean => s.length <= 254 && EMAIL.test(s) && !/\.\./.test(s);

/** Page coordinates are compared with a small tolerance: 595.28 pt wide pages and rounding. */
const EPSILON = 0.01;

/**
 * Every rule a draft must satisfy before it is stored, as JSON-pointer errors (empty when valid).
 * `documents` holds the facts of the documentIds that exist in the caller's environment.
 */
export function validateDraft(d: EnvelopeDraft, documents: ReadonlyMap<string, DocumentFacts>, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const err = (pointer: string, message: string) => errors.push({ pointer, message });
  if (d.sender && !isEmail(d.sender.email.trim())) err("/sender/email", `"${d.sender.email}" is not a valid e-mail address`);
  d.embedding?.allowedOrigins.forEach((o, i) => {
    if (!isAllowedOrigin(o)) err(`/embedding/allowedOrigins/${i}`, `"${o}" is not an origin (scheme://host[:port]) on https, or http on loopback`);
  });
  if (d.redirectUrl && !isSafeRedirect(d.redirectUrl)) err("/redirectUrl", "must be an https URL (or http on loopback)");

  const seenDocs = new Map<string, number>();
  d.documentIds.forEach((id, i) => {
    if (seenDocs.has(id)) err(`/documentIds/${i}`, `duplicate of /documentIds/${seenDocs.get(id)}`);
    else if (!documents.has(id)) err(`/documentIds/${i}`, `document ${id} does not exist`);
    seenDocs.set(id, seenDocs.get(id) ?? i);
  });

  if (d.signingOrder !== undefined) {
    const i = d.recipients.findIndex((r) => r.routingOrder !== undefined);
    if (i >= 0) err(`/recipients/${i}/routingOrder`, "give either signingOrder or a routingOrder per recipient, not both");
  }

  if (!d.recipients.some((r) => (r.role ?? "SIGNER") === "SIGNER")) err("/recipients", "at least one recipient must be a SIGNER");

  const seenEmails = new Map<string, number>();
  d.recipients.forEach((r, i) => {
    const base = `/recipients/${i}`;
    const email = r.email.trim().toLowerCase();
    if (!isEmail(r.email.trim())) err(`${base}/email`, `"${r.email}" is not a valid e-mail address`);
    else if (seenEmails.has(email)) err(`${base}/email`, `duplicate recipient: same e-mail as /recipients/${seenEmails.get(email)}`);
    else seenEmails.set(email, i);
    if (!r.name.trim()) err(`${base}/name`, "must not be blank");
    const role = r.role ?? "SIGNER";
    const auth = r.authentication;
    if (auth?.method === "sms_otp" && !r.phone) err(`${base}/authentication/method`, "sms_otp sends the code by SMS: the recipient needs a phone");
    if (auth?.method === "access_code" && !auth.accessCode && !(r as StoredRecipientDraft).storedAccessCodeHash)
      err(`${base}/authentication/accessCode`, "access_code needs the accessCode you will give the recipient");
    if (auth && auth.method !== "access_code" && auth.accessCode) err(`${base}/authentication/accessCode`, "only the access_code method takes an accessCode");
    if (role === "CC" && r.fields?.length) err(`${base}/fields`, "a CC recipient fills in nothing: remove its fields");
    r.fields?.forEach((f, j) => {
      const fp = `${base}/fields/${j}`;
      if (role === "APPROVER" && (f.type === "signature" || f.type === "initials"))
        err(`${fp}/type`, `an APPROVER does not sign: ${f.type} fields are for SIGNERs`);
      if (!d.documentIds.includes(f.documentId)) {
        err(`${fp}/documentId`, `${f.documentId} is not one of this envelope's documentIds`);
        return;
      }
      const doc = documents.get(f.documentId);
      if (!doc) return; // already reported under /documentIds
      if (f.page > doc.pageCount) {
        err(`${fp}/page`, `document ${f.documentId} has ${doc.pageCount} page${doc.pageCount === 1 ? "" : "s"}`);
        return;
      }
      const size = doc.pages[f.page - 1]!;
      if (f.x + f.width > size.width + EPSILON)
        err(`${fp}/x`, `the field (x ${f.x} + width ${f.width}) goes beyond the right edge of page ${f.page} (${size.width} pt wide)`);
      if (f.y + f.height > size.height + EPSILON)
        err(`${fp}/y`, `the field (y ${f.y} + height ${f.height}) goes beyond the bottom edge of page ${f.page} (${size.height} pt high)`);
    });
  });

  const seenRoles = new Map<string, number>();
  d.recipients.forEach((r, i) => {
    if (r.roleName === undefined) return;
    const key = r.roleName.trim().toLowerCase();
    if (seenRoles.has(key)) err(`/recipients/${i}/roleName`, `duplicate roleName: same as /recipients/${seenRoles.get(key)}`);
    else seenRoles.set(key, i);
  });
  for (const { recipient, tag, documentId } of taggedFields(d, documents)) {
    const r = d.recipients[recipient]!;
    const role = r.role ?? "SIGNER";
    if (role === "CC" || (role === "APPROVER" && (tag.type === "signature" || tag.type === "initials")))
      err(`/recipients/${recipient}/roleName`, `document ${documentId} has a ${tag.type} tag "${tag.name}" for role ${tag.role ?? "(first signer)"}, which a ${role} cannot fill`);
  }

  d.recipients.forEach((r, i) => (r.formFields ?? []).forEach((name, j) => {
    const pointer = `/recipients/${i}/formFields/${j}`;
    const found = formFieldsNamed(d, documents, name);
    const role = r.role ?? "SIGNER";
    if (!found.length) err(pointer, `no document of the envelope has a form field named "${name}"`);
    else if (role === "CC" || (role === "APPROVER" && found.some((f) => f.form.type === "signature"))) err(pointer, `a ${role} cannot fill ${name}`);
  }));
  errors.push(...prefillProblems(d, documents));

  if (d.expiresAt != null) {
    const at = Date.parse(d.expiresAt);
    if (Number.isNaN(at)) err("/expiresAt", "not a date-time");
    else if (at <= now.getTime()) err("/expiresAt", "must be in the future");
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Text tags

/**
 * The recipient (index in `recipients`) a tag's role names: the one whose roleName equals it
 * (ignoring case); else, for "signerN" (Adobe Sign, Dropbox Sign), the N-th SIGNER; a tag
 * without a role goes to the first SIGNER. null: no recipient has that role (no field).
 */
export function tagRecipient(role: string | null, recipients: readonly Pick<RecipientDraft, "role" | "roleName">[]): number | null {
  const signers = recipients.flatMap((r, i) => ((r.role ?? "SIGNER") === "SIGNER" ? [i] : []));
  if (role === null) return signers[0] ?? null;
  const wanted = role.trim().toLowerCase();
  const named = recipients.findIndex((r) => r.roleName?.trim().toLowerCase() === wanted);
  if (named >= 0) return named;
  const nth = /^signer(\d+)$/.exec(wanted);
  return nth ? (signers[Number(nth[1]) - 1] ?? null) : null;
}

/** Every tag of the draft's documents that a recipient gets, as that recipient's field. */
export function taggedFields(d: Pick<EnvelopeDraft, "documentIds" | "recipients">, documents: ReadonlyMap<string, DocumentFacts>) {
  return [...new Set(d.documentIds)].flatMap((documentId) => (documents.get(documentId)?.tags ?? []).flatMap((tag) => {
    const recipient = tagRecipient(tag.role, d.recipients);
    if (recipient === null) return [];
    const field: FieldDraft = {
      documentId, type: tag.type, page: tag.page, x: tag.x, y: tag.y, width: tag.width, height: tag.height, required: tag.required, label: tag.name,
    };
    return [{ recipient, tag, documentId, field }];
  }));
}

/** The envelope field each form field type becomes when handed to a recipient. */
const HANDED: Record<FormFieldType, FieldType> = { text: "text", checkbox: "checkbox", radio: "radio", choice: "choice", signature: "signature" };

/** The draft's documents' form fields named `name`, with their document. */
const formFieldsNamed = (d: Pick<EnvelopeDraft, "documentIds">, documents: ReadonlyMap<string, DocumentFacts>, name: string) =>
  [...new Set(d.documentIds)].flatMap((documentId) => (documents.get(documentId)?.formFields ?? []).filter((f) => f.name === name).map((form) => ({ documentId, form })));

/** The form fields handed to recipients (`formFields`), as their fields: one per document that has the name. */
export function formFieldFields(d: Pick<EnvelopeDraft, "documentIds" | "recipients">, documents: ReadonlyMap<string, DocumentFacts>) {
  return d.recipients.flatMap((r, recipient) => (r.formFields ?? []).flatMap((name) =>
    formFieldsNamed(d, documents, name).map(({ documentId, form }) => {
      const type = HANDED[form.type];
      const field: MadeField = { documentId, type, page: form.page, x: form.x, y: form.y, width: form.width, height: form.height, required: type !== "checkbox", label: name };
      return { recipient, field };
    })));
}

/** Every field of a draft, explicit, from tags and from the documents' forms, with its recipient's index. */
export function draftFields(d: Pick<EnvelopeDraft, "documentIds" | "recipients">, documents: ReadonlyMap<string, DocumentFacts>) {
  return [
    ...d.recipients.flatMap((r, recipient) => (r.fields ?? []).map((field) => ({ recipient, field, source: "explicit" as const }))),
    ...taggedFields(d, documents).map(({ recipient, field }) => ({ recipient, field, source: "tag" as const })),
    ...formFieldFields(d, documents).map(({ recipient, field }) => ({ recipient, field, source: "form" as const })),
  ];
}

/** A prefill value as the field stores it, or an error message. */
export function prefillValue(type: FieldType, v: string | boolean): { value: string } | { error: string } {
  if (type === "signature" || type === "initials") return { error: `a ${type} field is the recipient's own: it cannot be prefilled` };
  if (type === "checkbox") {
    if (v === true || v === "true") return { value: "true" };
    if (v === false || v === "false") return { value: "false" };
    return { error: "a checkbox takes true or false" };
  }
  return typeof v === "string" ? { value: v } : { error: `a ${type} field takes text` };
}

/** Each prefill key must name fields (by label) that the sender may fill, with a value of their type. */
function prefillProblems(d: Pick<EnvelopeDraft, "documentIds" | "recipients" | "prefill">, documents: ReadonlyMap<string, DocumentFacts>): FieldError[] {
  if (!d.prefill) return [];
  const fs = draftFields(d, documents);
  return Object.entries(d.prefill).flatMap(([label, v]) => {
    const pointer = `/prefill/${pointerKey(label)}`;
    const matching = fs.filter((f) => f.field.label === label);
    const forms = formFieldsNamed(d, documents, label);
    if (!matching.length && !forms.length) return [{ pointer, message: `no field is labelled "${label}" (labels: explicit fields' label, text tags' name, form field names)` }];
    const bad = matching.map((f) => prefillValue(f.field.type, v)).find((r) => "error" in r);
    // A form field's value must also fit the form (a radio group's or choice field's options).
    const problem = bad && "error" in bad ? bad.error : forms.map((f) => formValueProblem(f.form, typeof v === "boolean" ? String(v) : v)).find(Boolean);
    return problem ? [{ pointer, message: problem }] : [];
  });
}

/** routingOrder of each recipient: per-recipient values, else the signingOrder shorthand (default parallel). */
export function routingOrders(d: Pick<EnvelopeDraft, "recipients" | "signingOrder">): number[] {
  if (d.signingOrder === "sequential") {
    let n = 0;
    // CC recipients do not take a turn; they get the order of the signer before them (or 1).
    return d.recipients.map((r) => ((r.role ?? "SIGNER") === "CC" ? Math.max(n, 1) : ++n));
  }
  return d.recipients.map((r) => r.routingOrder ?? 1);
}

/** The signingOrder the API reports: parallel (one group), sequential (one actor per group), else custom. */
export function signingOrderOf(rs: readonly { role: RecipientRole; routingOrder: number }[]): SigningOrder {
  const orders = rs.filter((r) => r.role !== "CC").map((r) => r.routingOrder);
  const distinct = new Set(orders);
  if (distinct.size <= 1) return "parallel";
  if (distinct.size === orders.length) return "sequential";
  return "custom";
}

// ---------------------------------------------------------------------------------------------
// Routing

export interface RoutedRecipient {
  id: string;
  role: RecipientRole;
  routingOrder: number;
  status: RecipientStatus;
}

export type RoutingStep =
  | { kind: "invite"; routingOrder: number; recipientIds: string[] }
  | { kind: "wait" }
  | { kind: "complete" };

/**
 * What happens next, given every recipient's status. SIGNERs and APPROVERs act in groups of
 * equal routingOrder, lowest first; CC recipients never act. When every actor has signed the
 * envelope completes; when the lowest unfinished group has not been invited yet, it is invited;
 * otherwise the current group is still at work.
 */
export function nextStep(rs: readonly RoutedRecipient[]): RoutingStep {
  const open = rs.filter((r) => r.role !== "CC" && r.status !== "SIGNED");
  if (!open.length) return { kind: "complete" };
  const order = Math.min(...open.map((r) => r.routingOrder));
  const pending = open.filter((r) => r.routingOrder === order && r.status === "PENDING");
  return pending.length ? { kind: "invite", routingOrder: order, recipientIds: pending.map((r) => r.id) } : { kind: "wait" };
}

// ---------------------------------------------------------------------------------------------
// The signing ceremony

/** What the signing page shows a recipient. */
export function sessionState(envelope: EnvelopeStatus, r: { role: RecipientRole; status: RecipientStatus }): SessionState {
  switch (envelope) {
    case "COMPLETED": return "completed";
    case "DECLINED": return "declined";
    case "VOIDED": return "voided";
    case "EXPIRED": return "expired";
  }
  if (r.status === "SIGNED") return "signed";
  if (r.status === "DECLINED") return "declined";
  if (r.role === "CC" || r.status === "PENDING" || envelope !== "SENT") return "waiting";
  return "ready";
}

/**
 * Whether a recipient may sign or decline now. Done already: 409 signing_already_done (checked
 * first, so signing twice is a 409 even once the envelope has completed); envelope ended: 410
 * signing_closed; CC: 409 signing_not_required; group not invited yet: 409 signing_not_your_turn.
 */
export function assertCanAct(envelope: EnvelopeStatus, r: { role: RecipientRole; status: RecipientStatus }): void {
  if (r.status === "SIGNED" || r.status === "DECLINED")
    throw new AppError("signing_already_done", `You have already ${r.status === "SIGNED" ? (r.role === "APPROVER" ? "approved" : "signed") : "declined"} this envelope`);
  if (envelope !== "SENT")
    throw new AppError("signing_closed", `This envelope is ${envelope.toLowerCase()}; its signing links no longer work`);
  if (r.role === "CC") throw new AppError("signing_not_required", "A CC recipient only receives the completed copy: there is nothing to sign");
  if (r.status === "PENDING") throw new AppError("signing_not_your_turn", "Not your turn yet: other recipients sign before you; you will be invited");
}

export type CompletionInput = Static<typeof CompleteBody>;

export interface FieldSpec {
  id: string;
  type: FieldType;
  required: boolean;
  label?: string | null;
  /** A radio or choice field's options (its document's form says them). */
  options?: readonly string[] | null;
  /** Filled by the sender: kept as it is. */
  readOnly?: boolean;
}

export interface Completion {
  signature: { type: "typed"; name: string } | { type: "drawn"; png: Uint8Array } | null;
  /** Value to store for each of the recipient's fields (null: nothing to store). */
  values: Map<string, string | null>;
}

/** A drawn signature's data URL may be up to 500 KB. */
export const MAX_DRAWN_BYTES = 500 * 1024;
const DATA_URL = /^data:image\/png;base64,([A-Za-z0-9+/]*={0,2})$/;

const pointerKey = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const secureOrLoopback = (u: URL) => u.protocol === "https:" || (u.protocol === "http:" && (LOOPBACK.has(u.hostname) || u.hostname.startsWith("127.")));

/** "https://hr.example.com" (or http on loopback, for development): an origin exactly, no path. */
export function isAllowedOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  return secureOrLoopback(u) && u.origin === value.replace(/\/$/, "");
}

/** Where a signer may be sent after signing: https, or http on loopback; never javascript: or data:. */
export const isSafeRedirect = (value: string): boolean => URL.canParse(value) && secureOrLoopback(new URL(value));

/** Whether a field must be filled: as the sender says, else every field but a checkbox (ticking one is a choice unless made a condition). */
export const fieldRequired = (f: { type: FieldType; required?: boolean | null }): boolean => f.required ?? f.type !== "checkbox";

export const initialsOf = (name: string): string =>
  name.trim().split(/[\s-]+/).filter(Boolean).map((w) => w[0]!.toUpperCase()).join("").slice(0, 4);

/**
 * Checks a POST .../complete body against the recipient's role and fields; returns what to store
 * or the JSON-pointer errors. Date fields left empty get the signing date, initials the
 * recipient's initials; signature fields take the recipient's signature.
 */
export function checkCompletion(
  who: { role: RecipientRole; name: string },
  fields: readonly FieldSpec[],
  body: CompletionInput,
  now: Date,
): { errors: FieldError[]; completion: Completion } {
  const errors: FieldError[] = [];
  const err = (pointer: string, message: string) => errors.push({ pointer, message });
  if (body.consent !== true) err("/consent", "consent is required: set consent to true to sign electronically");

  let signature: Completion["signature"] = null;
  if (who.role === "SIGNER") {
    const s = body.signature;
    if (!s) err("/signature", "a signature is required: {type: \"typed\"|\"drawn\", value}");
    else if (s.type === "typed") {
      const name = s.value.trim();
      if (name.length < 1 || name.length > 100) err("/signature/value", "a typed signature is 1 to 100 characters");
      else signature = { type: "typed", name };
    } else {
      const m = DATA_URL.exec(s.value);
      if (s.value.length > MAX_DRAWN_BYTES) err("/signature/value", "the drawn signature is larger than 500 KB");
      else if (!m || m[1]!.length % 4 === 1) err("/signature/value", "a drawn signature is a data:image/png;base64,… URL");
      else {
        const png = new Uint8Array(Buffer.from(m[1]!, "base64"));
        const problem = pngProblem(png);
        if (problem) err("/signature/value", `the drawn signature is not a valid PNG image: ${problem}`);
        else signature = { type: "drawn", png };
      }
    }
  }

  const given = body.fields ?? {};
  const byId = new Map(fields.map((f) => [f.id, f]));
  for (const k of Object.keys(given)) if (!byId.has(k)) err(`/fields/${pointerKey(k)}`, "not one of your fields");

  const values = new Map<string, string | null>();
  const date = now.toISOString().slice(0, 10);
  for (const f of fields) {
    const p = `/fields/${pointerKey(f.id)}`;
    const v = given[f.id];
    if (f.readOnly) {
      if (v !== undefined) err(p, "the sender filled this field: it cannot be changed");
      continue;
    }
    switch (f.type) {
      case "signature":
        values.set(f.id, signature?.type === "typed" ? signature.name : null);
        break;
      case "radio":
      case "choice": {
        // One of the options exactly as the form writes it: no trimming, no case folding.
        const form = { type: f.type, name: `"${f.label ?? f.id}"`, options: [...(f.options ?? [])] };
        if (v !== undefined && typeof v !== "string") err(p, `expected one of the options of ${form.name} as a string`);
        else if (!v && f.required) err(p, `this field is required: choose one of the options of ${form.name}: ${form.options.map((o) => JSON.stringify(o)).join(", ")}`);
        else if (!v) values.set(f.id, null);
        else {
          const problem = formValueProblem(form, v);
          if (problem) err(p, problem);
          else values.set(f.id, v);
        }
        break;
      }
      case "checkbox": {
        const checked = v === true || v === "true" ? true : v === false || v === "false" || v === undefined ? false : null;
        if (checked === null) err(p, "a checkbox takes true or false");
        else if (f.required && !checked) err(p, "this box must be checked");
        else values.set(f.id, String(checked));
        break;
      }
      default: {
        if (v !== undefined && typeof v !== "string") { err(p, "expected a string"); break; }
        const text = (v ?? "").trim();
        const max = f.type === "initials" ? 10 : f.type === "date" ? 100 : 1000;
        if (text.length > max) { err(p, `at most ${max} characters`); break; }
        if (text) values.set(f.id, text);
        else if (f.type === "date") values.set(f.id, date);
        else if (f.type === "initials") values.set(f.id, initialsOf(signature?.type === "typed" ? signature.name : who.name));
        else if (f.required) err(p, "this field is required");
        else values.set(f.id, null);
      }
    }
  }
  return { errors, completion: { signature, values } };
}
