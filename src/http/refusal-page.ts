import { acceptedLocale, textDirection } from "../enums";
import type { AppError } from "../errors";
import { API_PATH } from "./api-paths";
import { REFUSAL_TEXTS, type RefusalKind } from "./refusal-texts";

/**
 * Whether a refusal of the pipeline (made before any route runs: a rate limit, a malformed URL, a
 * body too large, a failure) should be a page: a browser navigating to one of the server's pages
 * (a signing link, the console, /verify) asks for HTML, and a problem+json there showed a signer
 * raw JSON. The API answers problems whatever the client accepts.
 */
export const wantsPage = (req: Request, path: string) => !path.startsWith(API_PATH) && (req.headers.get("accept") ?? "").includes("text/html");

function kindOf(e: AppError): RefusalKind {
  // Its sentence says how long to wait: the Retry-After every rate-limit refusal carries.
  if (e.code === "rate_limited" && e.extra.headers?.["retry-after"]) return "limited";
  if (e.code === "payload_too_large") return "tooLarge";
  if (e.code === "bad_request") return "badAddress";
  if (e.code === "unsupported_media_type") return "notAccepted";
  return e.status >= 500 ? "unavailable" : "refused";
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** No script, no style, no framing: the page is its words. */
const CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The refusal as a short page in the reader's language (Accept-Language), with the refusal's own
 * header fields (Retry-After) and the request id that finds it in the server log.
 */
export function refusalPage(e: AppError, requestId: string, acceptLanguage: string | null): Response {
  const lang = acceptedLocale(acceptLanguage);
  const words = REFUSAL_TEXTS[lang];
  const kind = kindOf(e);
  const title = escape(words.titles[kind]);
  const sentence = escape(words.sentences[kind].replace("{seconds}", e.extra.headers?.["retry-after"] ?? ""));
  const body = `<!doctype html>
<html lang="${lang}" dir="${textDirection(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main>
<h1>${title}</h1>
<p>${sentence}</p>
<p>${escape(words.reference)}: <code>${escape(requestId)}</code></p>
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
