/**
 * A document's own form (AcroForm): its fields listed with their place on the displayed page,
 * and filled with values as real form values (a form reader sees them, not only a drawing).
 */
import {
  PDFCheckBox, PDFDropdown, PDFForm, PDFName, PDFOptionList, PDFRadioGroup, PDFRef, PDFSignature, PDFTextField,
  type PDFDocument, type PDFField, type PDFPage, type PDFWidgetAnnotation,
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

/** A widget's rectangle on its page, in field coordinates. */
function widgetBox(page: PDFPage, widget: PDFWidgetAnnotation) {
  const r = widget.getRectangle();
  return displayedBox(page, [[r.x, r.y], [r.x + r.width, r.y], [r.x + r.width, r.y + r.height], [r.x, r.y + r.height]]);
}

/**
 * Every field of the document's form with a widget on a page (its first widget: a radio group's
 * first button); a radio group also lists its buttons on that page (the i-th widget selects the
 * i-th option, as pdf-lib reads them), so a signer can pick one where the form shows it.
 * The document is left as it was: pdf-lib's getForm() would add an empty form to a document
 * without one and drop an XFA form, and the upload check goes on to stamp the same parse.
 */
export function listFormFields(pdf: PDFDocument): FormField[] {
  const acroForm = pdf.catalog.getAcroForm();
  if (!acroForm) return [];
  const pages = pdf.getPages();
  const pageOf = (widget: PDFWidgetAnnotation) => widgetPage(pages, pdf.context.getObjectRef(widget.dict), widget.P());
  const out: FormField[] = [];
  for (const field of PDFForm.of(acroForm, pdf).getFields()) {
    const type = typeOf(field);
    const widgets = field.acroField.getWidgets();
    const widget = widgets[0];
    if (!type || !widget) continue;
    const index = pageOf(widget);
    if (index < 0) continue;
    const page = pages[index]!;
    const value = valueOf(field);
    const options = optionsOf(field);
    const buttons = field instanceof PDFRadioGroup && options
      ? widgets.flatMap((w, i) => (options[i] !== undefined && pageOf(w) === index ? [{ option: options[i]!, ...widgetBox(page, w) }] : []))
      : undefined;
    out.push({
      name: field.getName(), type, page: index + 1, ...widgetBox(page, widget),
      ...(value !== undefined ? { value } : {}), ...(options ? { options } : {}), ...(buttons ? { buttons } : {}),
    });
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
