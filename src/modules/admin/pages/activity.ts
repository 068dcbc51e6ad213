import type { Deps } from "../../../deps";
import { listActions } from "../actions";
import { html } from "../html";
import { details, table, time, type View } from "../layout";

export const activityBody = async (deps: Deps, v: View) =>
  table(v.t("activityTitle"), [v.t("when"), v.t("actor"), v.t("event"), v.t("target"), v.t("ip"), v.t("details")], (await listActions(deps.db)).map((a) => html`<tr>
<td>${time(a.at)}</td><td><span dir="ltr">${a.actor}</span></td><td><code>${a.action}</code></td><td>${a.target ?? ""}${a.environment ? html` <span class="muted">(${a.environment})</span>` : ""}</td>
<td><span dir="ltr">${a.ip ?? ""}</span></td><td>${details(a.data)}</td></tr>`), v.t("none"));
