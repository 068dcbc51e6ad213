/**
 * The URLs a sender gives for the signing page: the origins that may frame it (embedding) and
 * where it sends the signer afterwards (redirectUrl). https only, or http on loopback for development.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const secureOrLoopback = (u: URL) => u.protocol === "https:" || (u.protocol === "http:" && (LOOPBACK.has(u.hostname) || u.hostname.startsWith("127.")));

/** "https://hr.example.com" (or http on loopback, for development): an origin exactly, no path. */
export function isAllowedOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  return secureOrLoopback(u) && u.origin === value.replace(/\/$/, "");
}

/** Where a signer may be sent after signing: https, or http on loopback; never javascript: or data:. */
export const isSafeRedirect = (value: string): boolean => URL.canParse(value) && secureOrLoopback(new URL(value));
