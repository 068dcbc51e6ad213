import type { Deps } from "../../../deps";
import type { EnvelopeStatus } from "../../../store/schema";
import { html } from "../html";
import { badge, href, table, type View } from "../layout";
import { environmentHint } from "./environment-hint";
import { disabledWebhooks, envelopeCounts, failureCounts } from "../queries";

const STATUSES: EnvelopeStatus[] = ["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED"];

export async function dashboardBody(deps: Deps, v: View) {
  const since = new Date(deps.clock.now().getTime() - 7 * 86400_000);
  const counts = await envelopeCounts(deps.db, v.env, since);
  const failed = await failureCounts(deps.db, v.env);
  const failing = [
    [failed.messages, "failedMessages"],
    [failed.seals, "failedSeals"],
    [(await disabledWebhooks(deps.db, v.env)).length, "disabledWebhooks"],
  ] as const;
  const now = failing.filter(([n]) => n > 0);
  return html`${await environmentHint(deps, v)}
<section aria-labelledby="week"><h2 id="week">${v.t("thisWeek")}</h2>
${table(v.t("thisWeek"), [v.t("status"), "#"], STATUSES.map((s) => html`<tr><td><a href="${href("/admin/envelopes", { status: s })}">${badge(s)}</a></td><td>${counts[s] ?? 0}</td></tr>`), "")}
</section>
<section aria-labelledby="failing"><h2 id="failing">${v.t("failingNow")}</h2>
${now.length
  ? html`<ul class="failing">${now.map(([n, key]) => html`<li>${v.t(key, { count: n })}</li>`)}</ul><p><a href="/admin/failures">${v.t("seeFailures")}</a></p>`
  : html`<p class="ok">${v.t("nothingFailing")}</p>`}
</section>`;
}
