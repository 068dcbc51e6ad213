/**
 * A signer whose network has spent its allowance (300 requests a minute by default: an office
 * behind one address) opens their link in a real browser (Debian's Chromium): they read why, in
 * their browser's language, on a page that breaks no rule of its policy and passes axe-core; once
 * the wait is over, the link opens the signing page again. A link cut short gets such a page too.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { axeViolations, launchBrowser, openPage } from "./helpers/browser";
import { startTestServer, type TestServer } from "./helpers/server";

setDefaultTimeout(60_000);

let s: TestServer;
let browser: Browser;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ANONYMOUS_BURST: "1", CERTYNEO_RATE_LIMIT_ANONYMOUS_PER_MINUTE: "1" } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe("a signing link the server cannot open", () => {
  test("says so in the browser's language, and opens once the wait is over", async () => {
    const link = `${s.url}/s/${"D".repeat(43)}`;
    // The allowance of one request, spent by another browser of the same office.
    expect((await fetch(link)).status).toBe(200);

    const o = await openPage(browser, link, { locale: "fr-FR" });
    try {
      expect(await o.page.title()).toBe("Trop de requêtes");
      const text = await o.page.locator("main").innerText();
      expect(text).toMatch(/Trop de requêtes sont venues de votre réseau\. Réessayez dans \d+ secondes\./);
      expect(text).toMatch(/Référence : req_|Référence: req_/);
      expect(await axeViolations(o.page)).toEqual([]);
      // The refused navigation itself is all Chromium reports: no policy violation, no script error.
      expect(o.problems.filter((p) => !p.includes("status of 429"))).toEqual([]);
      expect(o.requests).toEqual([link]);
    } finally {
      await o.close();
    }

    (s.clock as any).advance(60_000);
    const again = await openPage(browser, link, { locale: "fr-FR" });
    try {
      // The signing page itself (its assets are then refused in turn: the allowance here is one request).
      expect(await again.page.title()).toBe("Certyneo");
      expect(await again.page.locator("#state").count()).toBe(1);
    } finally {
      await again.close();
    }
  });

  test("cut short (by a mail client, at the end of a line): a page in the browser's language that says no page is there", async () => {
    (s.clock as any).advance(60_000);
    const o = await openPage(browser, `${s.url}/s/`, { locale: "de-DE" });
    try {
      expect(await o.page.title()).toBe("Seite nicht gefunden");
      expect(await o.page.locator("main").innerText()).toContain("Prüfen Sie den Link, dem Sie gefolgt sind: Er wurde vielleicht abgeschnitten.");
      expect(await axeViolations(o.page)).toEqual([]);
      expect(o.problems.filter((p) => !p.includes("status of 404"))).toEqual([]);
    } finally {
      await o.close();
    }
  });
});
