import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { startTestServer, type TestServer } from "./helpers/server";
import { complete, createEnvelope, quickStart, sendEnvelope, tokenOf } from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";
import { corpus, makePdf } from "./helpers/pdf";
import { havePostgres } from "./helpers/postgres";

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ env: { CERTYNEO_MAX_UPLOAD_MB: "1" } }); });
afterAll(() => s.stop());

const multipart = (bytes: Uint8Array, name = "contract.pdf") => {
  const form = new FormData();
  form.set("file", new File([bytes as Uint8Array<ArrayBuffer>], name, { type: "application/pdf" }));
  return form;
};

describe("upload", () => {
  test("multipart upload keeps name, size, SHA-256, page count and stores the bytes content-addressed", async () => {
    const pdf = await makePdf(3);
    const res = await s.api("/api/v1/documents", { method: "POST", body: multipart(pdf) });
    expect(res.status).toBe(201);
    const doc = await res.json();
    expect(doc).toMatchObject({ name: "contract.pdf", size: pdf.length, sha256: sha256(pdf), pageCount: 3 });
    expect(doc.id).toMatch(/^doc_/);
    expect(doc.pages[0]).toEqual({ width: 595.28, height: 841.89 });
    expect(res.headers.get("location")).toBe(`/api/v1/documents/${doc.id}`);
    expect(new Uint8Array(readFileSync(s.deps.files.path(doc.sha256)))).toEqual(pdf);
    const got = await (await s.api(`/api/v1/documents/${doc.id}`)).json();
    expect(got).toEqual(doc);
  });

  test("JSON upload with contentBase64", async () => {
    const pdf = await makePdf(2);
    const res = await s.api("/api/v1/documents", { method: "POST", json: { name: "b.pdf", contentBase64: Buffer.from(pdf).toString("base64") } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: "b.pdf", pageCount: 2, sha256: sha256(pdf) });
  });

  const bad: [string, () => Promise<Uint8Array>, string][] = [
    ["not a PDF", async () => new TextEncoder().encode("hello, I am a text file"), "pdf_invalid"],
    ["truncated PDF", async () => (await makePdf(2)).slice(0, 900), "pdf_invalid"],
    ["corrupt PDF (garbage after a header)", async () => new TextEncoder().encode("%PDF-1.7\n" + "x".repeat(500) + "\n%%EOF\n"), "pdf_invalid"],
    ["empty file", async () => new Uint8Array(0), "pdf_invalid"],
  ];
  for (const [name, make, code] of bad) {
    test(`${name}: 422 ${code}`, async () => {
      const res = await s.api("/api/v1/documents", { method: "POST", body: multipart(await make()) });
      expect(res.status).toBe(422);
      expect((await res.json()).code).toBe(code);
    });
  }

  test("over the size limit: 413 before the body is read, and after decoding base64", async () => {
    const big = new Uint8Array(1.6 * 1024 * 1024);
    const res = await s.api("/api/v1/documents", { method: "POST", body: multipart(big) });
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe("payload_too_large");
    const justOver = new Uint8Array(1024 * 1024 + 10);
    const res2 = await s.api("/api/v1/documents", { method: "POST", json: { name: "x.pdf", contentBase64: Buffer.from(justOver).toString("base64") } });
    expect(res2.status).toBe(413);
  });

  test("validation errors name the bad fields by JSON pointer", async () => {
    const res = await s.api("/api/v1/documents", { method: "POST", json: { name: "", contentBase64: "%%%", extra: true } });
    expect(res.status).toBe(422);
    const body = await res.json();
    const pointers = body.errors.map((e: any) => e.pointer);
    expect(pointers).toContain("/name");
    expect(pointers).toContain("/extra");
    const b64 = await s.api("/api/v1/documents", { method: "POST", json: { name: "x", contentBase64: "@@@@" } });
    expect((await b64.json()).errors[0].pointer).toBe("/contentBase64");
  });

  test("multipart without a file field is a validation error", async () => {
    const form = new FormData();
    form.set("name", "x");
    const res = await s.api("/api/v1/documents", { method: "POST", body: form });
    expect(res.status).toBe(422);
    expect((await res.json()).errors.map((e: any) => e.pointer)).toContain("/file");
  });
});

describe("content", () => {
  test("GET /documents/{id}/content returns the uploaded bytes exactly, as an attachment; other environments and deleted ones 404", async () => {
    const pdf = await makePdf(2, "Original bytes");
    const doc = await (await s.api("/api/v1/documents", { method: "POST", body: multipart(pdf, "offre d'emploi.pdf") })).json();
    const res = await s.api(`/api/v1/documents/${doc.id}/content`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toContain("filename*=UTF-8''offre%20d%27emploi.pdf");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(doc.sha256);
    expect(bytes).toEqual(pdf);
    const live = await s.key("live");
    expect((await s.api(`/api/v1/documents/${doc.id}/content`, { key: live })).status).toBe(404);
    expect((await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE" })).status).toBe(200);
    const gone = await s.api(`/api/v1/documents/${doc.id}/content`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe("not_found");
  });
});

describe("list and delete", () => {
  test("cursor pagination, newest first, no overlap and no gap", async () => {
    const t = await startTestServer();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        (t.clock as any).advance(1000);
        ids.unshift((await (await t.api("/api/v1/documents", { method: "POST", body: multipart(await makePdf(1, `doc ${i}`)) })).json()).id);
      }
      const p1 = await (await t.api("/api/v1/documents?limit=2")).json();
      expect(p1.data.map((d: any) => d.id)).toEqual(ids.slice(0, 2));
      expect(p1.hasMore).toBe(true);
      const p2 = await (await t.api(`/api/v1/documents?limit=2&startingAfter=${p1.data[1].id}`)).json();
      expect(p2.data.map((d: any) => d.id)).toEqual(ids.slice(2, 4));
      const p3 = await (await t.api(`/api/v1/documents?limit=2&startingAfter=${p2.data[1].id}`)).json();
      expect(p3.data.map((d: any) => d.id)).toEqual(ids.slice(4));
      expect(p3.hasMore).toBe(false);
      expect((await t.api("/api/v1/documents?limit=0")).status).toBe(422);
      expect((await t.api("/api/v1/documents?limit=101")).status).toBe(422);
      expect((await t.api("/api/v1/documents?startingAfter=doc_nope")).status).toBe(422);
    } finally {
      await t.stop();
    }
  });

  test("delete hides the document and removes its unshared bytes", async () => {
    const pdf = await makePdf(1, "to delete");
    const doc = await (await s.api("/api/v1/documents", { method: "POST", body: multipart(pdf) })).json();
    const del = await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await s.api(`/api/v1/documents/${doc.id}`)).status).toBe(404);
    expect((await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE" })).status).toBe(404);
    expect(existsSync(s.deps.files.path(doc.sha256))).toBe(false);
  });

  test("delete is refused while envelopes use it, naming at most three of them with their status", async () => {
    const doc = await (await s.api("/api/v1/documents", { method: "POST", body: multipart(await makePdf(1, "in use")) })).json();
    const draft = () => s.api("/api/v1/envelopes", { method: "POST", json: { subject: "Uses it", documentIds: [doc.id], recipients: [{ email: "a@example.com", name: "A" }] } }).then((r) => r.json());
    const first = await draft();
    const refusal = async () => {
      const res = await s.api(`/api/v1/documents/${doc.id}`, { method: "DELETE" });
      expect(res.status).toBe(409);
      const body = await res.json();
      expect(body.code).toBe("document_in_use");
      return body.detail as string;
    };
    expect(await refusal()).toBe(`Document ${doc.id} is used by envelope ${first.id} (DRAFT); void or delete it first`);
    for (let i = 0; i < 5; i++) await draft();
    expect(await refusal()).toMatch(/^Document doc_\w+ is used by envelopes env_\w+ \(DRAFT\), env_\w+ \(DRAFT\), env_\w+ \(DRAFT\) and others; void or delete them first$/);
    expect((await s.api(`/api/v1/documents/${doc.id}`)).status).toBe(200);
  });
});

describe("real-world corpus", () => {
  const entries = corpus();
  test.skipIf(!entries)("every corpus file is accepted or refused with the right code, never a 500", async () => {
    const t = await startTestServer({ env: { CERTYNEO_MAX_UPLOAD_MB: "25" } });
    try {
      for (const e of entries!) {
        const res = await t.api("/api/v1/documents", { method: "POST", body: multipart(new Uint8Array(readFileSync(e.path)), e.file) });
        const body = await res.json();
        const expected =
          e.encrypted ? "pdf_encrypted"
          : e.file === "signed-certified-docmdp-p1.pdf" ? "pdf_certified_no_changes"
          : e.file === "broken-not-a-pdf.pdf" || e.file === "broken-truncated-no-xref-trailer.pdf" ? "pdf_invalid"
          : null;
        if (expected) {
          expect(res.status, e.file).toBe(422);
          expect(body.code, e.file).toBe(expected);
        } else {
          expect(res.status, `${e.file}: ${JSON.stringify(body)}`).toBe(201);
          expect(body.pageCount, e.file).toBe(e.pages!);
        }
      }
    } finally {
      await t.stop();
    }
  });
});

describe("delete keeps bytes that a finished envelope still needs", () => {
  test("a deleted copy with the same bytes does not remove what a completed envelope names", async () => {
    const t = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    try {
      const pdf = await makePdf(1, "kept");
      const a = await (await t.api("/api/v1/documents", { method: "POST", body: multipart(pdf) })).json();
      const sent = await sendEnvelope(t, (await createEnvelope(t, quickStart([a.id]))).id);
      await complete(t, tokenOf(sent.recipients[0].signUrl));
      expect((await t.api(`/api/v1/documents/${a.id}`, { method: "DELETE" })).status).toBe(200);
      const b = await (await t.api("/api/v1/documents", { method: "POST", body: multipart(pdf) })).json();
      expect(b.sha256).toBe(a.sha256);
      expect((await t.api(`/api/v1/documents/${b.id}`, { method: "DELETE" })).status).toBe(200);
      expect(existsSync(t.deps.files.path(a.sha256))).toBe(true);
    } finally {
      await t.stop();
    }
  });
});

// A removal that found no document needing the bytes, and an upload of the same bytes that
// found them stored: interleaved, the removal took the file from under the new document.
describe.each([false, ...(havePostgres ? [true] : [])])("a delete and an upload of the same bytes at once (on PostgreSQL: %p)", (postgres) => {
  test("the new document keeps its file: the removal and the upload do not interleave", async () => {
    const t = await startTestServer({ postgres });
    const { remove } = t.deps.files;
    const { handOver } = t.deps.pdf;
    try {
      const pdf = await makePdf(1, `delete and upload, PostgreSQL ${postgres}`);
      const a = await (await t.api("/api/v1/documents", { method: "POST", body: multipart(pdf) })).json();
      // The removal is held once it has decided, as if the upload came at that moment.
      const removing = Promise.withResolvers<void>();
      const gate = Promise.withResolvers<void>();
      t.deps.files.remove = async (sha) => (removing.resolve(), await gate.promise, remove(sha));
      const deleting = t.api(`/api/v1/documents/${a.id}`, { method: "DELETE" });
      await removing.promise;
      const checked = Promise.withResolvers<void>();
      t.deps.pdf.handOver = ((...args: unknown[]) => (handOver as (...a: unknown[]) => Promise<unknown>)(...args).finally(() => checked.resolve())) as typeof handOver;
      const uploading = t.api("/api/v1/documents", { method: "POST", body: multipart(pdf) });
      // The upload's PDF is checked; what is left of it (store, record) takes a few milliseconds unless it waits.
      await checked.promise;
      await Bun.sleep(100);
      gate.resolve();
      expect((await deleting).status).toBe(200);
      const b = await (await uploading).json();
      expect(b.sha256).toBe(a.sha256);
      const content = await t.api(`/api/v1/documents/${b.id}/content`);
      expect(content.status).toBe(200);
      expect(sha256(new Uint8Array(await content.arrayBuffer()))).toBe(a.sha256);
    } finally {
      t.deps.files.remove = remove;
      t.deps.pdf.handOver = handOver;
      await t.stop();
    }
  });
});
