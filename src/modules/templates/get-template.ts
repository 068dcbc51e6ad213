import type { Deps } from "../../deps";
import type { Environment } from "../../store/schema";
import { findTemplateRow } from "./rows";
import { templateView, type TemplateView } from "./view";

/** GET /templates/{id}; 404 outside its environment. */
export const getTemplate = (deps: Deps, environment: Environment, id: string): TemplateView =>
  templateView(deps.db, findTemplateRow(deps.db, environment, id));
