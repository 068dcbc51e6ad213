import type { Deps } from "../../../deps";
import { html } from "../html";
import { form, notice, table, time, type View } from "../layout";
import { disabledWebhooks, failedMessages, failedSeals, failureCounts, FAILURES_SHOWN } from "../queries";

export async function failuresBody(deps: Deps, v: View, message?: string) {
  const retry = (action: string) => form(v, action, html`<button type="submit">${v.t("retry")}</button>`);
  /** Above a list of two or more, one button for all of them (those past the list's end too). */
  const retryAll = (action: string, count: number) => (count > 1
    ? html`<p>${form(v, action, html`<button type="submit">${v.t("retryAll", { count })}</button>`, { confirm: `${v.t("retryAll", { count })}?` })}</p>`
    : "");
  const [messages, seals, hooks, counts] = [await failedMessages(deps.db, v.env), await failedSeals(deps.db, v.env), await disabledWebhooks(deps.db, v.env), await failureCounts(deps.db, v.env)];
  /** Said under a list that stops before the end. */
  const more = (count: number) => (count > FAILURES_SHOWN ? html`<p class="muted small">${v.t("latestOf", { shown: FAILURES_SHOWN, count })}</p>` : "");
  return html`
${message ? notice(message) : ""}
<section aria-labelledby="messages"><h2 id="messages">${v.t("failedMessagesTitle")}</h2>
${retryAll("/admin/failures/messages/retry", counts.messages)}
${table(v.t("failedMessagesTitle"), [v.t("recipient"), v.t("channel"), v.t("message"), v.t("error"), v.t("when"), v.t("actions")], messages.map(({ job, recipient, envelope }) => html`<tr>
<td>${recipient.name}<br><span class="muted small">${recipient.email}</span><br><a href="/admin/envelopes/${envelope.id}">${envelope.subject}</a></td>
<td>${String(job.payload.channel)}</td><td>${String(job.payload.message)}</td><td class="error-text small">${job.lastError ?? ""}</td><td>${time(job.updatedAt)}</td>
<td>${retry(`/admin/failures/jobs/${job.id}/retry`)}</td></tr>`), v.t("none"))}
${more(counts.messages)}
</section>
<section aria-labelledby="seals"><h2 id="seals">${v.t("failedSealsTitle")}</h2>
${retryAll("/admin/failures/seals/retry", counts.seals)}
${table(v.t("failedSealsTitle"), [v.t("subject"), v.t("when"), v.t("actions")], seals.map((e) => html`<tr>
<td><a href="/admin/envelopes/${e.id}">${e.subject}</a></td><td>${time(e.updatedAt)}</td><td>${retry(`/admin/envelopes/${e.id}/retry-seal`)}</td></tr>`), v.t("none"))}
${more(counts.seals)}
</section>
<section aria-labelledby="hooks"><h2 id="hooks">${v.t("disabledWebhooksTitle")}</h2>
${table(v.t("disabledWebhooksTitle"), [v.t("url"), v.t("error"), v.t("actions")], hooks.map((w) => html`<tr>
<td><a href="/admin/webhooks/${w.id}" dir="ltr">${w.url}</a></td><td class="small">${w.disabledReason ?? ""}</td>
<td>${form(v, `/admin/webhooks/${w.id}/enable`, html`<button type="submit">${v.t("reenable")}</button>`)}</td></tr>`), v.t("none"))}
</section>`;
}
