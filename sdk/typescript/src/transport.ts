import { CertyneoError } from "./errors.js";
import type { Operations, Problem } from "./generated.js";
import { envVar, sleep, webCrypto } from "./runtime.js";
import { VERSION } from "./version.js";

export interface ClientOptions {
  /** An API key, `sk_test_…` or `sk_live_…`. Defaults to the CERTYNEO_API_KEY environment variable. */
  apiKey?: string;
  /** The server, e.g. https://sign.example.com. Defaults to CERTYNEO_BASE_URL, then http://localhost:3000. */
  baseUrl?: string;
  /** Time allowed for one attempt of a request, in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx or a network error (default 2). */
  maxRetries?: number;
  /** The fetch to use (default: the global one). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** Per-call options. */
export interface RequestOptions {
  /** The Idempotency-Key of a POST; by default one is generated and reused across the SDK's retries. */
  idempotencyKey?: string;
  /** Aborts the call, including its waits between retries. */
  signal?: AbortSignal;
}

export type OperationKey = keyof Operations;
type Query = Record<string, string | number | boolean | undefined>;

export interface Call<K extends OperationKey> extends RequestOptions {
  path?: Operations[K]["path"];
  query?: Operations[K]["query"];
  /** JSON, or a form for uploads. */
  body?: Operations[K]["body"] | FormData;
  /** Calls authorised by something else than the API key (the signing API's token). */
  anonymous?: boolean;
}

/** Retry-After beyond this is not waited for: the error is handed to the caller. */
const MAX_RETRY_AFTER_SECONDS = 60;

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
function retryAfterSeconds(res: Response): number | null {
  const value = res.headers.get("retry-after");
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Exponential back-off with jitter: about 0.5 s, 1 s, 2 s… capped at 8 s. */
const backoffMs = (attempt: number) => Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

/**
 * One HTTP exchange with the API, with the SDK's rules: bearer key, JSON in and out,
 * an Idempotency-Key on every authenticated POST, retries of 429 (after Retry-After) and,
 * for requests that are safe to repeat, of 5xx answers and network errors.
 */
export class Transport {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly fetch: (url: string, init: RequestInit) => Promise<Response>;

  constructor(options: ClientOptions = {}) {
    this.apiKey = options.apiKey ?? envVar("CERTYNEO_API_KEY");
    this.baseUrl = (options.baseUrl ?? envVar("CERTYNEO_BASE_URL") ?? "http://localhost:3000").replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  async json<K extends OperationKey>(op: K, call: Call<K> = {}): Promise<Operations[K]["response"]> {
    const res = await this.send(op, call);
    return (await res.json()) as Operations[K]["response"];
  }

  async bytes<K extends OperationKey>(op: K, call: Call<K> = {}): Promise<Uint8Array> {
    const res = await this.send(op, call);
    return new Uint8Array(await res.arrayBuffer());
  }

  private url(op: OperationKey, call: Call<OperationKey>): string {
    const template = op.slice(op.indexOf(" ") + 1);
    const params = (call.path ?? {}) as Record<string, string>;
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined || value === "") throw new TypeError(`${op}: missing ${name}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries((call.query ?? {}) as Query)) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    return this.baseUrl + path + (qs ? `?${qs}` : "");
  }

  private async send(op: OperationKey, call: Call<OperationKey>): Promise<Response> {
    const method = op.slice(0, op.indexOf(" "));
    const url = this.url(op, call);
    const headers: Record<string, string> = { accept: "application/json, application/pdf, application/problem+json", "user-agent": `certyneo-sdk-typescript/${VERSION}` };
    if (!call.anonymous) {
      if (!this.apiKey) throw new CertyneoError({ status: 0, code: "missing_api_key", message: "No API key: pass { apiKey } or set CERTYNEO_API_KEY" });
      headers.authorization = `Bearer ${this.apiKey}`;
    }
    let body: BodyInit | undefined;
    if (call.body instanceof FormData) body = call.body;
    else if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers["content-type"] = "application/json";
    }
    // The server replays a POST it already ran when it sees the same key again, so a POST
    // with a key is as safe to retry as a GET. The signing API (anonymous) keeps no keys.
    if (method === "POST" && !call.anonymous) headers["idempotency-key"] = call.idempotencyKey ?? (await webCrypto()).randomUUID();
    const repeatable = method === "GET" || method === "DELETE" || "idempotency-key" in headers;

    for (let attempt = 0; ; attempt++) {
      const retriesLeft = attempt < this.maxRetries;
      let res: Response;
      try {
        res = await this.attempt(url, { method, headers, body }, call.signal);
      } catch (e) {
        if (call.signal?.aborted) throw e;
        const timedOut = (e as Error)?.name === "TimeoutError";
        if (repeatable && retriesLeft) {
          await sleep(backoffMs(attempt), call.signal);
          continue;
        }
        throw new CertyneoError({
          status: 0,
          code: timedOut ? "timeout" : "network_error",
          message: timedOut ? `${method} ${url} got no answer within ${this.timeoutMs} ms` : `${method} ${url} failed: ${(e as Error)?.message ?? e}`,
          cause: e,
        });
      }
      if (res.ok) return res;

      const error = await errorFrom(res);
      const wait = error.retryAfterSeconds;
      const retryable =
        res.status === 429 || error.code === "idempotency_in_progress" || (res.status >= 500 && res.status !== 501 && repeatable);
      if (retryable && retriesLeft && (wait === null || wait <= MAX_RETRY_AFTER_SECONDS)) {
        await sleep(wait !== null ? wait * 1000 : backoffMs(attempt), call.signal);
        continue;
      }
      throw error;
    }
  }

  /** One attempt, bounded by timeoutMs and by the caller's signal. */
  private async attempt(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.timeoutMs);
    const onAbort = () => abort.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const res = await this.fetch(url, { ...init, signal: abort.signal });
      // Read the body within the same time limit, so a stalled download is a timeout too.
      const bytes = await res.arrayBuffer();
      return new Response(res.status === 204 || res.status === 304 ? null : bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (e) {
      throw timedOut ? new DOMException(`timed out after ${this.timeoutMs} ms`, "TimeoutError") : e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

async function errorFrom(res: Response): Promise<CertyneoError> {
  const text = await res.text();
  let problem: Problem | null = null;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object" && typeof parsed.code === "string") problem = parsed as Problem;
  } catch {
    // Not JSON: a proxy's error page, say. The status still tells what happened.
  }
  return new CertyneoError({
    status: res.status,
    code: problem?.code ?? `http_${res.status}`,
    message: problem?.detail ?? problem?.message ?? `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
    requestId: problem?.requestId ?? res.headers.get("x-request-id"),
    problem,
    retryAfterSeconds: retryAfterSeconds(res),
  });
}
