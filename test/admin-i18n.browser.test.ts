/**
 * The console in Greek, German and Arabic (right to left) in a real browser (Debian's Chromium): a Greek browser gets the
 * login in Greek and logs in with it; the switcher turns the console German and keeps it so. Every
 * page passes axe-core (lang attributes, labels, contrast with the longer words) and is
 * photographed (test/artefacts/admin-i18n/).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addAdmin, ADMIN_EMAIL, ADMIN_PASSWORD } from "./helpers/admin";
import { axeViolations, launchBrowser, photograph } from "./helpers/browser";
import { createEnvelope, quickStart, sendEnvelope, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";

setDefaultTimeout(60_000);

let s: TestServer;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;

beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000" } });
  await addAdmin(s);
  const doc = await uploadDoc(s);
  const env = await createEnvelope(s, quickStart([doc.id], [{ email: "eleni@example.com", name: "Ελένη Παπαδοπούλου" }], { subject: "Σύμβαση εργασίας" }));
  await sendEnvelope(s, env.id);
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "el-GR", serviceWorkers: "block" });
  page = await ctx.newPage();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

async function check(name: string, lang: string) {
  expect(await page.locator("html").getAttribute("lang")).toBe(lang);
  expect(await axeViolations(page)).toEqual([]);
  await photograph(page, `admin-i18n-${name}`);
}

const heading = () => page.getByRole("heading", { level: 1 }).textContent();

describe("the console in Greek and German", () => {
  test("a Greek browser gets the login form in Greek and signs in with it", async () => {
    await page.goto(`${s.url}/admin`);
    expect(await heading()).toBe("Σύνδεση");
    await check("login-el", "el");
    await page.getByLabel("Email").fill(ADMIN_EMAIL);
    await page.getByLabel("Κωδικός πρόσβασης").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Σύνδεση" }).click();
    await page.waitForURL(`${s.url}/admin`);
    expect(await heading()).toBe("Επισκόπηση");
    await check("dashboard-el", "el");
  });

  test("every console page in Greek passes axe-core", async () => {
    for (const [path, title] of [
      ["/admin/envelopes?env=test", "Φάκελοι"],
      ["/admin/keys", "Κλειδιά API"],
      ["/admin/webhooks", "Webhooks"],
      ["/admin/failures", "Αποτυχίες"],
      ["/admin/settings", "Ρυθμίσεις"],
      ["/admin/branding", "Εταιρική ταυτότητα και αποστολέας"],
      ["/admin/activity", "Δραστηριότητα"],
    ] as const) {
      await page.goto(s.url + path);
      expect(await heading()).toBe(title);
      await check(`${path.split(/[/?]/)[2]}-el`, "el");
    }
    await page.getByRole("link", { name: "Φάκελοι" }).click();
    await page.getByRole("link", { name: "Σύμβαση εργασίας" }).click();
    expect(await page.getByRole("heading", { name: "Συμβάντα ελέγχου" }).count()).toBe(1);
    await check("envelope-el", "el");
  });

  test("the switcher turns the console German, on the same page, and it stays German", async () => {
    await page.goto(`${s.url}/admin/envelopes?env=test`);
    await page.getByLabel("Γλώσσα").selectOption("de");
    await page.getByRole("button", { name: "Αλλαγή" }).click();
    await page.waitForURL(`${s.url}/admin/envelopes?env=test`);
    expect(await heading()).toBe("Umschläge");
    await check("envelopes-de", "de");
    for (const [path, title] of [
      ["/admin", "Übersicht"],
      ["/admin/keys", "API-Schlüssel"],
      ["/admin/failures", "Fehler"],
      ["/admin/settings", "Einstellungen"],
      ["/admin/branding", "Erscheinungsbild und Absender"],
    ] as const) {
      await page.goto(s.url + path);
      expect(await heading()).toBe(title);
      await check(`${path.split(/[/?]/)[2] ?? "dashboard"}-de`, "de");
    }
    await page.getByRole("link", { name: "Umschläge" }).click();
    await page.getByRole("link", { name: "Σύμβαση εργασίας" }).click();
    expect(await page.getByRole("heading", { name: "Audit-Ereignisse" }).count()).toBe(1);
    await check("envelope-de", "de");
  });

  test("in Arabic every console page is laid out right to left and passes axe-core", async () => {
    for (const [path, title] of [
      ["/admin?lang=ar", "لوحة المعلومات"],
      ["/admin/envelopes?env=test&lang=ar", "المغلفات"],
      ["/admin/keys?lang=ar", "مفاتيح API"],
      ["/admin/failures?lang=ar", "الإخفاقات"],
      ["/admin/settings?lang=ar", "الإعدادات"],
      ["/admin/branding?lang=ar", "الهوية والمرسل"],
      ["/admin/activity?lang=ar", "النشاط"],
    ] as const) {
      await page.goto(s.url + path);
      expect(await heading()).toBe(title);
      expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
      expect(await page.evaluate(() => getComputedStyle(document.body).direction)).toBe("rtl");
      await check(`${path.replace(/\?.*/, "").split("/")[2] || "dashboard"}-ar`, "ar");
    }
  });
});

/**
 * Left-to-right values in a right-to-left page: each run of text is isolated, or the bidi
 * algorithm moves its leading and trailing neutrals (brackets, an ellipsis) and its words to the
 * other side (a time read "UTC 03:30 2026-12-01").
 */
describe("the console in Arabic keeps left-to-right values in order", () => {
  /** The left edge, in the page, of each character of the first element matching `selector` whose text includes `text`. */
  const charLefts = (selector: string, text: string) =>
    page.evaluate(([selector, text]) => {
      const el = [...document.querySelectorAll(selector)].find((e) => e.textContent!.includes(text));
      if (!el) throw new Error(`no ${selector} with ${text}`);
      const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.includes(text))!;
      const content = node.textContent!;
      return [...content].map((_, i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return { char: content[i]!, left: range.getBoundingClientRect().left };
      });
    }, [selector, text] as const);
  const leftOf = (chars: { char: string; left: number }[], char: string, last = false) => {
    const found = last ? chars.findLast((c) => c.char === char) : chars.find((c) => c.char === char);
    if (!found) throw new Error(`no ${char} in ${chars.map((c) => c.char).join("")}`);
    return found.left;
  };

  test("a time, an e-mail in brackets and a key's prefix read left to right", async () => {
    await page.goto(`${s.url}/admin/envelopes?env=test&lang=ar`);
    const email = await charLefts("td span.muted", "eleni@example.com");
    expect(leftOf(email, "<")).toBeLessThan(leftOf(email, "e"));
    expect(leftOf(email, ">")).toBeGreaterThan(leftOf(email, "m", true));
    const when = await charLefts("td time", "UTC");
    expect(leftOf(when, "2")).toBeLessThan(leftOf(when, "U"));

    await page.goto(`${s.url}/admin/keys?lang=ar`);
    const prefix = await charLefts("td code", "…");
    expect(leftOf(prefix, "…")).toBeGreaterThan(leftOf(prefix, "_", true));
  });
});
