import { Elysia } from "elysia";
import pdfjsPkg from "pdfjs-dist/package.json";
// The legacy build: the same pdf.js with polyfills, so the page also renders on the older
// phone browsers signers actually have (the modern build needs very recent JS built-ins).
import pdfJs from "pdfjs-dist/legacy/build/pdf.min.mjs" with { type: "file" };
import pdfWorkerJs from "pdfjs-dist/legacy/build/pdf.worker.min.mjs" with { type: "file" };
import type { Deps } from "../../../deps";
import { assetAnswer, type AssetSource } from "../../../http/static-asset";
import { VERSION } from "../../../version";
import { frameAncestorsOf } from "../service";
import { CONSENT_TEXTS, CONSENT_VERSION } from "./consent-texts.js";
import i18nJs from "./i18n.js" with { type: "text" };
import { PDFJS_DATA } from "./pdfjs-assets";
import signerCss from "./signer.css" with { type: "text" };
import signerHtml from "./signer.html" with { type: "text" };
import signerJs from "./signer.js" with { type: "text" };

/**
 * The signer page: GET /s/{token} answers one static HTML page (the same for every token;
 * its script reads the token from the path and does everything through /api/v1/signing/{token}),
 * and /s/assets/* its script, style, strings and the bundled pdf.js with its data files.
 * Everything is embedded in the binary, so a signer's browser asks no other host for anything.
 */

/**
 * The consent texts as the browser imports them: served from the module's values (data only),
 * since the server imports that module itself and a file cannot be both a module and a text asset
 * of the binary.
 */
const CONSENT_JS = `export const CONSENT_VERSION = ${CONSENT_VERSION};\nexport const CONSENT_TEXTS = ${JSON.stringify(CONSENT_TEXTS)};\n`;

// The version, the page and the asset table are made on first use: a start serves no signer
// page, and hashing the embedded texts was a few milliseconds of it.
let version: string | undefined;
/** Changes whenever an asset does, so browsers may cache versioned asset URLs for long. */
export const assetVersion = () =>
  (version ??= Bun.hash([VERSION, pdfjsPkg.version, signerHtml as unknown as string, signerCss, signerJs, i18nJs, CONSENT_JS].join("\0")).toString(36));

/**
 * Only this origin, no inline script or style, no framing (but by the envelope's allowed
 * origins, for embedded signing), nothing sent anywhere else.
 * pdf.js needs: its module worker ('self'), images as data:/blob: URLs, fonts it builds
 * in memory (data:). It never needs eval: the page sets isEvalSupported false.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
];

/** The page's policy; `frameAncestors`: the envelope's allowed origins ('none' without). */
export const signerCsp = (frameAncestors: string[] = []) =>
  [...CSP, `frame-ancestors ${frameAncestors.length ? frameAncestors.join(" ") : "'none'"}`].join("; ");

/** The pdf.js worker gets its own policy: WebAssembly image decoders (JPEG 2000, JBIG2) and ICC profiles. */
const WORKER_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

const COMMON_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};

/** The page's headers: framing refused (CSP and X-Frame-Options) unless the envelope allows origins, then only by them (CSP alone can say which). */
export const pageHeaders = (frameAncestors: string[] = []): Record<string, string> => ({
  ...COMMON_HEADERS,
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": signerCsp(frameAncestors),
  "cache-control": "no-store",
  ...(frameAncestors.length ? {} : { "x-frame-options": "DENY" }),
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "x-robots-tag": "noindex, nofollow",
});

const JS = "text/javascript; charset=utf-8";
const TYPES: Record<string, string> = {
  mjs: JS, js: JS, css: "text/css; charset=utf-8", wasm: "application/wasm", ttf: "font/ttf",
  pfb: "application/octet-stream", bcmap: "application/octet-stream", icc: "application/vnd.iccprofile",
};

/** Every asset by its name under /s/assets/: a fixed table, so no request path reaches the file system. */
let assets: Map<string, AssetSource> | undefined;
const assetTable = () => (assets ??= new Map<string, AssetSource>([
  ["signer.js", { text: signerJs }],
  ["i18n.js", { text: i18nJs }],
  ["consent-texts.js", { text: CONSENT_JS }],
  ["signer.css", { text: signerCss }],
  ["pdf.min.mjs", { path: pdfJs }],
  ["pdf.worker.min.mjs", { path: pdfWorkerJs }],
  ...Object.entries(PDFJS_DATA).map(([name, path]) => [`pdfjs/${name}`, { path }] as [string, AssetSource]),
]));

export const signerAssetNames = () => [...assetTable().keys()];

// bun-types types every .html import as an HTML bundle; `with { type: "text" }` gives its text.
let page: string | undefined;
const pageHtml = () => (page ??= (signerHtml as unknown as string).replaceAll("{{v}}", assetVersion()));

function assetResponse(req: Request, name: string): Response | Promise<Response> {
  const asset = assetTable().get(name);
  if (!asset) {
    return new Response("Not found\n", { status: 404, headers: { ...COMMON_HEADERS, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  }
  const ext = name.slice(name.lastIndexOf(".") + 1);
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    "content-type": TYPES[ext] ?? "application/octet-stream",
    "cache-control": "public, max-age=86400",
  };
  if (name === "pdf.worker.min.mjs") headers["content-security-policy"] = WORKER_CSP;
  // i18n.js imports it without the version query: the browser asks again whether it changed.
  if (name === "consent-texts.js") headers["cache-control"] = "no-cache";
  return assetAnswer(req, asset, headers);
}

export const signerPage = (deps: Pick<Deps, "db">) => new Elysia({ name: "signer-page" })
  .get("/s/:token", async ({ params }) => new Response(pageHtml(), { headers: pageHeaders(await frameAncestorsOf(deps, params.token)) }), { detail: { hide: true } })
  .get("/s/assets/*", ({ params, request }) => assetResponse(request, params["*"]), { detail: { hide: true } });
