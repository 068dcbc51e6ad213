import type { Envelope } from "./generated.js";
import { webCrypto } from "./runtime.js";

/** The body of a delivery (docs/webhooks.md). `data.envelope` carries no `signUrl`. */
export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  environment: "test" | "live";
  data: { envelope: Envelope; [key: string]: unknown };
}

/** A delivery that does not verify: missing headers, stale timestamp, or no matching signature. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

/** Headers as a fetch `Headers`, or a plain object as Node, Express or a framework gives them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Checks a delivery's Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`) under the endpoint's
 * `whsec_…` secret, and returns the parsed event. Throws WebhookVerificationError otherwise.
 * Decides as the `standardwebhooks` package does; the HMAC comparison is WebCrypto's
 * constant-time `verify`. Pass the body exactly as received, before any JSON parsing.
 */
export async function verifyWebhook(secret: string, headers: WebhookHeaders, rawBody: string | Uint8Array, options: { toleranceSeconds?: number } = {}): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestampHeader = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestampHeader || !signatures) throw new WebhookVerificationError("Missing required headers");
  const timestamp = parseInt(timestampHeader, 10);
  if (Number.isNaN(timestamp)) throw new WebhookVerificationError("Invalid Signature Headers");
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor(Date.now() / 1000);
  if (now - timestamp > tolerance) throw new WebhookVerificationError("Message timestamp too old");
  if (timestamp > now + tolerance) throw new WebhookVerificationError("Message timestamp too new");

  const keyBytes = base64Bytes(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  if (!keyBytes || keyBytes.length === 0) throw new WebhookVerificationError("The secret is not a whsec_<base64> secret");
  const { subtle } = await webCrypto();
  const key = await subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const body = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const entry of signatures.split(" ")) {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || !signature) continue;
    const bytes = base64Bytes(signature);
    if (bytes && (await subtle.verify("HMAC", key, bytes, signed))) return JSON.parse(body) as WebhookEvent;
  }
  throw new WebhookVerificationError("No matching signature found");
}
