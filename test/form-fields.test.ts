/**
 * A PDF's own form (AcroForm) through the API: listed at upload, prefilled by the sender, handed
 * to a recipient, and sealed with real form values that qpdf reads back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { listFormFields } from "../src/pdf/form-fields";
import { complete, createEnvelope, post, sendEnvelope, signing, tokenOf } from "./helpers/envelopes";
import { corpus } from "./helpers/pdf";
import { startTestServer, type TestServer } from "./helpers/server";
import { formPdf } from "./helpers/tagged-pdf";
import { pdfsig, tempDir } from "./pdf/helpers-seal";
import { darkPixels, greyPixels, pdftotext } from "./pdf/render-fixtures";

let s: TestServer;
let dir: string;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
  dir = tempDir("certyneo-forms-");
});
afterAll(() => s.stop());

async function upload(bytes: Uint8Array) {
  const res = await s.api("/api/v1/documents", { method: "POST", json: { name: "application.pdf", contentBase64: Buffer.from(bytes).toString("base64") } });
  expect(res.status).toBe(201);
  return (await res.json()) as any;
}

/** Field name -> value, as qpdf's JSON (v2) reports the form. */
function qpdfFormValues(pdf: Uint8Array): Record<string, unknown> {
  const path = join(dir, `form-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(path, pdf);
  const out = Bun.spawnSync(["qpdf", "--json", "--json-key=acroform", path]).stdout.toString();
  const fields = JSON.parse(out).acroform.fields as { fullname: string; value: unknown }[];
  return Object.fromEntries(fields.map((f) => [f.fullname, f.value]));
}

describe("form fields", () => {
  test("listed at upload with type, place, value and options", async () => {
    const doc = await upload(await formPdf());
    const byName = Object.fromEntries(doc.formFields.map((f: any) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(["agree", "contract_type", "department", "employee_name", "employee_signature", "start_date"]);
    // Where the widget is (pdf-lib's widgets take half their border width around the box).
    const near = (got: any, want: Record<string, number>) => { for (const [k, v] of Object.entries(want)) expect(Math.abs(got[k] - v), k).toBeLessThanOrEqual(1); };
    expect(byName.employee_name).toMatchObject({ type: "text", page: 1 });
    near(byName.employee_name, { x: 180, y: 841.89 - 772, width: 250, height: 22 });
    expect(byName.agree).toMatchObject({ type: "checkbox", value: "false" });
    expect(byName.contract_type).toMatchObject({ type: "radio", options: ["CDI", "CDD"] });
    // Each button with the option it selects, where it is.
    expect(byName.contract_type.buttons.map((b: any) => b.option)).toEqual(["CDI", "CDD"]);
    near(byName.contract_type.buttons[0], { x: 180, y: 841.89 - 644, width: 14, height: 14 });
    near(byName.contract_type.buttons[1], { x: 240, y: 841.89 - 644, width: 14, height: 14 });
    expect(byName.department.buttons).toBeUndefined();
    expect(byName.department).toMatchObject({ type: "choice", options: ["Sales", "Engineering"] });
    expect(byName.employee_signature).toMatchObject({ type: "signature", x: 180, y: 841.89 - 540, width: 200, height: 60 });
  });

  test("prefilled, handed to a recipient, signed: the sealed PDF carries real form values and verifies", async () => {
    const doc = await upload(await formPdf());
    const envelope = await createEnvelope(s, {
      subject: "Application", documentIds: [doc.id],
      recipients: [{ email: "marie@example.com", name: "Marie Dubois", formFields: ["start_date", "agree", "employee_signature"] }],
      prefill: { employee_name: "Marie Dubois", contract_type: "CDI", department: "Engineering" },
    });
    const formFields = envelope.fields.filter((f: any) => f.source === "form");
    expect(formFields.map((f: any) => [f.label, f.type]).sort()).toEqual([["agree", "checkbox"], ["employee_signature", "signature"], ["start_date", "text"]]);
    const sig = formFields.find((f: any) => f.label === "employee_signature");
    expect(sig).toMatchObject({ x: 180, width: 200, height: 60 });
    const sent = await sendEnvelope(s, envelope.id);
    const id = (label: string) => sent.fields.find((f: any) => f.label === label).id;
    const res = await complete(s, tokenOf(sent.recipients[0].signUrl), {
      signature: { type: "typed", value: "Marie Dubois" }, consent: true, fields: { [id("start_date")]: "2027-01-04", [id("agree")]: true },
    });
    expect(res.status).toBe(200);
    const signed = new Uint8Array(await (await s.api(`/api/v1/envelopes/${envelope.id}/signed-document`)).arrayBuffer());
    const values = qpdfFormValues(signed);
    expect(values.employee_name).toBe("u:Marie Dubois");
    expect(values.start_date).toBe("u:2027-01-04");
    expect(values.agree).toBe("/Yes");
    // pdf-lib names radio states by position (/0) and keeps the labels in /Opt.
    expect(values.contract_type).toBe("/0");
    expect(values.department).toBe("u:Engineering");
    // pdf-lib, another form reader, agrees.
    const form = (await PDFDocument.load(signed)).getForm();
    expect(form.getTextField("employee_name").getText()).toBe("Marie Dubois");
    expect(form.getCheckBox("agree").isChecked()).toBe(true);
    expect(form.getRadioGroup("contract_type").getSelected()).toBe("CDI");
    expect(form.getDropdown("department").getSelected()).toEqual(["Engineering"]);
    const sigs = pdfsig(dir, signed);
    expect(sigs.at(-1)!.valid).toBe(true);
  });

  test("refused together: an unknown form field, a bad option (handed over or not), a checkbox with text", async () => {
    const doc = await upload(await formPdf());
    const r = await post(s, "/api/v1/envelopes", {
      subject: "Bad", documentIds: [doc.id],
      recipients: [{ email: "a@example.com", name: "A", formFields: ["nope", "contract_type"] }],
      prefill: { department: "Legal", agree: "maybe", contract_type: "Freelance" },
    });
    expect(r.status).toBe(422);
    const byPointer = Object.fromEntries(r.body.errors.map((e: any) => [e.pointer, e.message]));
    expect(Object.keys(byPointer).sort()).toEqual(["/prefill/agree", "/prefill/contract_type", "/prefill/department", "/recipients/0/formFields/0"]);
    expect(byPointer["/recipients/0/formFields/0"]).toContain("no document");
    expect(byPointer["/prefill/department"]).toContain("not one of the options");
    expect(byPointer["/prefill/contract_type"]).toBe('not one of the options of contract_type: "CDI", "CDD"');
    expect(byPointer["/prefill/agree"]).toContain("true or false");
  });

  test("radio groups and choice fields handed to a signer: offered with their options, checked, and sealed as real form values", async () => {
    const doc = await upload(await formPdf());
    const other = await upload(await formPdf());
    const envelope = await createEnvelope(s, {
      subject: "Choices", documentIds: [doc.id, other.id],
      recipients: [{ email: "marie@example.com", name: "Marie Dubois", formFields: ["contract_type", "department"] }],
    });
    // One field per document that has the name, required, of the form field's own kind.
    const handed = envelope.fields.filter((f: any) => f.source === "form");
    expect(handed.map((f: any) => [f.documentId, f.label, f.type, f.required])).toEqual([
      [doc.id, "contract_type", "radio", true], [other.id, "contract_type", "radio", true],
      [doc.id, "department", "choice", true], [other.id, "department", "choice", true],
    ]);
    const sent = await sendEnvelope(s, envelope.id);
    const token = tokenOf(sent.recipients[0].signUrl);
    const session = (await signing(s, token)).body;
    const radio = session.fields.find((f: any) => f.documentId === doc.id && f.type === "radio");
    const choice = session.fields.find((f: any) => f.documentId === doc.id && f.type === "choice");
    expect(radio.options).toEqual(["CDI", "CDD"]);
    expect(radio.buttons.map((b: any) => [b.option, Math.round(b.x)])).toEqual([["CDI", 180], ["CDD", 240]]);
    expect(choice).toMatchObject({ options: ["Sales", "Engineering"], buttons: null });
    const id = (documentId: string, type: string) => session.fields.find((f: any) => f.documentId === documentId && f.type === type).id;

    // Missing, a wrong option, a wrong kind of value: each said, with the field and its options.
    const bad = await complete(s, token, {
      signature: { type: "typed", value: "Marie Dubois" }, consent: true,
      fields: { [id(doc.id, "radio")]: "Freelance", [id(doc.id, "choice")]: "engineering", [id(other.id, "radio")]: true },
    });
    expect(bad.status).toBe(422);
    const problems = Object.fromEntries(bad.body.errors.map((e: any) => [e.pointer, e.message]));
    expect(problems).toEqual({
      [`/fields/${id(doc.id, "radio")}`]: 'not one of the options of "contract_type": "CDI", "CDD"',
      [`/fields/${id(doc.id, "choice")}`]: 'not one of the options of "department": "Sales", "Engineering"',
      [`/fields/${id(other.id, "radio")}`]: 'expected one of the options of "contract_type" as a string',
      [`/fields/${id(other.id, "choice")}`]: 'this field is required: choose one of the options of "department": "Sales", "Engineering"',
    });

    const ok = await complete(s, token, {
      signature: { type: "typed", value: "Marie Dubois" }, consent: true,
      fields: { [id(doc.id, "radio")]: "CDD", [id(doc.id, "choice")]: "Engineering", [id(other.id, "radio")]: "CDI", [id(other.id, "choice")]: "Sales" },
    });
    expect(ok.status).toBe(200);
    const stored = await (await s.api(`/api/v1/envelopes/${envelope.id}`)).json();
    expect(stored.fields.filter((f: any) => f.source === "form").map((f: any) => f.value)).toEqual(["CDD", "CDI", "Engineering", "Sales"]);

    // Each document sealed alone carries its own values in its form.
    const sealed = await (await s.api(`/api/v1/envelopes/${envelope.id}`)).json();
    const alone = async (documentId: string) =>
      new Uint8Array(await (await s.api(`/api/v1/envelopes/${envelope.id}/signed-document?documentId=${documentId}`)).arrayBuffer());
    expect(sealed.status).toBe("COMPLETED");
    const first = await alone(doc.id);
    const values = qpdfFormValues(first);
    // pdf-lib names radio states by position (/1: the second option, CDD).
    expect(values.contract_type).toBe("/1");
    expect(values.department).toBe("u:Engineering");
    const form = (await PDFDocument.load(first)).getForm();
    expect(form.getRadioGroup("contract_type").getSelected()).toBe("CDD");
    expect(form.getDropdown("department").getSelected()).toEqual(["Engineering"]);
    expect(pdfsig(dir, first).at(-1)!.valid).toBe(true);
    expect(qpdfFormValues(await alone(other.id))).toMatchObject({ contract_type: "/0", department: "u:Sales" });

    // The one PDF of all documents copies their pages without their forms: the widgets, filled
    // before the copy, show the values (a renderer draws the chosen option's appearance).
    const merged = new Uint8Array(await (await s.api(`/api/v1/envelopes/${envelope.id}/signed-document`)).arrayBuffer());
    expect(pdftotext(merged, "-f", "1", "-l", "1")).toContain("Engineering");
    expect(pdftotext(merged, "-f", "2", "-l", "2")).toContain("Sales");
    const inside = (b: any) => ({ x: Math.ceil(b.x) + 4, y: Math.ceil(b.y) + 4, width: Math.floor(b.width) - 8, height: Math.floor(b.height) - 8 });
    const [cdi, cdd] = radio.buttons.map(inside);
    const page1 = greyPixels(merged, 1);
    const page2 = greyPixels(merged, 2);
    expect([darkPixels(page1, cdi), darkPixels(page1, cdd) > 0]).toEqual([0, true]);
    expect([darkPixels(page2, cdi) > 0, darkPixels(page2, cdd)]).toEqual([true, 0]);
  });

  const files = corpus();
  test.skipIf(!files)("the corpus's form documents list their fields", async () => {
    for (const f of files!.filter((f) => f.category.includes("form") && !f.encrypted)) {
      const pdf = await PDFDocument.load(await Bun.file(f.path).bytes(), { ignoreEncryption: true }).catch(() => null);
      if (!pdf) continue;
      expect(listFormFields(pdf).length, f.file).toBeGreaterThan(0);
    }
  });
});
