/**
 * The admin console in a real browser (Debian's Chromium through playwright-core) against the
 * real server: log in through the form, create an API key and use it, revoke it and see 401,
 * find an envelope by a recipient's e-mail, see an invitation that SMTP refused and resend it
 * once SMTP answers, be told where the envelopes are when the data shown has none, retry a
 * failed seal, download a backup. Every page passes axe-core, asks no other host for
 * anything and is photographed at desktop and phone sizes (test/artefacts/admin/).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { maxRetryDelayMs, MAX_ATTEMPTS } from "../src/jobs/schedule";
import { markSealFailed } from "../src/modules/sealing/service";
import { addAdmin, ADMIN_EMAIL, ADMIN_PASSWORD } from "./helpers/admin";
import { axeViolations, launchBrowser, PHONE, photograph } from "./helpers/browser";
import type { FakeClock } from "./helpers/clock";
import { complete, createEnvelope, getEnvelope, quickStart, sendEnvelope, tokenOf, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { startSmtpSink, type SmtpSink } from "./helpers/smtp";
import { freePort, run } from "./helpers/spawn";

setDefaultTimeout(60_000);

let s: TestServer;
let smtpPort: number;
let sink: SmtpSink | null = null;
let browser: Browser;
let desktop: BrowserContext;
let phone: BrowserContext;
let page: Page;
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  // SMTP points at a port where nothing listens yet: invitations fail until the sink starts there.
  smtpPort = await freePort();
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", CERTYNEO_SMTP_HOST: "127.0.0.1", CERTYNEO_SMTP_PORT: String(smtpPort), CERTYNEO_SMTP_PASSWORD: "hunter2-smtp-secret" } });
  await addAdmin(s);
  browser = await launchBrowser();
  desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", serviceWorkers: "block" });
  // A phone's width and touch; at 1 device pixel per CSS pixel, as the layout and axe see no
  // difference and a 3x full-page photograph costs three times the whole page check.
  phone = await browser.newContext({ ...PHONE, deviceScaleFactor: 1, locale: "en-US", serviceWorkers: "block" });
  for (const ctx of [desktop, phone]) {
    ctx.on("request", (r) => requests.push(r.url()));
    ctx.on("page", (p) => {
      p.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    });
  }
  page = await desktop.newPage();
});
afterAll(async () => {
  await browser?.close();
  await sink?.close();
  await s?.stop();
});

/** Each console page: axe-core finds nothing; photographed at desktop size, and at phone size in the phone context. */
async function check(name: string, p: Page = page) {
  const violations = await axeViolations(p);
  expect(violations).toEqual([]);
  await photograph(p, `admin-${name}-desktop`);
  // The phone shares the desktop's cookies as they are now (session, and the data shown), so it shows the same page.
  await phone.addCookies(await desktop.cookies());
  const mobile = await phone.newPage();
  await mobile.goto(p.url());
  expect(await mobile.locator("h1").textContent()).toBe(await p.locator("h1").textContent());
  expect(await axeViolations(mobile)).toEqual([]);
  // Nothing wider than the phone's screen but tables, which scroll in their own region.
  const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await photograph(mobile, `admin-${name}-phone`);
  await mobile.close();
}

const drain = () => s.running.app.jobs.drain();

/** Logs in through the form (again after the fake clock has jumped past the session's life). */
async function logIn() {
  await page.goto(`${s.url}/admin/login`);
  await page.getByLabel("E-mail").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${s.url}/admin`);
}

describe("the console in Chromium", () => {
  test("log in through the form", async () => {
    await page.goto(`${s.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await check("login");
    await logIn();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Dashboard");
    await check("dashboard");
  });

  test("create a key in the console, use it, revoke it: 401", async () => {
    await page.goto(`${s.url}/admin/keys?env=test`);
    await page.getByLabel("Name").fill("HR integration");
    await page.getByLabel("Environment").selectOption("test");
    await page.getByRole("checkbox", { name: "keys", exact: true }).check();
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByLabel("The new API key").inputValue();
    expect(key).toMatch(/^sk_test_/);
    await check("key-created");
    expect((await s.api("/api/v1/envelopes", { key })).status).toBe(200);
    // The "keys" scope was ticked: this key may list keys.
    expect((await s.api("/api/v1/keys", { key })).status).toBe(200);
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Revoke HR integration" }).click();
    await page.waitForURL(/done=1/);
    expect(await page.getByRole("row", { name: /HR integration/ }).getByText("Revoked").count()).toBe(1);
    expect((await s.api("/api/v1/envelopes", { key })).status).toBe(401);
    // The key is shown once: the list shows its prefix only.
    expect(await page.content()).not.toContain(key);
    await check("keys");
  });

  test("find an envelope by recipient e-mail; a refused invitation shows failed, then is resent", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id], [{ email: "ana.silva@example.com", name: "Ana Silva" }], { subject: "Offer letter", metadata: { employeeId: "E-4711" } }));
    await sendEnvelope(s, env.id);
    await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [{ email: "bob@example.com", name: "Bob" }], { subject: "Other" }))).id);
    // SMTP refuses every attempt until the delivery gives up.
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await drain();
      if (attempt < MAX_ATTEMPTS) (s.clock as FakeClock).advance(maxRetryDelayMs(attempt));
    }
    const api = await getEnvelope(s, env.id);
    expect(api.recipients[0].status).toBe("SENT");
    expect(api.recipients[0].delivery).toMatchObject({ status: "failed", channel: "email", attempts: MAX_ATTEMPTS });
    expect(api.recipients[0].delivery.lastError).toMatch(/ECONNREFUSED|connect/i);

    await logIn();
    await page.goto(`${s.url}/admin/envelopes`);
    await page.getByLabel("Search").fill("ana.silva@example.com");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/q=ana.silva/);
    expect(await page.locator("tbody tr").count()).toBe(1);
    await check("envelopes-search");
    await page.goto(`${s.url}/admin/envelopes?q=E-4711`);
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.getByRole("link", { name: "Offer letter" }).click();
    // The envelope's page, loaded, before reading it (reading during the navigation races it).
    await page.waitForURL(/\/admin\/envelopes\/env_/);
    const row = page.getByRole("row", { name: /Ana Silva/ });
    await expect(row.locator(".badge-delivery-failed").textContent()).resolves.toBe("failed");
    await check("envelope-failed-delivery");

    await page.goto(`${s.url}/admin/failures`);
    expect(await page.getByRole("row", { name: /Ana Silva/ }).count()).toBe(1);
    // Two failed deliveries (Ana's and Bob's): one button retries both.
    expect(await page.getByRole("button", { name: "Retry all 2" }).count()).toBe(1);
    await check("failures");

    sink = await startSmtpSink({ port: smtpPort });
    await page.goto(`${s.url}/admin/envelopes/${env.id}`);
    await page.getByRole("button", { name: "Resend invitation" }).click();
    await page.waitForURL(/done=1/);
    await drain();
    const [mail] = await sink.waitFor(1);
    expect(mail!.to).toEqual(["ana.silva@example.com"]);
    expect((await getEnvelope(s, env.id)).recipients[0].delivery).toMatchObject({ status: "sent", channel: "email", attempts: 1, lastError: null });
    await page.reload();
    await expect(page.getByRole("row", { name: /Ana Silva/ }).locator(".badge-delivery-sent").textContent()).resolves.toBe("sent");
    expect(await page.getByRole("cell", { name: /recipient.invited/ }).count()).toBeGreaterThanOrEqual(2);
  });

  test("live data without envelopes says they are in the test data, and links there", async () => {
    const hint = page.getByRole("status").filter({ hasText: "No envelope in the live data" });
    await page.goto(`${s.url}/admin/envelopes?env=live`);
    expect(await hint.textContent()).toContain("the envelopes made with sk_test_ keys are in the test data");
    await check("envelopes-live-empty");
    // A search that finds nothing is not told where other envelopes are.
    await page.goto(`${s.url}/admin/envelopes?env=live&q=nobody`);
    expect(await hint.count()).toBe(0);
    await page.goto(`${s.url}/admin?env=live`);
    await page.getByRole("link", { name: "Show the test data" }).click();
    await page.waitForURL(/env=test/);
    expect(new URL(page.url()).pathname).toBe("/admin");
    expect(await page.getByRole("status").count()).toBe(0);
    await page.goto(`${s.url}/admin/envelopes`);
    expect(await page.getByRole("link", { name: "Offer letter" }).count()).toBe(1);
  });

  test("retry a failed seal, download the signed PDF, then erase the envelope", async () => {
    const doc = await uploadDoc(s);
    const env = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [{ email: "carla@example.com", name: "Carla" }], { subject: "NDA" }))).id);
    expect((await complete(s, tokenOf(env.recipients[0].signUrl))).status).toBe(200);
    // The seal gives up (as after its last attempt), before its job ran.
    await markSealFailed(s.deps, env.id, "simulated: the sealing key was unavailable");
    s.deps.db.$client.run("UPDATE jobs SET status = 'failed' WHERE kind = 'seal_envelope'");
    await page.goto(`${s.url}/admin/envelopes/${env.id}`);
    expect(await page.getByText("Sealing failed.").count()).toBe(1);
    // An event's details read as labelled fields, nested ones too.
    const failed = page.getByRole("row", { name: /envelope\.seal_failed/ });
    expect(await failed.locator("dt").allTextContents()).toEqual(["reason"]);
    expect(await failed.locator("dd").allTextContents()).toEqual(["simulated: the sealing key was unavailable"]);
    const signed = page.getByRole("row", { name: /recipient\.signed/ });
    expect(await signed.locator("dd dl dt").allTextContents()).toContain("locale");
    await check("envelope-seal-failed");
    await page.getByRole("button", { name: "Retry sealing" }).click();
    await page.waitForURL(/done=1/);
    await drain();
    expect((await getEnvelope(s, env.id)).sealStatus).toBe("SEALED");
    await page.reload();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Signed PDF" }).click()]);
    const bytes = await Bun.file((await download.path())!).bytes();
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    expect(download.suggestedFilename()).toBe("NDA-signed.pdf");
    await check("envelope-completed");
    // Erasure on request, from the console: a tombstone remains, the envelope answers 410.
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Erase for good" }).click();
    await page.waitForURL(/\/admin\/envelopes\?done=1/);
    expect((await s.api(`/api/v1/envelopes/${env.id}`)).status).toBe(410);
    await page.goto(`${s.url}/admin/envelopes/${env.id}`);
    expect(await page.getByText("was purged").count()).toBe(1);
  });

  test("every other page: documents, webhooks, settings, activity; French too", async () => {
    const hook = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://hooks.example.com/certyneo", events: ["*"] } });
    expect(hook.status).toBe(201);
    const { id } = (await hook.json()) as { id: string };
    for (const [name, path] of [["documents", "/admin/documents"], ["webhooks", "/admin/webhooks"], ["webhook", `/admin/webhooks/${id}`], ["settings", "/admin/settings"], ["branding", "/admin/branding"], ["activity", "/admin/activity"]] as const) {
      await page.goto(`${s.url}${path}`);
      await check(name);
    }
    await page.goto(`${s.url}/admin/settings`);
    expect(await page.getByText("self-signed development certificate").count()).toBe(1);
    const [backup] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download a backup" }).click()]);
    expect(backup.suggestedFilename()).toMatch(/^certyneo-backup-\d{8}T\d{6}Z\.tar\.gz$/);
    const listing = run(["tar", "tzf", (await backup.path())!]).stdout.split("\n");
    expect(listing).toEqual(expect.arrayContaining(["backup.json", "certyneo.db", "instance.key"]));
    expect(listing.some((l) => l.startsWith("files/"))).toBe(true);
    // No copy of the backup stays in the data directory.
    expect(readdirSync(s.dir).filter((n) => n.includes("download"))).toEqual([]);
    expect(await page.content()).not.toContain("hunter2-smtp-secret");
    await expect(page.getByRole("row", { name: /smtp\.password/ }).textContent()).resolves.toContain("(set)");
    await page.goto(`${s.url}/admin/envelopes?lang=fr`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Enveloppes");
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    await check("envelopes-fr");
    // An address that names no page: the console's own page, in the console's language, with its status.
    const missing = await page.goto(`${s.url}/admin/envelopes/env_none/nothing-here?lang=fr`);
    expect(missing?.status()).toBe(404);
    expect(missing?.headers()["content-type"]).toStartWith("text/html");
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Introuvable");
    expect(await page.getByText("La console n'a pas de page à cette adresse.").count()).toBe(1);
    await check("not-found-fr");
    // Test and live apart: the live switch shows no test envelope.
    await page.goto(`${s.url}/admin/envelopes?env=live`);
    expect(await page.getByText("You are looking at LIVE data (sk_live_ keys).").count()).toBe(1);
    expect(await page.locator("tbody tr").count()).toBe(0);
  });

  test("no page asked another host for anything, and no script failed", () => {
    expect(requests.filter((u) => !u.startsWith(s.url + "/") && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p))).toEqual([]);
  });
});
