import type { Deps } from "../../../deps";
import { BrandingSchema } from "../../branding/model";
import { getBranding, LOGO_MAX_BYTES } from "../../branding/service";
import { html } from "../html";
import { form, notice, type View } from "../layout";

/** The branding and sender-identity form; `values` refills it after a refused save. */
export async function brandingBody(deps: Deps, v: View, message?: { text: string; kind: "ok" | "error" }, values?: Record<string, string>) {
  const b = await getBranding(deps.db);
  const val = (k: keyof typeof b) => values?.[k] ?? String(b[k] ?? "");
  const field = (id: "organisationName" | "fromName" | "fromAddress" | "replyTo", label: string, type = "text") =>
    html`<label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" value="${val(id)}" maxlength="${BrandingSchema.properties[id].maxLength!}">`;
  return html`
${message ? notice(message.text, message.kind) : ""}
${form(v, "/admin/branding", html`
${field("organisationName", v.t("organisationName"))}
<label for="accentColor">${v.t("accentColor")}</label><input id="accentColor" name="accentColor" type="color" value="${val("accentColor")}" aria-describedby="accent-hint"><small id="accent-hint" class="muted">${v.t("accentHint")}</small>
<fieldset class="stack"><legend>${v.t("logo")}</legend>
<img class="logo-preview" src="/branding/logo" alt="${v.t("currentLogo")}">
<label for="logo">${v.t("logoUpload", { kb: LOGO_MAX_BYTES / 1024 })}</label><input id="logo" name="logo" type="file" accept="image/png,image/svg+xml">
${b.logo ? html`<label class="check"><input type="checkbox" name="removeLogo" value="on"> ${v.t("removeLogo")}</label>` : ""}
</fieldset>
<h2>${v.t("senderIdentity")}</h2>
${field("fromName", v.t("fromName"))}
${field("fromAddress", v.t("fromAddress"), "email")}
${field("replyTo", v.t("replyTo"), "email")}
<button type="submit" class="primary">${v.t("save")}</button>`, { className: "stack card" })}`;
}
