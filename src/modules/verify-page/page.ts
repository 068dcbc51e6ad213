import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { contextOf } from "../../http/context";
import { createRateLimiter } from "../../http/rate-limit";
import { verifyService } from "../sealing/lazy";
import type { Locale } from "../../enums";
import { languageOf, renderForm, renderMessage, renderReport } from "./render";
import verifyCss from "./verify.css" with { type: "text" };

/** Only this origin, no script at all: the page is a form and its server-rendered answer. */
const CSP = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const HTML_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": CSP,
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const html = (lang: Locale, body: string, status = 200, extra: Record<string, string> = {}) =>
  new Response(body, { status, headers: { ...HTML_HEADERS, "content-language": lang, vary: "accept-language", ...extra } });

/**
 * The public verification page: GET /verify shows a form, POST /verify answers the report on
 * the uploaded PDF in plain words. No key; nothing is stored (the file lives in memory for the
 * request); each client address gets `verify.publicPerMinute` checks a minute.
 */
export function verifyPage(deps: Deps) {
  const limiter = createRateLimiter({ enabled: true, burst: deps.config.verify.publicPerMinute, perMinute: deps.config.verify.publicPerMinute, now: () => deps.clock.now().getTime() });
  return new Elysia({ name: "verify-page" })
    .get("/verify", ({ request }) => html(languageOf(request.headers.get("accept-language")), renderForm(languageOf(request.headers.get("accept-language")))), { detail: { hide: true } })
    .get("/verify/verify.css", () => new Response(verifyCss, { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" } }), { detail: { hide: true } })
    .post("/verify", async ({ request }) => {
      const lang = languageOf(request.headers.get("accept-language"));
      const rate = limiter.take(contextOf(request).ip ?? "unknown");
      if (!rate.allowed) return html(lang, renderMessage(lang, "limited", String(rate.retryAfterSeconds)), 429, { "retry-after": String(rate.retryAfterSeconds) });
      let file: File | null = null;
      try {
        const value = (await request.formData()).get("file");
        file = value instanceof File ? value : null;
      } catch {
        file = null;
      }
      if (!file) return html(lang, renderMessage(lang, "error", "no file"), 422);
      // The upload limit of POST /api/v1/verify: the server takes bodies somewhat larger (multipart overhead).
      if (file.size > deps.config.maxUploadMb * 1024 * 1024)
        return html(lang, renderMessage(lang, "error", `The file is larger than the limit of ${deps.config.maxUploadMb} MiB`), 413);
      try {
        const report = await (await verifyService()).verifyDocument(deps, new Uint8Array(await file.arrayBuffer()));
        return html(lang, renderReport(lang, report, file.name));
      } catch (e) {
        if (e instanceof AppError) return html(lang, renderMessage(lang, "error", e.message), 422);
        throw e;
      }
    }, { parse: "none", detail: { hide: true } });
}
