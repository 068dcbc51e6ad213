/**
 * Every PDF download answered from the file store without reading it first (FileStore.open), on
 * disk and in a bucket: the bytes are the stored ones, the headers those the routes always sent
 * (plus Range support for attachments on disk), and a lost or truncated blob is the one problem
 * shape, never a 200 with the wrong bytes. The memory this saves: downloads-memory.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { addAdmin, consoleClient } from "./helpers/admin";
import { complete, createEnvelope, quickStart, sendEnvelope, signing, startEnvelopeServer, tokenOf, typed } from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";
import { makePdf, noisePdf } from "./helpers/pdf";
import { startS3Server, startS3TestServer, type S3TestServer } from "./helpers/s3";
import type { TestServer } from "./helpers/server";

async function upload(t: TestServer, pdf: Uint8Array, name = "contract.pdf") {
  const res = await t.api("/api/v1/documents", { method: "POST", json: { name, contentBase64: Buffer.from(pdf).toString("base64") } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; sha256: string; size: number };
}

/** A sent envelope over `docId`, signed by its one recipient and sealed: its id and signing token. */
async function sealedEnvelope(t: TestServer, docId: string) {
  const sent = await sendEnvelope(t, (await createEnvelope(t, quickStart([docId], undefined, { subject: "Offer letter" }))).id);
  const token = tokenOf(sent.recipients[0].signUrl);
  expect((await complete(t, token, typed())).status).toBe(200);
  await t.running.app.jobs.drain();
  return { id: sent.id as string, token };
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

/** What every failed download answers: the problem shape with its request id, nothing of the file. */
async function expectProblem(res: Response) {
  expect(res.status).toBe(500);
  expect(res.headers.get("content-type")).toStartWith("application/problem+json");
  const body = await res.json();
  expect(body.code).toBe("internal_error");
  expect(body.requestId).toBe(res.headers.get("x-request-id"));
}

describe("downloads from a disk store", () => {
  let t: TestServer;
  beforeAll(async () => { t = await startEnvelopeServer(); });
  afterAll(() => t.stop());

  test("a document's content: the uploaded bytes, its length, attachment, no cache, and byte ranges against its SHA-256", async () => {
    const pdf = await makePdf(3, "streamed");
    const doc = await upload(t, pdf, "offre d'emploi.pdf");
    const res = await t.api(`/api/v1/documents/${doc.id}/content`);
    expect(res.status).toBe(200);
    expect(Object.fromEntries(["content-type", "content-disposition", "cache-control", "content-length", "accept-ranges", "etag"].map((h) => [h, res.headers.get(h)]))).toEqual({
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="offre d'emploi.pdf"; filename*=UTF-8''offre%20d%27emploi.pdf`,
      "cache-control": "private, no-store",
      "content-length": String(pdf.length),
      "accept-ranges": "bytes",
      etag: `"${doc.sha256}"`,
    });
    // What the pipeline adds to every answer is there too.
    expect(res.headers.get("x-request-id")).toStartWith("req_");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(sha256(await bytesOf(res))).toBe(doc.sha256);

    const tail = await t.api(`/api/v1/documents/${doc.id}/content`, { headers: { range: "bytes=100-" } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get("content-range")).toBe(`bytes 100-${pdf.length - 1}/${pdf.length}`);
    expect(Buffer.from(await bytesOf(tail)).equals(Buffer.from(pdf.subarray(100)))).toBe(true);
    // A resumed download of another file (If-Range does not match) gets the whole file.
    const changed = await t.api(`/api/v1/documents/${doc.id}/content`, { headers: { range: "bytes=100-", "if-range": `"${"0".repeat(64)}"` } });
    expect(changed.status).toBe(200);
    expect((await bytesOf(changed)).length).toBe(pdf.length);
  });

  test("signer page, API and console: the stored PDFs, inline for the signer (without ranges), attachments elsewhere", async () => {
    const doc = await upload(t, await makePdf(2, "every route"));
    const sent = await sendEnvelope(t, (await createEnvelope(t, quickStart([doc.id], undefined, { subject: "Offer letter" }))).id);
    const token = tokenOf(sent.recipients[0].signUrl);
    const shown = await signing(t, token, `/documents/${doc.id}`);
    expect(shown.status).toBe(200);
    expect(sha256(shown.body)).toBe(doc.sha256);
    expect(shown.res.headers.get("x-content-sha256")).toBe(doc.sha256);
    expect(shown.res.headers.get("content-disposition")).toStartWith("inline;");
    expect(shown.res.headers.get("cache-control")).toBe("no-store");
    expect(shown.res.headers.get("content-length")).toBe(String(doc.size));
    expect(shown.res.headers.get("accept-ranges")).toBeNull();

    expect((await complete(t, token, typed())).status).toBe(200);
    await t.running.app.jobs.drain();
    const sealedSha = (t.deps.db.$client.query("SELECT sealed_sha256 FROM envelopes WHERE id = ?").get(sent.id) as any).sealed_sha256 as string;
    const size = await t.deps.files.size(sealedSha);
    const api = await t.api(`/api/v1/envelopes/${sent.id}/signed-document`);
    expect(api.status).toBe(200);
    expect(api.headers.get("content-disposition")).toStartWith(`attachment; filename="Offer-letter-signed.pdf"`);
    expect(api.headers.get("content-length")).toBe(String(size));
    expect(api.headers.get("etag")).toBe(`"${sealedSha}"`);
    expect(sha256(await bytesOf(api))).toBe(sealedSha);
    const one = await t.api(`/api/v1/envelopes/${sent.id}/signed-document?documentId=${doc.id}`);
    expect(one.status).toBe(200);
    const oneBytes = await bytesOf(one);
    expect(one.headers.get("etag")).toBe(`"${sha256(oneBytes)}"`);

    const viewed = await signing(t, token, "/signed-document");
    expect(sha256(viewed.body)).toBe(sealedSha);
    expect(viewed.res.headers.get("accept-ranges")).toBeNull();
    const saved = await signing(t, token, "/signed-document?download=1");
    expect(saved.res.headers.get("content-disposition")).toStartWith("attachment;");
    expect(saved.res.headers.get("accept-ranges")).toBe("bytes");

    await addAdmin(t);
    const admin = consoleClient(t);
    await admin.login();
    const cookie = [...admin.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const fromConsole = await fetch(`${t.url}/admin/envelopes/${sent.id}/signed-document?env=test`, { headers: { cookie } });
    expect(fromConsole.status).toBe(200);
    expect(fromConsole.headers.get("content-length")).toBe(String(size));
    expect(sha256(await bytesOf(fromConsole))).toBe(sealedSha);
  });

  test("a lost blob, or one shorter than its record: the problem shape, logged, for every route", async () => {
    const lost = await upload(t, await makePdf(1, "lost"));
    const { id, token } = await sealedEnvelope(t, lost.id);
    await t.deps.files.remove(lost.sha256);
    await expectProblem(await t.api(`/api/v1/documents/${lost.id}/content`));
    expect(t.logs.some((l) => l.msg === "unhandled error" && String(l.error).includes(`stored file ${lost.sha256} is missing: ${t.deps.files.path(lost.sha256)}`))).toBe(true);
    const sealedSha = (t.deps.db.$client.query("SELECT sealed_sha256 FROM envelopes WHERE id = ?").get(id) as any).sealed_sha256 as string;
    await t.deps.files.remove(sealedSha);
    await expectProblem(await t.api(`/api/v1/envelopes/${id}/signed-document`));
    await expectProblem(await fetch(`${t.url}/api/v1/signing/${token}/signed-document`));

    // Removed between the check and the sending (a delete racing the download), made certain
    // here by removing it right after the real check.
    const raced = await upload(t, await makePdf(1, "raced"));
    const open = t.deps.files.open;
    t.deps.files.open = async (sha, size) => {
      const body = await open(sha, size);
      await t.deps.files.remove(sha);
      return body;
    };
    let answer: Response;
    try {
      answer = await t.api(`/api/v1/documents/${raced.id}/content`);
      // The file was there when the download opened it: what removed it since came first (an
      // erasure, a deletion), and the answer is a request arriving now's, a 404.
      expect(answer.status).toBe(404);
      const body = await answer.json();
      expect(body).toMatchObject({ code: "not_found", detail: "The file is no longer stored: it was erased or deleted as it was being sent" });
      expect(body.requestId).toBe(answer.headers.get("x-request-id"));
    } finally {
      t.deps.files.open = open;
    }
    // Bun's error hook answered: with the header fields of any other API problem answer.
    const failed = t.logs.find((l) => l.level === "warn" && l.msg === "a stored file was removed while it was being sent (erased or deleted meanwhile)");
    expect(failed).toBeDefined();
    expect(answer.headers.get("x-request-id")).toBe(failed!.requestId as string);
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    expect(answer.headers.get("cache-control")).toBe("no-store");

    const pdf = await makePdf(2, "truncated");
    const damaged = await upload(t, pdf);
    writeFileSync(t.deps.files.path(damaged.sha256), pdf.subarray(0, pdf.length - 10));
    await expectProblem(await t.api(`/api/v1/documents/${damaged.id}/content`));
    expect(t.logs.some((l) => String(l.error).includes(`stored file ${damaged.sha256} is damaged: ${pdf.length - 10} bytes where ${pdf.length} were stored`))).toBe(true);
  });
});

describe("downloads from a bucket", () => {
  let s3: S3TestServer;
  let t: TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
    t = await startS3TestServer(s3, "downloads");
  });
  afterAll(async () => {
    await t.stop();
    await s3.stop();
  });

  test("small objects are sent with their length, large ones streamed; both byte-identical, without ranges", async () => {
    const small = await upload(t, await makePdf(2, "small"));
    const res = await t.api(`/api/v1/documents/${small.id}/content`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(small.size));
    expect(res.headers.get("accept-ranges")).toBeNull();
    expect(sha256(await bytesOf(res))).toBe(small.sha256);

    // Above one multipart part (8 MiB): streamed, so without a length (Bun sends a stream chunked).
    const large = await upload(t, await noisePdf(10), "large.pdf");
    const streamed = await t.api(`/api/v1/documents/${large.id}/content`);
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get("content-type")).toBe("application/pdf");
    expect(streamed.headers.get("content-disposition")).toStartWith(`attachment; filename="large.pdf"`);
    expect(streamed.headers.get("cache-control")).toBe("private, no-store");
    expect(sha256(await bytesOf(streamed))).toBe(large.sha256);

    const { id } = await sealedEnvelope(t, small.id);
    const sealed = await t.api(`/api/v1/envelopes/${id}/signed-document`);
    expect(sealed.status).toBe(200);
    const bytes = await bytesOf(sealed);
    expect(sealed.headers.get("content-length")).toBe(String(bytes.length));
    expect(await t.deps.files.exists(sha256(bytes))).toBe(true);
  });

  test("a lost object, or one shorter than its record: the problem shape", async () => {
    const lost = await upload(t, await makePdf(1, "lost in the bucket"));
    await s3.client.delete(`downloads/${lost.sha256.slice(0, 2)}/${lost.sha256}`);
    await expectProblem(await t.api(`/api/v1/documents/${lost.id}/content`));
    expect(t.logs.some((l) => String(l.error).includes(`stored file ${lost.sha256} is missing: ${t.deps.files.path(lost.sha256)}`))).toBe(true);

    const pdf = await makePdf(1, "truncated in the bucket");
    const damaged = await upload(t, pdf);
    await s3.client.write(`downloads/${damaged.sha256.slice(0, 2)}/${damaged.sha256}`, pdf.subarray(0, 100));
    await expectProblem(await t.api(`/api/v1/documents/${damaged.id}/content`));
  });
});
