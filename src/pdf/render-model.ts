/**
 * Input types of everything drawn into PDFs (stamps, signature page,
 * certificate of completion, audit trail). They are plain data so the
 * renderers stay pure: the sealing service maps database rows to them.
 */

import type { FieldType, Locale, RecipientRole, SignatureType } from "../enums";

export interface RenderRecipient {
  id: string;
  name: string;
  email: string;
  role: RecipientRole;
  status: string;
  signedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  /** How the recipient was authenticated, e.g. "e-mail link". */
  authMethod: string;
  /** Who held this place before the signer handed it over ("Name <email>: reason"). */
  reassignedFrom?: string | null;
  /** `value` is the typed name, or a `data:image/png;base64,...` URL for a drawn signature. */
  signature: { type: SignatureType; value: string } | null;
}

/**
 * A field placed by the integrator. Coordinates are PDF points with the origin
 * at the TOP-LEFT of the page as displayed (after /Rotate, inside the CropBox),
 * y growing downward: what the signer page (pdf.js) shows.
 */
export interface RenderField {
  id: string;
  recipientId: string;
  documentId: string;
  type: FieldType;
  /** 1-based page number within the field's document. */
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  value: string | null;
  /** The document's own form field this field fills (its value goes into the form), or null. */
  formField?: string | null;
}

export interface RenderDocument {
  id: string;
  name: string;
  /** SHA-256 (hex) of the original upload. */
  sha256: string;
  bytes: Uint8Array;
  /** Values for the document's own form fields, by name, written as real form values. */
  formValues?: Record<string, string>;
  /**
   * The pages (1-based) on which the upload's check found text tags: only their text is read to
   * take the tags out (reading a page's text was most of a long document's stamping). Absent:
   * every page is read.
   */
  taggedPages?: number[];
}

export interface RenderEnvelope {
  id: string;
  /** The language of the generated pages (null: English). */
  locale: Locale | null;
  subject: string;
  status: string;
  createdAt: Date;
  sentAt: Date | null;
  completedAt: Date | null;
}

export interface RenderAuditEvent {
  seq: number;
  at: Date;
  type: string;
  actor: string;
  ip: string | null;
  userAgent: string | null;
  /** Document id -> SHA-256 (hex) at the time of the event. */
  documentHashes: Record<string, string> | null;
  detail: string | null;
  hash: string;
  prevHash: string;
}

/** What a document is known by in reports: no bytes needed. */
export type RenderDocumentInfo = Pick<RenderDocument, "id" | "name" | "sha256">;
