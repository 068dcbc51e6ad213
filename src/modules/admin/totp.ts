/** TOTP (RFC 6238: HOTP of RFC 4226 over 30-second steps, HMAC-SHA-1, 6 digits) with WebCrypto. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP_SECONDS = 30;

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0, value = 0, out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) out += ALPHABET[(value >>> (bits -= 5)) & 31];
  }
  return bits ? out + ALPHABET[(value << (5 - bits)) & 31] : out;
}

export function base32Decode(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "");
  const out: number[] = [];
  let bits = 0, value = 0;
  for (const c of clean) {
    const i = ALPHABET.indexOf(c);
    if (i < 0) throw new Error("not base32");
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) out.push((value >>> (bits -= 8)) & 255);
  }
  return Uint8Array.from(out);
}

/** A new 160-bit secret, base32 as authenticator apps take it. */
export const newTotpSecret = () => base32Encode(crypto.getRandomValues(new Uint8Array(20)));

export async function hotp(secret: Uint8Array<ArrayBuffer>, counter: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const msg = new DataView(new ArrayBuffer(8));
  msg.setUint32(0, Math.floor(counter / 2 ** 32));
  msg.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, msg.buffer));
  const offset = mac[19]! & 15;
  const code = ((mac[offset]! & 127) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(code % 1_000_000).padStart(6, "0");
}

export const totp = (secretBase32: string, at: Date) => hotp(base32Decode(secretBase32), Math.floor(at.getTime() / 1000 / STEP_SECONDS));

/**
 * The step whose code `code` is, among the current one and the one either side (clock drift
 * between phone and server), or null. The caller accepts a step once (totpLastStep).
 */
export async function totpStep(secretBase32: string, code: string, at: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const step = Math.floor(at.getTime() / 1000 / STEP_SECONDS);
  const secret = base32Decode(secretBase32);
  for (const d of [0, -1, 1]) if ((await hotp(secret, step + d)) === code) return step + d;
  return null;
}

export const otpauthUri = (secretBase32: string, email: string, issuer = "Certyneo") =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(email)}?secret=${secretBase32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=${STEP_SECONDS}`;
