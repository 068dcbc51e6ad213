import type { Deps } from "../../../deps";
import type { EnvelopeStatus } from "../../../store/schema";
import { listAudit } from "../../audit/service";
import type { EnvelopeView } from "../../envelopes/view";
import { html } from "../html";
import { badge, details, form, href, notice, table, time, type View } from "../layout";
import { searchEnvelopes } from "../queries";
import { environmentHint } from "./environment-hint";

export const ENVELOPE_STATUSES: EnvelopeStatus[] = ["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED"];

export async function envelopesBody(deps: Deps, v: View) {
  const q = v.query.get("q") ?? "";
  const statusParam = v.query.get("status") ?? "";
  const status = ENVELOPE_STATUSES.find((s) => s === statusParam);
  const page = await searchEnvelopes(deps.db, v.env, { q, status, startingAfter: v.query.get("after") ?? undefined });
  const last = page.data.at(-1)?.envelope.id;
  const unfiltered = !q && !status && !v.query.get("after");
  return html`${v.query.get("done") ? notice(v.t("done")) : ""}${unfiltered && !page.data.length ? await environmentHint(deps, v) : ""}
<form method="get" action="/admin/envelopes" class="filters" role="search">
<div><label for="q">${v.t("search")}</label>
<input id="q" name="q" type="search" value="${q}" aria-describedby="q-hint"><small id="q-hint" class="muted">${v.t("searchLabel")}</small></div>
<div><label for="status">${v.t("status")}</label>
<select id="status" name="status"><option value="">${v.t("anyStatus")}</option>
${ENVELOPE_STATUSES.map((s) => html`<option value="${s}"${s === status ? " selected" : ""}>${s}</option>`)}</select></div>
<div><button type="submit">${v.t("filter")}</button></div>
</form>
${table(v.t("envelopesTitle"), [v.t("subject"), v.t("status"), v.t("recipients"), v.t("created")], page.data.map(({ envelope: e, recipients }) => html`<tr>
<td><a href="/admin/envelopes/${e.id}">${e.subject}</a><br><code class="small">${e.id}</code></td>
<td>${badge(e.status)}</td>
<td>${recipients.map((r) => html`<div><bdi>${r.name}</bdi> <span class="muted" dir="ltr">&lt;${r.email}&gt;</span></div>`)}</td>
<td>${time(e.createdAt)}</td></tr>`), v.t("noEnvelopes"))}
${page.hasMore && last ? html`<p><a href="${href("/admin/envelopes", { q, status, after: last })}">${v.t("older")} →</a></p>` : ""}`;
}

const kb = (n: number) => `${Math.max(1, Math.round(n / 1024))} KB`;

function deliveryCell(v: View, r: EnvelopeView["recipients"][number]) {
  const d = r.delivery;
  if (!d) return html`<span class="muted">—</span>`;
  return html`${badge(d.status, `delivery-${d.status}`)} ${d.channel ?? ""} <span class="muted small">${v.t("attempts", { count: d.attempts })}</span>
${d.lastError ? html`<div class="error-text small">${d.lastError}</div>` : ""}<div class="small">${time(d.updatedAt)}</div>`;
}

export async function envelopeBody(deps: Deps, v: View, e: EnvelopeView, message?: string) {
  const base = `/admin/envelopes/${e.id}`;
  const waiting = (s: string) => e.status === "SENT" && (s === "SENT" || s === "VIEWED");
  const events = await listAudit(deps.db, e.id);
  return html`
${message ? notice(message) : ""}
<dl class="facts">
<dt>${v.t("status")}</dt><dd>${badge(e.status)}${e.statusReason ? html` <span class="muted">${e.statusReason}</span>` : ""}</dd>
<dt>Id</dt><dd><code>${e.id}</code></dd>
<dt>${v.t("created")}</dt><dd>${time(e.createdAt)}</dd>
${e.sealStatus ? html`<dt>${v.t("sealStatus")}</dt><dd>${badge(e.sealStatus)}</dd>` : ""}
${Object.keys(e.metadata).length ? html`<dt>${v.t("metadata")}</dt><dd>${Object.entries(e.metadata).map(([k, val]) => html`<code>${k}</code>: ${val}<br>`)}</dd>` : ""}
</dl>
${e.sealStatus === "FAILED" ? html`${notice(v.t("sealFailed"), "error")}${form(v, `${base}/retry-seal`, html`<button type="submit" class="primary">${v.t("retrySeal")}</button>`)}` : ""}
<section aria-labelledby="docs"><h2 id="docs">${v.t("documents")}</h2>
${table(v.t("documents"), [v.t("name"), v.t("pages"), v.t("size"), v.t("sha256")], e.documents.map((d) => html`<tr><td>${d.name}</td><td>${d.pageCount}</td><td>${kb(d.size)}</td><td><code class="hash">${d.sha256}</code></td></tr>`), v.t("noDocuments"))}
</section>
<section aria-labelledby="downloads"><h2 id="downloads">${v.t("downloads")}</h2><ul>
${e.status === "COMPLETED" && e.sealStatus !== "FAILED" ? html`<li><a href="${base}/signed-document" download>${v.t("signedPdf")}</a></li>` : ""}
${e.status !== "DRAFT" ? html`<li><a href="${base}/audit-trail" download>${v.t("auditTrail")}</a></li>` : ""}
</ul></section>
<section aria-labelledby="people"><h2 id="people">${v.t("recipients")}</h2>
${table(v.t("recipients"), [v.t("recipient"), v.t("role"), v.t("status"), v.t("delivery"), v.t("actions")], e.recipients.map((r) => html`<tr>
<td>${r.name}<br><span class="muted small">${r.email}</span></td><td>${r.role}</td><td>${badge(r.status)}</td>
<td>${deliveryCell(v, r)}</td>
<td>${waiting(r.status) ? html`${form(v, `${base}/recipients/${r.id}/resend`, html`<button type="submit">${v.t("resend")}</button>`)}
${form(v, `${base}/recipients/${r.id}/remind`, html`<button type="submit">${v.t("remind")}</button>`)}` : ""}</td></tr>`), "")}
</section>
${e.status === "SENT" ? html`<section aria-labelledby="void"><h2 id="void">${v.t("voidTitle")}</h2>
${form(v, `${base}/void`, html`<label for="reason">${v.t("voidReason")}</label><textarea id="reason" name="reason" rows="2" maxlength="500" required></textarea>
<button type="submit" class="danger">${v.t("voidButton")}</button>`, { confirm: v.t("voidTitle") + "?", className: "stack" })}</section>` : ""}
${["COMPLETED", "DECLINED", "VOIDED", "EXPIRED"].includes(e.status) && e.sealStatus !== "PENDING" ? html`<section aria-labelledby="purge"><h2 id="purge">${v.t("purgeTitle")}</h2><p>${v.t("purgeHint")}</p>
${form(v, `${base}/purge`, html`<button type="submit" class="danger">${v.t("purgeButton")}</button>`, { confirm: v.t("purgeConfirm") })}</section>` : ""}
<section aria-labelledby="audit"><h2 id="audit">${v.t("audit")}</h2>
${table(v.t("audit"), ["#", v.t("when"), v.t("event"), v.t("actor"), v.t("details")], events.map((a) => html`<tr>
<td>${a.seq}</td><td>${time(a.at)}</td><td><code>${a.type}</code></td><td><span dir="ltr">${a.actor}</span>${a.ip ? html`<br><span class="muted small" dir="ltr">${a.ip}</span>` : ""}</td>
<td>${details(a.data)}</td></tr>`), "")}
</section>`;
}
