/**
 * A PDF's own form (AcroForm) through the API: listed at upload, prefilled by the sender, handed
 * to a recipient, and sealed with real form values that qpdf reads back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { listFormFields } from "../src/pdf/form-fields";
import { complete, createEnvelope, post, sendEnvelope, tokenOf } from "./helpers/envelopes";
import { corpus } from "./helpers/pdf";
import { startTestServer, type TestServer } from "./helpers/server";
import { formPdf } from "./helpers/tagged-pdf";
import { pdfsig, tempDir } from "./pdf/helpers-seal";

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

  test("refused together: an unknown form field, a radio handed to a recipient, a bad option, a checkbox with text", async () => {
    const doc = await upload(await formPdf());
    const r = await post(s, "/api/v1/envelopes", {
      subject: "Bad", documentIds: [doc.id],
      recipients: [{ email: "a@example.com", name: "A", formFields: ["nope", "contract_type"] }],
      prefill: { department: "Legal", agree: "maybe" },
    });
    expect(r.status).toBe(422);
    const byPointer = Object.fromEntries(r.body.errors.map((e: any) => [e.pointer, e.message]));
    expect(byPointer["/recipients/0/formFields/0"]).toContain("no document");
    expect(byPointer["/recipients/0/formFields/1"]).toContain("prefill it instead");
    expect(byPointer["/prefill/department"]).toContain("not one of the options");
    expect(byPointer["/prefill/agree"]).toContain("true or false");
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
