import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { templates, type Environment } from "../../store/schema";
import { immediate } from "../envelopes/record-change";
import { findTemplateRow } from "./rows";
import { templateView, type TemplateView } from "./view";

/** DELETE /templates/{id}: envelopes made from it keep their copy (and its id, for the record). */
export function deleteTemplate(deps: Deps, environment: Environment, id: string): TemplateView & { deleted: true } {
  return deps.db.transaction((tx) => {
    const view = templateView(tx, findTemplateRow(tx, environment, id));
    tx.delete(templates).where(eq(templates.id, id)).run();
    return { ...view, deleted: true as const };
  }, immediate);
}
