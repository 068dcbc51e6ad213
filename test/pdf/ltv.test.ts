// PAdES B-LT and B-LTA against a real (test) PKI: openssl CA, OCSP responder, CRLs and TSA.
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { findIssuer, hasOcspNoCheck, isSelfIssued, readPemBundle } from "../../src/pdf/certs.ts";
import { appendDss, readDss } from "../../src/pdf/dss.ts";
import { extendToLevel, LtvError, renewArchiveTimestamp, type LtvServices } from "../../src/pdf/ltv.ts";
import { sealPdf } from "../../src/pdf/pades.ts";
import { loadSigner } from "../../src/pdf/pkcs12.ts";
import { checkCrl, checkOcspResponse } from "../../src/pdf/revocation.ts";
import { onlineRevocation } from "../../src/pdf/revocation-fetch.ts";
import { openForReading, readSignatures } from "../../src/pdf/signature-fields.ts";
import { joinParts } from "../../src/pdf/signature-update.ts";
import type { Signer } from "../../src/pdf/signer.ts";
import { httpTimestamper } from "../../src/pdf/tsa.ts";
import { verifyPdf } from "../../src/pdf/verify.ts";
import { startTestPki, type TestPki } from "./helpers-pki.ts";
import { makePdf, pdfsigWithTrust, qpdfCheck, run, stamp, tempDir } from "./helpers-seal.ts";

const dir = tempDir("certyneo-ltv-");
let pki: TestPki;
let signer: Signer;
let services: LtvServices;

beforeAll(async () => {
  pki = await startTestPki(join(dir, "pki"));
  signer = await loadSigner(pki.sealP12, pki.sealPassword, new Date());
  services = {
    timestamper: httpTimestamper({ endpoints: [{ url: pki.tsaUrl }], timeoutMs: 10_000 }),
    revocation: onlineRevocation({ timeoutMs: 5_000, now: () => new Date() }),
    certificates: [...signer.certificateChain],
  };
});
afterAll(() => pki.stop());

const seal = async (level: "B-LT" | "B-LTA") =>
  extendToLevel(await sealPdf(await makePdf(), { signer, signingTime: new Date(), timestamper: services.timestamper }), level, services);

/** Every DSS certificate but roots and ocsp-nocheck responders has an OCSP response or CRL about it, signed by its issuer. */
async function expectCompleteDss(pdf: Uint8Array) {
  const { catalog, resolve } = await openForReading(pdf);
  const dss = readDss(catalog, resolve);
  const certs = [...dss.certs.map((d) => new X509Certificate(d as Uint8Array<ArrayBuffer>)), ...readPemBundle(pki.rootPem)];
  const checked: string[] = [];
  for (const cert of certs) {
    if (isSelfIssued(cert) || hasOcspNoCheck(cert)) continue;
    const issuer = await findIssuer(cert, certs);
    expect(issuer, `issuer of ${cert.subject} in the DSS`).toBeDefined();
    const answers = [
      ...(await Promise.all(dss.ocsps.map((d) => checkOcspResponse(d, cert, issuer!)))),
      ...(await Promise.all(dss.crls.map((d) => checkCrl(d, cert, issuer!)))),
    ].filter((a) => a?.status === "good");
    expect(answers.length, `revocation data for ${cert.subject}`).toBeGreaterThan(0);
    checked.push(cert.subject);
  }
  return { dss, checked };
}

describe("B-LT", () => {
  test("a DSS with the seal's and the TSA's chains and revocation data (OCSP from AIA, else CRL); pdfsig trusts it", async () => {
    const pdf = await seal("B-LT");
    const { dss, checked } = await expectCompleteDss(pdf);
    expect(checked.some((s) => s.includes("Certyneo Test Seal"))).toBe(true);
    expect(checked.some((s) => s.includes("Intermediate"))).toBe(true);
    expect(checked.some((s) => s.includes("Test TSA"))).toBe(true);
    expect(dss.ocsps.length).toBeGreaterThan(0); // the sealing certificate's AIA
    expect(dss.crls.length).toBeGreaterThan(0); // the intermediate and the TSA: CRL only
    // The delegated OCSP responder's certificate is in the DSS.
    expect(dss.certs.map((d) => new X509Certificate(d as Uint8Array<ArrayBuffer>).subject).some((s) => s.includes("OCSP Responder"))).toBe(true);
    const sigs = await pdfsigWithTrust(dir, pdf, pki.nssDir());
    expect(sigs).toHaveLength(1);
    expect(sigs[0]!.valid, sigs[0]!.text).toBe(true);
    expect(sigs[0]!.text).toContain("Certificate is Trusted");
    expect(qpdfCheck(dir, pdf).code).toBe(0);
  });
});

describe("B-LTA", () => {
  test("a document time-stamp over the whole file that openssl ts -verify accepts, its chain in the DSS", async () => {
    const pdf = await seal("B-LTA");
    const { catalog, resolve } = await openForReading(pdf);
    const sigs = readSignatures(pdf, catalog, resolve);
    expect(sigs.map((s) => [s.type, s.subFilter])).toEqual([["Sig", "ETSI.CAdES.detached"], ["DocTimeStamp", "ETSI.RFC3161"]]);
    const stamp = sigs[1]!;
    const [a, b, c, d] = stamp.ranges as [number, number, number, number];
    const data = join(dir, "stamped.bin");
    writeFileSync(data, Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]));
    const token = join(dir, "token.der");
    writeFileSync(token, stamp.contents!);
    const verified = run(["openssl", "ts", "-verify", "-data", data, "-in", token, "-token_in", "-CAfile", pki.rootFile]);
    expect(verified.out).toContain("Verification: OK");
    await expectCompleteDss(pdf);
    const verdicts = await pdfsigWithTrust(dir, pdf, pki.nssDir());
    expect(verdicts[0]!.valid, verdicts[0]!.text).toBe(true);
    expect(qpdfCheck(dir, pdf).code).toBe(0);
  });

  test("archival renewal adds a time-stamp and keeps everything before it valid", async () => {
    const pdf = await seal("B-LTA");
    const renewed = await renewArchiveTimestamp(pdf, services);
    expect(Buffer.from(renewed.subarray(0, pdf.length)).equals(Buffer.from(pdf))).toBe(true);
    const { catalog, resolve } = await openForReading(renewed);
    expect(readSignatures(renewed, catalog, resolve).map((s) => s.type)).toEqual(["Sig", "DocTimeStamp", "DocTimeStamp"]);
    expect((await pdfsigWithTrust(dir, renewed, pki.nssDir()))[0]!.valid).toBe(true);
  });
});

describe("verifyPdf judges trust and level", () => {
  const anchors = () => readPemBundle(pki.rootPem);

  test("each level is reported as reached; trusted against the root, revocation good from the DSS", async () => {
    const bb = await sealPdf(await makePdf(), { signer, signingTime: new Date() });
    const bt = await sealPdf(await makePdf(), { signer, signingTime: new Date(), timestamper: services.timestamper });
    const levels: [Uint8Array, string][] = [[bb, "B-B"], [bt, "B-T"], [await extendToLevel(bt, "B-LT", services), "B-LT"], [await seal("B-LTA"), "B-LTA"]];
    for (const [pdf, level] of levels) {
      const [sig, ...stamps] = (await verifyPdf(pdf, { trustAnchors: anchors() })).signatures;
      expect(sig!.level, level).toBe(level as never);
      expect(sig!.intact).toBe(true);
      expect(sig!.trusted).toBe(true);
      expect(sig!.chain).toEqual([expect.stringContaining("Test Seal"), expect.stringContaining("Intermediate"), expect.stringContaining("Root")]);
      expect(sig!.revocation).toBe(level === "B-LT" || level === "B-LTA" ? "good" : "unknown");
      if (level !== "B-B") expect(sig!.timestamp).toMatchObject({ intact: true, trusted: true, authority: expect.stringContaining("Test TSA") });
      expect(sig!.changesAfter.allowed).toBe(true);
      const [verdict] = await pdfsigWithTrust(dir, pdf, pki.nssDir());
      expect(verdict!.valid, verdict!.text).toBe(true);
      expect(verdict!.text).toContain("Certificate is Trusted");
      if (level === "B-LTA") {
        expect(sig!.changesAfter.kinds).toEqual(["dss", "document-timestamp"]);
        expect(stamps).toHaveLength(1);
        expect(stamps[0]).toMatchObject({ kind: "document-timestamp", intact: true, trusted: true, coversWholeDocument: true, revocation: "good" });
      }
    }
  });

  test("without the anchor: intact, not trusted", async () => {
    const [sig] = (await verifyPdf(await seal("B-LT"))).signatures;
    expect(sig!.intact).toBe(true);
    expect(sig!.trusted).toBe(false);
  });

  test("content changed after the seal is reported and not allowed; the seal itself stays intact", async () => {
    const sealed = await seal("B-LT");
    const changed = await stamp(sealed);
    const [sig] = (await verifyPdf(changed, { trustAnchors: anchors() })).signatures;
    expect(sig!.intact).toBe(true);
    expect(sig!.coversWholeDocument).toBe(false);
    expect(sig!.changesAfter.kinds).toContain("other");
    expect(sig!.changesAfter.allowed).toBe(false);
  });

  test("a sealing certificate revoked before signing is reported revoked from the embedded OCSP response", async () => {
    const local = await startTestPki(join(dir, "pki-verify-revoked"));
    try {
      const revokedSigner = await loadSigner(local.sealP12, local.sealPassword, new Date());
      local.revokeSeal();
      const fetcher = onlineRevocation({ timeoutMs: 5_000, now: () => new Date() });
      const [seal, intermediate, root] = revokedSigner.certificateChain;
      const ocsp = (await fetcher.fetch(seal!, intermediate!))!;
      const crl = (await fetcher.fetch(intermediate!, root!))!;
      expect(ocsp.answer.status).toBe("revoked");
      // What a careless signer would produce: a seal with the revocation data saying so.
      const sealed = await sealPdf(await makePdf(), { signer: revokedSigner, signingTime: new Date(Date.now() + 2_000) });
      const pdf = joinParts(appendDss(sealed, { certs: [], ocsps: [ocsp.der], crls: [crl.der] })!);
      const [sig] = (await verifyPdf(pdf, { trustAnchors: readPemBundle(local.rootPem), now: new Date(Date.now() + 2_000) })).signatures;
      expect(sig!.intact).toBe(true);
      expect(sig!.revocation).toBe("revoked");
      expect(sig!.trusted).toBe(false);
    } finally {
      local.stop();
    }
  });
});

describe("revocation fetching", () => {
  test("OCSP answers and CRLs are cached until their nextUpdate", async () => {
    const fetcher = onlineRevocation({ timeoutMs: 5_000, now: () => new Date() });
    const [sealCert, intermediate, root] = signer.certificateChain;
    const hits = () => [pki.hits.get("/ocsp/int") ?? 0, pki.hits.get("/crl/root.crl") ?? 0];
    const before = hits();
    for (let i = 0; i < 3; i++) {
      expect((await fetcher.fetch(sealCert!, intermediate!))?.answer.status).toBe("good");
      expect((await fetcher.fetch(intermediate!, root!))?.answer.status).toBe("good");
    }
    expect(hits()).toEqual([before[0]! + 1, before[1]! + 1]);
    // Past nextUpdate (a day for OCSP, two for the CRL), they are fetched again.
    const later = onlineRevocation({ timeoutMs: 5_000, now: () => new Date(Date.now() + 3 * 86_400_000) });
    await later.fetch(sealCert!, intermediate!);
    await later.fetch(sealCert!, intermediate!);
    expect(hits()[0]).toBe(before[0]! + 3);
  });
});

describe("refusals", () => {
  test("a revoked sealing certificate stops B-LT for good", async () => {
    const local = await startTestPki(join(dir, "pki-revoked"));
    try {
      const revokedSigner = await loadSigner(local.sealP12, local.sealPassword, new Date());
      local.revokeSeal();
      const sealed = await sealPdf(await makePdf(), { signer: revokedSigner, signingTime: new Date() });
      const error = await extendToLevel(sealed, "B-LT", { revocation: onlineRevocation({ timeoutMs: 5_000, now: () => new Date() }) }).catch((e) => e);
      expect(error).toBeInstanceOf(LtvError);
      expect(error.message).toContain("revoked");
      expect(error.permanent).toBe(true);
    } finally {
      local.stop();
    }
  });

  test("responders that do not answer: a retryable error, never a DSS without revocation data", async () => {
    const sealed = await sealPdf(await makePdf(), { signer, signingTime: new Date() });
    const down = { fetch: async () => undefined };
    const error = await extendToLevel(sealed, "B-LT", { revocation: down }).catch((e) => e);
    expect(error).toBeInstanceOf(LtvError);
    expect(error.permanent).toBe(false);
  });
});
