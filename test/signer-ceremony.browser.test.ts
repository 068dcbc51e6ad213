/**
 * The signer's experience in Chromium at desktop and phone sizes: labels visible on every field,
 * typed signatures that fit their box, what earlier signers placed shown to the next one, the
 * sealed PDF downloaded from the completed page (checked with pdfsig), and axe-core finding no
 * accessibility violation on any screen.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame, Page } from "playwright-core";
import { sealEnvelope } from "../src/modules/sealing/service";
import { axeViolations, drawOn, PHONE, waitForPdfPages } from "./helpers/browser";
import { saveBranding } from "../src/modules/branding/service";
import { TINY_PNG } from "./helpers/envelopes";
import { parseMail } from "./helpers/smtp";
import { pdfsig } from "./pdf/helpers-seal";
import { adoptTyped, json, sent, tokenOf, upload, waitForState, signerBrowserSuite } from "./helpers/signer-page";
import { tempDir } from "./helpers/spawn";

setDefaultTimeout(60_000);

const suite = signerBrowserSuite();
const { pages } = suite;

const complete = (token: string, body: unknown) =>
  fetch(`${suite.s.url}/api/v1/signing/${token}/complete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function expectNoAxeViolations(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

describe("fields at every size", () => {
  for (const [size, opts] of [["desktop", {}], ["phone", PHONE]] as const) {
    test(`${size}: every field shows its label, typed signatures fit their box, initials stay readable`, async () => {
      const doc = await upload(suite.s, 1);
      const env = await sent(suite.s, {
        subject: "Labels", documentIds: [doc.id],
        recipients: [{
          email: "fm@example.com", name: "François Müller-Lüdenscheidt von Hohenzollern",
          fields: [
            { documentId: doc.id, type: "text", page: 1, x: 72, y: 4, width: 150, height: 18, label: "Job title" },
            { documentId: doc.id, type: "signature", page: 1, x: 72, y: 600, width: 130, height: 34 },
            { documentId: doc.id, type: "initials", page: 1, x: 480, y: 760, width: 40, height: 22 },
            { documentId: doc.id, type: "checkbox", page: 1, x: 72, y: 700, width: 14, height: 14, label: "I have read the annexes" },
          ],
        }],
      });
      const o = await pages.open(suite.browser, env.recipients[0].signUrl, opts);
      const { page } = o;
      await waitForPdfPages(page);
      const labels = page.locator(".field-label");
      expect(await labels.allTextContents()).toEqual(["Job title *", "Signature *", "Initials *", "I have read the annexes"]);
      const width = page.viewportSize()!.width;
      for (const label of await labels.all()) {
        await label.scrollIntoViewIfNeeded();
        expect(await label.isVisible()).toBe(true);
        const box = (await label.boundingBox())!;
        // Readable, and on the screen (a field at the top of the page has its label below it).
        expect(await label.evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(11);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        expect(box.y).toBeGreaterThanOrEqual(0);
      }
      // Checkboxes are optional unless the sender says otherwise.
      expect(await page.getByLabel("I have read the annexes", { exact: true }).getAttribute("aria-required")).toBeNull();

      await page.getByRole("button", { name: "Signature (required)" }).click();
      await page.getByRole("button", { name: "Adopt and sign" }).click();
      await page.getByRole("button", { name: "Initials (required)" }).click();
      for (const [selector, slot] of [[".field-signature .sig-typed", ".field-signature .sig-slot"], [".field-initials .sig-typed", ".field-initials .sig-slot"]]) {
        const text = (await page.locator(selector).boundingBox())!;
        const box = (await page.locator(slot).boundingBox())!;
        // The whole name is inside its box: nothing clipped.
        expect(text.width).toBeLessThanOrEqual(box.width + 0.5);
        expect(await page.locator(selector).evaluate((e) => e.scrollWidth <= e.parentElement!.clientWidth + 1)).toBe(true);
      }
      expect(await page.locator(".field-signature .sig-typed").textContent()).toBe("François Müller-Lüdenscheidt von Hohenzollern");
      expect(await page.locator(".field-initials .sig-typed").textContent()).toBe("FMLVH".slice(0, 4));
      // Initials fill most of their box's height.
      const initials = await page.locator(".field-initials .sig-typed").evaluate((e) => ({ font: parseFloat(getComputedStyle(e).fontSize), box: e.parentElement!.clientHeight }));
      expect(initials.font).toBeGreaterThanOrEqual(initials.box * 0.5);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await expectNoAxeViolations(page);
    });
  }
});

describe("what earlier signers placed", () => {
  test("the second signer sees the first one's signature, values and drawn signature on the pages", async () => {
    const doc = await upload(suite.s, 1);
    const env = await sent(suite.s, {
      subject: "Stamps", documentIds: [doc.id],
      recipients: [
        { email: "ana@example.com", name: "Ana Silva", fields: [
          { documentId: doc.id, type: "signature", page: 1, x: 72, y: 600, width: 160, height: 40 },
          { documentId: doc.id, type: "text", page: 1, x: 72, y: 660, width: 160, height: 18, label: "City" },
        ] },
        { email: "bob@example.com", name: "Bob Stone", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 320, y: 600, width: 160, height: 40 }] },
        { email: "cy@example.com", name: "Cy Draw", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 320, y: 700, width: 160, height: 40 }] },
      ],
    });
    const cityId = env.fields.find((f: any) => f.type === "text").id;
    await json(await complete(tokenOf(env.recipients[0].signUrl), { signature: { type: "typed", value: "Ana Silva" }, fields: { [cityId]: "Lisboa" }, consent: true }), 200);

    // Cy draws in the browser, then Bob sees both.
    const cy = await pages.open(suite.browser, env.recipients[2].signUrl);
    await waitForPdfPages(cy.page);
    expect(await cy.page.getByRole("img", { name: "Signed by Ana Silva" }).isVisible()).toBe(true);
    await cy.page.getByRole("button", { name: "Signature (required)" }).click();
    await cy.page.getByRole("tab", { name: "Draw" }).click();
    await drawOn(cy.page, "#draw-pad");
    await cy.page.getByRole("button", { name: "Adopt and sign" }).click();
    await cy.page.getByLabel(/I agree to sign/).check();
    await cy.page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(cy, "signed");

    const bob = await pages.open(suite.browser, env.recipients[1].signUrl);
    const { page } = bob;
    await waitForPdfPages(page);
    expect(await page.locator(".stamp").count()).toBe(3);
    expect(await page.getByRole("img", { name: "Signed by Ana Silva" }).locator(".sig-typed").textContent()).toBe("Ana Silva");
    expect(await page.getByRole("img", { name: "Filled in by Ana Silva: Lisboa" }).textContent()).toBe("Lisboa");
    const drawn = page.getByRole("img", { name: "Signed by Cy Draw" }).locator("img");
    await page.waitForFunction(() => (document.querySelector(".stamp img") as HTMLImageElement | null)?.naturalWidth === 900);
    expect(await drawn.getAttribute("src")).toBe(`/api/v1/signing/${tokenOf(env.recipients[1].signUrl)}/signatures/${env.recipients[2].id}`);
    await expectNoAxeViolations(page);

    // The image is only for a recipient who may act now.
    const url = `${suite.s.url}/api/v1/signing/${tokenOf(env.recipients[0].signUrl)}/signatures/${env.recipients[2].id}`;
    expect((await fetch(url)).status).toBe(409);
    expect((await fetch(`${suite.s.url}/api/v1/signing/${tokenOf(env.recipients[1].signUrl)}/signatures/${env.recipients[0].id}`)).status).toBe(404);
  });
});

describe("the signed PDF", () => {
  for (const [size, opts] of [["desktop", {}], ["phone", PHONE]] as const) {
    test(`${size}: the completed page offers the sealed PDF as soon as it is sealed, and it is valid`, async () => {
      const doc = await upload(suite.s, 1);
      const env = await sent(suite.s, { subject: "Download me", documentIds: [doc.id], recipients: [{ email: "d@example.com", name: "Dee Load" }] });
      const o = await pages.open(suite.browser, env.recipients[0].signUrl, opts);
      const { page } = o;
      await waitForPdfPages(page);
      await adoptTyped(page);
      await page.getByLabel(/I agree to sign/).check();
      await page.getByRole("button", { name: "Sign", exact: true }).click();
      await waitForState(o, "signed");
      // Sealing runs in the background: the page says so, then updates itself.
      expect(await page.locator("#signed-doc-text").textContent()).toContain("being sealed");
      expect(await page.getByRole("link", { name: "Download the signed PDF" }).count()).toBe(0);
      await expectNoAxeViolations(page);
      await sealEnvelope(suite.s.deps, env.id);
      const link = page.getByRole("link", { name: "Download the signed PDF" });
      await link.waitFor({ timeout: 30_000 });
      expect(await page.locator("#signed-doc-text").textContent()).toBe("The signed PDF is ready.");
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe("Download-me-signed.pdf");
      const file = join(tempDir(), "signed.pdf");
      await download.saveAs(file);
      const verdict = pdfsig(tempDir(), new Uint8Array(readFileSync(file)));
      expect(verdict.length).toBeGreaterThanOrEqual(1);
      expect(verdict.at(-1)!.valid).toBe(true);
      expect(verdict.at(-1)!.total).toBe(true);
      await expectNoAxeViolations(page);

      // Reopened later, the link is there at once.
      const again = await pages.open(suite.browser, env.recipients[0].signUrl, opts);
      await waitForState(again, "completed");
      expect(await again.page.getByRole("link", { name: "Download the signed PDF" }).getAttribute("href")).toBe(`/api/v1/signing/${tokenOf(env.recipients[0].signUrl)}/signed-document?download=1`);
    });
  }
});

describe("accessibility", () => {
  test("the ceremony, the adopt dialog and the decline dialog have no axe-core violation, on a phone too", async () => {
    const doc = await upload(suite.s, 1);
    const env = await sent(suite.s, {
      subject: "A11y", message: "Please sign.", documentIds: [doc.id],
      recipients: [{ email: "a@example.com", name: "Ally", fields: [
        { documentId: doc.id, type: "signature", page: 1, x: 72, y: 600, width: 160, height: 40 },
        { documentId: doc.id, type: "date", page: 1, x: 300, y: 600, width: 100, height: 20 },
      ] }],
    });
    for (const opts of [{}, PHONE]) {
      const o = await pages.open(suite.browser, env.recipients[0].signUrl, opts);
      const { page } = o;
      await waitForPdfPages(page);
      await expectNoAxeViolations(page);
      await page.getByRole("button", { name: "Adopt your signature" }).click();
      await page.locator("#adopt-dialog").waitFor();
      await expectNoAxeViolations(page);
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("button", { name: "Decline" }).click();
      await expectNoAxeViolations(page);
    }
  });
});

describe("who is asking, in the signer's language", () => {
  test("organisation, sender, deadline; Greek from the envelope, German from the suite.browser, a switch that sticks; the void reason", async () => {
    const doc = await upload(suite.s, 1);
    const expiresAt = new Date(suite.s.clock.now().getTime() + 5 * 86_400_000).toISOString();
    const greek = await sent(suite.s, {
      subject: "Σύμβαση εργασίας", locale: "el", expiresAt, sender: { name: "Μαρία Παπαδοπούλου", email: "hr@example.gr" }, documentIds: [doc.id],
      recipients: [{ email: "g@example.gr", name: "Γιώργος Παπαδόπουλος", fields: [{ documentId: doc.id, type: "text", page: 1, x: 72, y: 200, width: 200, height: 20 }] }],
    });
    const o = await pages.open(suite.browser, greek.recipients[0].signUrl, { locale: "en-US" });
    const { page } = o;
    await waitForPdfPages(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("el");
    expect(await page.locator("#brand-name").textContent()).toBe("Certyneo");
    expect(await page.locator("#sender").textContent()).toBe("Στάλθηκε από Μαρία Παπαδοπούλου (hr@example.gr)");
    expect(await page.locator("#expires").textContent()).toStartWith("Απαντήστε πριν από τις");
    expect(await page.getByRole("button", { name: "Έναρξη" }).isVisible()).toBe(true);
    expect(await page.locator(".field-label").textContent()).toBe("Κείμενο *");
    await expectNoAxeViolations(page);
    // The signer switches to Spanish: every text follows, and the choice sticks on reload.
    await page.getByLabel("Γλώσσα").selectOption("es");
    expect(await page.getByRole("button", { name: "Empezar" }).isVisible()).toBe(true);
    expect(await page.locator(".field-label").textContent()).toBe("Texto *");
    expect(await page.getByLabel("Texto (obligatorio)").count()).toBe(1);
    expect(await page.locator("#sender").textContent()).toBe("Enviado por Μαρία Παπαδοπούλου (hr@example.gr)");
    await page.reload();
    await waitForPdfPages(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("es");

    // No language on the envelope: the browser's (Accept-Language).
    const plain = await sent(suite.s, { subject: "Vertrag", documentIds: [doc.id], recipients: [{ email: "d@example.de", name: "Dieter" }] });
    const de = await pages.open(suite.browser, plain.recipients[0].signUrl, { locale: "de-DE" });
    await waitForPdfPages(de.page);
    expect(await de.page.evaluate(() => document.documentElement.lang)).toBe("de");
    expect(await de.page.getByRole("button", { name: "Unterschreiben", exact: true }).isVisible()).toBe(true);

    // Voided: the reason the sender gave, in the signer's language.
    await json(await suite.s.api(`/api/v1/envelopes/${plain.id}?reason=${encodeURIComponent("Falsches Dokument")}`, { method: "DELETE" }), 200);
    await de.page.reload();
    await waitForState(de, "voided");
    expect(await de.page.locator("#state-title").textContent()).toBe("Umschlag storniert");
    expect(await de.page.locator("#state-detail").textContent()).toBe("Angegebener Grund: Falsches Dokument");
    await expectNoAxeViolations(de.page);
  });

  test("the organisation's name, logo and colour from the console's branding settings", async () => {
    await saveBranding(suite.s.deps, { actor: "admin:test" }, { organisationName: "Acme GmbH", accentColor: "#0a7d33", fromName: "", fromAddress: "", replyTo: "", logo: TINY_PNG });
    try {
      const doc = await upload(suite.s, 1);
      const env = await sent(suite.s, { subject: "Branded", documentIds: [doc.id], recipients: [{ email: "b@example.com", name: "Bea" }] });
      const o = await pages.open(suite.browser, env.recipients[0].signUrl);
      await waitForPdfPages(o.page);
      expect(await o.page.locator("#brand-name").textContent()).toBe("Acme GmbH");
      await o.page.waitForFunction(() => (document.getElementById("brand-logo") as HTMLImageElement).naturalWidth === 1);
      expect(await o.page.locator("#sign-btn").evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(10, 125, 51)");
      await expectNoAxeViolations(o.page);
    } finally {
      await saveBranding(suite.s.deps, { actor: "admin:test" }, { organisationName: "", accentColor: "#1d4ed8", fromName: "", fromAddress: "", replyTo: "", logo: null });
    }
  });
});

describe("the signer proves who they are", () => {
  /** The newest 6-digit code e-mailed to `to`, from the server's outbox folder. */
  function codeFor(to: string): string {
    const dir = join(suite.s.dir, "outbox");
    // Only the code e-mails (an invitation may be in the outbox too), oldest first by their file's time stamp.
    const mails = readdirSync(dir).sort().map((f) => parseMail(readFileSync(join(dir, f), "utf8"))).filter((m) => m.headers.to === to && /code/i.test(m.subject));
    return /\b(\d{6})\b/.exec(mails.at(-1)!.text)![1]!;
  }

  test("a code by e-mail, asked for in the signer's language; a wrong code is refused; the right one opens the documents", async () => {
    const doc = await upload(suite.s, 1);
    const env = await sent(suite.s, { subject: "Avenant", locale: "fr", documentIds: [doc.id], recipients: [{ email: "otp@example.com", name: "Odile", authentication: { method: "email_otp" } }] });
    for (const opts of [{}, PHONE]) {
      const o = await pages.open(suite.browser, env.recipients[0].signUrl, { ...opts, locale: "en-US" });
      const { page } = o;
      await page.getByRole("heading", { name: "Confirmez votre identité" }).waitFor();
      expect(await page.locator("#auth-text").textContent()).toContain("o•••@example.com");
      expect(await page.locator("#documents .page").count()).toBe(0);
      await expectNoAxeViolations(page);
      if (opts === PHONE) break; // the phone only checks the screen; the desktop goes on
      await page.getByRole("button", { name: "M’envoyer le code" }).click();
      await page.waitForFunction(() => document.getElementById("auth-status")?.textContent?.includes("o•••@example.com"));
      expect(await page.locator("#auth-send").isDisabled()).toBe(true);
      expect(await page.locator("#auth-send").textContent()).toMatch(/^Nouveau code possible dans \d+ s$/);
      const code = codeFor("otp@example.com");
      await page.getByLabel("Code").fill(code === "000000" ? "111111" : "000000");
      await page.getByRole("button", { name: "Continuer" }).click();
      await page.waitForFunction(() => !document.getElementById("auth-error")?.hidden);
      expect(await page.locator("#auth-error").textContent()).toBe("Ce code est erroné ou a expiré.");
      await page.getByLabel("Code").fill(code);
      await page.getByRole("button", { name: "Continuer" }).click();
      expect(await waitForPdfPages(page)).toBe(1);
      expect(await page.locator("#subject").textContent()).toBe("Avenant");
    }
  });

  test("an access code; five wrong ones lock the page for a while", async () => {
    const doc = await upload(suite.s, 1);
    const env = await sent(suite.s, { subject: "Access", documentIds: [doc.id], recipients: [
      { email: "ac@example.com", name: "Ace", authentication: { method: "access_code", accessCode: "BLUE-4217" } },
      { email: "lk@example.com", name: "Lou", authentication: { method: "access_code", accessCode: "RED-99" } },
    ] });
    const o = await pages.open(suite.browser, env.recipients[0].signUrl);
    await o.page.getByRole("heading", { name: "Confirm it is you" }).waitFor();
    expect(await o.page.getByRole("button", { name: "Send me the code" }).count()).toBe(0);
    await o.page.getByLabel("Access code").fill("BLUE-4217");
    await o.page.getByRole("button", { name: "Continue" }).click();
    expect(await waitForPdfPages(o.page)).toBe(1);

    const locked = await pages.open(suite.browser, env.recipients[1].signUrl);
    await locked.page.getByRole("heading", { name: "Confirm it is you" }).waitFor();
    const attempt = async (code: string) => {
      await locked.page.getByLabel("Access code").fill(code);
      await Promise.all([locked.page.waitForResponse((r) => r.url().endsWith("/auth")), locked.page.getByRole("button", { name: "Continue" }).click()]);
    };
    // The page writes the error once it has read the answer, a moment after the response arrives.
    const shows = (text: string) => locked.page.waitForFunction((t) => document.querySelector("#auth-error")?.textContent === t, text, { timeout: 10_000 });
    for (let i = 1; i <= 4; i++) await attempt(`WRONG-${i}`);
    await shows("This code is wrong or has expired.");
    await attempt("WRONG-5");
    await shows("Too many wrong codes. Try again in 15 min.");
    // Locked: even the right code opens nothing.
    await attempt("RED-99");
    await shows("Too many wrong codes. Try again in 15 min.");
    expect(await locked.page.locator("#documents .page").count()).toBe(0);
  });
});

describe("embedded in the integrator's app", () => {
  /** An integrator's page on its own loopback origin: it frames `signUrl` and records the messages it receives. */
  function integrator() {
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === "/done") return new Response("<!doctype html><title>Done</title><p>Back in the app</p>", { headers: { "content-type": "text/html" } });
        const src = url.searchParams.get("src") ?? "";
        return new Response(
          `<!doctype html><html lang="en"><title>HR app</title><body><iframe id="sign" title="Sign" style="width:1100px;height:850px" src="${Bun.escapeHTML(src)}"></iframe>` +
          `<script>window.events = []; addEventListener("message", (e) => window.events.push({ origin: e.origin, data: e.data }));</script></body></html>`,
          { headers: { "content-type": "text/html" } },
        );
      },
    });
    return { origin: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
  }

  test("framed by an allowed origin: the page signs inside the app, posts its events there, then goes to redirectUrl; another origin cannot frame it", async () => {
    const app = integrator();
    const other = integrator();
    try {
      const doc = await upload(suite.s, 1);
      const env = await sent(suite.s, {
        subject: "In the app", documentIds: [doc.id],
        embedding: { allowedOrigins: [app.origin] }, redirectUrl: `${app.origin}/done`,
        recipients: [{ email: "inapp@example.com", name: "In App", embedded: true }],
      });
      const signUrl: string = env.recipients[0].signUrl;
      const context = await suite.browser.newContext({ viewport: { width: 1200, height: 900 } });
      try {
        const page = await context.newPage();
        await page.goto(`${app.origin}/?src=${encodeURIComponent(signUrl)}`);
        const events = () => page.evaluate(() => (window as any).events as { origin: string; data: any }[]);
        await page.waitForFunction(() => (window as any).events.some((e: any) => e.data.type === "certyneo.loaded"));
        expect((await events())[0]).toEqual({ origin: suite.s.url, data: { type: "certyneo.loaded", envelopeId: env.id, recipientId: env.recipients[0].id } });
        const frame = page.frameLocator("#sign");
        await frame.locator('#documents[data-rendered="true"]').waitFor();
        await frame.getByRole("button", { name: "Adopt your signature" }).click();
        await frame.getByRole("button", { name: "Adopt and sign" }).click();
        await frame.getByLabel(/I agree to sign/).check();
        await frame.getByRole("button", { name: "Sign", exact: true }).click();
        await page.waitForFunction(() => (window as any).events.some((e: any) => e.data.type === "certyneo.signed"));
        expect((await events()).map((e) => e.data.type)).toEqual(["certyneo.loaded", "certyneo.signed"]);
        // Then on to the app's redirectUrl, saying what happened.
        // The frame navigates, not the page: waitForURL watches only the page's own navigations.
        const isDone = (f: Frame) => f.url().startsWith(`${app.origin}/done?certyneo_event=signed`);
        const doneFrame = page.frames().find(isDone) ?? (await page.waitForEvent("framenavigated", { predicate: isDone }));
        const done = new URL(doneFrame.url());
        expect(Object.fromEntries(done.searchParams)).toEqual({ certyneo_event: "signed", envelope_id: env.id, recipient_id: env.recipients[0].id });
        expect((await (await suite.s.api(`/api/v1/envelopes/${env.id}`)).json() as any).recipients[0].status).toBe("SIGNED");

        // Another origin's page: the browser refuses to show the signing page in its frame.
        const second = await sent(suite.s, { subject: "Elsewhere", documentIds: [doc.id], embedding: { allowedOrigins: [app.origin] }, recipients: [{ email: "x@example.com", name: "X", embedded: true }] });
        const intruder = await context.newPage();
        await intruder.goto(`${other.origin}/?src=${encodeURIComponent(second.recipients[0].signUrl)}`, { waitUntil: "load" });
        const child = intruder.frames().find((f) => f !== intruder.mainFrame())!;
        // Chromium shows its error page in place of a frame the framed page's CSP refuses.
        expect(child.url()).toBe("chrome-error://chromewebdata/");
        expect(await intruder.evaluate(() => (window as any).events)).toEqual([]);
      } finally {
        await context.close();
      }
    } finally {
      app.stop();
      other.stop();
    }
  });
});
