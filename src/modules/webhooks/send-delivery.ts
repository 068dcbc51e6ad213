import type { Clock } from "../../clock";
import { storableText } from "../../store/portable-sql";
import { openSecret } from "../../store/secret-box";
import { VERSION } from "../../version";
import { hostOf, parseIp, resolveTarget, TargetRefusedError, type NetworkPolicy, type Resolver, type Target } from "./network";
import type { ClaimedDelivery, DeliveryOutcome } from "./outbox-queries";
import { secretKey, signatureHeaders } from "./signature";

/** Bytes of a response read (to reuse the connection, and to quote in the error of a non-2xx). */
const MAX_RESPONSE_BYTES = 64 * 1024;
const ERROR_BODY_CHARS = 200;
/** Endpoint URLs whose checked target is kept (see targetOf); beyond it they are checked on each send. */
const MAX_KNOWN_TARGETS = 1024;

export interface DeliverySenderOptions {
  timeoutMs: number;
  policy: NetworkPolicy;
  resolver: Resolver;
  /** Clock of the webhook-timestamp header (the wall clock: receivers compare it with theirs). */
  wallClock: Clock;
  /** PEM CA certificates trusted for https deliveries instead of the system store. */
  tlsCa?: string;
  /** The instance secret: endpoint secrets are stored encrypted under it (store/secret-box.ts). */
  instanceSecret: Uint8Array;
}

/**
 * One signed POST of a delivery to its endpoint, to an address the network policy allows, with
 * no redirect followed. Never throws: every failure is an outcome. `shutdown` aborts it.
 */
export function createDeliverySender(opts: DeliverySenderOptions) {
  const keys = new Map<string, Uint8Array>();
  /** The HMAC key of an endpoint, from its stored (encrypted) secret; decrypted once. */
  const keyOf = (stored: string): Uint8Array => {
    let key = keys.get(stored);
    if (!key) keys.set(stored, (key = secretKey(openSecret(opts.instanceSecret, stored))));
    return key;
  };
  /**
   * Where a URL's requests go, checked against the network policy. A URL whose host is an IP
   * literal gets the same answer every time (no DNS involved), so it is kept; a host name is
   * resolved and checked on every send (its addresses may change: DNS rebinding).
   */
  const literalTargets = new Map<string, Target>();
  const targetOf = async (urlText: string): Promise<Target> => {
    const known = literalTargets.get(urlText);
    if (known) return known;
    const url = new URL(urlText);
    const target = await resolveTarget(url, opts.policy, opts.resolver);
    if (parseIp(hostOf(url)) && literalTargets.size < MAX_KNOWN_TARGETS) literalTargets.set(urlText, target);
    return target;
  };
  const deadline = deadlines(opts.timeoutMs);

  return async function sendDelivery(delivery: ClaimedDelivery, shutdown: AbortSignal): Promise<DeliveryOutcome> {
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): DeliveryOutcome =>
      ({ statusCode, error: error === null ? null : storableText(error), durationMs: Math.round(performance.now() - started) });
    try {
      const signal = deadline(shutdown);
      const target = await targetOf(delivery.url);
      const timestamp = Math.floor(opts.wallClock.now().getTime() / 1000);
      const res = await fetch(target.url, {
        method: "POST",
        headers: {
          host: target.host,
          "content-type": "application/json",
          "user-agent": `Certyneo-Webhooks/${VERSION}`,
          ...signatureHeaders(keyOf(delivery.secret), delivery.eventId, timestamp, delivery.payload),
        },
        body: delivery.payload,
        redirect: "manual",
        signal,
        // https to the checked address: the certificate must still match the URL's host name.
        ...(target.serverName || opts.tlsCa ? { tls: { ...(target.serverName ? { serverName: target.serverName } : {}), ...(opts.tlsCa ? { ca: opts.tlsCa } : {}) } } : {}),
      });
      const body = await readSome(res);
      if (res.status >= 200 && res.status < 300) return done(res.status, null);
      if (res.status >= 300 && res.status < 400)
        return done(res.status, `HTTP ${res.status} redirect${res.headers.get("location") ? ` to ${res.headers.get("location")}` : ""} (redirects are not followed)`);
      const text = body.trim().replace(/\s+/g, " ").slice(0, ERROR_BODY_CHARS);
      return done(res.status, `HTTP ${res.status}${text ? `: ${text}` : ""}`);
    } catch (e) {
      if (shutdown.aborted) return { ...done(null, "interrupted: server stopping"), interrupted: true };
      return done(null, describeError(e, opts.timeoutMs));
    }
  };
}

/**
 * The signal that ends a request started now: after `timeoutMs`, or at shutdown. Requests
 * started within the same window (a twentieth of the timeout) share one signal, so there is
 * one timer per window rather than one per request; each request gets at least `timeoutMs`
 * and at most a window more.
 */
function deadlines(timeoutMs: number): (shutdown: AbortSignal) => AbortSignal {
  const windowMs = Math.ceil(timeoutMs / 20);
  let current: { shutdown: AbortSignal; openUntil: number; signal: AbortSignal } | null = null;
  return (shutdown) => {
    const now = performance.now();
    if (!current || current.shutdown !== shutdown || now >= current.openUntil)
      current = { shutdown, openUntil: now + windowMs, signal: AbortSignal.any([AbortSignal.timeout(timeoutMs + windowMs), shutdown]) };
    return current.signal;
  };
}

/**
 * Reads up to MAX_RESPONSE_BYTES of the response (so the connection can be reused) and returns
 * the first 4 KiB as text. A body of a declared length within that is read at once: a stream
 * reader's chunks cost several times more.
 */
async function readSome(res: Response): Promise<string> {
  if (!res.body) return "";
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) <= MAX_RESPONSE_BYTES) return new TextDecoder().decode((await res.bytes()).subarray(0, 4096));
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, 4096));
}

function describeError(e: unknown, timeoutMs: number): string {
  if (e instanceof TargetRefusedError) return e.message;
  const err = e as { name?: string; code?: string; message?: string };
  if (err?.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  const code = err?.code ?? err?.name ?? "Error";
  if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "connection refused";
  if (code === "ConnectionReset" || code === "ECONNRESET") return "connection reset by the server";
  return `${code}: ${err?.message ?? String(e)}`;
}
