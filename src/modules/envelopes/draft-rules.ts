/**
 * The rules a draft (an envelope as created, or as a PATCH leaves it) must satisfy before it is
 * stored, and the fields it gives its recipients: explicit, from text tags, from the documents'
 * forms. Pure functions over plain values: draft.ts loads the facts and stores the outcome.
 */
import { DATE_TIME_WORDING, isCalendarDateTime } from "../../clock";
import { pointerKey, type FieldError } from "../../errors";
import type { Static } from "@sinclair/typebox";
import type { FieldType, FormFieldType } from "../../enums";
import type { PageSize } from "../../store/schema";
import type { TextTag } from "../../pdf/text/text-tags";
import { formValueProblem, type FormField } from "../../pdf/form-field-model";
import type { CreateEnvelopeBody, FieldInput, RecipientInput, UpdateEnvelopeBody } from "./model";
import { isAllowedOrigin, isSafeRedirect } from "./signing-page-urls";

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
 * The most fields an envelope may have, its recipients' own (50 recipients of 200 fields each at
 * most), its documents' text tags and the form fields handed over: each is a row written with the
 * envelope, shown in its every view and stamped when it is sealed.
 */
export const MAX_ENVELOPE_FIELDS = 10_000;

/**
 * Every rule a draft must satisfy before it is stored, as JSON-pointer errors (empty when valid).
 * `documents` holds the facts of the documentIds that exist in the caller's environment.
 */
export function validateDraft(d: EnvelopeDraft, documents: ReadonlyMap<string, DocumentFacts>, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const err = (pointer: string, message: string) => errors.push({ pointer, message });
  if (d.sender && !isEmail(d.sender.email.trim())) err("/sender/email", `"${d.sender.email}" is not a valid e-mail address`);
  d.embedding?.allowedOrigins.forEach((o, i) => {
    if (!isAllowedOrigin(o)) err(`/embedding/allowedOrigins/${i}`, `"${o}" is not an origin (scheme://host[:port], nothing after it) on https, or http on loopback`);
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
      err(`${base}/authentication/accessCode`, "access_code needs the accessCode you will give the recipient: 4 to 64 characters, surrounding spaces not counted");
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
  const all = draftFields(d, documents);
  errors.push(...prefillProblems(d, documents, all));
  if (all.length > MAX_ENVELOPE_FIELDS)
    err("/", `the envelope would have ${all.length} fields (its recipients' own, its documents' text tags and form fields): at most ${MAX_ENVELOPE_FIELDS}`);

  if (d.expiresAt != null) {
    const at = Date.parse(d.expiresAt);
    if (Number.isNaN(at) || !isCalendarDateTime(d.expiresAt))
      err("/expiresAt", `must be ${DATE_TIME_WORDING} (got ${JSON.stringify(d.expiresAt.slice(0, 60))})`);
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

/** Each prefill key must name fields (by label) that the sender may fill, with a value of their type; `fs`: the draft's fields (draftFields). */
function prefillProblems(d: Pick<EnvelopeDraft, "documentIds" | "prefill">, documents: ReadonlyMap<string, DocumentFacts>, fs: ReturnType<typeof draftFields>): FieldError[] {
  if (!d.prefill) return [];
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
