import { html } from "../html";
import { notice, type View } from "../layout";

/** The login form; its CSRF token is the double-submit cookie set with it (no session yet). */
export const loginBody = (v: View, loginCsrf: string, opts: { email?: string; error?: string; info?: string; next?: string }) => html`
${opts.error ? notice(opts.error, "error") : ""}${opts.info ? notice(opts.info, "warn") : ""}
<form method="post" action="/admin/login" enctype="multipart/form-data" class="card stack login">
<input type="hidden" name="_csrf" value="${loginCsrf}">
${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ""}
<label for="email">${v.t("email")}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${opts.email ?? ""}">
<label for="password">${v.t("password")}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">${v.t("signIn")}</button>
</form>`;

export const totpBody = (v: View, error?: string) => html`
${error ? notice(error, "error") : ""}
<form method="post" action="/admin/login/totp" enctype="multipart/form-data" class="card stack login">
<input type="hidden" name="_csrf" value="${v.csrf}">
<label for="code">${v.t("totpCode")}</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required>
<button type="submit" class="primary">${v.t("verify")}</button>
</form>`;
