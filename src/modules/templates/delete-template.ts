import { eq } from "drizzle-orm";
import type { Deps } from "../../deps";
import { transaction } from "../../store/transaction";
import { templates, type Environment } from "../../store/schema";
import { findTemplateRow } from "./rows";
import { templateView, type TemplateView } from "./view";

/** DELETE /templates/{id}: envelopes made from it keep their copy (and its id, for the record). */
export async function deleteTemplate(deps: Deps, environment: Environment, id: string): Promise<TemplateView & { deleted: true }> {
  return transaction(deps.db, async (tx) => {
    const view = await templateView(tx, await findTemplateRow(tx, environment, id));
    await tx.delete(templates).where(eq(templates.id, id));
    return { ...view, deleted: true as const };
  });
}
