/**
 * A template is an envelope with roles instead of people. These pure functions turn it, with
 * the people given for its roles, into the envelope draft the envelope rules check, and check a
 * template itself by the same rules (its roles stand in as people), so both answer the same
 * problems with pointers into their own request.
 */
import type { FieldError } from "../../errors";
import type { TemplateField, TemplateRole } from "./model";
import { validateDraft, type DocumentFacts, type EnvelopeDraft } from "../envelopes/draft-rules";

export interface TemplateParts {
  subject: string;
  message: string | null;
  locale: EnvelopeDraft["locale"];
  documentIds: string[];
  roles: TemplateRole[];
  fields: TemplateField[];
  reminderIntervalHours: number | null;
  notifyBySms: boolean;
  metadata: Record<string, string>;
}

export interface Person {
  roleName: string;
  email: string;
  name: string;
  phone?: string;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

const roleFields = (fields: TemplateField[], roleName: string) =>
  fields.filter((f) => same(f.roleName, roleName)).map(({ roleName: _, label, ...f }) => ({ ...f, ...(label != null ? { label } : {}) }));

/** The envelope draft for `people` (in their order), each taking their role's order and fields. */
export function draftFromTemplate(tpl: TemplateParts, people: Person[], own: Partial<Omit<EnvelopeDraft, "documentIds" | "recipients">> = {}): EnvelopeDraft {
  return {
    subject: own.subject ?? tpl.subject,
    message: own.message !== undefined ? own.message : tpl.message,
    documentIds: tpl.documentIds,
    recipients: people.map((p) => {
      const role = tpl.roles.find((r) => same(r.roleName, p.roleName));
      return {
        email: p.email, name: p.name, ...(p.phone ? { phone: p.phone } : {}),
        roleName: role?.roleName ?? p.roleName, role: role?.role ?? "SIGNER", routingOrder: role?.routingOrder ?? 1,
        fields: roleFields(tpl.fields, p.roleName),
      };
    }),
    locale: own.locale ?? tpl.locale,
    expiresAt: own.expiresAt,
    reminderIntervalHours: own.reminderIntervalHours !== undefined ? own.reminderIntervalHours : tpl.reminderIntervalHours,
    notifyBySms: own.notifyBySms ?? tpl.notifyBySms,
    allowReassign: own.allowReassign,
    metadata: { ...tpl.metadata, ...own.metadata },
    prefill: own.prefill,
  };
}

/** Each role needs one person; each person names one of the roles, once. */
export function peopleProblems(roles: TemplateRole[], people: Pick<Person, "roleName">[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  people.forEach((p, i) => {
    const key = p.roleName.trim().toLowerCase();
    if (!roles.some((r) => same(r.roleName, p.roleName)))
      errors.push({ pointer: `/recipients/${i}/roleName`, message: `the template has no role "${p.roleName}" (roles: ${roles.map((r) => r.roleName).join(", ")})` });
    else if (seen.has(key)) errors.push({ pointer: `/recipients/${i}/roleName`, message: `role "${p.roleName}" already has /recipients/${seen.get(key)}` });
    seen.set(key, seen.get(key) ?? i);
  });
  for (const r of roles)
    if (!seen.has(r.roleName.trim().toLowerCase())) errors.push({ pointer: "/recipients", message: `the template's role "${r.roleName}" needs a recipient` });
  return errors;
}

/**
 * A template's problems: its fields' roles, then the envelope rules over a draft whose people
 * are its roles (stand-in addresses), with each pointer turned back into the template's.
 */
export function validateTemplate(tpl: TemplateParts, documents: ReadonlyMap<string, DocumentFacts>, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  tpl.fields.forEach((f, k) => {
    if (!tpl.roles.some((r) => same(r.roleName, f.roleName)))
      errors.push({ pointer: `/fields/${k}/roleName`, message: `"${f.roleName}" is not one of the template's roles` });
  });
  const people = tpl.roles.map((r, i) => ({ roleName: r.roleName, email: `role-${i}@template.invalid`, name: r.roleName }));
  // Where each draft field came from: role i's j-th field is template field k.
  const origin = tpl.roles.map((r) => tpl.fields.flatMap((f, k) => (same(f.roleName, r.roleName) ? [k] : [])));
  // The first of two same-named roles takes the fields: the duplicate is reported, not its fields.
  const draft = draftFromTemplate(tpl, people);
  const remap = (pointer: string): string => {
    const field = /^\/recipients\/(\d+)\/fields\/(\d+)(.*)$/.exec(pointer);
    if (field) return `/fields/${origin[Number(field[1])]?.[Number(field[2])] ?? 0}${field[3]}`;
    return pointer.replace(/^\/recipients\/(\d+)\/fields$/, "/roles/$1/role").replace(/^\/recipients/, "/roles");
  };
  for (const e of validateDraft(draft, documents, now)) errors.push({ pointer: remap(e.pointer), message: e.message.replace(/\/recipients\//g, "/roles/") });
  return errors;
}
