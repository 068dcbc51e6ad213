/**
 * The signing ceremony in a real browser (Debian's Chromium through playwright-core) against the
 * real server: PDFs uploaded and envelopes created and sent with the public API, the recipient's
 * signUrl opened, pages rendered by the bundled pdf.js, then signed, drawn, declined... and the
 * outcome checked through GET /api/v1/envelopes/{id}. Every page is also checked for requests to
 * any other host, CSP violations and script errors.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import { recipients as recipientsTable } from "../src/store/schema";
import { canvasHasInk, drawOn, drawWithTouch, openPage, PHONE, photograph, waitForPdfPages, type OpenedPage } from "./helpers/browser";
import { adoptTyped, envelopeOf, json, sent as sendEnvelope, upload as uploadPdf, waitForState, signerBrowserSuite } from "./helpers/signer-page";

// Real browser work on shared CPUs: whatever `bun test --timeout` says.
setDefaultTimeout(60_000);

const suite = signerBrowserSuite();
const { pages } = suite;

const open = (url: string, opts: Parameters<typeof openPage>[2] = {}) => pages.open(suite.browser, url, opts);
const upload = (n: number, name?: string) => uploadPdf(suite.s, n, name);
const sent = (body: Record<string, unknown>) => sendEnvelope(suite.s, body);
const envelope = (id: string) => envelopeOf(suite.s, id);
const stateOf = (o: OpenedPage) => o.page.locator("#state").getAttribute("data-state");

describe("signing in the browser", () => {
  test("a signer reads the documents, fills the fields, types a signature, consents and signs", async () => {
    const contract = await upload(2, "contract.pdf");
    const annex = await upload(1, "annex.pdf");
    const env = await sent({
      subject: "Employment contract",
      message: "Hello Jane,\nplease sign <b>before</b> Friday.",
      documentIds: [contract.id, annex.id],
      recipients: [{
        email: "jane@example.com", name: "Jane Doe", role: "SIGNER",
        fields: [
          { documentId: contract.id, type: "signature", page: 1, x: 72, y: 600, width: 200, height: 50 },
          { documentId: contract.id, type: "text", page: 1, x: 72, y: 680, width: 200, height: 20, label: "Job title" },
          { documentId: contract.id, type: "date", page: 1, x: 320, y: 680, width: 120, height: 20, required: false },
          { documentId: contract.id, type: "checkbox", page: 2, x: 72, y: 100, width: 16, height: 16, label: "I accept the terms", required: true },
          { documentId: annex.id, type: "initials", page: 1, x: 480, y: 780, width: 60, height: 30 },
        ],
      }],
    });
    const o = await open(env.recipients[0].signUrl);
    const { page } = o;

    // Every page of every document is rendered by pdf.js, with ink on it.
    expect(await waitForPdfPages(page)).toBe(3);
    expect(await page.locator("canvas.page-canvas").count()).toBe(contract.pageCount + annex.pageCount);
    expect(await canvasHasInk(page, "canvas.page-canvas >> nth=0")).toBe(true);
    expect(await page.locator("#subject").textContent()).toBe("Employment contract");
    // The message is text, never markup.
    expect(await page.locator("#message").textContent()).toBe("Hello Jane,\nplease sign <b>before</b> Friday.");
    expect(await page.locator("#message b").count()).toBe(0);
    expect(await page.title()).toBe("\u2068Employment contract\u2069 – Certyneo");

    // The fields sit where the API says, scaled to the displayed page (points, origin top-left).
    expect(await page.locator(".field").count()).toBe(5);
    const pageBox = (await page.locator(".document >> nth=0").locator(".page >> nth=0").boundingBox())!;
    const sigBox = (await page.locator(".field-signature").boundingBox())!;
    const k = (pageBox.width - 2) / 595.28; // 1px border
    expect(Math.abs(sigBox.x - (pageBox.x + 1 + 72 * k))).toBeLessThan(1.5);
    expect(Math.abs(sigBox.y - (pageBox.y + 1 + 600 * k))).toBeLessThan(1.5);
    expect(Math.abs(sigBox.width - 200 * k)).toBeLessThan(1.5);
    expect(Math.abs(sigBox.height - 50 * k)).toBeLessThan(1.5);

    // Every field shows its label, visibly.
    expect(await page.locator(".field-label").allTextContents()).toEqual(["Signature *", "Job title *", "Date", "I accept the terms *", "Initials *"]);
    for (const label of await page.locator(".field-label").all()) expect(await label.isVisible()).toBe(true);

    // Signing with nothing filled: a visible alert lists what is missing; nothing is sent.
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    expect(await page.locator("#alert").isVisible()).toBe(true);
    const alert = await page.locator("#alert").textContent();
    expect(alert).toContain("Fill in “Job title”");
    expect(alert).toContain("Tick “I accept the terms”");
    expect(alert).toContain("Sign in “Signature”");
    expect(alert).toContain("Adopt your signature before signing");
    expect(alert).toContain("Tick the box to agree");
    expect((await envelope(env.id)).recipients[0].status).toBe("VIEWED");

    // The guide: Start goes to the first required field, in reading order.
    expect(await page.locator("#intro-hint").textContent()).toContain("“Start” takes you from one field to the next");
    expect(await page.locator("#progress").textContent()).toBe("0 of 4 required fields");
    await page.getByRole("button", { name: "Start" }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Sign here, Signature (required)");
    // The first click on a signature box asks to adopt a signature: an explicit step.
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Adopt your signature" });
    await dialog.waitFor();
    expect(await dialog.getByLabel("Type your full name").inputValue()).toBe("Jane Doe");
    await dialog.getByLabel("Type your full name").fill("Jane Q. Doe");
    expect(await page.locator("#typed-preview").textContent()).toBe("Jane Q. Doe");
    await dialog.getByRole("button", { name: "Adopt and sign" }).click();
    expect(await page.locator(".field-signature .sig-typed").textContent()).toBe("Jane Q. Doe");
    expect(await page.locator("#progress").textContent()).toBe("1 of 4 required fields");

    await page.getByRole("button", { name: "Next field" }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Job title (required)");
    await page.keyboard.type("Engineer");
    await page.getByRole("button", { name: "Next field" }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("I accept the terms (required)");
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Next field" }).click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Initials, Initials (required)");
    await page.keyboard.press("Enter");
    expect(await page.locator(".field-initials .sig-typed").textContent()).toBe("JQD");
    expect(await page.locator("#progress").textContent()).toBe("4 of 4 required fields");
    // Everything is filled: Finish leads to the consent and the Sign button.
    await page.getByRole("button", { name: "Finish" }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("consent");
    await page.getByLabel(/I agree to sign these documents electronically/).check();
    await page.getByRole("button", { name: "Sign", exact: true }).click();

    // The only signer signed: thank you, and everyone is done.
    await waitForState(o, "signed");
    expect(await page.locator("#state-title").textContent()).toBe("Thank you");
    // The last to sign is not told to wait for the others.
    expect(await page.locator("#state-text").textContent()).toBe("Your signature has been recorded.");
    expect(await page.locator("#state-detail").textContent()).toContain("Everyone has signed");

    const after = await envelope(env.id);
    expect(after.recipients[0].status).toBe("SIGNED");
    expect(after.status).toBe("COMPLETED");
    const value = (type: string) => after.fields.find((f: any) => f.type === type).value;
    expect(value("text")).toBe("Engineer");
    expect(value("checkbox")).toBe("true");
    expect(value("signature")).toBe("Jane Q. Doe");
    expect(value("initials")).toBe("JQD");
    expect(value("date")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const row = suite.s.deps.db.select().from(recipientsTable).where(eq(recipientsTable.id, after.recipients[0].id)).get()!;
    expect(row.signatureType).toBe("typed");

    // The page asked the API and this server's assets, nothing else (checked again for every test).
    expect(o.requests.some((u) => u.includes("/s/assets/pdf.worker.min.mjs"))).toBe(true);
    expect(o.requests.some((u) => u.includes(`/documents/${contract.id}`))).toBe(true);
  });

  test("a signer draws a signature with the mouse (and can clear it)", async () => {
    const doc = await upload(1);
    const env = await sent({ subject: "Drawn", documentIds: [doc.id], recipients: [{ email: "d@example.com", name: "Dan Draw" }] });
    const o = await open(env.recipients[0].signUrl);
    const { page } = o;
    expect(await waitForPdfPages(page)).toBe(1);
    // No field: the intro names no "Start" button, since the guide offers none.
    expect(await page.locator("#intro-hint").textContent()).toBe("Review the documents below, then sign at the end.");
    expect(await page.locator("#guide-next").textContent()).toBe("Finish");

    await page.getByLabel(/I agree to sign/).check();
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    expect(await page.locator("#signature-error").textContent()).toBe("Adopt your signature before signing.");
    await page.getByRole("button", { name: "Adopt your signature" }).click();
    await page.getByRole("tab", { name: "Draw" }).click();
    expect(await page.getByRole("tab", { name: "Draw" }).getAttribute("aria-selected")).toBe("true");
    await page.getByRole("button", { name: "Adopt and sign" }).click();
    expect(await page.locator("#adopt-error").textContent()).toContain("Draw your signature");

    await drawOn(page, "#draw-pad");
    expect(await canvasHasInk(page, "#draw-pad")).toBe(true);
    await page.getByRole("button", { name: "Clear" }).click();
    expect(await canvasHasInk(page, "#draw-pad")).toBe(false);
    await drawOn(page, "#draw-pad");
    await page.getByRole("button", { name: "Adopt and sign" }).click();
    expect(await page.locator("#adopted-preview img.sig-img").count()).toBe(1);
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(o, "signed");

    const after = await envelope(env.id);
    expect(after.recipients[0].status).toBe("SIGNED");
    const row = suite.s.deps.db.select().from(recipientsTable).where(eq(recipientsTable.id, after.recipients[0].id)).get()!;
    expect(row.signatureType).toBe("drawn");
    // The stored image is the PNG the page drew.
    const png = await suite.s.deps.files.get(row.signatureImageSha256!);
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  test("on a phone (390×844, touch), the page fits the screen and a finger-drawn signature signs", async () => {
    const doc = await upload(2);
    const env = await sent({
      subject: "Contrat de travail — version téléphone, avec un titre long qui doit revenir à la ligne",
      message: "Please sign on your phone.",
      documentIds: [doc.id],
      recipients: [{
        email: "p@example.com", name: "Pat Phone",
        fields: [
          { documentId: doc.id, type: "signature", page: 2, x: 300, y: 700, width: 200, height: 50 },
          { documentId: doc.id, type: "text", page: 1, x: 72, y: 200, width: 250, height: 24, label: "City" },
        ],
      }],
    });
    const o = await open(env.recipients[0].signUrl, PHONE);
    const { page } = o;
    expect(await waitForPdfPages(page)).toBe(2);
    // No sideways scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.locator(".page >> nth=0").evaluate((e) => e.getBoundingClientRect().width)).toBeLessThanOrEqual(390);
    // Sharp pages: the canvas is rendered for the device pixel ratio.
    const { cw, css } = await page.locator("canvas.page-canvas >> nth=0").evaluate((c: HTMLCanvasElement) => ({ cw: c.width, css: c.getBoundingClientRect().width }));
    expect(cw).toBeGreaterThanOrEqual(Math.floor(css * 3) - 1);
    // Turned sideways, the pages are rendered again for the wider screen; the fields follow.
    await page.setViewportSize({ width: 844, height: 390 });
    await page.waitForFunction((w) => (document.querySelector("canvas.page-canvas") as HTMLCanvasElement).width > w * 1.5, cw);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction((w) => (document.querySelector("canvas.page-canvas") as HTMLCanvasElement).width <= w, cw);
    await waitForPdfPages(page);

    expect(await page.locator("#progress").textContent()).toBe("0 of 2 required fields");
    expect(await page.getByRole("button", { name: "Start" }).isVisible()).toBe(true);
    await page.getByLabel("City (required)").fill("Lyon");
    await page.getByRole("button", { name: "Signature (required)" }).tap();
    await page.getByRole("tab", { name: "Draw" }).tap();
    await page.locator("#draw-pad").scrollIntoViewIfNeeded();
    await drawWithTouch(page, "#draw-pad");
    expect(await canvasHasInk(page, "#draw-pad")).toBe(true);
    // (A tap right after the drawing's touch sequence is sometimes taken for its double tap: a click here.)
    await page.getByRole("button", { name: "Adopt and sign" }).click();
    // The drawn signature shows in the signature box on the page; every required field is done.
    expect(await page.locator(".field-signature img.sig-img").count()).toBe(1);
    expect(await page.locator("#progress").textContent()).toBe("2 of 2 required fields");
    expect(await page.getByRole("button", { name: "Finish" }).isVisible()).toBe(true);
    await page.getByLabel(/I agree to sign/).check();
    await photograph(page, "signer-phone");
    // A click, as for "Adopt and sign": a tap this soon after the consent box's, a few pixels
    // below it, is taken by Chromium for a double tap (zoom) and never clicks. A full-page
    // photograph taken in between used to hide that.
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(o, "signed");
    await photograph(page, "signer-phone-done", { fullPage: false });

    const after = await envelope(env.id);
    expect(after.recipients[0].status).toBe("SIGNED");
    expect(after.fields.find((f: any) => f.type === "text").value).toBe("Lyon");
  });

  test("a signer declines with a reason (required) and sees the declined state", async () => {
    const doc = await upload(1);
    const env = await sent({
      subject: "To decline", documentIds: [doc.id],
      recipients: [{ email: "a@example.com", name: "Ann" }, { email: "b@example.com", name: "Bob" }],
    });
    const o = await open(env.recipients[0].signUrl);
    const { page } = o;
    await waitForPdfPages(page);
    await page.getByRole("button", { name: "Decline" }).click();
    const dialog = page.getByRole("dialog", { name: "Decline to sign" });
    expect(await dialog.isVisible()).toBe(true);
    // No reason, no decline.
    await dialog.getByRole("button", { name: "Decline" }).click();
    expect(await page.locator("#decline-error").textContent()).toBe("Give a reason for declining.");
    expect(await page.getByLabel("Reason for declining").getAttribute("aria-invalid")).toBe("true");
    expect((await envelope(env.id)).status).toBe("SENT");
    // Cancel keeps the ceremony.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await dialog.isVisible()).toBe(false);

    await page.getByRole("button", { name: "Decline" }).click();
    await page.getByLabel("Reason for declining").fill("The salary is wrong <script>x</script>");
    await dialog.getByRole("button", { name: "Decline" }).click();
    await waitForState(o, "declined");
    expect(await page.locator("#state-title").textContent()).toBe("Declined");
    expect(await page.locator("#state-text").textContent()).toBe("You declined to sign. The sender has been told.");

    const after = await envelope(env.id);
    expect(after.status).toBe("DECLINED");
    expect(after.recipients[0].status).toBe("DECLINED");
    expect(after.recipients[0].declineReason).toBe("The salary is wrong <script>x</script>");

    // The other signer's link now says the envelope was declined.
    const other = await open(env.recipients[1].signUrl);
    await waitForState(other, "declined");
    expect(await other.page.locator("#state-text").textContent()).toContain("declined by a participant");
  });

  test("a sequential second signer sees “not your turn yet”, then can sign once the first has", async () => {
    const doc = await upload(1);
    const env = await sent({
      subject: "In order", documentIds: [doc.id], signingOrder: "sequential",
      recipients: [{ email: "first@example.com", name: "First" }, { email: "second@example.com", name: "Second" }],
    });
    const second = await open(env.recipients[1].signUrl);
    await waitForState(second, "waiting");
    expect(await second.page.locator("#state-title").textContent()).toBe("Not your turn yet");
    expect(await second.page.locator("#state-subject").textContent()).toBe("Envelope: In order");
    expect(await second.page.locator("#ceremony").isHidden()).toBe(true);

    const first = await open(env.recipients[0].signUrl);
    await waitForPdfPages(first.page);
    await adoptTyped(first.page);
    await first.page.getByLabel(/I agree to sign/).check();
    await first.page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(first, "signed");
    expect(await first.page.locator("#state-text").textContent()).toContain("once everyone has signed");
    expect(await first.page.locator("#state-detail").textContent()).toBe("");

    await second.page.reload();
    expect(await waitForPdfPages(second.page)).toBe(1);
    expect(await second.page.getByRole("button", { name: "Sign", exact: true }).isVisible()).toBe(true);

    // Reopening the first link later: already signed.
    const again = await open(env.recipients[0].signUrl);
    await waitForState(again, "signed");
    expect(await again.page.locator("#state-title").textContent()).toBe("Thank you");
  });

  test("speaks French when the envelope is in French, whatever the browser's language", async () => {
    const doc = await upload(1);
    const env = await sent({
      subject: "Contrat", locale: "fr", documentIds: [doc.id], expiresAt: new Date(suite.s.clock.now().getTime() + 86_400_000 * 10).toISOString(),
      recipients: [{ email: "f@example.com", name: "Françoise", fields: [{ documentId: doc.id, type: "text", page: 1, x: 72, y: 200, width: 200, height: 20 }] }],
    });
    const o = await open(env.recipients[0].signUrl, { locale: "en-US" });
    const { page } = o;
    await waitForPdfPages(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("fr");
    expect(await page.getByRole("button", { name: "Signer", exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Refuser" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Adopter votre signature" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Commencer" }).isVisible()).toBe(true);
    expect(await page.locator("#recipient-line").textContent()).toBe("Signature en tant que Françoise (f@example.com)");
    expect(await page.locator("#expires").textContent()).toMatch(/^Merci de répondre avant le \d+ \S+ 2026/);

    await page.getByRole("button", { name: "Signer", exact: true }).click();
    const alert = await page.locator("#alert").textContent();
    expect(alert).toContain("Merci de corriger les points suivants");
    expect(alert).toContain("Remplissez « Texte »");
    await page.getByLabel("Texte (obligatoire)").fill("Paris");
    await adoptTyped(page, undefined, { open: /Adopter votre signature/, confirm: "Adopter et signer" });
    await page.getByLabel(/J’accepte de signer/).check();
    await page.getByRole("button", { name: "Signer", exact: true }).click();
    await waitForState(o, "signed");
    expect(await page.locator("#state-title").textContent()).toBe("Merci");
    // The audit trail keeps the consent text the signer saw, in the page's language.
    const signed = suite.s.deps.db.$client.query("SELECT data FROM audit_events WHERE envelope_id = ? AND type = 'recipient.signed'").get(env.id) as any;
    expect(JSON.parse(signed.data).consent).toMatchObject({ locale: "fr", text: expect.stringMatching(/^J’accepte de signer/) });
  });

  test("an APPROVER approves without a signature", async () => {
    const doc = await upload(1);
    const env = await sent({
      subject: "Approval", documentIds: [doc.id],
      recipients: [{ email: "boss@example.com", name: "Boss", role: "APPROVER" }, { email: "s@example.com", name: "Signer" }],
    });
    const o = await open(env.recipients[0].signUrl);
    const { page } = o;
    await waitForPdfPages(page);
    expect(await page.locator("#capture").isHidden()).toBe(true);
    expect(await page.getByRole("button", { name: "Sign", exact: true }).count()).toBe(0);
    await page.getByRole("button", { name: "Approve" }).click();
    expect(await page.locator("#consent-error").textContent()).toBe("Tick the box to confirm your approval.");
    await page.getByLabel("I have reviewed these documents and I approve them electronically.").check();
    await page.getByRole("button", { name: "Approve" }).click();
    await waitForState(o, "signed");
    expect(await page.locator("#state-text").textContent()).toContain("Your approval has been recorded");
    expect((await envelope(env.id)).recipients[0].status).toBe("SIGNED");
  });
});

describe("states and errors", () => {
  test("an unknown link says so", async () => {
    const o = await open(`${suite.s.url}/s/${"x".repeat(43)}`);
    await waitForState(o, "notfound");
    expect(await o.page.locator("#state-title").textContent()).toBe("Link not found");
    const fr = await open(`${suite.s.url}/s/nope`, { locale: "fr-FR" });
    await waitForState(fr, "notfound");
    expect(await fr.page.locator("#state-title").textContent()).toBe("Lien introuvable");
  });

  test("voided, completed and expired envelopes each have their screen", async () => {
    const doc = await upload(1);
    const voided = await sent({ subject: "Voided", documentIds: [doc.id], recipients: [{ email: "v@example.com", name: "V" }] });
    await json(await suite.s.api(`/api/v1/envelopes/${voided.id}?reason=Wrong%20file`, { method: "DELETE" }), 200);
    const v = await open(voided.recipients[0].signUrl);
    await waitForState(v, "voided");
    expect(await v.page.locator("#state-title").textContent()).toBe("Envelope cancelled");

    const done = await sent({ subject: "Done", documentIds: [doc.id], recipients: [{ email: "c@example.com", name: "C" }] });
    const token = done.recipients[0].signUrl.split("/s/")[1];
    await json(await fetch(`${suite.s.url}/api/v1/signing/${token}/complete`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signature: { type: "typed", value: "C" }, consent: true }),
    }), 200);
    const c = await open(done.recipients[0].signUrl);
    await waitForState(c, "completed");
    expect(await c.page.locator("#state-title").textContent()).toBe("All done");

    const expiring = await sent({
      subject: "Expiring", documentIds: [doc.id], expiresAt: new Date(suite.s.clock.now().getTime() + 3_600_000).toISOString(),
      recipients: [{ email: "e@example.com", name: "E" }],
    });
    (suite.s.clock as any).advance(2 * 3_600_000);
    const e = await open(expiring.recipients[0].signUrl);
    await waitForState(e, "expired");
    expect(await e.page.locator("#state-title").textContent()).toBe("This link has expired");
  });

  test("an envelope voided while the page is open: signing shows the voided screen", async () => {
    const doc = await upload(1);
    const env = await sent({ subject: "Race", documentIds: [doc.id], recipients: [{ email: "r@example.com", name: "R" }] });
    const o = await open(env.recipients[0].signUrl);
    await waitForPdfPages(o.page);
    await json(await suite.s.api(`/api/v1/envelopes/${env.id}`, { method: "DELETE" }), 200);
    await adoptTyped(o.page);
    await o.page.getByLabel(/I agree to sign/).check();
    await o.page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(o, "voided");
  });

  test("API errors are shown in a visible alert that points at the field", async () => {
    const doc = await upload(1);
    const env = await sent({
      subject: "Errors", documentIds: [doc.id],
      recipients: [{ email: "x@example.com", name: "X", fields: [{ documentId: doc.id, type: "text", page: 1, x: 72, y: 200, width: 200, height: 20, required: false, label: "Note" }] }],
    });
    const o = await open(env.recipients[0].signUrl);
    const { page } = o;
    await waitForPdfPages(page);
    const fieldId = env.fields[0].id;
    // The server's 422 (as it answers when its rules refuse what the page let through).
    await page.route("**/complete", (route) => route.fulfill({
      status: 422, contentType: "application/problem+json",
      body: JSON.stringify({ code: "validation_failed", message: "The signature cannot be completed", errors: [{ pointer: `/fields/${fieldId}`, message: "this field is required" }] }),
    }));
    await adoptTyped(page);
    await page.getByLabel(/I agree to sign/).check();
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.waitForSelector("#alert:not([hidden])");
    const text = await page.locator("#alert").textContent();
    expect(text).toContain("The server refused the request: The signature cannot be completed");
    expect(text).toContain("this field is required");
    expect(await page.getByLabel("Note").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("button", { name: "Sign", exact: true }).isEnabled()).toBe(true);

    // The server cannot be reached.
    await page.unroute("**/complete");
    await page.route("**/complete", (route) => route.abort("connectionrefused"));
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.waitForFunction(() => document.getElementById("alert-text")?.textContent?.includes("could not be reached"));
    o.problems.splice(0, o.problems.length, ...o.problems.filter((p) => !p.includes("net::ERR_CONNECTION_REFUSED")));
    expect(await stateOf(o)).toBeNull();
    expect((await envelope(env.id)).recipients[0].status).toBe("VIEWED");
  });

  test("the page asks nothing of any host but the server", async () => {
    const doc = await upload(3);
    const env = await sent({ subject: "Offline", documentIds: [doc.id], recipients: [{ email: "o@example.com", name: "O" }] });
    const o = await open("about:blank");
    const outside: string[] = [];
    await o.context.route((url) => !url.href.startsWith(suite.s.url + "/"), (route) => {
      outside.push(route.request().url());
      return route.abort();
    });
    await o.page.goto(env.recipients[0].signUrl);
    expect(await waitForPdfPages(o.page)).toBe(3);
    await o.page.getByRole("button", { name: "Adopt your signature" }).click();
    await o.page.getByRole("tab", { name: "Draw" }).click();
    await drawOn(o.page, "#draw-pad");
    await o.page.getByRole("button", { name: "Adopt and sign" }).click();
    await o.page.getByLabel(/I agree to sign/).check();
    await o.page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(o, "signed");
    expect(outside).toEqual([]);
    const hosts = new Set(o.requests.filter((u) => u !== "about:blank").map((u) => new URL(u).origin));
    expect([...hosts]).toEqual([suite.s.url]);
    // What it did fetch: the page, its assets, pdf.js and its worker, the session, the PDF, the completion.
    const paths = o.requests.filter((u) => u !== "about:blank").map((u) => new URL(u).pathname);
    expect(paths).toEqual(expect.arrayContaining([
      new URL(env.recipients[0].signUrl).pathname, "/s/assets/signer.js", "/s/assets/signer.css", "/s/assets/i18n.js",
      "/s/assets/pdf.min.mjs", "/s/assets/pdf.worker.min.mjs", `/api/v1/signing/${new URL(env.recipients[0].signUrl).pathname.slice(3)}`,
    ]));
  });
});
