import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { getBranding } from "./service";

/** Certyneo's mark, until an admin uploads the organisation's logo. */
const DEFAULT_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32"><circle cx="16" cy="16" r="14" fill="#1d4ed8"/><path d="M9 17l5 5 9-11" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/**
 * GET /branding/logo: the organisation's logo, public (the console's login page and e-mails show
 * it). An SVG is served sandboxed: no script could run even if one slipped past the upload check.
 */
export const brandingRoutes = (deps: Deps) =>
  new Elysia({ name: "branding" }).get("/branding/logo", async () => {
    const logo = (await getBranding(deps.db)).logo;
    const own = logo && (await deps.files.exists(logo.sha256));
    return new Response(own ? await deps.files.get(logo.sha256) : DEFAULT_LOGO, {
      headers: {
        "content-type": own ? logo.type : "image/svg+xml",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
      },
    });
  }, { detail: { hide: true } });
