import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import type { Config } from "../config";
import { VERSION } from "../version";
import { ERRORS_PAGE, ERRORS_PAGE_PATH } from "./errors-page";

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certyneo API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", deepLinking: true, persistAuthorization: false });`;

/** Static assets are embedded in the binary (`with { type: "file" }`), so the page works offline. */
const asset = (path: string, type: string) => () =>
  new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });

/** The rate-limit sentence of the API description, from the limits this server enforces. */
export const rateLimitText = ({ enabled, perMinute, burst }: Config["rateLimit"]) =>
  enabled ? `Rate limit: ${perMinute} requests/minute per key with bursts of ${burst}.` : "This server enforces no rate limit.";

const html = (body: string) => () => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });

/**
 * The OpenAPI 3.1 document, generated from the same TypeBox schemas that validate requests,
 * at /openapi.json, an interactive page at /docs and the errors page at /docs/errors, all
 * served without any CDN.
 */
export const openapiPlugin = (config: Config) => new Elysia({ name: "openapi", seed: config.rateLimit })
  .use(
    openapi({
      path: "/openapi",
      specPath: "/openapi.json",
      provider: null,
      exclude: { paths: ["/docs", ERRORS_PAGE_PATH, "/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/init.js", "/s/:token", "/s/assets/*"] },
      documentation: {
        info: {
          title: "Certyneo API",
          version: VERSION,
          description:
            "Self-hosted electronic signatures. Authenticate with `Authorization: Bearer sk_test_…` or `sk_live_…`. " +
            "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`. " +
            `Every POST accepts an \`Idempotency-Key\` header. ${rateLimitText(config.rateLimit)} ` +
            `Every error code, its status and meaning: [${ERRORS_PAGE_PATH}](${ERRORS_PAGE_PATH}).`,
          license: { name: "Proprietary", identifier: "LicenseRef-Certyneo" },
        },
        servers: [{ url: "/", description: "This server" }],
        tags: [
          { name: "Documents", description: "PDF uploads" },
          { name: "Envelopes", description: "Documents sent for signature" },
          { name: "Signing", description: "The signing ceremony, authorised by the recipient's token" },
          { name: "Webhooks", description: "Event notifications" },
          { name: "Keys", description: "API keys" },
          { name: "Verification", description: "Checking signed PDFs" },
          { name: "System", description: "Health" },
        ],
        components: {
          securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key: sk_test_… or sk_live_…" } },
        },
        security: [{ bearer: [] }],
      },
    }),
  )
  .get("/docs", html(DOCS_PAGE), { detail: { hide: true } })
  .get(ERRORS_PAGE_PATH, html(ERRORS_PAGE), { detail: { hide: true } })
  .get("/docs/assets/swagger-ui.css", asset(swaggerCss, "text/css; charset=utf-8"), { detail: { hide: true } })
  .get("/docs/assets/swagger-ui-bundle.js", asset(swaggerJs, "text/javascript; charset=utf-8"), { detail: { hide: true } })
  .get("/docs/assets/init.js", () => new Response(DOCS_INIT, { headers: { "content-type": "text/javascript; charset=utf-8" } }), { detail: { hide: true } });
