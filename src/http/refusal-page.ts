import { acceptedLocale, textDirection } from "../enums";
import { escapeHtml } from "../escape-html";
import type { AppError } from "../errors";
import { API_PATH } from "./api-paths";
import { problemResponse } from "./problem";
import { REFUSAL_TEXTS, type RefusalKind } from "./refusal-texts";

/**
 * A refusal's answer (the pipeline's before any route runs: a rate limit, a malformed URL, a body
 * too large; or a route's: no page at this address, a failure). A browser navigating to one of
 * the server's pages (a signing link, the console, /verify) asks for HTML and gets a page: a
 * problem+json there showed a signer raw JSON. The API answers problems whatever the client
 * accepts; outside it, the problem says that it depends on Accept (Vary), as the page does.
 */
export function refusalAnswer(e: AppError, req: Request, path: string, requestId: string, baseUrl: string): Response {
  if (path.startsWith(API_PATH)) return problemResponse(e, requestId, baseUrl);
  if ((req.headers.get("accept") ?? "").includes("text/html")) return refusalPage(e, requestId, req.headers.get("accept-language"));
  const problem = problemResponse(e, requestId, baseUrl);
  problem.headers.set("vary", "accept");
  return problem;
}

function kindOf(e: AppError): RefusalKind {
  // Its sentence says how long to wait: the Retry-After every rate-limit refusal carries.
  if (e.code === "rate_limited" && e.extra.headers?.["retry-after"]) return "limited";
  if (e.code === "payload_too_large") return "tooLarge";
  if (e.code === "bad_request") return "badAddress";
  if (e.code === "route_not_found") return "notFound";
  if (e.code === "unsupported_media_type") return "notAccepted";
  return e.status >= 500 ? "unavailable" : "refused";
}

/** No script, no style, no framing: the page is its words. */
const CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The refusal as a short page in the reader's language (Accept-Language), with the refusal's own
 * header fields (Retry-After) and the request id that finds it in the server log.
 */
function refusalPage(e: AppError, requestId: string, acceptLanguage: string | null): Response {
  const lang = acceptedLocale(acceptLanguage);
  const words = REFUSAL_TEXTS[lang];
  const kind = kindOf(e);
  const title = escapeHtml(words.titles[kind]);
  const sentence = escapeHtml(words.sentences[kind].replace("{seconds}", e.extra.headers?.["retry-after"] ?? ""));
  const body = `<!doctype html>
<html lang="${lang}" dir="${textDirection(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main>
<h1>${title}</h1>
<p>${sentence}</p>
<p>${escapeHtml(words.reference)}: <code>${escapeHtml(requestId)}</code></p>
</main></body>
</html>
`;
  return new Response(body, {
    status: e.status,
    headers: {
      ...e.extra.headers,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": CSP,
      "content-language": lang,
      vary: "accept, accept-language",
      "cache-control": "no-store",
    },
  });
}
