/**
 * The console's languages: every language of the server (LOCALES, the signer page's) has every
 * English string and no other, with the same placeholders; over real HTTP the console follows
 * ?lang=, then the switcher's remembered choice, then Accept-Language, then English.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LOCALES } from "../src/enums";
import { STRINGS } from "../src/modules/admin/i18n";
import { addAdmin, consoleClient } from "./helpers/admin";
import { createEnvelope, quickStart, uploadDoc } from "./helpers/envelopes";
import { expectEveryLocaleComplete } from "./helpers/strings";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000" } });
});
afterAll(() => s?.stop());

describe("strings", () => {
  test("every language of the server has every English string and no other, not empty, with the same placeholders", () => {
    expectEveryLocaleComplete(STRINGS);
  });

  test("each language other than English is translated, not English left in place", () => {
    for (const locale of LOCALES.filter((l) => l !== "en")) {
      const table = STRINGS[locale];
      const same = (Object.keys(STRINGS.en) as (keyof typeof STRINGS.en)[]).filter((k) => table[k] === STRINGS.en[k]);
      // Names, acronyms and loanwords ("Logo", "SHA-256", "Webhooks") may stay; a copied table may not.
      expect(same.length, `${locale}: ${same.join(", ")}`).toBeLessThan(20);
    }
  });
});

const loginPage = (headers: Record<string, string> = {}, query = "") =>
  fetch(`${s.url}/admin/login${query}`, { headers, redirect: "manual" }).then(async (res) => ({ res, text: await res.text() }));
const langOf = (text: string) => /<html lang="([^"]+)"/.exec(text)?.[1];

describe("which language", () => {
  test("Accept-Language picks the first language the console speaks; English otherwise", async () => {
    expect(langOf((await loginPage({ "accept-language": "el-GR,el;q=0.9,en;q=0.5" })).text)).toBe("el");
    const de = await loginPage({ "accept-language": "ja, de-AT;q=0.8" });
    expect(langOf(de.text)).toBe("de");
    expect(de.text).toContain("<h1>Anmelden</h1>");
    expect(de.text).toContain('<label for="password">Passwort</label>');
    expect(langOf((await loginPage({ "accept-language": "ja, zh-CN" })).text)).toBe("en");
    expect(langOf((await loginPage()).text)).toBe("en");
  });

  test("?lang= wins over Accept-Language; an unknown one is ignored", async () => {
    expect(langOf((await loginPage({ "accept-language": "de" }, "?lang=pt")).text)).toBe("pt");
    expect(langOf((await loginPage({ "accept-language": "de" }, "?lang=xx")).text)).toBe("de");
  });

  test("the switcher lists every language in its own name and marks the current one", async () => {
    const { text } = await loginPage({ "accept-language": "nl" });
    const options = [...text.matchAll(/<option value="(\w+)" lang="\w+"( selected)?>([^<]+)<\/option>/g)];
    expect(options.map((o) => o[1])).toEqual([...LOCALES]);
    expect(options.filter((o) => o[2]).map((o) => o[1])).toEqual(["nl"]);
    expect(options.find((o) => o[1] === "el")?.[3]).toBe("Ελληνικά");
    expect(text).toContain('<label for="lang-select">Taal</label>');
    // It sends back to the same page, without ?lang= (it would override the choice) or a one-time notice.
    const again = await loginPage({}, "?next=%2Fadmin%2Fkeys&lang=de&done=1");
    expect(again.text).toContain('<input type="hidden" name="next" value="/admin/login?next=%2Fadmin%2Fkeys">');
  });

  test("the switcher remembers the choice over Accept-Language and goes back where it was", async () => {
    const c = consoleClient(s);
    const { res } = await c.get("/admin/language?lang=it&next=%2Fadmin%2Flogin%3Fnext%3D%252Fadmin%252Fkeys");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login?next=%2Fadmin%2Fkeys");
    expect(res.headers.get("set-cookie")).toMatch(/^certyneo_admin_lang=it; Path=\/admin; Max-Age=\d+; HttpOnly; SameSite=Lax/);
    const cookie = `certyneo_admin_lang=${c.jar.get("certyneo_admin_lang")}`;
    const page = await loginPage({ cookie, "accept-language": "fr" });
    expect(langOf(page.text)).toBe("it");
    expect(page.text).toContain("<h1>Accedi</h1>");
  });

  test("an unknown language sets nothing, and the switcher sends nowhere outside the console", async () => {
    const c = consoleClient(s);
    const unknown = await c.get("/admin/language?lang=xx&next=%2Fadmin%2Flogin");
    expect(unknown.res.status).toBe(303);
    expect(unknown.res.headers.get("set-cookie")).toBeNull();
    for (const next of ["https://evil.example/", "//evil.example/admin", "/verify", "/admin@evil.example", "/admin/\\evil.example", "/admin\\evil", "/admin/x\r\nSet-Cookie: a=b"]) {
      const { res } = await c.get(`/admin/language?lang=de&next=${encodeURIComponent(next)}`);
      expect(res.headers.get("location"), next).toBe("/admin");
    }
    // Back to where the admin was, a search with an e-mail address or the environment included.
    for (const next of ["/admin/envelopes?q=ana@example.com&status=SENT", "/admin?env=test"]) {
      const { res } = await c.get(`/admin/language?lang=de&next=${encodeURIComponent(next)}`);
      expect(res.headers.get("location")).toBe(next);
    }
    const accented = await c.get(`/admin/language?lang=de&next=${encodeURIComponent("/admin/envelopes?q=Élodie عربي")}`);
    expect(accented.res.headers.get("location")).toBe("/admin/envelopes?q=%C3%89lodie%20%D8%B9%D8%B1%D8%A8%D9%8A");
  });
});

describe("directions in a page title", () => {
  test("a subject's own direction stays inside it: the title's suffix is not turned around", async () => {
    await addAdmin(s, "titles@example.com");
    const c = consoleClient(s);
    await c.login("titles@example.com");
    const doc = await uploadDoc(s);
    const e = await createEnvelope(s, quickStart([doc.id], undefined, { subject: "Contrat \u202Eabc" }));
    const page = await c.get(`/admin/envelopes/${e.id}?env=test`);
    expect(page.res.status).toBe(200);
    expect(/<title>([^<]*)<\/title>/.exec(page.text)?.[1]).toBe("\u2068Contrat \u202Eabc\u2069 — Certyneo console");
  });
});

