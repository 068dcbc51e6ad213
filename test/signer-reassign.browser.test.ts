/**
 * "Hand this to someone else" on the signing page (envelopes with allowReassign), in Chromium:
 * offered only when the sender allows it, the form checked before it is sent, the confirmation,
 * the old link dead, and the new person's invitation (over SMTP) leading to a signed, sealed
 * envelope whose certificate and audit trail tell the handover. axe-core finds nothing to fix.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { sealEnvelope } from "../src/modules/sealing/service";
import { axeViolations, waitForPdfPages } from "./helpers/browser";
import { adoptTyped, json, sent, tokenOf, upload, waitForState, signerBrowserSuite } from "./helpers/signer-page";
import { startSmtpSink, type SmtpSink } from "./helpers/smtp";
import { tempDir } from "./helpers/spawn";

setDefaultTimeout(90_000);

let sink: SmtpSink;
beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink?.close(); });
const suite = signerBrowserSuite(() => sink.env);
const { pages } = suite;

const HAND_OVER = { name: "Hand this to someone else" };

async function expectNoAxeViolations(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

function pdfText(bytes: ArrayBuffer): string {
  const path = join(tempDir("certyneo-reassign-page-"), "out.pdf");
  writeFileSync(path, new Uint8Array(bytes));
  return Bun.spawnSync(["pdftotext", "-layout", path, "-"]).stdout.toString();
}

/** The signing link in the last e-mail sent to `to`. */
function linkMailedTo(to: string): string {
  const mail = sink.messages.filter((m) => m.to.includes(to)).at(-1);
  if (!mail) throw new Error(`no e-mail to ${to}; got ${sink.messages.map((m) => m.to.join(",")).join(" | ")}`);
  const link = new RegExp(`${suite.s.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/s/[A-Za-z0-9_-]+`).exec(mail.text)?.[0];
  if (!link) throw new Error(`no signing link in the e-mail to ${to}: ${mail.text}`);
  return link;
}

describe("handing the turn to someone else from the signing page", () => {
  test("not offered when the sender did not allow it", async () => {
    const doc = await upload(suite.s, 1);
    const env = await sent(suite.s, { subject: "Not transferable", documentIds: [doc.id], recipients: [{ email: "keeper@example.com", name: "Kee Per" }] });
    const o = await pages.open(suite.browser, env.recipients[0].signUrl);
    await waitForPdfPages(o.page);
    expect(await o.page.getByRole("button", { name: "Decline" }).isVisible()).toBe(true);
    expect(await o.page.getByRole("button", HAND_OVER).count()).toBe(0);
  });

  test("the form is checked, the new person is invited, signs, and the certificate and audit trail tell it", async () => {
    const doc = await upload(suite.s, 1);
    const env = await sent(suite.s, {
      subject: "Purchase order", documentIds: [doc.id], allowReassign: true,
      recipients: [{ email: "manager@example.com", name: "Mana Ger" }],
    });
    await suite.s.running.app.jobs.drain();
    await sink.waitFor(1);
    const oldLink = linkMailedTo("manager@example.com");
    expect(oldLink).toBe(env.recipients[0].signUrl);

    const o = await pages.open(suite.browser, oldLink);
    const { page } = o;
    await waitForPdfPages(page);
    // In every language the page speaks: here German, then back.
    await page.locator("#lang").selectOption("de");
    expect(await page.locator("#reassign-btn").textContent()).toBe("An jemand anderen übergeben");
    await page.locator("#lang").selectOption("en");

    await page.getByRole("button", HAND_OVER).click();
    const dialog = page.locator("#reassign-dialog");
    await dialog.waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reassign-name");
    await expectNoAxeViolations(page);

    // Nothing filled: each input says what it needs, and the first one has the focus.
    await dialog.getByRole("button", { name: "Hand over" }).click();
    expect(await dialog.locator(".field-error:not([hidden])").allTextContents()).toEqual([
      "Give the person’s full name.", "Give a valid e-mail address, such as name@example.com.", "Give a reason for handing it over.",
    ]);
    expect(await page.getByLabel("Their full name").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reassign-name");
    await expectNoAxeViolations(page);

    // Their own address is not someone else's.
    await page.getByLabel("Their full name").fill("Deputy Person");
    await page.getByLabel("Their e-mail address").fill("Manager@Example.com");
    await page.getByLabel("Why you hand it over").fill("On leave this week");
    await dialog.getByRole("button", { name: "Hand over" }).click();
    expect(await dialog.locator(".field-error:not([hidden])").allTextContents()).toEqual(["Give the other person’s e-mail address, not yours."]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reassign-email");
    expect((await json(await fetch(`${suite.s.url}/api/v1/envelopes/${env.id}`, { headers: { authorization: `Bearer ${await suite.s.key()}` } }), 200)).recipients[0].email).toBe("manager@example.com");

    await page.getByLabel("Their e-mail address").fill("deputy@example.com");
    await dialog.getByRole("button", { name: "Hand over" }).click();
    await waitForState(o, "reassigned");
    expect(await page.locator("#state-title").textContent()).toBe("Handed over");
    expect(await page.locator("#state-detail").textContent()).toBe("Handed over to Deputy Person (deputy@example.com).");
    expect(await page.locator("#state-text").textContent()).toContain("This link no longer works.");
    await expectNoAxeViolations(page);

    // The old link is dead: for the API and for the page.
    expect((await fetch(`${suite.s.url}/api/v1/signing/${tokenOf(oldLink)}`)).status).toBe(404);
    const stale = await pages.open(suite.browser, oldLink);
    await waitForState(stale, "notfound");

    // The new person's invitation, over SMTP, with a link of their own.
    await suite.s.running.app.jobs.drain();
    await sink.waitFor(2);
    const newLink = linkMailedTo("deputy@example.com");
    expect(newLink).not.toBe(oldLink);
    const d = await pages.open(suite.browser, newLink);
    await waitForPdfPages(d.page);
    expect(await d.page.locator("#recipient-line").textContent()).toContain("Deputy Person (deputy@example.com)");
    await adoptTyped(d.page);
    await d.page.getByLabel(/I agree to sign/).check();
    await d.page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(d, "signed");

    const done = await json(await suite.s.api(`/api/v1/envelopes/${env.id}`), 200);
    expect(done.status).toBe("COMPLETED");
    expect(done.recipients[0]).toMatchObject({ id: env.recipients[0].id, name: "Deputy Person", email: "deputy@example.com", status: "SIGNED", reassignedFrom: "Mana Ger <manager@example.com>: On leave this week" });
    await sealEnvelope(suite.s.deps, env.id);
    const certificate = pdfText(await (await suite.s.api(`/api/v1/envelopes/${env.id}/signed-document`)).arrayBuffer());
    expect(certificate).toContain("Reassigned from");
    expect(certificate).toContain("manager@example.com");
    expect(certificate).toMatch(/On\s+leave\s+this\s+week/);
    const trail = pdfText(await (await suite.s.api(`/api/v1/envelopes/${env.id}/audit-trail`)).arrayBuffer());
    expect(trail).toContain("recipient.reassigned");
    expect(trail).toContain("deputy@example.com");
  });
});
