/**
 * A document's own form (AcroForm): its fields listed with their place on the displayed page,
 * and filled with values as real form values (a form reader sees them, not only a drawing).
 */
import {
  PDFCheckBox, PDFDropdown, PDFName, PDFOptionList, PDFRadioGroup, PDFRef, PDFSignature, PDFTextField,
  type PDFDocument, type PDFField, type PDFPage,
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
