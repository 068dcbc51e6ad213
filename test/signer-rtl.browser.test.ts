/**
 * The signer page in Arabic, a right-to-left language, in Chromium at desktop and phone sizes:
 * the page lays out right to left, field labels show, the guided flow leads from field to field
 * to the signature, and axe-core finds no accessibility violation.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { axeViolations, PHONE, photograph, waitForPdfPages } from "./helpers/browser";
import { envelopeOf, sent, upload, waitForState, signerBrowserSuite } from "./helpers/signer-page";

setDefaultTimeout(60_000);

const suite = signerBrowserSuite();
const { pages } = suite;

describe("the signer page in Arabic", () => {
  for (const [size, opts] of [["desktop", {}], ["phone", PHONE]] as const) {
    test(`${size}: right to left, labels visible, the guided flow signs, no axe-core violation`, async () => {
      const doc = await upload(suite.s, 1);
      const env = await sent(suite.s, {
        subject: "عقد عمل", locale: "ar", sender: { name: "ليلى حداد", email: "hr@example.com" }, documentIds: [doc.id],
        recipients: [{
          email: "k@example.com", name: "كريم منصور",
          fields: [
            { documentId: doc.id, type: "signature", page: 1, x: 300, y: 150, width: 200, height: 50 },
            { documentId: doc.id, type: "text", page: 1, x: 72, y: 400, width: 200, height: 24, label: "المسمى الوظيفي" },
          ],
        }],
      });
      // The envelope's language wins over the browser's.
      const o = await pages.open(suite.browser, env.recipients[0].signUrl, { ...opts, locale: "en-US" });
      const { page } = o;
      await waitForPdfPages(page);
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(["ar", "rtl"]);
      expect(await page.evaluate(() => getComputedStyle(document.body).direction)).toBe("rtl");
      // The document itself keeps its own layout: pdf.js draws its text glyph by glyph, from the left.
      expect(await page.locator("canvas.page-canvas").first().evaluate((c) => getComputedStyle(c).direction)).toBe("ltr");
      if (size === "phone") expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await page.locator("#sender").textContent()).toBe("المرسل: ليلى حداد (hr@example.com)");
      const label = page.locator(".field-label", { hasText: "المسمى الوظيفي" });
      await label.scrollIntoViewIfNeeded();
      expect(await label.isVisible()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await photograph(page, `signer-ar-${size}`, { fullPage: false });

      // The guide: Start, the signature first (reading order), then the next field, then Finish.
      expect(await page.locator("#progress").textContent()).toBe("0 من 2 من الحقول المطلوبة");
      await page.getByRole("button", { name: "ابدأ" }).click();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toContain("التوقيع (مطلوب)");
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "اعتمد توقيعك" });
      await dialog.waitFor();
      expect(await dialog.getByLabel("اكتب اسمك الكامل").inputValue()).toBe("كريم منصور");
      expect(await axeViolations(page)).toEqual([]);
      await dialog.getByRole("button", { name: "اعتماد والتوقيع" }).click();
      expect(await page.locator(".field-signature .sig-typed").textContent()).toBe("كريم منصور");
      await page.getByRole("button", { name: "الحقل التالي" }).click();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("المسمى الوظيفي (مطلوب)");
      await page.keyboard.type("مهندس");
      expect(await page.locator("#progress").textContent()).toBe("2 من 2 من الحقول المطلوبة");
      await page.getByRole("button", { name: "إنهاء" }).click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("consent");
      await page.getByLabel(/أوافق على توقيع هذه المستندات إلكترونيًا/).check();
      await page.getByRole("button", { name: "توقيع", exact: true }).click();
      await waitForState(o, "signed");
      expect(await page.locator("#state-title").textContent()).toBe("شكرًا لك");
      expect(await axeViolations(page)).toEqual([]);

      const after = await envelopeOf(suite.s, env.id);
      expect(after.recipients[0].status).toBe("SIGNED");
      expect(after.fields.find((f: { type: string }) => f.type === "text").value).toBe("مهندس");
    });
  }
});
