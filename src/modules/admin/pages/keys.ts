import type { Deps } from "../../../deps";
import { SCOPES } from "../../keys/scopes";
import { listKeys } from "../../keys/service";
import { html } from "../html";
import { badge, form, notice, table, time, type View } from "../layout";

export async function keysBody(deps: Deps, v: View, created?: { id: string; secret: string }) {
  const keys = await listKeys(deps.db, v.env);
  return html`
${created ? html`<div class="card stack created-key">${notice(v.t("keyCreated"), "warn")}
<label for="new-key">${v.t("keyValue")}</label>
<div class="copy-row"><input id="new-key" readonly value="${created.secret}" class="mono"><button type="button" data-copy="new-key" data-copied="${v.t("copied")}">${v.t("copy")}</button></div></div>` : ""}
<section aria-labelledby="create"><h2 id="create">${v.t("createKey")}</h2>
${form(v, "/admin/keys", html`<div><label for="key-name">${v.t("keyName")}</label><input id="key-name" name="name" required maxlength="100"></div>
<div><label for="key-env">${v.t("environment")}</label><select id="key-env" name="environment">
${(["test", "live"] as const).map((e) => html`<option value="${e}"${e === v.env ? " selected" : ""}>${e}</option>`)}</select></div>
<fieldset class="scopes"><legend>${v.t("scopes")}</legend>
${SCOPES.map((sc) => html`<label class="check"><input type="checkbox" name="scope_${sc}" value="on"${sc !== "keys" ? " checked" : ""}> <code>${sc}</code></label>`)}</fieldset>
<div><button type="submit" class="primary">${v.t("createKey")}</button></div>`, { className: "filters" })}
</section>
<section aria-labelledby="list"><h2 id="list">${v.t("keysTitle")}</h2>
${table(v.t("keysTitle"), [v.t("keyName"), v.t("prefix"), v.t("scopes"), v.t("created"), v.t("lastUsed"), v.t("status"), v.t("actions")], keys.map((k) => html`<tr>
<td>${k.name}<br><code class="small">${k.id}</code></td><td><code>${k.prefix}…</code></td><td>${k.scopes.join(", ")}</td><td>${time(k.createdAt)}</td>
<td>${k.lastUsedAt ? time(k.lastUsedAt) : v.t("never")}</td>
<td>${k.revokedAt ? html`${badge(v.t("revoked"), "voided")} ${time(k.revokedAt)}` : badge(v.t("active"), "completed")}</td>
<td>${k.revokedAt ? "" : form(v, `/admin/keys/${k.id}/revoke`, html`<button type="submit" class="danger" aria-label="${v.t("revoke")} ${k.name}">${v.t("revoke")}</button>`, { confirm: `${v.t("revoke")} ${k.name}?` })}</td></tr>`), v.t("noKeys"))}
</section>`;
}
