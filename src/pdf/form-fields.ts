/**
 * A document's own form (AcroForm): its fields listed with their place on the displayed page,
 * and filled with values as real form values (a form reader sees them, not only a drawing).
 */
import {
  PDFCheckBox, PDFDropdown, PDFName, PDFOptionList, PDFRadioGroup, PDFRef, PDFSignature, PDFTextField,
  type PDFDocument, type PDFField, type PDFPage,
} from "pdf-lib";
import type { FormFieldType } from "../enums";
import type { FormField } from "./form-field-model";
import { displayedBox } from "./page-frame";

export type { FormField };

function typeOf(field: PDFField): FormFieldType | null {
  if (field instanceof PDFTextField) return "text";
  if (field instanceof PDFCheckBox) return "checkbox";
  if (field instanceof PDFRadioGroup) return "radio";
  if (field instanceof PDFDropdown || field instanceof PDFOptionList) return "choice";
  if (field instanceof PDFSignature) return "signature";
  return null; // push buttons hold no value
}

function valueOf(field: PDFField): string | undefined {
  if (field instanceof PDFTextField) return field.getText() || undefined;
  if (field instanceof PDFCheckBox) return String(field.isChecked());
  if (field instanceof PDFRadioGroup) return field.getSelected() ?? undefined;
  if (field instanceof PDFDropdown || field instanceof PDFOptionList) return field.getSelected()[0];
  return undefined;
}

function optionsOf(field: PDFField): string[] | undefined {
  if (field instanceof PDFRadioGroup) return field.getOptions();
  if (field instanceof PDFDropdown || field instanceof PDFOptionList) return field.getOptions();
  return undefined;
}

/** The page a widget sits on: its /P, else the page whose /Annots hold it. */
function widgetPage(pages: PDFPage[], widgetRef: PDFRef | undefined, p: PDFRef | undefined): number {
  if (p) {
    const i = pages.findIndex((page) => page.ref === p);
    if (i >= 0) return i;
  }
  return pages.findIndex((page) => page.node.Annots()?.asArray().some((a) => a === widgetRef));
}

/** Every field of the document's form with a widget on a page (its first widget: a radio group's first button). */
export function listFormFields(pdf: PDFDocument): FormField[] {
  const pages = pdf.getPages();
  const out: FormField[] = [];
  for (const field of pdf.getForm().getFields()) {
    const type = typeOf(field);
    const widget = field.acroField.getWidgets()[0];
    if (!type || !widget) continue;
    const ref = pdf.context.getObjectRef(widget.dict);
    const index = widgetPage(pages, ref, widget.P());
    if (index < 0) continue;
    const r = widget.getRectangle();
    const page = pages[index]!;
    const box = displayedBox(page, [[r.x, r.y], [r.x + r.width, r.y], [r.x + r.width, r.y + r.height], [r.x, r.y + r.height]]);
    const value = valueOf(field);
    const options = optionsOf(field);
    out.push({ name: field.getName(), type, page: index + 1, ...box, ...(value !== undefined ? { value } : {}), ...(options ? { options } : {}) });
  }
  return out;
}

/**
 * Writes values into the form by field name, with their appearances, so viewers show them and
 * form readers read them. Names that are not fields, or values that do not fit, are skipped
 * (the API checked them before).
 */
export async function fillFormFields(pdf: PDFDocument, values: ReadonlyMap<string, string>): Promise<void> {
  if (!values.size) return;
  const form = pdf.getForm();
  for (const [name, value] of values) {
    const field = form.getFieldMaybe(name);
    if (!field) continue;
    if (field instanceof PDFTextField) field.setText(value);
    else if (field instanceof PDFCheckBox) value === "true" ? field.check() : field.uncheck();
    else if (field instanceof PDFRadioGroup && field.getOptions().includes(value)) field.select(value);
    else if ((field instanceof PDFDropdown || field instanceof PDFOptionList) && field.getOptions().includes(value)) field.select(value);
  }
  // Appearances for the values just set, in a font the form has (or Helvetica).
  form.updateFieldAppearances();
  // Viewers that rebuild appearances would otherwise redraw them their own way.
  form.acroForm.dict.delete(PDFName.of("NeedAppearances"));
}
