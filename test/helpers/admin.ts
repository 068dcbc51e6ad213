import { CLI_ACTOR } from "../../src/modules/admin/actions";
import { createAdmin } from "../../src/modules/admin/accounts";
import type { TestServer } from "./server";

export const ADMIN_EMAIL = "it@example.com";
export const ADMIN_PASSWORD = "correct horse battery staple";

export const addAdmin = (s: TestServer, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) => createAdmin(s.deps, CLI_ACTOR, { email, password });

/** The value of the hidden _csrf input of an HTML page. */
export const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? null;

/**
 * A browser-less console client over fetch: keeps cookies like a browser would (by name; the
 * console scopes them all under /admin), never follows redirects (tests check them).
 */
export function consoleClient(s: TestServer) {
  const jar = new Map<string, string>();
  let csrf: string | null = null;
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i), value = pair!.slice(i + 1);
      if (/Max-Age=0/i.test(c) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  };
  const headers = () => ({ cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") });
  const client = {
    jar,
    async get(path: string) {
      const res = await fetch(s.url + path, { headers: headers(), redirect: "manual" });
      remember(res);
      const text = await res.text();
      csrf = csrfOf(text) ?? csrf;
      return { res, text };
    },
    /** A form POST (multipart, as the console's forms send it) with the last page's CSRF token unless `_csrf` is given. */
    async post(path: string, fields: Record<string, string> = {}, opts: { csrf?: string | null } = {}) {
      const form = new FormData();
      const token = opts.csrf === undefined ? csrf : opts.csrf;
      if (token) form.set("_csrf", token);
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      const res = await fetch(s.url + path, { method: "POST", headers: headers(), body: form, redirect: "manual" });
      remember(res);
      const text = await res.text();
      csrf = csrfOf(text) ?? csrf;
      return { res, text };
    },
    async login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
      await client.get("/admin/login");
      return client.post("/admin/login", { email, password });
    },
  };
  return client;
}
