import { nodeNet } from "../node-builtins";
import type { Principal } from "../modules/keys/service";

/** What the HTTP layer learns about one request, shared by the pipeline and the Elysia hooks. */
export interface RequestContext {
  id: string;
  startedAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** Set by the pipeline once the API key is verified. */
  principal?: Principal;
  /** A JSON body as the pipeline read, checked and parsed it: Elysia's parse takes it from here (app.ts). */
  json?: unknown;
}

/**
 * Kept on the request object itself: a WeakMap entry per request made the garbage collector
 * visit every live request's entry (ephemerons), a measurable share of a cached GET.
 */
const CONTEXT = Symbol("certyneo.requestContext");
type WithContext = Request & { [CONTEXT]?: RequestContext };

export const setContext = (req: Request, ctx: RequestContext) => void ((req as WithContext)[CONTEXT] = ctx);

/** Request ids: a random prefix per process and a counter, unique without a random draw per request. */
const ID_PREFIX = "req_" + Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString("base64url") + "_";
let sequence = 0;
export const newRequestId = () => ID_PREFIX + (++sequence).toString(36);

/** Requests built by app.handle() in tests without the pipeline still get a context. */
export function contextOf(req: Request): RequestContext {
  let ctx = (req as WithContext)[CONTEXT];
  if (!ctx) {
    ctx = { id: newRequestId(), startedAt: performance.now(), ip: null, userAgent: req.headers.get("user-agent") };
    setContext(req, ctx);
  }
  return ctx;
}

/**
 * The client address the proxy in front of us saw: the last X-Forwarded-For entry, the one it
 * added. Entries before it are what the client sent (nginx, Traefik and most balancers append),
 * so the first one is whatever the client chose. A port or brackets are dropped; a value that is
 * not an address is not used.
 */
export function forwardedClient(header: string | null): string | null {
  const last = header?.slice(header.lastIndexOf(",") + 1).trim();
  if (!last) return null;
  const address = /^\[([^\]]+)\](?::\d+)?$/.exec(last)?.[1] ?? (/^[\d.]+:\d+$/.test(last) ? last.slice(0, last.lastIndexOf(":")) : last);
  return nodeNet().isIP(address) ? address : null;
}
