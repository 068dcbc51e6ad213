import type { Deps } from "../../../deps";
import type { Environment } from "../../../store/schema";
import { html } from "../html";
import { envHref, type View } from "../layout";
import { hasEnvelopes } from "../queries";

/**
 * Said when the data shown has no envelope and the other environment's has some: the console
 * opens on live data, while a first integration (and the README's quick start) works with a
 * test key, so a new admin would otherwise see empty pages.
 */
export async function environmentHint(deps: Deps, v: View) {
  const other: Environment = v.env === "live" ? "test" : "live";
  if ((await hasEnvelopes(deps.db, v.env)) || !(await hasEnvelopes(deps.db, other))) return "";
  return html`<p class="notice notice-warn" role="status">${v.t(other === "test" ? "envOnlyInTest" : "envOnlyInLive")}
<a href="${envHref(v, other)}">${v.t(other === "test" ? "envShowTest" : "envShowLive")}</a></p>`;
}
