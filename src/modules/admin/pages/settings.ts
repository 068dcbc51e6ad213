import type { Deps } from "../../../deps";
import { sealingCertificate } from "../../sealing/key";
import { html } from "../html";
import { form, notice, table, time, type View } from "../layout";

/** Setting names whose values are credentials: shown only as set or empty. */
const SECRET = /password|secret|authorization|^pin$|^header$/i;

/** Every leaf of the effective configuration; secrets shown only as set or not. */
function configRows(obj: Record<string, unknown>, prefix = ""): [string, string][] {
  return Object.entries(obj).flatMap(([k, val]): [string, string][] => {
    const path = prefix + k;
    if (val && typeof val === "object" && !Array.isArray(val)) return configRows(val as Record<string, unknown>, path + ".");
    if (SECRET.test(k)) return [[path, val ? "•••••• (set)" : "(empty)"]];
    return [[path, Array.isArray(val) ? val.join(", ") : String(val)]];
  });
}

export async function settingsBody(deps: Deps, v: View, adminEmail: string, message?: { text: string; kind: "ok" | "error" }) {
  let cert: ReturnType<typeof html>;
  try {
    const key = await deps.sealingKey();
    const certificate = sealingCertificate(key);
    const notAfter = certificate.notAfter;
    const days = Math.floor((notAfter.getTime() - deps.clock.now().getTime()) / 86400_000);
    cert = html`<dl class="facts"><dt>${v.t("certSubject")}</dt><dd>${certificate.subject}</dd><dt>${v.t("certExpires")}</dt><dd>${time(notAfter)}</dd></dl>
${days < 30 ? notice(v.t("certExpiresSoon", { days }), "error") : ""}${key.development ? notice(v.t("certDevelopment"), "warn") : ""}`;
  } catch (e) {
    cert = notice(v.t("certError", { error: (e as Error).message }), "error");
  }
  return html`
${message ? notice(message.text, message.kind) : ""}
<section aria-labelledby="cert"><h2 id="cert">${v.t("sealCertificate")}</h2>${cert}</section>
<section aria-labelledby="backup"><h2 id="backup">${v.t("backupTitle")}</h2>
<p>${v.t("backupHint")}</p><p><a href="/admin/backup" download>${v.t("backupDownload")}</a></p></section>
<section aria-labelledby="mail"><h2 id="mail">${v.t("testEmail")}</h2>
${form(v, "/admin/settings/test-email", html`<div><label for="to">${v.t("testEmailTo")}</label><input id="to" name="to" type="email" required value="${adminEmail}"></div>
<div><button type="submit">${v.t("send")}</button></div>`, { className: "filters" })}
</section>
<section aria-labelledby="config"><h2 id="config">${v.t("configuration")}</h2>
${table(v.t("configuration"), [v.t("setting"), v.t("value")], configRows(deps.config).map(([k, val]) => html`<tr><td><code>${k}</code></td><td><code class="data">${val}</code></td></tr>`), "")}
</section>`;
}
