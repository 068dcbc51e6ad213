import { Elysia } from "elysia";
import { AppError } from "../errors";
import { SCOPES, type Scope } from "../modules/keys/scopes";
import { API_PATH, SIGNING_API_PATH } from "./api-paths";
import { contextOf } from "./context";

/**
 * Which paths the pipeline authenticates with an API key, from the URL alone: the check runs
 * before routing, so an anonymous client cannot make the server parse a body. buildApp checks
 * that exactly these routes declare `auth: SCOPE`.
 */
export const needsApiKey = (path: string) => path.startsWith(API_PATH) && !path.startsWith(SIGNING_API_PATH);

/** 401 with the RFC 6750 challenge; `presented` tells a bad key from a missing one. */
export const unauthorized = (presented: boolean) =>
  new AppError("unauthorized", presented ? "The API key is not valid or was revoked" : "Send an API key: Authorization: Bearer sk_…", {
    headers: { "www-authenticate": `Bearer realm="certyneo"${presented ? ', error="invalid_token"' : ""}` },
  });

/**
 * `{ auth: "scope" }` on a route hands its handler the `principal` (key id, environment,
 * scopes) that the pipeline verified, and answers 403 to a key without that scope. A handler
 * that reads `principal` without declaring it does not compile.
 */
export const auth = new Elysia({ name: "auth" }).macro({
  auth: (scope: Scope) => ({ resolve: resolvers[scope] }),
});

/** One resolve function per scope, built once, so authMismatches can recognise them. */
const resolvers = Object.fromEntries(SCOPES.map((scope) => [scope, ({ request }: { request: Request }) => resolvePrincipal(request, scope)])) as Record<
  Scope,
  ({ request }: { request: Request }) => ReturnType<typeof resolvePrincipal>
>;
const resolverFns = new Set<unknown>(Object.values(resolvers));

function resolvePrincipal(request: Request, scope: Scope) {
  const principal = contextOf(request).principal;
  // Only reached without one when a caller bypasses the pipeline (app.handle in a test).
  if (!principal) throw unauthorized(false);
  if (!principal.scopes.includes(scope)) throw new AppError("forbidden", `This API key lacks the "${scope}" scope`);
  return { principal };
}

interface RouteHooks {
  method: string;
  path: string;
  hooks?: { beforeHandle?: { fn?: unknown }[] };
}

/**
 * Routes whose `auth` declaration disagrees with the pipeline's URL rule. Elysia keeps a macro's
 * resolve as one of the route's beforeHandle hooks, which is how a declaration is seen here.
 */
export function authMismatches(routes: RouteHooks[]): string[] {
  return routes
    .filter((r) => needsApiKey(r.path) !== Boolean(r.hooks?.beforeHandle?.some((h) => resolverFns.has(h.fn))))
    .map((r) => `${r.method} ${r.path}`);
}
