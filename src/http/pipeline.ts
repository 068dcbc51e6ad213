import type { Server } from "bun";
import type { Deps } from "../deps";
import { AppError, invalid } from "../errors";
import type { KeyVerifier, Principal } from "../modules/keys/service";
import { isKnownToken, TOKEN_FORMAT, unknownToken } from "../modules/signing/token";
import { API_PATH, SIGNING_API_PATH } from "./api-paths";
import { needsApiKey, unauthorized } from "./auth";
import { assertJsonDepth, assertStorableText, formatBytes, readBodyBounded } from "./body-guard";
import { forwardedClient, newRequestId, setContext, type RequestContext } from "./context";
import type { Idempotency } from "./idempotency";
import { refusalAnswer } from "./refusal-page";
import { clientNetwork, createRateLimiter, type RateDecision, type RateLimiter } from "./rate-limit";
import { securityHeaders } from "./security-headers";
import { systemError } from "./system-errors";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
/** Signing tokens are bearer secrets in the path: logs show the route, never the token. */
const TOKEN_IN_PATH = /^(\/s|\/api\/v1\/signing)\/[^/]+/;
export const loggablePath = (path: string) => path.replace(TOKEN_IN_PATH, "$1/{token}");
const BODY_TYPES = new Set(["application/json", "multipart/form-data"]);

/** The largest request body accepted: a base64 JSON upload is 4/3 of its PDF, plus the JSON around it. */
export const maxBodyBytes = (config: Deps["config"]) => Math.ceil(config.maxUploadMb * 1024 * 1024 * 1.4) + 64 * 1024;
/** The largest JSON body without an API key: a signing completion with a drawn signature (600,000 characters) and its fields. */
export const MAX_ANONYMOUS_BODY = 1024 * 1024;
/**
 * Anonymous paths outside the per-IP limit: liveness answers whoever asks (it costs less than
 * the check, and an orchestrator must always reach it); the admin console authenticates by
 * session and locks out failed logins itself, so only its login pages count as anonymous.
 */
const unlimited = (path: string) => path === "/healthz" || (path.startsWith("/admin/") && !path.startsWith("/admin/login"));

/** The path of an absolute request URL, without building a URL object on the hot path. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.indexOf("?", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/**
 * The first query parameter an API URL names more than once, or null. No parameter of the API
 * takes several values, and the one read would be the last: `?status=DRAFT&status=SENT` listed
 * the sent envelopes alone, where a client may have meant both.
 */
function repeatedParameter(url: string, path: string): string | null {
  const query = url.indexOf("?");
  if (query < 0 || !path.startsWith(API_PATH)) return null;
  const seen = new Set<string>();
  for (const name of new URLSearchParams(url.slice(query)).keys()) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

const mediaType = (req: Request) => req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";

/** Bodies are JSON, or multipart for uploads; anything else is refused before parsing. */
function checkContentType(req: Request, withBody: boolean) {
  if (!withBody) return;
  const type = mediaType(req);
  if (!BODY_TYPES.has(type))
    throw new AppError("unsupported_media_type", `Content-Type "${type || "none"}" is not accepted; send application/json (or multipart/form-data for uploads)`);
  if (type === "multipart/form-data" && !/;\s*boundary=[^;\s]/i.test(req.headers.get("content-type") ?? ""))
    throw new AppError("bad_request", "Content-Type multipart/form-data needs its boundary parameter (multipart/form-data; boundary=…): let your HTTP client build the form");
}

/**
 * Bytes that are not UTF-8 are refused, not read as U+FFFD: a name or subject would be stored
 * other than as sent (as half a surrogate pair would, see assertStorableText).
 */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A JSON body is read (at most `limit` bytes), its depth and its text checked, then parsed once:
 * the route gets the value through the request's context (app.ts hands it to Elysia's parse), on
 * the request as it came, so that Bun's route and its path parameters still answer it. Returns
 * the bytes read (what an idempotent replay compares), or null for another body, which passes
 * unread.
 */
async function guardedBody(req: Request, ctx: RequestContext, limit: number): Promise<Uint8Array | null> {
  if (mediaType(req) !== "application/json") return null;
  const body = await readBodyBounded(req, limit, formatBytes(limit));
  assertJsonDepth(body);
  assertStorableText(body);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON: it holds bytes that are not UTF-8 (JSON is sent as UTF-8)");
  }
  try {
    ctx.json = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON");
  }
  return body;
}

function clientIp(req: Request, server: Server<unknown> | undefined, trustProxy: boolean): string | null {
  return (trustProxy ? forwardedClient(req.headers.get("x-forwarded-for")) : null) ?? server?.requestIP(req)?.address ?? null;
}

/** A request's context, as a class: the getters are shared, not made anew per request. */
class PipelineContext implements RequestContext {
  principal?: RequestContext["principal"];
  /** The key's rate-limit state, once its request has taken a token: its answer says it (RateLimit fields). */
  rate?: RateDecision;
  #ip: string | null | undefined;
  #userAgent: string | null | undefined;
  constructor(
    public id: string,
    public startedAt: number,
    /** The URL's path, without its query. */
    readonly path: string,
    private readonly req: Request,
    private readonly server: Server<unknown> | undefined,
    private readonly trustProxy: boolean,
  ) {}

  /** Looked up on first use: Bun's requestIP costs as much as the rest of a cached read. */
  get ip(): string | null {
    return this.#ip === undefined ? (this.#ip = clientIp(this.req, this.server, this.trustProxy)) : this.#ip;
  }

  /** Read on first use: only signing and admin actions record it. */
  get userAgent(): string | null {
    return this.#userAgent === undefined ? (this.#userAgent = this.req.headers.get("user-agent")) : this.#userAgent;
  }
}

const BEARER = "Bearer ";
/** A bearer credential is one run of non-space characters. */
const CREDENTIAL = /^[^\s]+$/;

/** What answers a request once the pipeline has let it through: the Elysia app, or one of its routes. */
export type Handle = (req: Request) => Response | Promise<Response>;

/**
 * The request pipeline around the Elysia app: request id, API-key auth and rate limit
 * (before any body is parsed, so an anonymous client cannot make the server parse
 * 25 MB), idempotent replays, response headers and the one access-log line.
 */
export function createPipeline(deps: Deps, parts: {
  handle: Handle;
  keys: KeyVerifier;
  limiter: RateLimiter;
  idempotency: Idempotency;
}) {
  const maxBody = maxBodyBytes(deps.config);
  const { enabled, anonymousBurst, anonymousPerMinute, tokenBurst, tokenPerMinute } = deps.config.rateLimit;
  const now = () => deps.clock.now().getTime();
  const byIp = createRateLimiter({ enabled, burst: anonymousBurst, perMinute: anonymousPerMinute, now });
  const byToken = createRateLimiter({ enabled, burst: tokenBurst, perMinute: tokenPerMinute, now });
  const headers = securityHeaders(deps.config);
  /** A refusal made before any route runs: a problem, or a page for a browser navigating to one of the server's pages. */
  const refusal = (e: AppError, req: Request, ctx: PipelineContext) => refusalAnswer(e, req, ctx.path, ctx.id, deps.config.baseUrl);
  const rateLimited = (rate: RateDecision, req: Request, ctx: PipelineContext) =>
    refusal(new AppError("rate_limited", `Rate limit exceeded; retry in ${rate.retryAfterSeconds} s`, {
      headers: { "retry-after": String(rate.retryAfterSeconds) },
    }), req, ctx);

  /**
   * With an API key: verified, then limited per key. Answers without a promise of its own up to
   * the route (a cached key, no body): the common read costs no extra turn.
   */
  function authorised(req: Request, ctx: PipelineContext, withBody: boolean, handle: Handle): Response | Promise<Response> {
    const header = req.headers.get("authorization");
    const presented = header !== null && header.startsWith(BEARER) ? header.slice(BEARER.length) : null;
    const verified = presented !== null ? parts.keys.verify(presented) : null;
    if (verified instanceof Promise) return verified.then((principal) => admitted(req, ctx, presented, principal, withBody, handle));
    return admitted(req, ctx, presented, verified, withBody, handle);
  }

  /** The key's request let through, or refused: an unknown key (401, spending the address's allowance) or one over its rate (429). */
  function admitted(req: Request, ctx: PipelineContext, presented: string | null, principal: Principal | null, withBody: boolean, handle: Handle): Response | Promise<Response> {
    if (!principal) {
      // Guessing keys is anonymous traffic: it spends the address's allowance.
      const rate = byIp.take(clientNetwork(ctx.ip ?? "unknown"));
      if (!rate.allowed) return rateLimited(rate, req, ctx);
      throw unauthorized(presented !== null && CREDENTIAL.test(presented));
    }
    ctx.principal = principal;
    const rate = (ctx.rate = parts.limiter.take(principal.keyId));
    if (!rate.allowed) return rateLimited(rate, req, ctx);
    return withBody || req.method === "POST" ? withBodyOrReplay(req, ctx, principal, withBody, handle) : handle(req);
  }

  /** A JSON body read and checked, and a POST with an Idempotency-Key answered once. */
  async function withBodyOrReplay(req: Request, ctx: PipelineContext, principal: Principal, withBody: boolean, handle: Handle): Promise<Response> {
    const jsonBytes = withBody ? await guardedBody(req, ctx, maxBody) : null;
    const key = req.method === "POST" ? req.headers.get("idempotency-key") : null;
    if (key === null) return handle(req);
    if (jsonBytes) return parts.idempotency.run(principal.environment, key, req, jsonBytes, async () => handle(req));
    // A form (an upload) is read here, and the route parses a request over the same bytes.
    const body = new Uint8Array(await req.arrayBuffer());
    const replayable = new Request(req.url, { method: req.method, headers: req.headers, body });
    setContext(replayable, ctx);
    return parts.idempotency.run(principal.environment, key, req, body, async () => parts.handle(replayable));
  }

  /**
   * No API key: limited per client IP, and the signing API per token too. A signing token is
   * looked up before its body is read, and that body is capped at what a signature needs.
   */
  async function anonymous(req: Request, ctx: PipelineContext, withBody: boolean, handle: Handle): Promise<Response> {
    const path = ctx.path;
    if (unlimited(path)) return handle(req);
    const rate = byIp.take(clientNetwork(ctx.ip ?? "unknown"));
    if (!rate.allowed) return rateLimited(rate, req, ctx);
    const token = TOKEN_IN_PATH.exec(path)?.[0].split("/").pop();
    if (token !== undefined && TOKEN_FORMAT.test(token)) {
      const perToken = byToken.take(token);
      if (!perToken.allowed) return rateLimited(perToken, req, ctx);
    }
    if (withBody && path.startsWith(SIGNING_API_PATH)) {
      if (!(await isKnownToken(deps.db, token ?? ""))) throw unknownToken();
      // The signing API takes JSON only, read within the cap here; a form is refused unread.
      if (mediaType(req) !== "application/json") throw new AppError("unsupported_media_type", "The signing API takes application/json bodies");
    }
    if (withBody) await guardedBody(req, ctx, MAX_ANONYMOUS_BODY);
    return handle(req);
  }

  /**
   * `route`: the Elysia route Bun's router matched (http/system-routes.ts), which answers the
   * request itself; a request without one goes through Elysia's router.
   */
  return async function fetch(req: Request, server?: Server<unknown>, route?: Handle): Promise<Response> {
    const incoming = req.headers.get("x-request-id");
    const url = req.url;
    const path = pathOf(url);
    const ctx = new PipelineContext(incoming && REQUEST_ID.test(incoming) ? incoming : newRequestId(), performance.now(), path, req, server, deps.config.trustProxy);
    setContext(req, ctx);
    let res: Response;
    try {
      // No id, token or query parameter of the API holds a NUL, and PostgreSQL cannot compare text with one.
      if (url.includes("%00")) throw new AppError("bad_request", "The URL holds %00, a NUL character, which no path or query parameter of this API takes");
      const repeated = repeatedParameter(url, path);
      if (repeated !== null) throw invalid([{ pointer: `/${repeated.replace(/~/g, "~0").replace(/\//g, "~1")}`, message: `query parameter ${repeated} is given more than once: give it once` }], `Invalid query: query parameter ${repeated} is given more than once`);
      const length = Number(req.headers.get("content-length") ?? 0);
      if (length > maxBody) throw new AppError("payload_too_large", `The request body is larger than the limit of ${deps.config.maxUploadMb} MiB`);
      const withBody = length > 0 || req.headers.has("transfer-encoding");
      checkContentType(req, withBody);
      const handle = route ?? parts.handle;
      const answer = needsApiKey(path) ? authorised(req, ctx, withBody, handle) : anonymous(req, ctx, withBody, handle);
      res = answer instanceof Response ? answer : await answer;
    } catch (e) {
      if (!(e instanceof AppError) && systemError(e)) {
        deps.log.warn("request refused on a system condition", { requestId: ctx.id, error: String((e as Error)?.message ?? e) });
        e = systemError(e);
      } else if (!(e instanceof AppError)) {
        deps.log.error("unhandled error in pipeline", { requestId: ctx.id, error: String((e as Error)?.stack ?? e) });
        e = new AppError("internal_error", "Internal error; the request id identifies it in the server log");
      }
      res = refusal(e as AppError, req, ctx);
    }
    const out = res.headers;
    out.set("x-request-id", ctx.id);
    headers(path, out);
    if (ctx.rate) parts.limiter.setHeaders(ctx.rate, out);
    deps.log.request({
      requestId: ctx.id,
      method: req.method,
      path: loggablePath(path),
      status: res.status,
      durationMs: Math.round((performance.now() - ctx.startedAt) * 100) / 100,
      keyId: ctx.principal?.keyId ?? null,
      // A successful API call is identified by its key; the address is logged for the rest.
      ip: ctx.principal && res.status < 400 ? undefined : ctx.ip,
    });
    return res;
  };
}
