import type { Server } from "bun";
import type { AnyElysia } from "elysia";
import { createBunRouteHandler } from "elysia/adapter/bun/compose";
import type { Handle } from "./pipeline";

/** The server's way in: the pipeline (behind the start gate), given the route Bun matched. */
export type Entry = (req: Request, server: Server<unknown>, route: Handle) => Response | Promise<Response>;
type BunRoute = (req: Request, server: Server<unknown>) => Response | Promise<Response>;

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/**
 * The app's routes as Bun's route table, each answered by Elysia's handler for that route, as
 * Elysia's own `listen()` does: Bun's native router matches the path and its parameters, which
 * saves Elysia's router and its context's URL work (~1 µs of an authenticated GET's ~25). The
 * routes stay Elysia's, declared once: this is the same table in Bun's hands. What it does not
 * match (trailing slashes, wildcard paths, other methods, unknown paths) reaches Bun's `fetch`,
 * the pipeline over Elysia's router, which answers it as before. A route's handler is composed
 * on its first request, as Elysia's are, so that a start composes none.
 */
export function systemRoutes(app: AnyElysia, entry: Entry): Record<string, Record<string, BunRoute>> {
  const table: Record<string, Record<string, BunRoute>> = {};
  for (const route of app.routes) {
    if (!METHODS.has(route.method) || /[*?]/.test(route.path) || typeof route.handler !== "function") continue;
    let composed: Handle | undefined;
    const handle: Handle = (req) => (composed ??= createBunRouteHandler(app, route) as Handle)(req);
    (table[encodeURI(route.path)] ??= {})[route.method] = (req, server) => entry(req, server, handle);
  }
  return table;
}
