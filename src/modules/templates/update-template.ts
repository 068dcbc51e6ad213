import { eq } from "drizzle-orm";
import type { Static } from "@sinclair/typebox";
import type { Deps } from "../../deps";
import type { FieldError } from "../../errors";
import { transaction } from "../../store/transaction";
import { templates, type Environment } from "../../store/schema";
import type { UpdateTemplateBody } from "./model";
import { findTemplateRow } from "./rows";
import { assertValidTemplate, storedFields, storedRoles } from "./save-template";
import { templateView, type TemplateView } from "./view";

export interface UpdateTemplateInput {
  environment: Environment;
  templateId: string;
  patch: Static<typeof UpdateTemplateBody>;
  shapeErrors?: FieldError[];
}

/** PATCH /templates/{id}: the members given change; the result is checked whole. Envelopes made from it keep their copy. */
export async function updateTemplate(deps: Deps, { environment, templateId, patch: p, shapeErrors = [] }: UpdateTemplateInput): Promise<TemplateView> {
  return transaction(deps.db, async (tx) => {
    const row = await findTemplateRow(tx, environment, templateId);
    const parts = {
      subject: p.subject ?? row.subject,
      message: p.message !== undefined ? p.message : row.message,
      locale: p.locale ?? row.locale,
      documentIds: p.documentIds ?? row.documentIds,
      roles: p.roles ? storedRoles(p.roles) : row.roles,
      fields: p.fields ? storedFields(p.fields) : row.fields,
      reminderIntervalHours: p.reminderIntervalHours !== undefined ? p.reminderIntervalHours : row.reminderIntervalHours,
      notifyBySms: p.notifyBySms ?? row.notifyBySms,
      metadata: p.metadata ?? row.metadata,
    };
    await assertValidTemplate(tx, deps.clock, environment, parts, shapeErrors);
    await tx.update(templates).set({
      ...parts, name: p.name?.trim() ?? row.name,
      expiresInDays: p.expiresInDays !== undefined ? p.expiresInDays : row.expiresInDays, updatedAt: deps.clock.now(),
    }).where(eq(templates.id, templateId));
    return templateView(tx, await findTemplateRow(tx, environment, templateId));
  });
}
