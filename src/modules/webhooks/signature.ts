/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): each request carries
 *   webhook-id:        the event id (the same on every retry: receivers drop duplicates by it)
 *   webhook-timestamp: Unix seconds when this attempt was signed
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 * where the key is the base64-decoded part of the endpoint secret `whsec_<base64>`.
 */


const PREFIX = "whsec_";
const SECRET_BYTES = 32;

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(SECRET_BYTES))).toString("base64");
}

/** The HMAC key of a secret: the bytes its base64 part encodes. */
export function secretKey(secret: string): Uint8Array {
  const b64 = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = new Uint8Array(Buffer.from(b64, "base64"));
  if (key.length === 0) throw new Error("empty webhook secret");
  return key;
}

/** `v1,<base64 signature>` of one message. */
export function signWebhook(key: Uint8Array, msgId: string, timestamp: number, body: string): string {
  const mac = new Bun.CryptoHasher("sha256", key).update(`${msgId}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers of one attempt. */
export function signatureHeaders(key: Uint8Array, msgId: string, timestamp: number, body: string): Record<string, string> {
  return {
    "webhook-id": msgId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(key, msgId, timestamp, body),
  };
}

/**
 * Receiver side, as a reference implementation (and for tests): true if one of the `v1`
 * signatures matches and the timestamp is within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secretKey(secret), headers.id, ts, body).slice(3), "base64");
  return headers.signature.split(" ").some((s) => {
    const [version, sig] = s.split(",");
    if (version !== "v1" || !sig) return false;
    const got = Buffer.from(sig, "base64");
    return got.length === expected.length && crypto.timingSafeEqual(got, expected);
  });
}
