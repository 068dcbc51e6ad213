import { Elysia, type AnyElysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import type { Config } from "../config";
import { VERSION } from "../version";
import { assetAnswer, type AssetSource } from "./static-asset";
import { ERRORS_PAGE_PATH, errorsPage } from "./errors-page";
import type { openapi30, openapi31 } from "./openapi-document";

/** The generator (with @elysiajs/openapi under it) loads with the first request for a document, not at start. */
const generator = () => import("./openapi-document");

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certyneo API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", deepLinking: true, persistAuthorization: false });`;

/** Static assets are embedded in the binary (`with { type: "file" }`), so the page works offline. */
const asset = (source: AssetSource, type: string) => ({ request }: { request: Request }) =>
  assetAnswer(request, source, { "content-type": type, "cache-control": "public, max-age=86400" });

/** The rate-limit sentence of the API description, from the limits this server enforces. */
export const rateLimitText = ({ enabled, perMinute, burst }: Config["rateLimit"]) =>
  enabled ? `Rate limit: ${perMinute} requests/minute per key with bursts of ${burst}.` : "This server enforces no rate limit.";

const htmlAnswer = (body: string) => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });
const html = (body: string) => () => htmlAnswer(body);
/** A page made on its first request, then kept. */
const htmlOnce = (make: () => string) => {
  let body: string | undefined;
  return () => htmlAnswer((body ??= make()));
};

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json; charset=utf-8" } });

/** Pages and assets that are not API operations. */
const NOT_OPERATIONS = ["/docs", ERRORS_PAGE_PATH, "/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/init.js", "/s/:token", "/s/assets/*"];

/**
 * The OpenAPI 3.1 document, generated from the same TypeBox schemas that validate requests,
 * at /openapi.json, its 3.0 edition at /openapi-3.0.json, an interactive page at /docs and the
 * errors page at /docs/errors, all served without any CDN. `app` is the composed application,
 * read on the first request (routes are added after this plugin).
 */
export const openapiPlugin = (config: Config, app: () => AnyElysia) => {
  const documentation = {
    info: {
      title: "Certyneo API",
      version: VERSION,
      description:
        "Self-hosted electronic signatures. Authenticate with `Authorization: Bearer sk_test_…` or `sk_live_…`. " +
        "Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`. " +
        `Every POST with an API key accepts an \`Idempotency-Key\` header. ${rateLimitText(config.rateLimit)} ` +
        `Every error code, its status and meaning: [${ERRORS_PAGE_PATH}](${ERRORS_PAGE_PATH}). ` +
        "This document is OpenAPI 3.1; the same in OpenAPI 3.0: [/openapi-3.0.json](/openapi-3.0.json).",
      license: { name: "Proprietary", identifier: "LicenseRef-Certyneo" },
    },
    servers: [{ url: "/", description: "This server" }],
    tags: [
      { name: "Documents", description: "PDF uploads" },
      { name: "Envelopes", description: "Documents sent for signature" },
      { name: "Templates", description: "Reusable envelopes: documents, roles and fields, filled with people per envelope" },
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
  };
  // Built once: the routes do not change after buildApp.
  let v31: Promise<ReturnType<typeof openapi31>> | undefined;
  let v30: Promise<ReturnType<typeof openapi30>> | undefined;
  const document31 = () => (v31 ??= generator().then((g) => g.openapi31(app(), documentation, [...NOT_OPERATIONS, "/openapi.json", "/openapi-3.0.json"])));
  const document30 = () => (v30 ??= Promise.all([generator(), document31()]).then(([g, d]) => g.openapi30(d)));
  return new Elysia({ name: "openapi", seed: config.rateLimit })
    .get("/openapi.json", async () => json(await document31()), { detail: { hide: true } })
    .get("/openapi-3.0.json", async () => json(await document30()), { detail: { hide: true } })
    .get("/docs", html(DOCS_PAGE), { detail: { hide: true } })
    .get(ERRORS_PAGE_PATH, htmlOnce(errorsPage), { detail: { hide: true } })
    .get("/docs/assets/swagger-ui.css", asset({ path: swaggerCss }, "text/css; charset=utf-8"), { detail: { hide: true } })
    .get("/docs/assets/swagger-ui-bundle.js", asset({ path: swaggerJs }, "text/javascript; charset=utf-8"), { detail: { hide: true } })
    .get("/docs/assets/init.js", () => new Response(DOCS_INIT, { headers: { "content-type": "text/javascript; charset=utf-8" } }), { detail: { hide: true } });
};
