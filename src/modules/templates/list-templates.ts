import type { Deps } from "../../deps";
import { definePager, type Page } from "../../store/paginate";
import { templates, type Environment } from "../../store/schema";
import { templateView, type TemplateView } from "./view";

const templatePages = definePager(templates, { owner: templates.environment });

/** GET /templates: newest first, paged like every list. */
export async function listTemplates(deps: Deps, environment: Environment, q: { limit?: number; startingAfter?: string }): Promise<Page<TemplateView>> {
  const page = await templatePages.page(deps.db, { owner: environment, ...q });
  const data: TemplateView[] = [];
  for (const row of page.data) data.push(await templateView(deps.db, row));
  return { data, hasMore: page.hasMore };
}
