import type { Deps } from "../../deps";
import type { Environment } from "../../store/schema";
import { findTemplateRow } from "./rows";
import { templateView, type TemplateView } from "./view";

/** GET /templates/{id}; 404 outside its environment. */
export const getTemplate = async (deps: Deps, environment: Environment, id: string): Promise<TemplateView> =>
  templateView(deps.db, await findTemplateRow(deps.db, environment, id));
