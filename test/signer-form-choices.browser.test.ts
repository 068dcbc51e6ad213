/**
 * A document's own radio group and dropdown handed to a signer, in Chromium: a radio on each of
 * the form's buttons and a list of the dropdown's options, required until filled, the chosen
 * values shown to the next signer, and the sealed PDF carrying them as form values (qpdf).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sealEnvelope } from "../src/modules/sealing/service";
import { axeViolations, waitForPdfPages } from "./helpers/browser";
import { adoptTyped, json, sent, waitForState, signerBrowserSuite } from "./helpers/signer-page";
import { tempDir } from "./helpers/spawn";
import { formPdf } from "./helpers/tagged-pdf";

setDefaultTimeout(90_000);

const suite = signerBrowserSuite();
const { pages } = suite;

/** Field name -> value, as qpdf's JSON reports the form. */
function qpdfFormValues(pdf: Uint8Array): Record<string, unknown> {
  const path = join(tempDir("certyneo-choices-"), "sealed.pdf");
  writeFileSync(path, pdf);
  const out = Bun.spawnSync(["qpdf", "--json", "--json-key=acroform", path]).stdout.toString();
  return Object.fromEntries((JSON.parse(out).acroform.fields as { fullname: string; value: unknown }[]).map((f) => [f.fullname, f.value]));
}

describe("radio groups and choice fields on the signing page", () => {
  test("picked where the form shows them, required until filled, shown to the next signer, sealed as form values", async () => {
    const doc = await json(await suite.s.api("/api/v1/documents", { method: "POST", json: { name: "application.pdf", contentBase64: Buffer.from(await formPdf()).toString("base64") } }), 201);
    const env = await sent(suite.s, {
      subject: "Application", documentIds: [doc.id], signingOrder: "sequential",
      recipients: [
        { email: "marie@example.com", name: "Marie Dubois", formFields: ["contract_type", "department"] },
        { email: "paul@example.com", name: "Paul Martin" },
      ],
    });
    const o = await pages.open(suite.browser, env.recipients[0].signUrl);
    const { page } = o;
    await waitForPdfPages(page);

    // The radio group is one required group named by the field, one radio per button of the form.
    const group = page.getByRole("radiogroup", { name: "contract_type (required)" });
    expect(await group.getByRole("radio").count()).toBe(2);
    const cdi = group.getByRole("radio", { name: "CDI" });
    const cdd = group.getByRole("radio", { name: "CDD" });
    // Each radio sits on its button: CDD 60 pt right of CDI, as on the page.
    const [a, b] = [(await cdi.boundingBox())!, (await cdd.boundingBox())!];
    const scale = (await page.locator(".page").first().boundingBox())!.width / 595.28;
    expect(Math.abs((b.x - a.x) / scale - 60)).toBeLessThan(1);
    expect(Math.abs(b.y - a.y)).toBeLessThan(1);
    const select = page.getByRole("combobox", { name: "department (required)" });
    expect(await select.locator("option").allTextContents()).toEqual(["Choose…", "Sales", "Engineering"]);
    expect(await page.locator(".field-label").allTextContents()).toEqual(["contract_type *", "department *"]);
    await expectNoAxe();

    // Nothing chosen: signing is refused, each field named.
    await adoptTyped(page);
    await page.getByLabel(/I agree to sign/).check();
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.locator("#alert:not([hidden])").waitFor();
    expect(await page.locator("#alert-list li").allTextContents()).toEqual(["Choose an option for “contract_type”.", "Choose an option for “department”."]);
    expect(await page.locator(".field.invalid").count()).toBe(2);
    await expectNoAxe();

    // The progress counts them like any required field.
    expect(await page.locator("#progress").textContent()).toBe("0 of 2 required fields");
    await cdd.click();
    expect(await page.locator("#progress").textContent()).toBe("1 of 2 required fields");
    await select.selectOption("Engineering");
    expect(await page.locator("#progress").textContent()).toBe("2 of 2 required fields");
    // In another language the list still offers the form's own options.
    await page.locator("#lang").selectOption("fr");
    expect(await page.locator(".field-choice select option").allTextContents()).toEqual(["Choisir…", "Sales", "Engineering"]);
    expect(await page.locator(".field-choice select").getAttribute("aria-label")).toBe("department (obligatoire)");
    await page.locator("#lang").selectOption("en");
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(o, "signed");

    const stored = await json(await suite.s.api(`/api/v1/envelopes/${env.id}`), 200);
    expect(Object.fromEntries(stored.fields.filter((f: any) => f.source === "form").map((f: any) => [f.label, f.value]))).toEqual({ contract_type: "CDD", department: "Engineering" });

    // The next signer sees what was chosen, the radio's option on the chosen button.
    const p = await pages.open(suite.browser, stored.recipients[1].signUrl);
    await waitForPdfPages(p.page);
    const stamps = p.page.locator(".stamp");
    expect(await stamps.evaluateAll((nodes) => nodes.map((n) => n.getAttribute("aria-label")))).toEqual([
      "Filled in by Marie Dubois: CDD", "Filled in by Marie Dubois: Engineering",
    ]);
    const chosen = (await p.page.locator(".stamp-radio").boundingBox())!;
    const page2 = (await p.page.locator(".page").first().boundingBox())!;
    expect(Math.abs((chosen.x - page2.x) / (page2.width / 595.28) - 240)).toBeLessThan(2);
    await adoptTyped(p.page);
    await p.page.getByLabel(/I agree to sign/).check();
    await p.page.getByRole("button", { name: "Sign", exact: true }).click();
    await waitForState(p, "signed");

    await sealEnvelope(suite.s.deps, env.id);
    const sealed = new Uint8Array(await (await suite.s.api(`/api/v1/envelopes/${env.id}/signed-document`)).arrayBuffer());
    // pdf-lib names radio states by position: /1 is the second option, CDD.
    expect(qpdfFormValues(sealed)).toMatchObject({ contract_type: "/1", department: "u:Engineering" });

    async function expectNoAxe() {
      expect(await axeViolations(page)).toEqual([]);
    }
  });
});
