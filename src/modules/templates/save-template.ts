/** What creating and updating a template share: normalising the request into stored parts, and checking them. */
import type { Static } from "@sinclair/typebox";
import type { Clock } from "../../clock";
import { invalid, type FieldError } from "../../errors";
import { mergeProblems } from "../../http/validate";
import type { Tx } from "../../store/db";
import type { Environment } from "../../store/schema";
import { documentFacts } from "../envelopes/draft";
import type { CreateTemplateBody, TemplateField, TemplateFieldInput, TemplateRole, TemplateRoleInput } from "./model";
import { validateTemplate, type TemplateParts } from "./template-draft";

export type TemplateInput = Static<typeof CreateTemplateBody>;

/** Roles with their defaults written out: SIGNER, routing order 1. */
export const storedRoles = (roles: Static<typeof TemplateRoleInput>[]): TemplateRole[] =>
  roles.map((r) => ({ roleName: r.roleName.trim(), role: r.role ?? "SIGNER", routingOrder: r.routingOrder ?? 1 }));

export const storedFields = (fields: Static<typeof TemplateFieldInput>[] = []): TemplateField[] =>
  fields.map((f) => ({
    roleName: f.roleName.trim(), documentId: f.documentId, type: f.type, page: f.page, x: f.x, y: f.y,
    width: f.width, height: f.height, required: f.required ?? true, label: f.label ?? null,
  }));

/** 422 with every problem of the template (shape and rules), or nothing. */
export async function assertValidTemplate(tx: Tx, clock: Clock, environment: Environment, parts: TemplateParts, shapeErrors: FieldError[]) {
  const facts = await documentFacts(tx, environment, parts.documentIds);
  const errors = mergeProblems(shapeErrors, () => validateTemplate(parts, facts, clock.now()));
  if (errors.length) throw invalid(errors, shapeErrors.length ? "Invalid request body" : "The template is not valid");
}
