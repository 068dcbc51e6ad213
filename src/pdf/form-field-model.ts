/**
 * What the API says of a document's own form field, and the rule for a value given to one:
 * apart from pdf/form-fields.ts so that the routes and the envelope rules, which load at start,
 * do not load pdf-lib (the PDF work loads on first use).
 */
import { Type, type Static } from "@sinclair/typebox";
import { FORM_FIELD_TYPES, literalUnion } from "../enums";

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

/** Why `value` does not fit the form field, or null. Checkboxes take "true"/"false", choices one of their options. */
export function formValueProblem(field: Pick<FormField, "type" | "options" | "name">, value: string): string | null {
  if (field.type === "signature") return `${field.name} is a signature field: it takes a signature, not a value`;
  if (field.type === "checkbox" && value !== "true" && value !== "false") return "a checkbox takes true or false";
  if ((field.type === "radio" || field.type === "choice") && !field.options?.includes(value))
    return `not one of the options of ${field.name}: ${field.options?.map((o) => JSON.stringify(o)).join(", ")}`;
  return null;
}
