/**
 * The signer's rules: what the signing page shows a recipient, whether they may act now, and
 * what a POST .../complete body stores. Pure functions: the signing service loads the rows and
 * writes the outcome.
 */
import { AppError, pointerKey, type FieldError } from "../../errors";
import { pngProblem } from "../../pdf/png";
import type { Static } from "@sinclair/typebox";
import type { EnvelopeStatus, FieldType, RecipientRole, RecipientStatus, SessionState } from "../../enums";
import { formValueProblem } from "../../pdf/form-field-model";
import type { CompleteBody } from "../signing/model";

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
 * Why this signer may not hand their turn to someone else, or null when they may: the sender
 * must allow it, and a recipient who proves who they are by SMS cannot, since the code goes to
 * the phone the sender gave and the new person's could only come from the signer (the sender
 * can correct the recipient instead).
 */
export function reassignRefusal(envelope: { allowReassign: boolean }, r: { authMethod: string | null }): string | null {
  if (!envelope.allowReassign) return "The sender did not allow signers of this envelope to hand their turn to someone else";
  if (r.authMethod === "sms_otp") return "This recipient proves who they are by a code sent to the phone the sender gave: only the sender can hand this turn to someone else";
  return null;
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

/** Whether a field must be filled: as the sender says, else every field but a checkbox (ticking one is a choice unless made a condition). */
export const fieldRequired = (f: { type: FieldType; required?: boolean | null }): boolean => f.required ?? f.type !== "checkbox";

/** The first letter of each word, whole characters (composed, so that an accent stays on its letter), at most 4. */
export const initialsOf = (name: string): string =>
  name.normalize("NFC").trim().split(/[\s-]+/).filter(Boolean).map((w) => [...w][0]!.toUpperCase()).slice(0, 4).join("");

/** What shows nothing on a page: spaces, control characters, zero-width and bidi format characters, fillers (U+3164…). */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}]/gu;

/** Whether a text would show nothing: a signature or value of invisible characters only is a blank one. */
export const isBlank = (text: string): boolean => text.replace(INVISIBLE, "") === "";

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
      // Characters, not UTF-16 units: an emoji is one.
      if (isBlank(name) || [...name].length > 100) err("/signature/value", "a typed signature is 1 to 100 characters, not all of them invisible");
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
        const trimmed = (v ?? "").trim();
        const text = isBlank(trimmed) ? "" : trimmed;
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
