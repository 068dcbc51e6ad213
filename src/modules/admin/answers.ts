/** The console's answers: its security header fields, redirects, cookies, form fields and error notice. */
import { AppError } from "../../errors";
import { assetAnswer } from "../../http/static-asset";
import { ADMIN_ASSETS } from "./assets";
import { html } from "./html";
import { notice, type View } from "./layout";

/** Same origin only, no inline script or style, no framing: the console asks no other host for anything. */
const HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "x-robots-tag": "noindex, nofollow",
};

export function secured(res: Response, cookies: string[] = []): Response {
  for (const [k, v] of Object.entries(HEADERS)) if (!res.headers.has(k)) res.headers.set(k, v);
  for (const c of cookies) res.headers.append("set-cookie", c);
  return res;
}

/** A console asset; its URL carries its version (ASSET_VERSION), so it may be kept a year. */
export async function adminAsset(request: Request, name: keyof typeof ADMIN_ASSETS): Promise<Response> {
  const { source, type } = ADMIN_ASSETS[name];
  return secured(await assetAnswer(request, source, { "content-type": type, "cache-control": "public, max-age=31536000, immutable" }));
}

export const redirect = (location: string) => new Response(null, { status: 303, headers: { location } });

export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

export const sameToken = (a: unknown, b: string) =>
  typeof a === "string" && a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Where to go back to after a login or a change of language: a console page of this site
 * (/admin, then a path or a query), nothing with a control character or a backslash (which
 * browsers read as a slash). A query may hold what a search had (`q=ana silva@example.com`).
 */
export const safeNext = (next: unknown) =>
  typeof next === "string" && /^\/admin(?:[/?][^\\\p{Cc}]*)?$/u.test(next)
    ? next.replace(/[^\x21-\x7e]/gu, encodeURIComponent) // a Location header is ASCII: a search for "Élodie" stays one
    : "/admin";

export const htmlError = (v: View, message: string) => html`${notice(message, "error")}<p><a href="/admin">${v.t("back")}</a></p>`;

/** A form field's text. No field of the console takes a NUL, and PostgreSQL can neither store nor compare text holding one. */
export const str = (v: unknown) => {
  if (typeof v !== "string") return "";
  if (v.includes("\0")) throw new AppError("bad_request", "A field of the form holds a NUL character, which no field of the console takes");
  return v;
};
