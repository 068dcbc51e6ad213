import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { AppError } from "../../errors";
import { contextOf } from "../../http/context";
import { createRateLimiter } from "../../http/rate-limit";
import { verifyService } from "../sealing/lazy";
import { acceptedLocale, type Locale } from "../../enums";
import { renderForm, renderMessage, renderReport } from "./render";
import { VERIFY_TEXTS } from "./texts";
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
    .get("/verify", ({ request }) => {
      const lang = acceptedLocale(request.headers.get("accept-language"));
      return html(lang, renderForm(lang));
    }, { detail: { hide: true } })
    .get("/verify/verify.css", () => new Response(verifyCss, { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" } }), { detail: { hide: true } })
    .post("/verify", async ({ request }) => {
      const lang = acceptedLocale(request.headers.get("accept-language"));
      const words = VERIFY_TEXTS[lang];
      const refuse = (sentence: string, status: number, extra?: Record<string, string>) => html(lang, renderMessage(lang, sentence), status, extra);
      const rate = limiter.take(contextOf(request).ip ?? "unknown");
      if (!rate.allowed) return refuse(words.limited(String(rate.retryAfterSeconds)), 429, { "retry-after": String(rate.retryAfterSeconds) });
      const given = await request.formData().then((form) => form.getAll("file"), () => []);
      // As POST /api/v1/verify: one file, or a refusal that says so (not a report on the first).
      if (given.length > 1) return refuse(words.oneFile(), 422);
      const file = given[0];
      if (!(file instanceof File)) return refuse(words.noFile(), 422);
      // The upload limit of POST /api/v1/verify: the server takes bodies somewhat larger (multipart overhead).
      if (file.size > deps.config.maxUploadMb * 1024 * 1024) return refuse(words.tooLarge(String(deps.config.maxUploadMb)), 413);
      try {
        const report = await (await verifyService()).verifyDocument(deps, new Uint8Array(await file.arrayBuffer()));
        return html(lang, renderReport(lang, report, file.name));
      } catch (e) {
        if (e instanceof AppError) return refuse(words.error(e.message), 422);
        throw e;
      }
      // Elysia reads nothing: the handler reads the form itself, after the rate limit, and answers a
      // bad one with the page (a parse of its own that gives a body, so that no default runs).
    }, { parse: () => null, detail: { hide: true } });
}
