/**
 * The URLs a sender gives for the signing page: the origins that may frame it (embedding) and
 * where it sends the signer afterwards (redirectUrl). https only, or http on loopback for development.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const secureOrLoopback = (u: URL) => u.protocol === "https:" || (u.protocol === "http:" && (LOOPBACK.has(u.hostname) || u.hostname.startsWith("127.")));

/**
 * The origin `value` names, as browsers write it ("https://hr.example.com": lower case, the
 * default port left out, a Unicode host in its ASCII form), or null when `value` is more or less
 * than an origin (a path, a query, credentials) or not on https (http on loopback, for development).
 */
export function originOf(value: string): string | null {
  if (!URL.canParse(value) || /[?#]/.test(value)) return null;
  const u = new URL(value);
  return secureOrLoopback(u) && !u.username && !u.password && u.pathname === "/" ? u.origin : null;
}

export const isAllowedOrigin = (value: string): boolean => originOf(value) !== null;

/** Where a signer may be sent after signing: https, or http on loopback; never javascript: or data:. */
export const isSafeRedirect = (value: string): boolean => URL.canParse(value) && secureOrLoopback(new URL(value));
