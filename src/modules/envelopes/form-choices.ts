/**
 * The options of an envelope's radio and choice fields. Such a field is a form field of its
 * document handed to a recipient: it stores the form field's name (its label), and the options
 * (with a radio group's buttons) are read from the document's form as listed at upload.
 * Documents never change, so the options cannot drift from what the signer was shown.
 */
import { inArray } from "drizzle-orm";
import type { FieldType } from "../../enums";
import type { FormField } from "../../pdf/form-fields";
import type { Tx } from "../../store/db";
import { documents } from "../../store/schema";

export interface FormChoice {
  options: string[];
  /** A radio group's buttons on its page, when the upload listed them. */
  buttons: NonNullable<FormField["buttons"]> | null;
}

interface ChoiceField {
  id: string;
  documentId: string;
  type: FieldType;
  label: string | null;
}

export const isChoiceField = (f: { type: FieldType }) => f.type === "radio" || f.type === "choice";

/** The options of each radio and choice field among `fields`, by field id (no query when there is none). */
export async function formChoices(db: Tx, fields: readonly ChoiceField[]): Promise<Map<string, FormChoice>> {
  const wanted = fields.filter(isChoiceField);
  if (!wanted.length) return new Map();
  const rows = await db.select({ id: documents.id, formFields: documents.formFields }).from(documents)
    .where(inArray(documents.id, [...new Set(wanted.map((f) => f.documentId))]));
  const forms = new Map(rows.map((r) => [r.id, r.formFields]));
  return new Map(wanted.map((f) => {
    const form = forms.get(f.documentId)?.find((x) => x.name === f.label);
    return [f.id, { options: form?.options ?? [], buttons: form?.buttons ?? null }];
  }));
}
