import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { PDFDocument, PDFName } from "pdf-lib";
import { join } from "node:path";
import { complete, createEnvelope, getEnvelope, quickStart, sendEnvelope, tokenOf, typed, uploadDoc, startEnvelopeServer } from "./helpers/envelopes";
import { corpus } from "./helpers/pdf";
import { fakeClock } from "./helpers/clock";
import { completeAll, download } from "./helpers/sealing";
import { startTestServer, type TestServer } from "./helpers/server";
import { opensslP12, pdfsig, qpdfCheck, run, startTsa, tempDir } from "./pdf/helpers-seal";

let s: TestServer;
const work = tempDir("certyneo-sealing-");
beforeAll(async () => { s = await startEnvelopeServer(); });
afterAll(() => s.stop());



function expectValidSeal(pdf: Uint8Array, earlier = 0) {
  const sigs = pdfsig(work, pdf);
  expect(sigs.length).toBe(earlier + 1);
  for (const sig of sigs) expect(sig.valid, sig.text).toBe(true);
  expect(sigs.at(-1)!.total, sigs.at(-1)!.text).toBe(true);
  return sigs;
}

const pdftotext = (pdf: Uint8Array) => {
  const file = join(work, `t-${crypto.randomUUID()}.pdf`);
  Bun.write(file, pdf);
  return run(["pdftotext", "-enc", "UTF-8", file, "-"]).out;
};

describe("signed document", () => {
  test("409 before completion; after signing, a sealed PDF valid in pdfsig and qpdf, with names and the certificate", async () => {
    const doc = await uploadDoc(s, { pages: 2 });
    const env = await createEnvelope(s, quickStart([doc.id], [{ email: "zoe@example.com", name: "Zoë Ødegård", role: "SIGNER" }, { email: "g@example.com", name: "Γιώργος Παπαδόπουλος", role: "SIGNER" }]));
    const early = await s.api(`/api/v1/envelopes/${env.id}/signed-document`);
    expect(early.status).toBe(409);
    expect((await early.json()).code).toBe("envelope_not_completed");
    const sent = await sendEnvelope(s, env.id);
    await complete(s, tokenOf(sent.recipients[0].signUrl), typed("Zoë Ødegård"));
    await complete(s, tokenOf(sent.recipients[1].signUrl), typed("Γιώργος Παπαδόπουλος"));

    await s.running.app.jobs.drain();
    const sealedRow = await getEnvelope(s, env.id);
    expect(sealedRow.status).toBe("COMPLETED");
    const pdf = await download(s, `/api/v1/envelopes/${env.id}/signed-document`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe("application/pdf");
    expect(pdf.disposition).toContain("Employment-contract-signed.pdf");
    expectValidSeal(pdf.bytes);
    expect(qpdfCheck(work, pdf.bytes).code).toBe(0);
    const text = pdftotext(pdf.bytes);
    expect(text).toContain("Zoë Ødegård");
    expect(text).toContain("Γιώργος Παπαδόπουλος");
    expect(text).toContain(doc.sha256);
    expect(text).toContain(env.id);
    // The original bytes are the first revision, untouched.
    const original = readFileSync(s.deps.files.path(doc.sha256));
    expect(Buffer.from(pdf.bytes.subarray(0, original.length)).equals(original)).toBe(true);

    const verify = new FormData();
    verify.set("file", new File([pdf.bytes], "signed.pdf"));
    const report = await (await s.api("/api/v1/verify", { method: "POST", body: verify })).json();
    expect(report.valid).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({ intact: true, coversWholeDocument: true, bytesAppendedAfter: 0, byThisInstance: true, subFilter: "ETSI.CAdES.detached" });
    expect(report.signatures[0].signerSubject).toContain("development");
  });

  test("a byte changed in the signed range is reported by pdfsig and by verify", async () => {
    const doc = await uploadDoc(s);
    const id = await completeAll(s, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
    const pdf = (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes;
    const tampered = pdf.slice();
    const at = 200; // inside the first signed range: the original document's bytes
    tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
    expect(pdfsig(work, tampered)[0]!.valid).toBe(false);
    const form = new FormData();
    form.set("file", new File([tampered], "t.pdf"));
    const report = await (await s.api("/api/v1/verify", { method: "POST", body: form })).json();
    expect(report.valid).toBe(false);
    expect(report.signatures[0].intact).toBe(false);
  });

  test("several documents: one sealed PDF of all pages in order, and each document sealed alone", async () => {
    const a = await uploadDoc(s, { pages: 2, name: "a.pdf" });
    const b = await uploadDoc(s, { pages: 3, name: "b.pdf" });
    const id = await completeAll(s, [a.id, b.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
    const all = await download(s, `/api/v1/envelopes/${id}/signed-document`);
    expectValidSeal(all.bytes);
    const pages = (pdf: Uint8Array) => Number(/Pages:\s+(\d+)/.exec(run(["pdfinfo", writeTmp(pdf)]).out)![1]);
    expect(pages(all.bytes)).toBeGreaterThanOrEqual(2 + 3 + 1);
    const onlyB = await download(s, `/api/v1/envelopes/${id}/signed-document?documentId=${b.id}`);
    expect(onlyB.status).toBe(200);
    expectValidSeal(onlyB.bytes);
    expect(pages(onlyB.bytes)).toBeGreaterThanOrEqual(3 + 1);
    expect(pages(onlyB.bytes)).toBeLessThan(pages(all.bytes));
    expect((await s.api(`/api/v1/envelopes/${id}/signed-document?documentId=doc_nope`)).status).toBe(404);
    expect((await s.api(`/api/v1/envelopes/${id}/signed-document`, { key: await s.key("live") })).status).toBe(404);
  });
});

const writeTmp = (pdf: Uint8Array) => {
  const file = join(work, `p-${crypto.randomUUID()}.pdf`);
  writeFileSync(file, pdf);
  return file;
};

describe("a large PDF", () => {
  test("a 12 MB scan-like PDF is uploaded, signed and sealed as an incremental update, valid in pdfsig", async () => {
    const doc = await PDFDocument.create();
    const width = 640, height = 546;
    for (let i = 0; i < 12; i++) {
      const pixels = new Uint8Array(width * height * 3);
      for (let at = 0; at < pixels.length; at += 65536) crypto.getRandomValues(pixels.subarray(at, Math.min(pixels.length, at + 65536)));
      const image = doc.context.register(doc.context.stream(pixels, { Type: "XObject", Subtype: "Image", Width: width, Height: height, ColorSpace: "DeviceRGB", BitsPerComponent: 8 }));
      const page = doc.addPage([width, height]);
      page.node.setXObject(PDFName.of("Im0"), image);
      page.node.set(PDFName.of("Contents"), doc.context.register(doc.context.stream(`q ${width} 0 0 ${height} 0 0 cm /Im0 Do Q`)));
    }
    const bytes = await doc.save({ useObjectStreams: false });
    expect(bytes.length).toBeGreaterThan(12 * 1024 * 1024);
    const form = new FormData();
    form.set("file", new File([bytes as Uint8Array<ArrayBuffer>], "scan.pdf"));
    const up = await s.api("/api/v1/documents", { method: "POST", body: form });
    expect(up.status).toBe(201);
    const id = await completeAll(s, [(await up.json()).id], [{ name: "Ana Silva", email: "ana@example.com" }]);
    const sealed = (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes;
    expect(Buffer.from(sealed.subarray(0, bytes.length)).equals(Buffer.from(bytes))).toBe(true);
    expectValidSeal(sealed);
  });
});

describe("audit trail", () => {
  test("refused for a draft; sealed and valid while in progress and after completion", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A One", role: "SIGNER" }, { email: "b@example.com", name: "B Two", role: "SIGNER" }]));
    const draft = await s.api(`/api/v1/envelopes/${env.id}/audit-trail`);
    expect(draft.status).toBe(409);
    const sent = await sendEnvelope(s, env.id);
    await complete(s, tokenOf(sent.recipients[0].signUrl), typed("A One"));
    const during = await download(s, `/api/v1/envelopes/${env.id}/audit-trail`);
    expect(during.status).toBe(200);
    expectValidSeal(during.bytes);
    const text = pdftotext(during.bytes);
    expect(text).toContain("envelope.sent");
    expect(text).toContain("recipient.signed");
    // The trail states the chain head the API reports at that moment, and that its links hold.
    const audit = (await getEnvelope(s, env.id)).audit;
    expect(audit.head).toMatch(/^[0-9a-f]{64}$/);
    expect(text.replace(/\s+/g, "")).toContain(audit.head);
    expect(text).toContain("Verified when this trail was generated");

    await complete(s, tokenOf(sent.recipients[1].signUrl), typed("B Two"));
    await s.running.app.jobs.drain();
    const after = await download(s, `/api/v1/envelopes/${env.id}/audit-trail`);
    expectValidSeal(after.bytes);
    const t2 = pdftotext(after.bytes);
    expect(t2).toContain("envelope.completed");
    expect(t2).toContain("envelope.sealed");
    expect(qpdfCheck(work, after.bytes).code).toBe(0);
  });
});

describe("certificates", () => {
  test("an RSA PKCS#12 from the config seals, with a B-T time-stamp from a local TSA", async () => {
    const dir = tempDir("certyneo-rsa-");
    const p12 = join(dir, "seal.p12");
    writeFileSync(p12, opensslP12(dir, { key: "rsa", password: "s3cret", cn: "ACME Corp Seal" }));
    const tsa = startTsa(dir);
    // The certificate was made just now: run this server's clock from now.
    const t = await startTestServer({ clock: fakeClock(new Date()), env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", CERTYNEO_SEAL_P12_PATH: p12, CERTYNEO_SEAL_P12_PASSWORD: "s3cret", CERTYNEO_SEAL_TSA_URL: tsa.url, CERTYNEO_SEAL_LEVEL: "B-T" } });
    try {
      const doc = await uploadDoc(t);
      const id = await completeAll(t, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
      const res = await download(t, `/api/v1/envelopes/${id}/signed-document`);
      expect(res.status, Buffer.from(res.bytes).toString() + JSON.stringify(t.logs.filter((l) => l.level === "error"))).toBe(200);
      const pdf = res.bytes;
      const [sig] = expectValidSeal(pdf);
      expect(sig!.text).not.toContain("development");
      const form = new FormData();
      form.set("file", new File([pdf], "s.pdf"));
      const report = await (await t.api("/api/v1/verify", { method: "POST", body: form })).json();
      expect(report.signatures[0].byThisInstance).toBe(true);
      expect(report.signatures[0].timestampTime).not.toBeNull();
      // Another instance's certificate is not "this instance".
      const other = new FormData();
      other.set("file", new File([pdf], "s.pdf"));
      expect((await (await s.api("/api/v1/verify", { method: "POST", body: other })).json()).signatures[0].byThisInstance).toBe(false);
    } finally {
      tsa.stop();
      await t.stop();
    }
  });
});

describe("a slow time-stamp authority", () => {
  test("B-T seals waiting for it hold one PDF thread of two: an upload is checked meanwhile, the next seal waits its turn", async () => {
    const dir = tempDir("certyneo-slow-tsa-");
    const p12 = join(dir, "seal.p12");
    writeFileSync(p12, opensslP12(dir, { key: "rsa", password: "s3cret", cn: "ACME Corp Seal" }));
    const tsa = startTsa(dir);
    // In front of the authority: the seals' tokens wait for the gate; those that size a seal's
    // room (over the digest of a fixed placeholder, src/pdf/tsa.ts) are answered at once.
    const gate = Promise.withResolvers<void>();
    const sizing = Buffer.from(new Bun.CryptoHasher("sha256").update("certyneo placeholder sizing").digest());
    let held = 0;
    const slow = Bun.serve({
      port: 0,
      async fetch(req) {
        const body = await req.arrayBuffer();
        if (!Buffer.from(body).includes(sizing)) {
          held++;
          await gate.promise;
        }
        return fetch(tsa.url, { method: "POST", body, headers: { "content-type": "application/timestamp-query" } });
      },
    });
    const t = await startTestServer({ clock: fakeClock(new Date()), env: {
      CERTYNEO_SEAL_P12_PATH: p12, CERTYNEO_SEAL_P12_PASSWORD: "s3cret", CERTYNEO_SEAL_LEVEL: "B-T",
      CERTYNEO_SEAL_TSA_URL: `http://127.0.0.1:${slow.port}/tsa`, CERTYNEO_SEAL_TSA_TIMEOUT_MS: "60000", CERTYNEO_PDF_WORKERS: "2",
    } });
    try {
      const docs = [await uploadDoc(t), await uploadDoc(t)];
      const ids = [];
      for (const doc of docs) ids.push(await completeAll(t, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]));
      for (let i = 0; i < 1000 && held < 1; i++) await Bun.sleep(10);
      // Time for the second seal, started with the first, to reach the authority had it a thread.
      await Bun.sleep(1_000);
      expect(held).toBe(1);
      const upload = uploadDoc(t).then(() => "checked");
      expect(await Promise.race([upload, Bun.sleep(10_000).then(() => "still waiting for a thread")])).toBe("checked");
      // The second seal waits for the thread, not for the authority.
      expect(held).toBe(1);
      gate.resolve();
      await t.running.app.jobs.drain();
      for (const id of ids) expect((await getEnvelope(t, id)).sealStatus).toBe("SEALED");
    } finally {
      gate.resolve();
      slow.stop(true);
      tsa.stop();
      await t.stop();
    }
  }, 60_000);
});

describe("real-world corpus: upload, sign, seal", () => {
  const entries = corpus();
  test.skipIf(!entries)("every signable corpus PDF comes out sealed and valid, earlier signatures intact", async () => {
    const t = await startEnvelopeServer({ CERTYNEO_MAX_UPLOAD_MB: "25", CERTYNEO_RATE_LIMIT_ENABLED: "false" });
    const failures: string[] = [];
    try {
      for (const e of entries!) {
        const up = await t.api("/api/v1/documents", { method: "POST", json: { name: e.file, contentBase64: readFileSync(e.path).toString("base64") } });
        if (up.status !== 201) continue; // refusals are covered by documents.test.ts
        const doc = await up.json();
        try {
          const id = await completeAll(t, [doc.id], [{ name: "Zoë Ødegård", email: "zoe@example.com" }]);
          const pdf = await download(t, `/api/v1/envelopes/${id}/signed-document`);
          if (pdf.status !== 200) throw new Error(`download ${pdf.status}: ${Buffer.from(pdf.bytes).toString()}`);
          // Earlier signatures keep exactly the verdict they had in the original (a document
          // time-stamp that pdfsig "has not yet verified" stays so); ours is valid and total.
          const before = pdfsig(work, new Uint8Array(readFileSync(e.path))).filter((x) => !x.unsigned);
          const sigs = pdfsig(work, pdf.bytes).filter((x) => !x.unsigned);
          const changed = before.filter((b, i) => sigs[i]?.valid !== b.valid);
          const ours = sigs.at(-1)!;
          if (sigs.length !== before.length + 1 || changed.length || !ours.valid || !ours.total)
            throw new Error(`pdfsig: ${sigs.length} signatures for ${before.length}+1, changed ${changed.map((c) => c.field)}, ours valid=${ours.valid} total=${ours.total}\n${ours.text}`);
          const check = qpdfCheck(work, pdf.bytes);
          if (check.code !== 0 && !(check.code === 3 && e.qpdfCheck === "warn")) throw new Error(`qpdf --check ${check.code}: ${check.out.slice(0, 400)}`);
        } catch (err) {
          failures.push(`${e.file}: ${(err as Error).message}`);
        }
      }
    } finally {
      await t.stop();
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

describe("certyneo verify", () => {
  test("reports each signature and exits 0 for an intact seal, 1 once a byte changed", async () => {
    const doc = await uploadDoc(s);
    const id = await completeAll(s, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
    const pdf = (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes;
    const good = writeTmp(pdf);
    const cli = (file: string, ...flags: string[]) =>
      Bun.spawnSync([process.execPath, "src/main.ts", "verify", file, ...flags], { env: { ...process.env, CERTYNEO_DATA_DIR: s.dir } });
    const ok = cli(good);
    expect(ok.exitCode).toBe(0);
    const text = ok.stdout.toString();
    expect(text).toContain("INTACT");
    expect(text).toContain("the whole document");
    expect(text).toContain("made by this instance's certificate");
    const json = JSON.parse(cli(good, "--json").stdout.toString());
    expect(json.signatures[0].byThisInstance).toBe(true);
    const tampered = pdf.slice();
    tampered[300] ^= 0x01;
    const bad = cli(writeTmp(tampered));
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout.toString()).toContain("BROKEN");
  });
});

describe("when sealing cannot finish", () => {
  test("a signing link never starts a seal: 409 seal_pending until the job has sealed", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id], [{ email: "ana@example.com", name: "Ana Silva", role: "SIGNER" }]));
    const sent = await sendEnvelope(s, env.id);
    const token = tokenOf(sent.recipients[0].signUrl);
    await complete(s, token, typed("Ana Silva"));
    const pending = await fetch(`${s.url}/api/v1/signing/${token}/signed-document`);
    expect(pending.status).toBe(409);
    expect(pending.headers.get("retry-after")).toBe("5");
    expect((await pending.json()).code).toBe("seal_pending");
    await s.running.app.jobs.drain();
    const ready = await fetch(`${s.url}/api/v1/signing/${token}/signed-document`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get("content-type")).toBe("application/pdf");
  });

  test("a seal that fails for good is recorded; downloads answer seal_failed instead of retrying", async () => {
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id], [{ email: "ana@example.com", name: "Ana Silva", role: "SIGNER" }]));
    const sent = await sendEnvelope(s, env.id);
    await complete(s, tokenOf(sent.recipients[0].signUrl), typed("Ana Silva"));
    // The original bytes vanish (a disk fault): every attempt fails, the last one gives up.
    renameSync(s.deps.files.path(doc.sha256), `${s.deps.files.path(doc.sha256)}.away`);
    const { sealingHandlers } = await import("../src/modules/sealing/jobs");
    const { MAX_ATTEMPTS } = await import("../src/jobs/schedule");
    const handler = sealingHandlers(s.deps).seal_envelope!;
    await expect(handler.run({ envelopeId: env.id }, { deps: s.deps, jobId: "job_x", attempt: 1 } as any)).rejects.toThrow();
    expect((await getEnvelope(s, env.id)).sealStatus).toBe("PENDING");
    await expect(handler.run({ envelopeId: env.id }, { deps: s.deps, jobId: "job_x", attempt: MAX_ATTEMPTS } as any)).rejects.toThrow();
    const view = await getEnvelope(s, env.id);
    expect(view.sealStatus).toBe("FAILED");
    const events = s.deps.db.$client.query("SELECT type FROM audit_events WHERE envelope_id = ?").all(env.id) as { type: string }[];
    expect(events.map((e) => e.type)).toContain("envelope.seal_failed");
    renameSync(`${s.deps.files.path(doc.sha256)}.away`, s.deps.files.path(doc.sha256));
    const res = await s.api(`/api/v1/envelopes/${env.id}/signed-document`);
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("seal_failed");

    // Once the cause is mended, an admin seals it again from the command line.
    const cli = (...args: string[]) => Bun.spawnSync([process.execPath, "src/main.ts", ...args], { env: { ...process.env, CERTYNEO_DATA_DIR: s.dir } });
    const missing = cli("seal", "env_doesnotexist");
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.toString()).toContain("env_doesnotexist does not exist");
    const resealed = cli("seal", env.id);
    expect(resealed.exitCode, resealed.stderr.toString()).toBe(0);
    const after = await download(s, `/api/v1/envelopes/${env.id}/signed-document`);
    expect(after.status).toBe(200);
    expectValidSeal(after.bytes);
  });
});
