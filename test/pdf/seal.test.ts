import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } from "pdf-lib";
import { saveIncremental, takeSnapshot } from "../../src/pdf/incremental.ts";
import { sealPdf, sealPdfParts, SealRefusedError } from "../../src/pdf/pades.ts";
import { appendSignature, joinParts } from "../../src/pdf/signature-update.ts";
import { loadSigner } from "../../src/pdf/pkcs12.ts";
import type { Signer } from "../../src/pdf/signer.ts";
import { httpTimestamper } from "../../src/pdf/tsa.ts";
import { verifyPdf } from "../../src/pdf/verify.ts";
import { cmsPrint, cmsVerify, lastSignature, makePdf, opensslP12, pdfsig, qpdfCheck, run, startTsa, tempDir } from "./helpers-seal.ts";

const dir = tempDir();
const now = new Date();
let rsa: Signer;
let ecdsa: Signer;

beforeAll(async () => {
  rsa = await loadSigner(opensslP12(dir, { key: "rsa", password: "pw" }), "pw", new Date());
  ecdsa = await loadSigner(opensslP12(dir, { key: "p256", password: "pw" }), "pw", new Date());
});

const tail = (pdf: Uint8Array, from: number) => Buffer.from(pdf.subarray(from)).toString("latin1");

describe.each([
  ["RSA", () => rsa],
  ["ECDSA", () => ecdsa],
])("sealPdf with %s", (_name, signer) => {
  test("pdfsig: valid, total document signed; qpdf --check passes; original bytes kept", async () => {
    const original = await makePdf({ pages: 3 });
    const sealed = await sealPdf(original, { signer: signer(), signingTime: now, reason: "Zoë Ødegård (approved)", name: "Γιώργος Παπαδόπουλος", location: "Paris" });
    expect(Buffer.from(sealed.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    const sigs = pdfsig(dir, sealed);
    expect(sigs).toHaveLength(1);
    expect(sigs[0]!.valid).toBe(true);
    expect(sigs[0]!.total).toBe(true);
    expect(sigs[0]!.text).toContain("ETSI.CAdES.detached");
    expect(qpdfCheck(dir, sealed).code).toBe(0);
    expect(cmsVerify(dir, sealed).code).toBe(0);
  });

  test("CMS: detached, SHA-256, signed attributes content-type, message-digest, signing-certificate-v2, DER-sorted, no signing-time", async () => {
    const sealed = await sealPdf(await makePdf(), { signer: signer(), signingTime: now });
    const printed = cmsPrint(dir, lastSignature(sealed).cms);
    expect(printed).toContain("eContent: <ABSENT>");
    expect(printed).toContain("digestAlgorithm: \n          algorithm: sha256");
    const signedAttrs = printed.slice(printed.indexOf("signedAttrs:"), printed.indexOf("signatureAlgorithm:", printed.indexOf("signedAttrs:")));
    const types = [...signedAttrs.matchAll(/object: (\S+) \(([\d.]+)\)/g)].map((m) => m[2]);
    // DER order of these three attributes (by encoding): contentType, messageDigest, signingCertificateV2
    expect(types).toEqual(["1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4", "1.2.840.113549.1.9.16.2.47"]);
    expect(printed).not.toContain("signingTime");
    expect(printed).toContain(_name === "RSA" ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256");
  });

  test("flipping a byte in the signed range is caught by pdfsig and verifyPdf", async () => {
    const sealed = await sealPdf(await makePdf(), { signer: signer(), signingTime: now });
    const { byteRange } = lastSignature(sealed);
    for (const at of [10, byteRange[2]! + 5]) {
      const tampered = sealed.slice();
      tampered[at] = tampered[at]! ^ 0x01;
      // The signature is still found, and found broken.
      const sigs = pdfsig(dir, tampered);
      expect(sigs).toHaveLength(1);
      expect(sigs[0]!.valid).toBe(false);
      const report = await verifyPdf(tampered, {});
      expect(report.signatures.map((s) => s.intact)).toEqual([false]);
    }
  });
});

describe("the sealed file's SHA-256, hashed along with the signature's digest", () => {
  const fileHash = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");

  test("a seal returns the SHA-256 of the whole sealed file", async () => {
    const parts = await sealPdfParts(await makePdf({ pages: 2 }), { signer: rsa, signingTime: now });
    expect(parts.sha256).toBe(fileHash(joinParts(parts)));
  });

  test("with another digest than SHA-256 nothing is shared: no hash is returned, the store makes its own", async () => {
    const pdf = await makePdf();
    const spec = (hash: "SHA-256" | "SHA-384") => ({ type: "Sig" as const, subFilter: "ETSI.CAdES.detached" as const, hash, contents: async () => new Uint8Array(64).fill(0xab) });
    const sha256 = await appendSignature(pdf, spec("SHA-256"), 128);
    expect(sha256.sha256).toBe(fileHash(joinParts(sha256)));
    expect((await appendSignature(pdf, spec("SHA-384"), 128)).sha256).toBeUndefined();
  });
});

describe("verifyPdf", () => {
  test("reports signer, time, coverage and instance", async () => {
    const signingTime = new Date("2026-03-04T05:06:07Z");
    const once = await sealPdf(await makePdf(), { signer: rsa, signingTime, fieldName: "Seal" });
    const twice = await sealPdf(once, { signer: ecdsa, signingTime: now });
    const { signatures } = await verifyPdf(twice, { instanceCertificate: rsa.certificateChain[0]! });
    expect(signatures).toHaveLength(2);
    const [first, second] = signatures as [(typeof signatures)[0], (typeof signatures)[0]];
    expect(first).toMatchObject({
      fieldName: "Seal",
      subFilter: "ETSI.CAdES.detached",
      signerSubject: rsa.certificateChain[0]!.subject,
      issuer: rsa.certificateChain[0]!.issuer,
      signingTime: "2026-03-04T05:06:07.000Z",
      timestampTime: null,
      intact: true,
      coversWholeDocument: false,
      bytesAppendedAfter: twice.length - once.length,
      byThisInstance: true,
    });
    expect(second).toMatchObject({ fieldName: "Signature1", intact: true, coversWholeDocument: true, bytesAppendedAfter: 0, byThisInstance: false });
  });

  /** `sealed` with `change` applied in an incremental update, and what verifyPdf says changed after the seal. */
  async function changedAfterSeal(change: (doc: PDFDocument) => void) {
    const sealed = await sealPdf(await makePdf(), { signer: rsa, signingTime: now });
    const doc = await PDFDocument.load(sealed, { updateMetadata: false });
    const snapshot = takeSnapshot(doc);
    change(doc);
    const changed = saveIncremental(sealed, doc, snapshot);
    expect(changed.length).toBeGreaterThan(sealed.length);
    const [sig] = (await verifyPdf(changed)).signatures;
    expect(sig).toMatchObject({ intact: true, coversWholeDocument: false });
    return sig!.changesAfter;
  }
  const newContent = (doc: PDFDocument, dict: Record<string, unknown> = {}) =>
    doc.context.stream("BT /F1 30 Tf 100 400 Td (PAY 1,000,000) Tj ET", dict as never);
  const pageContent = (doc: PDFDocument) => {
    const contents = doc.getPage(0).node.get(PDFName.of("Contents"));
    return (contents instanceof PDFArray ? contents.get(0) : contents) as PDFRef;
  };

  test("a page's content stream rewritten with a /Certs key is content, not validation data", async () => {
    const changes = await changedAfterSeal((doc) => doc.context.assign(pageContent(doc), newContent(doc, { Certs: [] })));
    expect(changes).toEqual({ kinds: ["other"], allowed: false });
  });

  test("a page's content stream listed in a DSS and rewritten is content, not validation data", async () => {
    const changes = await changedAfterSeal((doc) => {
      const content = pageContent(doc);
      doc.catalog.set(PDFName.of("DSS"), doc.context.obj({ Certs: [content] }));
      doc.context.assign(content, newContent(doc));
    });
    expect(changes).toEqual({ kinds: ["other"], allowed: false });
  });

  describe("a page whose /Contents and /Annots are indirect arrays", () => {
    let sealed: Uint8Array;
    beforeAll(async () => {
      const doc = await PDFDocument.load(await makePdf({ objectStreams: false }));
      const page = doc.getPage(0).node;
      const annot = doc.context.register(doc.context.obj({ Type: "Annot", Subtype: "Square", Rect: [10, 10, 300, 300] }));
      page.set(PDFName.of("Annots"), doc.context.register(doc.context.obj([annot])));
      const contents = page.get(PDFName.of("Contents"));
      page.set(PDFName.of("Contents"), doc.context.register(contents instanceof PDFArray ? contents : doc.context.obj([contents as PDFRef])));
      sealed = await sealPdf(await doc.save({ useObjectStreams: false }), { signer: rsa, signingTime: now });
    });
    const rewrite = async (key: "Contents" | "Annots", items: (doc: PDFDocument, old: PDFArray) => unknown[]) => {
      const doc = await PDFDocument.load(sealed, { updateMetadata: false });
      const snapshot = takeSnapshot(doc);
      const ref = doc.getPage(0).node.get(PDFName.of(key)) as PDFRef;
      doc.context.assign(ref, doc.context.obj(items(doc, doc.context.lookup(ref, PDFArray)) as never));
      return (await verifyPdf(saveIncremental(sealed, doc, snapshot))).signatures[0]!.changesAfter;
    };

    test("emptied, or given a new content stream (even one dressed as a Form XObject), they are reported", async () => {
      expect(await rewrite("Contents", () => [])).toEqual({ kinds: ["other"], allowed: false });
      expect(await rewrite("Annots", () => [])).toEqual({ kinds: ["other"], allowed: false });
      const added = await rewrite("Contents", (doc, old) => [...old.asArray(), doc.context.register(newContent(doc, { Subtype: "Form" }))]);
      expect(added).toEqual({ kinds: ["other"], allowed: false });
    });

    test("a second seal (its widget appended to /Annots) is still only a signature", async () => {
      const twice = await sealPdf(sealed, { signer: ecdsa, signingTime: now });
      const [first, second] = (await verifyPdf(twice)).signatures;
      expect(first!.changesAfter).toEqual({ kinds: ["signature"], allowed: true });
      expect(second).toMatchObject({ intact: true, coversWholeDocument: true });
    });
  });

  test("a new appearance on the seal's own widget (painting over the page) is reported", async () => {
    const changes = await changedAfterSeal((doc) => {
      const fields = doc.catalog.lookup(PDFName.of("AcroForm"), PDFDict).lookup(PDFName.of("Fields"), PDFArray);
      const widgetRef = fields.get(0) as PDFRef;
      const widget = doc.context.lookup(widgetRef, PDFDict).clone(doc.context);
      widget.set(PDFName.of("Rect"), doc.context.obj([0, 0, 595, 842]));
      widget.set(PDFName.of("F"), doc.context.obj(4));
      widget.set(PDFName.of("AP"), doc.context.obj({ N: doc.context.register(newContent(doc, { Type: "XObject", Subtype: "Form", BBox: [0, 0, 595, 842] })) }));
      doc.context.assign(widgetRef, widget);
    });
    expect(changes).toEqual({ kinds: ["other"], allowed: false });
  });
});

describe("incremental structure", () => {
  test("classic table after a table, xref stream after a stream; /Prev, /Size and first /ID kept", async () => {
    for (const objectStreams of [false, true]) {
      const original = await makePdf({ objectStreams });
      const sealed = await sealPdf(original, { signer: rsa, signingTime: now });
      const update = tail(sealed, original.length);
      const prevStart = Number(/startxref\s+(\d+)/.exec(Buffer.from(original).toString("latin1"))![1]);
      expect(update).toContain(`/Prev ${prevStart}`);
      expect(/\nxref\n/.test(update)).toBe(!objectStreams);
      expect(/\/Type \/XRef/.test(update)).toBe(objectStreams);
      const before = await PDFDocument.load(original);
      const after = await PDFDocument.load(sealed);
      expect(after.context.largestObjectNumber).toBeGreaterThan(before.context.largestObjectNumber);
      const size = Number(/\/Size (\d+)/.exec(update)![1]);
      // pdf-lib does not register xref streams as objects: count ours apart.
      expect(size).toBe(after.context.largestObjectNumber + (objectStreams ? 2 : 1));
    }
  });

  test("the first /ID element is kept", async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const id = "0123456789ABCDEF0123456789ABCDEF";
    doc.context.trailerInfo.ID = doc.context.obj([PDFName.of("x"), PDFName.of("y")]); // replaced below: pdf-lib writes what it is given
    const original = Buffer.from(await doc.save({ useObjectStreams: false })).toString("latin1").replace("/ID [ /x /y ]", `/ID [<${id}> <${id}>]`);
    const sealed = await sealPdf(new Uint8Array(Buffer.from(original, "latin1")), { signer: rsa, signingTime: now });
    expect(tail(sealed, original.length)).toMatch(new RegExp(`/ID \\[ <${id}> <[0-9A-F]{32}> \\]`));
  });

  test("an indirect /Annots array is updated in place as a new revision of that object", async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const link = doc.context.register(doc.context.obj({ Type: "Annot", Subtype: "Link", Rect: [0, 0, 10, 10] }));
    const annotsRef = doc.context.register(doc.context.obj([link]));
    page.node.set(PDFName.of("Annots"), annotsRef);
    const original = await doc.save({ useObjectStreams: false });
    const sealed = await sealPdf(original, { signer: rsa, signingTime: now });
    const update = tail(sealed, original.length);
    expect(update).toContain(`\n${annotsRef.objectNumber} 0 obj`);
    expect(update).not.toContain(`\n${page.ref.objectNumber} 0 obj`);
    const reloaded = await PDFDocument.load(sealed);
    const annots = reloaded.context.lookup(annotsRef, PDFArray);
    expect(annots.size()).toBe(2);
    expect(annots.get(0)).toBe(link);
    expect(pdfsig(dir, sealed)[0]!.valid).toBe(true);
  });

  test("existing AcroForm fields are kept; SigFlags 3; field names stay unique", async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    doc.getForm().createTextField("Signature1").addToPage(page);
    const original = await doc.save();
    const sealed = await sealPdf(original, { signer: rsa, signingTime: now });
    const reloaded = await PDFDocument.load(sealed);
    const names = reloaded.getForm().getFields().map((f) => f.getName());
    expect(names).toEqual(["Signature1", "Signature2"]);
    expect(reloaded.catalog.getAcroForm()!.dict.get(PDFName.of("SigFlags"))!.toString()).toBe("3");
    await expect(sealPdf(original, { signer: rsa, signingTime: now, fieldName: "Signature1" })).rejects.toThrow(/already exists/);
  });

  test("the widget is invisible, on page 1, print + locked", async () => {
    const sealed = await sealPdf(await makePdf({ pages: 2 }), { signer: rsa, signingTime: now });
    const reloaded = await PDFDocument.load(sealed);
    const annots = reloaded.getPage(0).node.Annots()!;
    const widget = reloaded.context.lookup(annots.get(annots.size() - 1) as PDFRef) as unknown as { get(n: PDFName): unknown };
    expect(String(widget.get(PDFName.of("Rect")))).toBe("[ 0 0 0 0 ]");
    expect(String(widget.get(PDFName.of("F")))).toBe("132");
    expect(reloaded.getPage(1).node.Annots()?.size() ?? 0).toBe(0);
  });
});

describe("already signed documents", () => {
  test("sealing again keeps the earlier signatures valid", async () => {
    let pdf = await makePdf();
    for (let i = 0; i < 3; i++) pdf = await sealPdf(pdf, { signer: i % 2 ? ecdsa : rsa, signingTime: now });
    const sigs = pdfsig(dir, pdf);
    expect(sigs.map((s) => s.valid)).toEqual([true, true, true]);
    expect(sigs.map((s) => s.total)).toEqual([false, false, true]);
    expect(qpdfCheck(dir, pdf).code).toBe(0);
  });
});

describe("PAdES B-T with a local TSA", () => {
  let tsa: ReturnType<typeof startTsa>;
  beforeAll(() => {
    tsa = startTsa(tempDir("certyneo-tsa-"));
  });
  afterAll(() => tsa.stop());

  test("the token is an unsigned attribute over the signature value", async () => {
    const sealed = await sealPdf(await makePdf(), { signer: ecdsa, signingTime: now, timestamper: httpTimestamper({ endpoints: [{ url: tsa.url }], timeoutMs: 10_000 }) });
    const sigs = pdfsig(dir, sealed);
    expect(sigs[0]!.valid).toBe(true);
    expect(sigs[0]!.total).toBe(true);
    const printed = cmsPrint(dir, lastSignature(sealed).cms);
    expect(printed).toMatch(/unsignedAttrs:\s+object: id-smime-aa-timeStampToken \(1\.2\.840\.113549\.1\.9\.16\.2\.14\)/);
    const { signatures } = await verifyPdf(sealed, {});
    expect(signatures[0]!.intact).toBe(true);
    expect(Math.abs(Date.parse(signatures[0]!.timestampTime!) - Date.now())).toBeLessThan(120_000);
  });

  test("an unreachable TSA fails the seal clearly", async () => {
    const timestamper = httpTimestamper({ endpoints: [{ url: "http://127.0.0.1:9/tsa" }], timeoutMs: 10_000 });
    await expect(sealPdf(await makePdf(), { signer: rsa, signingTime: now, timestamper })).rejects.toThrow(/unreachable/);
  });
});

describe("the placeholder is sized by a dry run", () => {
  const reserved = (pdf: Uint8Array) => {
    const { cms, byteRange } = lastSignature(pdf);
    return { cms: cms.length, room: (byteRange[2]! - byteRange[1]! - 2) / 2 };
  };

  test("without a TSA the room is the CMS's own size, give or take the slack", async () => {
    for (const signer of [rsa, ecdsa]) {
      const { cms, room } = reserved(await sealPdf(await makePdf(), { signer, signingTime: now }));
      expect(room - cms).toBeGreaterThanOrEqual(0);
      expect(room - cms).toBeLessThanOrEqual(64 + 8);
    }
  });

  test("a TSA whose tokens carry a long chain (beyond the old fixed 12 KB) still fits, and pdfsig agrees", async () => {
    const tsaDir = tempDir("certyneo-tsa-long-");
    const key = join(tsaDir, "filler.key");
    run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-out", key]);
    const pems = Array.from({ length: 14 }, (_, i) => {
      const out = join(tsaDir, `filler${i}.crt`);
      run(["openssl", "req", "-x509", "-key", key, "-days", "30", "-subj", `/CN=Filler certificate ${i}/O=Certyneo filler certificates for a long chain`, "-out", out]);
      return readFileSync(out, "latin1");
    });
    const certs = join(tsaDir, "chain.pem");
    writeFileSync(certs, pems.join(""));
    const tsa = startTsa(tsaDir, { certs });
    try {
      const timestamper = httpTimestamper({ endpoints: [{ url: tsa.url }], timeoutMs: 10_000 });
      const sealed = await sealPdf(await makePdf(), { signer: rsa, signingTime: now, timestamper });
      const { cms, room } = reserved(sealed);
      expect(cms).toBeGreaterThan(4096 + 12288);
      expect(room - cms).toBeLessThanOrEqual(512 + 64);
      expect(pdfsig(dir, sealed)[0]!.valid).toBe(true);
    } finally {
      tsa.stop();
    }
  });
});

describe("RSA-PSS", () => {
  test("a PSS seal carries RSASSA-PSS parameters, and pdfsig, openssl cms and verifyPdf accept it", async () => {
    const pss = await loadSigner(opensslP12(dir, { key: "rsa", password: "pw" }), "pw", new Date(), { rsaPss: true });
    expect(pss.algorithm).toEqual({ name: "RSA-PSS", hash: "SHA-256", saltLength: 32 });
    const sealed = await sealPdf(await makePdf(), { signer: pss, signingTime: now });
    expect(pdfsig(dir, sealed)[0]!.valid).toBe(true);
    const printed = cmsPrint(dir, lastSignature(sealed).cms);
    expect(printed).toMatch(/rsassaPss/);
    expect(cmsVerify(dir, sealed).code).toBe(0);
    const { signatures } = await verifyPdf(sealed);
    expect(signatures[0]!.intact).toBe(true);
  });
});

describe("refusals", () => {
  test("encrypted input is refused", async () => {
    const pdf = Buffer.from(await makePdf({ objectStreams: false })).toString("latin1").replace("/Root", "/Encrypt 99 0 R\n/Root");
    await expect(sealPdf(new Uint8Array(Buffer.from(pdf, "latin1")), { signer: rsa, signingTime: now })).rejects.toBeInstanceOf(SealRefusedError);
  });
});
