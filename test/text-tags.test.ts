import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, PDFName, StandardFonts } from "pdf-lib";
import { sealPdf } from "../src/pdf/pades";
import { findTextTags, removeTextTags } from "../src/pdf/text/text-tags";
import { taggedPagesOf } from "../src/pdf/text/text-tag-model";
import { complete, createEnvelope, post, sendEnvelope, tokenOf } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { formTaggedContract, pdftotextWords, taggedContract } from "./helpers/tagged-pdf";
import { pdfsig, tempDir } from "./pdf/helpers-seal";
import { corpus } from "./helpers/pdf";

let s: TestServer;
let dir: string;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
  dir = tempDir("certyneo-tags-");
});
afterAll(() => s.stop());

async function upload(bytes: Uint8Array, name = "contract.pdf") {
  const res = await s.api("/api/v1/documents", { method: "POST", json: { name, contentBase64: Buffer.from(bytes).toString("base64") } });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

const inside = (p: { x: number; y: number }, box: { x: number; y: number; width: number; height: number }, slack = 2) =>
  p.x >= box.x - slack && p.x <= box.x + box.width + slack && p.y >= box.y - slack && p.y <= box.y + box.height + slack;

const TAG_TEXT = /\{\{|\}\}|_es_|\[(sig|text|initial|check|date)\|/;

describe("text tags found at upload", () => {
  test("every syntax, font, size, split run and rotated page: names, types, roles, and boxes where pdftotext sees the text", async () => {
    const bytes = await taggedContract();
    const doc = await upload(bytes);
    const byName = Object.fromEntries(doc.tags.map((t: any) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(["Agree", "Employee initials", "Employee signature", "Employer signature", "Notes", "Signed on", "Start", "job_title"]);
    expect(byName["Employee signature"]).toMatchObject({ type: "signature", role: "Employee", required: true, page: 1 });
    expect(byName["Signed on"]).toMatchObject({ type: "date", role: "Employee", required: false });
    expect(byName["Employer signature"]).toMatchObject({ type: "signature", role: "Employer", page: 1 });
    expect(byName["Employee initials"]).toMatchObject({ type: "initials", page: 2 });
    expect(byName.job_title).toMatchObject({ type: "text", role: "signer2", required: true, page: 2 });
    expect(byName.Start).toMatchObject({ type: "date", role: "signer1", required: true, page: 2 });
    expect(byName.Agree).toMatchObject({ type: "checkbox", page: 3 });
    expect(byName.Notes).toMatchObject({ type: "text", role: null, required: true, page: 3 });

    // The first word of each tag, as poppler places it, lies inside the tag's box.
    const path = join(dir, "tagged.pdf");
    writeFileSync(path, bytes);
    const words = pdftotextWords(path);
    const firstWord: Record<string, string> = {
      "Employee signature": "{{Employee", "Signed on": "{{Signed", "Employer signature": "{{Employer", "Employee initials": "{{Employee",
      job_title: "[text|req|signer2|Job", Start: "{{*Start_es_:signer1:date}}", Notes: "{{Notes}}",
    };
    for (const [name, word] of Object.entries(firstWord)) {
      const tag = byName[name];
      const w = words.find((w) => w.page === tag.page && w.word === word && inside({ x: w.x + w.width / 2, y: w.y + w.height / 2 }, tag));
      expect(w, name).toBeDefined();
    }
    // The rotated page's tags read upright on screen: wide and low in displayed space.
    expect(byName["Employee initials"].width).toBeGreaterThan(byName["Employee initials"].height * 5);
    // The split tag spans its three runs.
    expect(byName["Employer signature"].width).toBeGreaterThan(200);
    // The document metadata lists them too.
    expect((await (await s.api(`/api/v1/documents/${doc.id}`)).json()).tags).toEqual(doc.tags);
  });

  test("a document without tags has none; braces and brackets that are not tags are left alone", async () => {
    const pdf = await PDFDocument.create();
    const page = pdf.addPage();
    page.drawText("{not a tag} [nor|this] {{}} {{x;type=barcode}}", { x: 50, y: 700, size: 12 });
    const doc = await upload(new Uint8Array(await pdf.save()));
    expect(doc.tags).toEqual([]);
  });

  const files = corpus();
  test.skipIf(!files)("real-world corpus files upload with a tags list (empty for documents without tags)", async () => {
    for (const f of files!.filter((f) => !f.encrypted && f.qpdfCheck === "ok" && f.pages !== null).slice(0, 12)) {
      const pdf = await PDFDocument.load(await Bun.file(f.path).bytes(), { ignoreEncryption: true }).catch(() => null);
      if (!pdf) continue;
      expect(Array.isArray(findTextTags(pdf)), f.file).toBe(true);
    }
  });
});

async function signAll(envelope: any, values: Record<string, Record<string, string | boolean>>) {
  for (const r of envelope.recipients) {
    const res = await complete(s, tokenOf(r.signUrl), { signature: { type: "typed", value: r.name }, consent: true, fields: values[r.email] ?? {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

describe("tags taken out on the pages the upload's check found them on", () => {
  test("only the pages named are read and changed; the pages of a document's tags, each once", async () => {
    const bytes = await taggedContract();
    const tags = findTextTags(await PDFDocument.load(bytes));
    expect(taggedPagesOf(tags)).toEqual([1, 2, 3]);
    expect(taggedPagesOf([{ page: 3 }, { page: 1 }, { page: 3 }])).toEqual([1, 3]);
    expect(taggedPagesOf([])).toEqual([]);
    const pagesLeft = async (onPages?: number[]) => {
      const pdf = await PDFDocument.load(bytes);
      const removed = removeTextTags(pdf.getPages(), onPages);
      return { removed, left: [...new Set(findTextTags(await PDFDocument.load(await pdf.save())).map((t) => t.page))] };
    };
    expect(await pagesLeft([2])).toEqual({ removed: tags.filter((t) => t.page === 2).length, left: [1, 3] });
    // A page number past the document's end is no page.
    expect(await pagesLeft([1, 3, 9])).toEqual({ removed: tags.filter((t) => t.page !== 2).length, left: [2] });
    expect(await pagesLeft([])).toEqual({ removed: 0, left: [1, 2, 3] });
    expect(await pagesLeft()).toEqual({ removed: tags.length, left: [] });
  });
});

describe("tags become fields, and the signed PDF shows values where the tags were", () => {
  test("roleName, signerN and no-role tags; explicit fields combine; the tag text is gone and the seal verifies", async () => {
    const doc = await upload(await taggedContract());
    const envelope = await createEnvelope(s, {
      subject: "Contract with tags",
      documentIds: [doc.id],
      recipients: [
        { email: "ana@example.com", name: "Ana Silva", roleName: "Employee", fields: [{ documentId: doc.id, type: "text", page: 1, x: 72, y: 300, width: 200, height: 20, label: "Address" }] },
        { email: "bob@example.com", name: "Bob Martin", roleName: "Employer" },
      ],
    });
    const [ana, bob] = envelope.recipients;
    expect(ana.roleName).toBe("Employee");
    const tagFields = envelope.fields.filter((f: any) => f.source === "tag");
    const of = (rid: string) => tagFields.filter((f: any) => f.recipientId === rid).map((f: any) => f.label).sort();
    // Ana: her role's tags, signer1 (the first signer) and the tag without a role; Bob: Employer and signer2.
    expect(of(ana.id)).toEqual(["Agree", "Employee initials", "Employee signature", "Notes", "Signed on", "Start"]);
    expect(of(bob.id)).toEqual(["Employer signature", "job_title"]);
    expect(envelope.fields.filter((f: any) => f.source === "explicit")).toHaveLength(1);
    const tagOf = (label: string) => doc.tags.find((t: any) => t.name === label);
    const field = (label: string) => envelope.fields.find((f: any) => f.label === label);
    expect(field("Employee signature")).toMatchObject({ ...(({ name: _, role: __, ...box }) => box)(tagOf("Employee signature")) });

    // A PATCH that does not touch recipients keeps the same fields (tag fields are not doubled).
    const patched = await s.api(`/api/v1/envelopes/${envelope.id}`, { method: "PATCH", json: { subject: "Contract with tags (v2)" } });
    expect((await patched.json()).fields).toHaveLength(envelope.fields.length);

    const sent = await sendEnvelope(s, envelope.id);
    await signAll(sent, {
      "ana@example.com": { [field("Notes").id]: "Remote work", [field("Agree").id]: true, [field("Address").id]: "1 rue de la Paix" },
      "bob@example.com": { [field("job_title").id]: "Engineer" },
    });
    const res = await s.api(`/api/v1/envelopes/${envelope.id}/signed-document`);
    expect(res.status).toBe(200);
    const signed = new Uint8Array(await res.arrayBuffer());
    const path = join(dir, "signed-tags.pdf");
    writeFileSync(path, signed);
    const words = pdftotextWords(path);
    expect(words.filter((w) => TAG_TEXT.test(w.word)).map((w) => w.word)).toEqual([]);
    // The text around the tags stays, in place.
    expect(words.some((w) => w.page === 1 && w.word === "thank")).toBe(true);
    // Values sit inside the tags' boxes.
    const at = (word: string, label: string) => {
      const tag = tagOf(label);
      return words.find((w) => w.page === tag.page && w.word === word && inside({ x: w.x + w.width / 2, y: w.y + w.height / 2 }, tag, 4));
    };
    expect(at("Remote", "Notes"), "Notes value").toBeDefined();
    expect(at("Engineer", "job_title"), "job title value").toBeDefined();
    const sigs = pdfsig(dir, signed);
    expect(sigs).toHaveLength(1);
    expect(sigs[0]!.valid).toBe(true);
  });

  test("a document signed before upload keeps its signature valid when its tags are taken out", async () => {
    const key = await s.deps.sealingKey();
    const presigned = await sealPdf(await taggedContract(), { signer: key, signingTime: new Date(), name: "Earlier signature" });
    const before = pdfsig(dir, presigned);
    expect(before).toHaveLength(1);
    expect(before[0]!.valid).toBe(true);
    const doc = await upload(presigned);
    expect(doc.tags.length).toBe(8);
    const envelope = await createEnvelope(s, { subject: "Presigned", documentIds: [doc.id], recipients: [{ email: "ana@example.com", name: "Ana Silva", roleName: "Employee" }, { email: "bob@example.com", name: "Bob Martin", roleName: "Employer" }] });
    const field = (label: string) => envelope.fields.find((f: any) => f.label === label);
    const sent = await sendEnvelope(s, envelope.id);
    await signAll(sent, { "ana@example.com": { [field("Notes").id]: "None", [field("Agree").id]: true }, "bob@example.com": { [field("job_title").id]: "CEO" } });
    const signed = new Uint8Array(await (await s.api(`/api/v1/envelopes/${envelope.id}/signed-document`)).arrayBuffer());
    expect(Buffer.from(signed.subarray(0, presigned.length)).equals(Buffer.from(presigned))).toBe(true);
    const after = pdfsig(dir, signed);
    expect(after).toHaveLength(2);
    expect(after.every((x) => x.valid)).toBe(true);
    const path = join(dir, "presigned-signed.pdf");
    writeFileSync(path, signed);
    expect(pdftotextWords(path).filter((w) => TAG_TEXT.test(w.word))).toEqual([]);
  });

  test("a CC whose roleName has signature tags, and duplicate role names, are refused with pointers", async () => {
    const doc = await upload(await taggedContract());
    const r = await post(s, "/api/v1/envelopes", {
      subject: "Bad roles", documentIds: [doc.id],
      recipients: [
        { email: "ana@example.com", name: "Ana", roleName: "Employer", role: "CC" },
        { email: "bob@example.com", name: "Bob", roleName: "Employee" },
        { email: "cy@example.com", name: "Cy", roleName: "employee" },
      ],
    });
    expect(r.status).toBe(422);
    const pointers = r.body.errors.map((e: any) => e.pointer);
    expect(pointers).toContain("/recipients/0/roleName");
    expect(pointers).toContain("/recipients/2/roleName");
  });

  test("bounded: a document of more than 5,000 tags is refused at upload; an envelope of more than 10,000 fields at creation", async () => {
    // Small text, 385 tags a page: 5,005 in all.
    const many = await PDFDocument.create();
    const font = await many.embedFont(StandardFonts.Helvetica);
    for (let p = 0; p < 13; p++) {
      const page = many.addPage([595, 842]);
      for (let i = 0; i < 385; i++) page.drawText(`{{T${p}.${i}}}`, { x: 10 + (i % 7) * 80, y: 10 + Math.floor(i / 7) * 14, size: 5, font });
    }
    const refused = await s.api("/api/v1/documents", { method: "POST", json: { name: "many.pdf", contentBase64: Buffer.from(await many.save()).toString("base64") } });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: "pdf_too_complex", detail: "The PDF holds 5005 text tags; a document may hold at most 5000" });

    // 50 recipients of 200 fields each is the most the request may carry; the document's tags for the first two signers make 3 more.
    const doc = await upload(await taggedContract());
    const fields = Array.from({ length: 200 }, (_, i) => ({ documentId: doc.id, type: "text", page: 1, x: 1 + (i % 20) * 20, y: 1 + Math.floor(i / 20) * 20, width: 10, height: 10, required: false }));
    const recipients = Array.from({ length: 50 }, (_, i) => ({ email: `r${i}@example.com`, name: `R${i}`, fields }));
    const over = await post(s, "/api/v1/envelopes", { subject: "Too many fields", documentIds: [doc.id], recipients });
    expect(over.status).toBe(422);
    expect(over.body.errors).toEqual([{ pointer: "/", message: "the envelope would have 10003 fields (its recipients' own, its documents' text tags and form fields): at most 10000" }]);
  });
});

describe("tags inside form XObjects and annotation appearances", () => {
  test("found where pdftotext sees them: nested forms, a form drawn twice, a tag ending in a form, a free-text annotation, on a rotated page", async () => {
    const bytes = await formTaggedContract();
    const doc = await upload(bytes, "forms.pdf");
    // A form that draws itself is read once; forms nested deeper than the reader goes are not read.
    expect(doc.tags.map((t: any) => `${t.page} ${t.name}`).sort()).toEqual([
      "1 Form signature", "1 Nested note", "2 Shared initials", "2 Shared initials", "2 Split", "3 Annotation note", "3 Loop",
    ]);
    const path = join(dir, "forms.pdf");
    writeFileSync(path, bytes);
    const words = pdftotextWords(path);
    for (const tag of doc.tags) {
      const first = tag.name === "Split" ? "{{Split;role=Employee}}" : `{{${tag.name.split(" ")[0]}`;
      const w = words.filter((w) => w.page === tag.page && w.word.startsWith(first) && inside({ x: w.x + w.width / 2, y: w.y + w.height / 2 }, tag));
      expect(w.length, `${tag.name} at ${JSON.stringify(tag)}`).toBeGreaterThanOrEqual(1);
    }
    const [small, large] = doc.tags.filter((t: any) => t.name === "Shared initials");
    // The second use is drawn at 150 %.
    expect(large.height / small.height).toBeCloseTo(1.5, 1);
    // On the rotated page, the turned form reads upright: wide and low in displayed space.
    const signature = doc.tags.find((t: any) => t.name === "Form signature");
    expect(signature.width).toBeGreaterThan(signature.height * 10);
  });

  test("taken out of the sealed PDF for each use alone: the form's other uses and the rest of its text stay", async () => {
    const doc = await upload(await formTaggedContract(), "forms.pdf");
    const plain = await upload(await taggedContract(), "contract.pdf");
    const envelope = await createEnvelope(s, {
      subject: "Forms", documentIds: [doc.id, plain.id],
      recipients: [{ email: "ana@example.com", name: "Ana Silva", roleName: "Employee" }, { email: "bob@example.com", name: "Bob Martin", roleName: "Employer" }],
    });
    const field = (label: string) => envelope.fields.find((f: any) => f.documentId === doc.id && f.label === label);
    const other = (label: string) => envelope.fields.find((f: any) => f.documentId === plain.id && f.label === label);
    const sent = await sendEnvelope(s, envelope.id);
    await signAll(sent, {
      "ana@example.com": {
        [field("Nested note").id]: "Nestedvalue", [field("Split").id]: "Splitvalue", [field("Loop").id]: "Loopvalue", [field("Annotation note").id]: "Annotvalue",
        [other("Notes").id]: "None", [other("Agree").id]: true,
      },
      "bob@example.com": { [other("job_title").id]: "CEO" },
    });
    const alone = new Uint8Array(await (await s.api(`/api/v1/envelopes/${envelope.id}/signed-document?documentId=${doc.id}`)).arrayBuffer());
    const merged = new Uint8Array(await (await s.api(`/api/v1/envelopes/${envelope.id}/signed-document`)).arrayBuffer());
    for (const [name, pdf] of [["alone", alone], ["merged", merged]] as const) {
      const path = join(dir, `forms-${name}.pdf`);
      writeFileSync(path, pdf);
      const words = pdftotextWords(path).filter((w) => w.page <= 3);
      // Left: the "}}" the form draws where no tag is, and the tag nested too deep to be read.
      expect(words.filter((w) => TAG_TEXT.test(w.word)).map((w) => `${w.page} ${w.word}`), name).toEqual(["3 }}", "3 {{Too", "3 deep}}"]);
      // The forms' other text stays, in place.
      for (const [page, word] of [[1, "keep"], [1, "Page"], [2, "braces"], [3, "braces"], [3, "Alone:"]] as const) expect(words.some((w) => w.page === page && w.word === word), `${name}: ${word}`).toBe(true);
      for (const [value, label] of [["Nestedvalue", "Nested note"], ["Splitvalue", "Split"], ["Loopvalue", "Loop"], ["Annotvalue", "Annotation note"]]) {
        const tag = doc.tags.find((t: any) => t.name === label);
        expect(words.some((w) => w.page === tag.page && w.word === value && inside({ x: w.x + w.width / 2, y: w.y + w.height / 2 }, tag, 4)), `${name}: ${label}`).toBe(true);
      }
      expect(pdfsig(dir, pdf).at(-1)!.valid, name).toBe(true);
    }
    // The free-text annotation's comment text lost its tag too.
    const sealed = await PDFDocument.load(alone);
    const annotations = sealed.getPages()[2]!.node.Annots()!.asArray();
    expect(annotations).toHaveLength(1);
    expect((sealed.context.lookup(annotations[0]) as any).lookup(PDFName.of("Contents")).decodeText()).toBe("");
  });
});
