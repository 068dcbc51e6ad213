import type { Deps } from "../../deps";
import { definePager, type Page } from "../../store/paginate";
import { templates, type Environment } from "../../store/schema";
import { templateView, type TemplateView } from "./view";

const templatePages = definePager(templates, { owner: templates.environment });

/** GET /templates: newest first, paged like every list. */
export function listTemplates(deps: Deps, environment: Environment, q: { limit?: number; startingAfter?: string }): Page<TemplateView> {
  const page = templatePages.page(deps.db, { owner: environment, ...q });
  return { data: page.data.map((row) => templateView(deps.db, row)), hasMore: page.hasMore };
}
