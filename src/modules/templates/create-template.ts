import type { Deps } from "../../deps";
import type { FieldError } from "../../errors";
import { newId } from "../../ids";
import { transaction } from "../../store/transaction";
import { templates, type Environment } from "../../store/schema";
import { findTemplateRow } from "./rows";
import { assertValidTemplate, storedFields, storedRoles, type TemplateInput } from "./save-template";
import { templateView, type TemplateView } from "./view";

export interface CreateTemplateInput {
  environment: Environment;
  template: TemplateInput;
  shapeErrors?: FieldError[];
}

/** POST /templates: a validated template (the same rules as an envelope, its roles standing in for people). */
export async function createTemplate(deps: Deps, { environment, template: b, shapeErrors = [] }: CreateTemplateInput): Promise<TemplateView> {
  return transaction(deps.db, async (tx) => {
    const parts = {
      subject: b.subject, message: b.message ?? null, locale: b.locale ?? "en", documentIds: b.documentIds,
      roles: storedRoles(b.roles), fields: storedFields(b.fields), reminderIntervalHours: b.reminderIntervalHours ?? null,
      notifyBySms: b.notifyBySms ?? false, metadata: b.metadata ?? {},
    };
    await assertValidTemplate(tx, deps.clock, environment, parts, shapeErrors);
    const now = deps.clock.now();
    const id = newId("tpl");
    await tx.insert(templates).values({ id, environment, name: b.name.trim(), ...parts, expiresInDays: b.expiresInDays ?? null, createdAt: now, updatedAt: now });
    deps.log.info("template created", { templateId: id, environment });
    return templateView(tx, await findTemplateRow(tx, environment, id));
  });
}
