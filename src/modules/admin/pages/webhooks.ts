import type { Deps } from "../../../deps";
import { getWebhook, listDeliveries, listWebhooks } from "../../webhooks/service";
import { html } from "../html";
import { badge, form, notice, table, time, type View } from "../layout";

const state = (v: View, w: { enabled: boolean; disabledReason: string | null }) =>
  w.enabled ? badge(v.t("enabled"), "completed") : html`${badge(v.t("disabled", { reason: w.disabledReason ?? "—" }), "failed")}`;

export async function webhooksBody(deps: Deps, v: View) {
  const hooks = (await listWebhooks(deps, v.env, { limit: 100 })).data;
  return table(v.t("webhooksTitle"), [v.t("url"), v.t("events"), v.t("status"), v.t("created")], hooks.map((w) => html`<tr>
<td><a href="/admin/webhooks/${w.id}" dir="ltr">${w.url}</a><br><code class="small">${w.id}</code></td><td>${w.events.join(", ")}</td>
<td>${state(v, w)}</td><td>${time(w.createdAt)}</td></tr>`), v.t("noWebhooks"));
}

export async function webhookBody(deps: Deps, v: View, id: string, message?: string) {
  const w = await getWebhook(deps, v.env, id);
  const deliveries = (await listDeliveries(deps, v.env, id, { limit: 50 })).data;
  return html`
${message ? notice(message) : ""}
<dl class="facts"><dt>${v.t("url")}</dt><dd><span dir="ltr">${w.url}</span></dd><dt>${v.t("events")}</dt><dd>${w.events.join(", ")}</dd><dt>${v.t("status")}</dt><dd>${state(v, w)}</dd></dl>
${w.enabled ? "" : form(v, `/admin/webhooks/${w.id}/enable`, html`<button type="submit" class="primary">${v.t("reenable")}</button>`)}
<section aria-labelledby="deliveries"><h2 id="deliveries">${v.t("deliveries")}</h2>
${table(v.t("deliveries"), [v.t("event"), v.t("status"), v.t("attemptsCol"), v.t("error"), v.t("created"), v.t("actions")], deliveries.map((d) => html`<tr>
<td><code>${d.eventType}</code><br><code class="small">${d.id}</code></td><td>${badge(d.status)}</td>
<td>${d.attempts.map((a) => html`<div class="small" dir="ltr">#${a.attempt} ${time(a.at)} ${a.statusCode ?? ""} ${a.durationMs} ms</div>`)}</td>
<td>${d.lastError ? html`<span class="error-text small">${d.lastError}</span>` : ""}</td><td>${time(d.createdAt)}</td>
<td>${w.enabled ? form(v, `/admin/webhooks/${w.id}/deliveries/${d.id}/resend`, html`<button type="submit">${v.t("resendDelivery")}</button>`) : ""}</td></tr>`), v.t("noDeliveries"))}
</section>`;
}
