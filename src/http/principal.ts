import type { Environment } from "../store/schema";
import { contextOf } from "./context";

/** The API key behind a request that passed the pipeline's authentication. */
export function principalOf(req: Request): { keyId: string; environment: Environment } {
  const ctx = contextOf(req);
  if (!ctx.keyId || !ctx.environment) throw new Error("principalOf() on a request that was not authenticated");
  return { keyId: ctx.keyId, environment: ctx.environment };
}
