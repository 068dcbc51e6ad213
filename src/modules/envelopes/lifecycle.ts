/**
 * The envelope's rules as pure functions over plain values: validation of a draft, the status
 * machine, routing groups, what a recipient may do and see. No database, no clock, no HTTP:
 * service.ts loads rows, asks these functions, and writes the outcome.
 */
import { crc32, inflateSync } from "node:zlib";
import { AppError, type FieldError } from "../../errors";
import type { EnvelopeStatus, FieldType, PageSize, RecipientRole, RecipientStatus } from "../../store/schema";

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

export interface FieldDraft {
  documentId: string;
  type: FieldType;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required?: boolean;
  label?: string;
}

export interface RecipientDraft {
  email: string;
  name: string;
  phone?: string;
  role?: RecipientRole;
  routingOrder?: number;
  fields?: FieldDraft[];
}

export interface EnvelopeDraft {
  subject: string;
  message?: string | null;
  documentIds: string[];
  recipients: RecipientDraft[];
  signingOrder?: "parallel" | "sequential";
  locale?: "en" | "fr";
  expiresAt?: string | null;
  reminderIntervalHours?: number | null;
  notifyBySms?: boolean;
  metadata?: Record<string, string>;
}

export interface DocumentFacts {
  pageCount: number;
  pages: PageSize[];
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

  if (d.expiresAt != null) {
    const at = Date.parse(d.expiresAt);
    if (Number.isNaN(at)) err("/expiresAt", "not a date-time");
    else if (at <= now.getTime()) err("/expiresAt", "must be in the future");
  }
  return errors;
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
export function signingOrderOf(rs: readonly { role: RecipientRole; routingOrder: number }[]): "parallel" | "sequential" | "custom" {
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

export type SessionState = "ready" | "signed" | "declined" | "waiting" | "voided" | "expired" | "completed";

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

export interface CompletionInput {
  signature?: { type: "typed" | "drawn"; value: string };
  fields?: Record<string, string | boolean>;
  consent?: boolean;
}

export interface FieldSpec {
  id: string;
  type: FieldType;
  required: boolean;
}

export interface Completion {
  signature: { type: "typed"; name: string } | { type: "drawn"; png: Uint8Array } | null;
  /** Value to store for each of the recipient's fields (null: nothing to store). */
  values: Map<string, string | null>;
}

/** A drawn signature's data URL may be up to 500 KB. */
export const MAX_DRAWN_BYTES = 500 * 1024;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DATA_URL = /^data:image\/png;base64,([A-Za-z0-9+/]*={0,2})$/;

const pointerKey = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** Largest drawn signature, in pixels per side (a signature pad is about 1500×500 at 3× density). */
export const MAX_PNG_SIDE = 4000;

/** Channels per colour type, and the bit depths each allows (PNG spec, table 11.1). */
const PNG_COLOUR: Record<number, { channels: number; depths: readonly number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

/** Adam7 passes: [x0, y0, dx, dy]. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/**
 * Why `b` is not a PNG image that can safely be decoded, or null when it is one: every chunk
 * inside the bytes with a good CRC, IHDR first (1 to MAX_PNG_SIDE pixels a side, a valid depth
 * and colour type, no unknown method), PLTE for an indexed image, IDAT, IEND, not animated, and
 * image data that inflates (output bounded) to exactly the scanlines IHDR announces, each with a
 * known filter. Bytes after IEND are ignored, as decoders do. pdf-lib's decoder, which stamps the
 * signature when the envelope is sealed, loops forever on a truncated stream: only what passes
 * here may reach it.
 */
export function pngProblem(b: Uint8Array): string | null {
  if (b.length < 8 || !PNG_MAGIC.every((v, i) => b[i] === v)) return "not a PNG file";
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let header: { width: number; height: number; bitsPerPixel: number; colourType: number; interlaced: boolean } | null = null;
  let palette = false;
  const idat: Uint8Array[] = [];
  for (let off = 8; ; ) {
    if (b.length - off < 12) return "truncated (no IEND chunk)";
    const len = view.getUint32(off);
    const type = String.fromCharCode(b[off + 4]!, b[off + 5]!, b[off + 6]!, b[off + 7]!);
    const chunk = /^[A-Za-z]{4}$/.test(type) ? `the ${type} chunk` : "a chunk";
    if (len > b.length - off - 12) return `truncated (in ${chunk})`;
    if ((crc32(b.subarray(off + 4, off + 8 + len)) >>> 0) !== view.getUint32(off + 8 + len)) return `bad CRC in ${chunk}`;
    const data = b.subarray(off + 8, off + 8 + len);
    off += 12 + len;
    if (!header) {
      if (type !== "IHDR") return "IHDR is not the first chunk";
      if (len !== 13) return "bad IHDR";
      const width = view.getUint32(data.byteOffset - b.byteOffset);
      const height = view.getUint32(data.byteOffset - b.byteOffset + 4);
      const [depth, colourType, compression, filter, interlace] = data.subarray(8);
      const colour = PNG_COLOUR[colourType!];
      if (width < 1 || height < 1 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE)
        return `${width}×${height} pixels: at most ${MAX_PNG_SIDE}×${MAX_PNG_SIDE}`;
      if (!colour || !colour.depths.includes(depth!) || compression !== 0 || filter !== 0 || interlace! > 1) return "unsupported IHDR";
      header = { width, height, bitsPerPixel: depth! * colour.channels, colourType: colourType!, interlaced: interlace === 1 };
    } else if (type === "IHDR") return "two IHDR chunks";
    else if (type === "PLTE") palette = true;
    else if (type === "IDAT") idat.push(data);
    else if (type === "acTL" || type === "fcTL" || type === "fdAT") return "animated PNG";
    else if (type === "IEND") break;
  }
  if (!header) return "no IHDR";
  if (header.colourType === 3 && !palette) return "indexed image without PLTE";
  if (!idat.length) return "no image data";
  const h = header;
  const passes = (h.interlaced ? ADAM7 : [[0, 0, 1, 1] as const])
    .map(([x0, y0, dx, dy]) => ({ w: Math.ceil((h.width - x0) / dx), rows: Math.ceil((h.height - y0) / dy) }))
    .filter((p) => p.w > 0 && p.rows > 0)
    .map((p) => ({ rows: p.rows, stride: 1 + Math.ceil((p.w * h.bitsPerPixel) / 8) }));
  const expected = passes.reduce((n, p) => n + p.rows * p.stride, 0);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch {
    return "corrupt or truncated image data";
  }
  if (raw.length !== expected) return "the image data does not match the size in IHDR";
  let at = 0;
  for (const p of passes)
    for (let row = 0; row < p.rows; row++, at += p.stride) if (raw[at]! > 4) return "unknown scanline filter";
  return null;
}

/** A complete, well-formed PNG of at most MAX_PNG_SIDE pixels a side (see pngProblem). */
export const isPng = (b: Uint8Array): boolean => pngProblem(b) === null;

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
    switch (f.type) {
      case "signature":
        values.set(f.id, signature?.type === "typed" ? signature.name : null);
        break;
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
