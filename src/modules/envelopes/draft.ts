/** What creating and updating a draft share: validation against the stored documents, and writing its parts. */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Clock } from "../../clock";
import { invalid, type FieldError } from "../../errors";
import { mergeProblems } from "../../http/validate";
import { newId } from "../../ids";
import type { Tx } from "../../store/db";
import { idsParam, inIds, lockingRows } from "../../store/portable-sql";
import { preparedPerSession } from "../../store/prepared";
import { insertRows, insertRowsReturning } from "../../store/insert-rows";
import { isPlacedFieldType } from "../../enums";
import { documents, envelopeDocuments, fields, recipients, type Environment } from "../../store/schema";
import { draftFields, prefillValue, validateDraft, type DocumentFacts, type EnvelopeDraft, type StoredRecipientDraft } from "./draft-rules";
import { routingOrders } from "./routing";
import { fieldRequired } from "./signer-rules";
import { fieldRows, recipientRows } from "./rows";

export type DocumentFactsById = Map<string, DocumentFacts & { id: string; name: string; size: number; sha256: string }>;

const statements = preparedPerSession((tx) => {
  const facts = {
    id: documents.id, name: documents.name, size: documents.size, sha256: documents.sha256, pageCount: documents.pageCount, pages: documents.pages, tags: documents.tags, formFields: documents.formFields,
  };
  const live = and(eq(documents.environment, sql.placeholder("environment") as never), isNull(documents.deletedAt));
  // PostgreSQL: the documents a draft links are held FOR SHARE until its transaction ends, so a
  // deletion (deleteDocument) waits for it and then sees the link, whatever the isolation.
  const held = <Q>(q: Q): Q => lockingRows(tx, q, "share");
  return {
    facts: held(tx.select(facts).from(documents).where(and(inIds(tx, documents.id), live))).prepare(),
    // Most envelopes have one document: by its key, without the JSON list (a third of the statement's time).
    factsOfOne: held(tx.select(facts).from(documents).where(and(eq(documents.id, sql.placeholder("id")), live))).prepare(),
  };
});

/** Page sizes and text tags of the live documents among `ids` in `environment`, with what the envelope view shows of them. */
export async function documentFacts(tx: Tx, environment: Environment, ids: string[]): Promise<DocumentFactsById> {
  if (!Array.isArray(ids) || !ids.length) return new Map();
  const unique = [...new Set(ids)];
  const q = statements(tx);
  const rows = await (unique.length === 1 ? q.factsOfOne.execute({ id: unique[0], environment }) : q.facts.execute({ ...idsParam(unique), environment }));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Problems a caller found before the draft rules run, answered with theirs in one 422. */
export interface FoundProblems {
  /** The request's schema errors (see mergeProblems). */
  shapeErrors?: FieldError[];
  /** Broken rules of the request that the draft does not show (e.g. a template's roles left without a person). */
  ruleErrors?: FieldError[];
}

/** 422 validation_failed with every broken rule, or nothing. */
export async function assertValidDraft(tx: Tx, clock: Clock, environment: Environment, draft: EnvelopeDraft, found: FoundProblems = {}): Promise<DocumentFactsById> {
  // A body too malformed to be read (even null) has no documents: its shape errors say so.
  const facts = await documentFacts(tx, environment, draft?.documentIds);
  const shapeErrors = found.shapeErrors ?? [];
  const errors = mergeProblems(shapeErrors, () => [...(found.ruleErrors ?? []), ...validateDraft(draft, facts, clock.now())]);
  if (errors.length) throw invalid(errors, shapeErrors.length ? "Invalid request body" : "The envelope is not valid");
  return facts;
}

/**
 * The recipients with each access code replaced by its hash (argon2id, on Bun's thread pool),
 * made before the transaction that writes them: a hash takes ~100 ms of CPU and 64 MiB, which
 * inside the transaction held the event loop, the write lock and every transaction grouped with
 * it that long, per recipient. Recipients without a code are returned as they are.
 */
export async function hashAccessCodes(recipients: StoredRecipientDraft[]): Promise<StoredRecipientDraft[]> {
  // A body that failed its schema comes here too (its problems are answered with the rules'): any shape.
  const given = (r: StoredRecipientDraft | null | undefined) => r?.authentication?.method === "access_code" && typeof r.authentication.accessCode === "string";
  if (!Array.isArray(recipients) || !recipients.some(given)) return recipients;
  return Promise.all(recipients.map(async (r) => {
    if (!given(r)) return r;
    const { accessCode, ...authentication } = r.authentication!;
    // Hashed as the signer's entry is read (verifyCode trims it). Shorter than 4 characters so: no
    // code, which validateDraft refuses.
    const code = accessCode!.trim();
    return code.length >= 4 ? { ...r, authentication, storedAccessCodeHash: await Bun.password.hash(code) } : { ...r, authentication };
  }));
}

/**
 * The recipient rows of a draft, in order, with the given ids (a PATCH's kept ones) or new ones:
 * what writeDraftParts writes, and what a creation's first audit event names before it is written.
 */
export function newRecipientRows(envelopeId: string, draft: EnvelopeDraft, ids: readonly string[] = draft.recipients.map(() => newId("rcp"))) {
  const orders = routingOrders(draft);
  return draft.recipients.map((r, position) => {
    const auth = r.authentication;
    if (auth?.method === "access_code" && auth.accessCode) throw new Error("an access code reached the transaction unhashed: hashAccessCodes first");
    const accessCodeHash = auth?.method === "access_code" ? (r as StoredRecipientDraft).storedAccessCodeHash ?? null : null;
    return {
      id: ids[position]!, envelopeId, position,
      email: r.email.trim(), name: r.name.trim(), phone: r.phone ?? null, roleName: r.roleName?.trim() || null,
      role: r.role ?? "SIGNER", routingOrder: orders[position]!, status: "PENDING" as const,
      authMethod: auth?.method ?? null, accessCodeHash, embedded: r.embedded ?? false,
    };
  });
}

/**
 * Writes an envelope's documents, recipients and fields: the explicit fields, then those of the
 * documents' text tags. `replacing`: an existing envelope's parts are removed first (PATCH).
 * `people`: the recipient rows (newRecipientRows), new ones by default. Returns the recipients and
 * fields as stored, in order.
 */
export async function writeDraftParts(tx: Tx, envelopeId: string, draft: EnvelopeDraft, documentFacts: DocumentFactsById, opts: { replacing: boolean; people?: ReturnType<typeof newRecipientRows> }) {
  if (opts.replacing) {
    await tx.delete(fields).where(eq(fields.envelopeId, envelopeId));
    await tx.delete(recipients).where(eq(recipients.envelopeId, envelopeId));
    await tx.delete(envelopeDocuments).where(eq(envelopeDocuments.envelopeId, envelopeId));
  }
  await insertRows(tx, envelopeDocuments, draft.documentIds.map((documentId, position) => ({ envelopeId, documentId, position })));
  const people = opts.people ?? newRecipientRows(envelopeId, draft);
  const recipientsWritten = await insertRowsReturning(tx, recipients, people);
  const all = draftFields(draft, documentFacts);
  const fieldsWritten = await insertRowsReturning(tx, fields, all.map(({ recipient, field: f, source }, position) => {
    const fixed = f.label != null && draft.prefill?.[f.label] !== undefined ? prefillValue(f.type, draft.prefill[f.label]!) : null;
    return {
      id: newId("fld"), envelopeId, recipientId: people[recipient]!.id, documentId: f.documentId, type: f.type, source, position,
      page: f.page, x: f.x, y: f.y, width: f.width, height: f.height, required: fieldRequired(f), label: f.label ?? null,
      ...(fixed && "value" in fixed ? { value: fixed.value, readOnly: true } : {}),
    };
  }));
  return { recipients: recipientsWritten, fields: fieldsWritten };
}

/** The stored recipients as the draft they came from (for PATCH without recipients); tag and form fields are made again from the documents. */
export async function storedRecipientDrafts(tx: Tx, envelopeId: string, withOrders: boolean): Promise<{ drafts: StoredRecipientDraft[]; ids: string[] }> {
  const rs = await recipientRows(tx, envelopeId);
  const fs = await fieldRows(tx, envelopeId);
  return {
    ids: rs.map((r) => r.id),
    drafts: rs.map((r) => ({
      email: r.email, name: r.name, role: r.role,
      ...(r.phone ? { phone: r.phone } : {}),
      ...(r.roleName ? { roleName: r.roleName } : {}),
      ...((names) => (names.length ? { formFields: names } : {}))([...new Set(fs.filter((f) => f.recipientId === r.id && f.source === "form").map((f) => f.label!))]),
      ...(r.authMethod ? { authentication: { method: r.authMethod }, storedAccessCodeHash: r.accessCodeHash } : {}),
      ...(r.embedded ? { embedded: true } : {}),
      ...(withOrders ? { routingOrder: r.routingOrder } : {}),
      // Explicit fields are placed ones (radio and choice fields only come from a form).
      fields: fs.flatMap((f) => f.recipientId === r.id && f.source === "explicit" && isPlacedFieldType(f.type) ? [{
        documentId: f.documentId, type: f.type, page: f.page, x: f.x, y: f.y, width: f.width, height: f.height,
        required: f.required, ...(f.label != null ? { label: f.label } : {}),
      }] : []),
    })),
  };
}
