import adminCss from "./assets/admin.css" with { type: "text" };
import adminJs from "./assets/admin.js" with { type: "text" };
import type { AssetSource } from "../../http/static-asset";

/** The console's stylesheet and script, embedded, served like the signing page's (gzip when taken). */
export const ADMIN_ASSETS = {
  "admin.css": { source: { text: adminCss }, type: "text/css; charset=utf-8" },
  "admin.js": { source: { text: adminJs }, type: "text/javascript; charset=utf-8" },
} satisfies Record<string, { source: AssetSource; type: string }>;

/** What their URLs carry: a hash of their text, so a changed file is fetched anew under the same release. */
export const ASSET_VERSION = Bun.hash(`${adminCss}\0${adminJs}`).toString(36);
