import { ASSET_VERSION } from "./assets";
import type { Environment } from "../../store/schema";
import { href, html, type Html } from "./html";
import { STRINGS, type Lang, type StringKey, type Translate } from "./i18n";
import { LOCALES, textDirection } from "../../enums";

/** What every console page is rendered with. */
export interface View {
  t: Translate;
  lang: Lang;
  env: Environment;
  /** The signed-in admin's e-mail; null on the login pages. */
  email: string | null;
  csrf: string;
  /** The current path with its query, for the environment switch. */
  path: string;
  query: URLSearchParams;
  /** The organisation's name from the branding settings, or empty. */
  organisation: string;
}

const NAV: [string, StringKey][] = [
  ["/admin", "navDashboard"],
  ["/admin/envelopes", "navEnvelopes"],
  ["/admin/documents", "navDocuments"],
  ["/admin/keys", "navKeys"],
  ["/admin/webhooks", "navWebhooks"],
  ["/admin/failures", "navFailures"],
  ["/admin/settings", "navSettings"],
  ["/admin/branding", "navBranding"],
  ["/admin/activity", "navActivity"],
];

/** A POST form carrying the session's CSRF token; multipart, the body type the API pipeline accepts. */
export const form = (v: View, action: string, body: Html, attrs: { confirm?: string; className?: string } = {}) => html`
<form method="post" action="${action}" enctype="multipart/form-data" class="${attrs.className ?? "inline"}"${attrs.confirm ? html` data-confirm="${attrs.confirm}"` : ""}>
<input type="hidden" name="_csrf" value="${v.csrf}">${body}</form>`;

export const time = (d: Date | string | null | undefined) => {
  if (!d) return html`<span class="muted">—</span>`;
  const date = typeof d === "string" ? new Date(d) : d;
  return html`<time dir="ltr" datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace("T", " ")} UTC</time>`;
};

export const badge = (text: string, kind = text.toLowerCase()) => html`<span class="badge badge-${kind}">${text}</span>`;

export const notice = (text: string, kind: "ok" | "error" | "warn" = "ok") =>
  html`<p class="notice notice-${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</p>`;

/** The page on show, in the other environment's data (from its first page). */
export function envHref(v: View, env: Environment): string {
  const q = new URLSearchParams(v.query);
  q.set("env", env);
  q.delete("after");
  return `${v.path}?${q}`;
}

function envSwitch(v: View) {
  return html`<nav class="env-switch" aria-label="${v.t("envSwitch")}">
<span class="env-label">${v.t("envSwitch")}:</span>
${(["live", "test"] as const).map((env) => html`<a href="${envHref(v, env)}" class="env env-${env}"${v.env === env ? html` aria-current="true"` : ""}>${v.t(env === "test" ? "envTest" : "envLive")}</a>`)}
</nav>`;
}

/** The language switcher: a plain GET form (works without script) to /admin/language, which remembers the choice. */
function langSwitch(v: View) {
  const q = new URLSearchParams(v.query);
  // Back to the same page, without a one-time "Done." notice or a ?lang= that would override the choice.
  q.delete("lang");
  q.delete("done");
  const next = q.size ? `${v.path}?${q}` : v.path;
  return html`<form method="get" action="/admin/language" class="lang-switch">
<input type="hidden" name="next" value="${next}">
<label for="lang-select">${v.t("language")}</label>
<select id="lang-select" name="lang">${LOCALES.map((l) => html`<option value="${l}" lang="${l}"${l === v.lang ? " selected" : ""}>${STRINGS[l].languageName}</option>`)}</select>
<button type="submit">${v.t("changeLanguage")}</button>
</form>`;
}

export function page(v: View, title: string, body: Html, opts: { status?: number; bare?: boolean } = {}): Response {
  const chrome = !opts.bare && v.email;
  const doc = html`<!doctype html>
<html lang="${v.lang}" dir="${textDirection(v.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>\u2068${title}\u2069 — ${v.t("appName")}</title>
<link rel="stylesheet" href="/admin/assets/admin.css?v=${ASSET_VERSION}">
<link rel="stylesheet" href="/admin/assets/brand.css">
<script src="/admin/assets/admin.js?v=${ASSET_VERSION}" defer></script>
</head>
<body class="${chrome ? `env-${v.env}` : "bare"}">
<a class="skip" href="#main">${v.t("skip")}</a>
${chrome ? html`<header><div class="topbar">
<a class="brand" href="/admin"><img src="/branding/logo" alt="" width="28" height="28"> ${v.organisation || v.t("appName")}</a>
<nav aria-label="${v.t("navMain")}" class="nav"><ul>
${NAV.map(([path, key]) => html`<li><a href="${path}"${v.path === path || (path !== "/admin" && v.path.startsWith(path + "/")) ? html` aria-current="page"` : ""}>${v.t(key)}</a></li>`)}
</ul></nav>
<div class="session">${langSwitch(v)}${envSwitch(v)}
<span class="muted small">${v.t("signedInAs", { email: v.email! })}</span>
${form(v, "/admin/logout", html`<button type="submit" class="link">${v.t("logout")}</button>`)}
</div>
</div>
<p class="env-banner env-banner-${v.env}">${v.t(v.env === "test" ? "envBannerTest" : "envBannerLive")}</p></header>` : html`<header class="bare-header">${langSwitch(v)}</header>`}
<main id="main" tabindex="-1">
${chrome ? "" : html`<p class="bare-brand"><img src="/branding/logo" alt="" width="40" height="40"> ${v.organisation || v.t("appName")}</p>`}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
  return new Response(doc.text, { status: opts.status ?? 200, headers: { "content-type": "text/html; charset=utf-8" } });
}

/**
 * An event's details (its JSON data) as labelled fields: objects as nested lists, arrays one item
 * per line. Left to right as the keys are; a text value keeps its own direction.
 */
export function details(data: unknown, nested = false): Html {
  if (data === null || data === undefined) return html``;
  const empty = html`<span class="muted">—</span>`;
  if (Array.isArray(data)) return data.length ? html`<ol class="details-items">${data.map((item) => html`<li>${details(item, true)}</li>`)}</ol>` : empty;
  if (typeof data === "object") {
    const fields = Object.entries(data);
    if (!fields.length) return empty;
    return html`<dl class="details"${nested ? "" : html` dir="ltr"`}>${fields.map(([k, v]) => html`<dt>${k}</dt><dd>${details(v, true)}</dd>`)}</dl>`;
  }
  return html`<bdi>${String(data)}</bdi>`;
}

export const table = (caption: string, head: string[], rows: Html[], empty: string) =>
  rows.length
    ? html`<div class="table-wrap" tabindex="0"><table><caption class="visually-hidden">${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="muted">${empty}</p>`;

export { href };
