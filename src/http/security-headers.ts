import type { Config } from "../config";
import { API_PATH } from "./api-paths";

/**
 * Headers every response gets: no MIME sniffing; HSTS when the public URL is https (the
 * server then sits behind TLS, and browsers should never fall back to http); and API answers,
 * which may carry secrets shown once (keys, webhook secrets, signUrls), kept out of every cache
 * unless a route said otherwise.
 */
export function securityHeaders(config: Pick<Config, "baseUrl">) {
  const hsts = config.baseUrl.startsWith("https://");
  return (path: string, headers: Headers) => {
    headers.set("x-content-type-options", "nosniff");
    if (hsts) headers.set("strict-transport-security", "max-age=31536000");
    if (path.startsWith(API_PATH) && !headers.has("cache-control")) headers.set("cache-control", "no-store");
  };
}

/**
 * The header fields the pipeline gives an API answer (its request id among them), for a problem
 * answer made outside the pipeline, to pass as that answer is made.
 */
export function apiAnswerHeaders(config: Pick<Config, "baseUrl">, requestId: string): Record<string, string> {
  const headers = new Headers({ "x-request-id": requestId });
  securityHeaders(config)(API_PATH, headers);
  return Object.fromEntries(headers);
}
