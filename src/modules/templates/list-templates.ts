import type { Deps } from "../../deps";
import { paginate, type Page } from "../../store/paginate";
import { templates, type Environment } from "../../store/schema";
import { templateView, type TemplateView } from "./view";

/** GET /templates: newest first, paged like every list. */
export function listTemplates(deps: Deps, environment: Environment, q: { limit?: number; startingAfter?: string }): Page<TemplateView> {
  const page = paginate(deps.db, templates, { environment, ...q });
  return { data: page.data.map((row) => templateView(deps.db, row)), hasMore: page.hasMore };
}
