import type { Deps } from "../../../deps";
import { documents } from "../../../store/schema";
import { definePager } from "../../../store/paginate";
import { html } from "../html";
import { href, table, time, type View } from "../layout";

/** Every document of the environment, deleted ones too (the console shows them as such). */
const allDocumentPages = definePager(documents, { owner: documents.environment });

export async function documentsBody(deps: Deps, v: View) {
  const page = await allDocumentPages.page(deps.db, { owner: v.env, limit: 100, startingAfter: v.query.get("after") ?? undefined });
  const last = page.data.at(-1)?.id;
  return html`
${table(v.t("documentsTitle"), [v.t("name"), v.t("pages"), v.t("sha256"), v.t("created")], page.data.map((d) => html`<tr>
<td>${d.name}${d.deletedAt ? html` <span class="badge badge-voided">${v.t("deleted")}</span>` : ""}<br><code class="small">${d.id}</code></td>
<td>${d.pageCount}</td><td><code class="hash">${d.sha256}</code></td><td>${time(d.createdAt)}</td></tr>`), v.t("noDocuments"))}
${page.hasMore && last ? html`<p><a href="${href("/admin/documents", { after: last })}">${v.t("older")} →</a></p>` : ""}`;
}
