/**
 * A document's own form (AcroForm): its fields listed with their place on the displayed page,
 * and filled with values as real form values (a form reader sees them, not only a drawing).
 */
import {
  PDFCheckBox, PDFDropdown, PDFName, PDFOptionList, PDFRadioGroup, PDFRef, PDFSignature, PDFTextField,
  type PDFDocument, type PDFField, type PDFPage, type PDFWidgetAnnotation,
} from "pdf-lib";
import { Type, type Static } from "@sinclair/typebox";
import { FORM_FIELD_TYPES, literalUnion, type FormFieldType } from "../enums";
import { displayedBox } from "./page-frame";

export const FormFieldSchema = Type.Object(
  {
    name: Type.String({ description: "The form field's full name: what `prefill` and a recipient's `formFields` use", examples: ["employee_name"] }),
    type: literalUnion(FORM_FIELD_TYPES),
    page: Type.Integer({ minimum: 1 }),
    x: Type.Number(),
    y: Type.Number(),
    width: Type.Number(),
    height: Type.Number(),
    value: Type.Optional(Type.String({ description: "Its current value: text, the chosen option, \"true\"/\"false\" for a checkbox; absent when empty" })),
    options: Type.Optional(Type.Array(Type.String(), { description: "A radio group's or choice field's options" })),
    buttons: Type.Optional(Type.Array(
      Type.Object({ option: Type.String(), x: Type.Number(), y: Type.Number(), width: Type.Number(), height: Type.Number() }),
      { description: "A radio group's buttons on the first button's page: the option each one selects, and its box" },
    )),
  },
  { title: "FormField", description: "A field of the document's own form (AcroForm), placed by its first widget" },
);

export type FormField = Static<typeof FormFieldSchema>;

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
 */
export function listFormFields(pdf: PDFDocument): FormField[] {
  const pages = pdf.getPages();
  const pageOf = (widget: PDFWidgetAnnotation) => widgetPage(pages, pdf.context.getObjectRef(widget.dict), widget.P());
  const out: FormField[] = [];
  for (const field of pdf.getForm().getFields()) {
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

/** Why `value` does not fit the form field, or null. Checkboxes take "true"/"false", choices one of their options. */
export function formValueProblem(field: Pick<FormField, "type" | "options" | "name">, value: string): string | null {
  if (field.type === "signature") return `${field.name} is a signature field: it takes a signature, not a value`;
  if (field.type === "checkbox" && value !== "true" && value !== "false") return "a checkbox takes true or false";
  if ((field.type === "radio" || field.type === "choice") && !field.options?.includes(value))
    return `not one of the options of ${field.name}: ${field.options?.map((o) => JSON.stringify(o)).join(", ")}`;
  return null;
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
