/**
 * The public verification page /verify in a real browser (Debian's Chromium): no key, upload a
 * sealed PDF, read the report in plain words; axe-core finds no accessibility violation on the
 * form nor on the report; nothing asked of another host, no script at all, nothing stored;
 * each client address is rate-limited.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openPage } from "./helpers/browser";
import { uploadDoc } from "./helpers/envelopes";
import { completeAll, download } from "./helpers/sealing";
import { startTestServer, type TestServer } from "./helpers/server";
import { tempDir } from "./helpers/spawn";

setDefaultTimeout(60_000);

const AXE = join(import.meta.dir, "../node_modules/axe-core/axe.min.js");
const dir = tempDir("certyneo-verify-page-");
let s: TestServer;
let browser: Browser;
let sealedFile: string;

beforeAll(async () => {
  s = await startTestServer({ realClock: true, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", CERTYNEO_VERIFY_PUBLIC_PER_MINUTE: "6" } });
  browser = await launchBrowser();
  const doc = await uploadDoc(s);
  const id = await completeAll(s, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
  sealedFile = join(dir, "contract-signed.pdf");
  writeFileSync(sealedFile, (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes);
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** axe-core's violations on the page as it is (run in a context that lets the test inject it). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe.run());
  return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
}

const filesStored = () => readdirSync(join(s.dir, "files"), { recursive: true }).length;

describe("/verify", () => {
  test("upload a sealed PDF, read the report; accessible, offline, nothing stored", async () => {
    const stored = filesStored();
    const o = await openPage(browser, `${s.url}/verify`);
    try {
      expect(await o.page.title()).toBe("Verify a signed PDF");
      await o.page.setInputFiles("#file", sealedFile);
      await Promise.all([o.page.waitForURL(`${s.url}/verify`), o.page.click("button[type=submit]")]);
      await o.page.waitForSelector(".verdict");
      const text = await o.page.locator("main").innerText();
      expect(text).toContain("Intact, but not trusted");
      expect(text).toContain("Signature 1:");
      expect(text).toContain("The signed content is intact.");
      expect(text).toContain("It covers the whole document.");
      expect(text).toContain("not trusted by this server");
      expect(text).toContain("made with this server's sealing certificate");
      // Times as people read them, not ISO strings.
      expect(text).toMatch(/Claimed signing time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(not proven by a time-stamp\)/);
      expect(text).toContain("contract-signed.pdf");
      expect(o.requests.filter((u) => !u.startsWith(s.url + "/"))).toEqual([]);
      expect(o.problems).toEqual([]);
    } finally {
      await o.close();
    }
    expect(filesStored()).toBe(stored);
  });

  test("axe-core: no violation on the form nor on the report, in English, French, German and Arabic (right to left)", async () => {
    const intact: Record<string, string> = { "fr-FR": "Le contenu signé est intact.", "de-DE": "Der signierte Inhalt ist unversehrt.", "ar-EG": "المحتوى الموقّع سليم." };
    for (const locale of ["en-US", "fr-FR", "de-DE", "ar-EG"]) {
      const context = await browser.newContext({ bypassCSP: true, locale, extraHTTPHeaders: { "accept-language": locale } });
      try {
        const page = await context.newPage();
        await page.goto(`${s.url}/verify`);
        expect(await page.getAttribute("html", "lang")).toBe(locale.slice(0, 2));
        expect(await page.getAttribute("html", "dir")).toBe(locale === "ar-EG" ? "rtl" : "ltr");
        expect(await axeViolations(page)).toEqual([]);
        await page.setInputFiles("#file", sealedFile);
        await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
        await page.waitForSelector(".verdict");
        if (intact[locale]) expect(await page.locator("main").innerText()).toContain(intact[locale]!);
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });

  test("a file that is not a PDF is answered in words, not a stack trace", async () => {
    const form = new FormData();
    form.set("file", new File(["hello"], "note.txt"));
    const res = await fetch(`${s.url}/verify`, { method: "POST", body: form, headers: { "x-forwarded-for": "192.0.2.10" } });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("This file could not be checked");
  });

  test("rate-limited per client address", async () => {
    // The test server does not trust X-Forwarded-For: every request here comes from 127.0.0.1.
    const post = () => {
      const form = new FormData();
      form.set("file", new File(["%PDF-1.7 nothing"], "x.pdf"));
      return fetch(`${s.url}/verify`, { method: "POST", body: form });
    };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post()).status);
    expect(statuses).toContain(429);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many checks");
  });
});
