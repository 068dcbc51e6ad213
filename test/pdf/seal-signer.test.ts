import "reflect-metadata"; // @peculiar/x509 needs it before it loads
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { createDevelopmentP12, DEVELOPMENT_ORGANIZATION } from "../../src/pdf/devcert.ts";
import { sealPdf } from "../../src/pdf/pades.ts";
import { loadSigner } from "../../src/pdf/pkcs12.ts";
import { buildP12 } from "../../src/pdf/pkcs12-writer.ts";
import { SignerError } from "../../src/errors.ts";
import { makePdf, opensslP12, pdfsig, run, tempDir, type KeyKind, type P12Encryption } from "./helpers-seal.ts";

const dir = tempDir();
const later = () => new Date(Date.now() + 5_000); // openssl's notBefore is the current second

describe("loadSigner reads openssl pkcs12 -export files", () => {
  const cases: [KeyKind, P12Encryption, "RSASSA-PKCS1-v1_5" | "ECDSA"][] = [
    ["rsa", "default", "RSASSA-PKCS1-v1_5"],
    ["rsa", "3des", "RSASSA-PKCS1-v1_5"],
    ["rsa", "rc2-40", "RSASSA-PKCS1-v1_5"],
    ["p256", "default", "ECDSA"],
    ["p256", "rc2-40", "ECDSA"],
    ["p384", "3des", "ECDSA"],
  ];
  test.each(cases)("%s, %s encryption", async (key, encryption, keyAlgorithm) => {
    const p12 = opensslP12(dir, { key, encryption, password: "s3cret é" });
    const signer = await loadSigner(p12, "s3cret é", later());
    expect(signer.algorithm.name).toBe(keyAlgorithm);
    expect(signer.certificateChain[0]!.subject).toContain(`CN=Seal Test ${key}`);
    const sealed = await sealPdf(await makePdf(), { signer, signingTime: new Date() });
    expect(pdfsig(dir, sealed)[0]!.valid).toBe(true);
  });
});

describe("loadSigner refuses unusable files with one clear line", () => {
  test("wrong password", async () => {
    for (const encryption of ["default", "3des", "rc2-40"] as const) {
      const p12 = opensslP12(dir, { key: "rsa", encryption, password: "right" });
      await expect(loadSigner(p12, "wrong", later())).rejects.toThrow(new SignerError("wrong password"));
    }
  });

  test("not a PKCS#12 file", async () => {
    await expect(loadSigner(new TextEncoder().encode("hello"), "x", later())).rejects.toThrow(/not a PKCS#12 file/);
  });

  test("expired, and not yet valid", async () => {
    const p12 = opensslP12(dir, { key: "p256", password: "pw", days: 1 });
    await expect(loadSigner(p12, "pw", new Date(Date.now() + 3 * 86_400_000))).rejects.toThrow(/certificate expired on \d{4}-\d{2}-\d{2}/);
    await expect(loadSigner(p12, "pw", new Date(Date.now() - 86_400_000))).rejects.toThrow(/not valid before/);
  });

  test("key usage without digitalSignature or nonRepudiation", async () => {
    const p12 = opensslP12(dir, { key: "rsa", password: "pw", keyUsage: "keyEncipherment" });
    await expect(loadSigner(p12, "pw", later())).rejects.toThrow(/key usage does not allow signing/);
  });

  test("private key that does not match the certificate", async () => {
    const keyFile = join(dir, "other.key");
    run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile]);
    const pkcs8 = run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", keyFile, "-outform", "DER", "-out", `${keyFile}.der`]);
    expect(pkcs8.code).toBe(0);
    const other = await loadSigner(opensslP12(dir, { key: "p256", password: "pw" }), "pw", later());
    const mismatched = buildP12(new Uint8Array(readFileSync(`${keyFile}.der`)), [other.certificateChain[0]!], "pw");
    await expect(loadSigner(mismatched, "pw", later())).rejects.toThrow(/does not match the certificate/);
  });
});

describe("createDevelopmentP12", () => {
  test("a 10-year self-signed signing certificate that openssl and loadSigner read", async () => {
    const now = new Date();
    const p12 = await createDevelopmentP12({ commonName: "Acme, Inc. — dev", password: "dev pw", now });
    const signer = await loadSigner(p12, "dev pw", now);
    expect(signer.certificateChain[0]!.subject).toContain(`O=${DEVELOPMENT_ORGANIZATION}`);
    expect(signer.certificateChain[0]!.subject).toContain("NOT FOR PRODUCTION");
    const years = (signer.certificateChain[0]!.notAfter.getTime() - now.getTime()) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(10);

    const file = join(dir, "dev.p12");
    writeFileSync(file, p12);
    const pem = run(["openssl", "pkcs12", "-in", file, "-passin", "pass:dev pw", "-nokeys"]);
    expect(pem.code).toBe(0);
    const cert = new X509Certificate(pem.out.slice(pem.out.indexOf("-----BEGIN CERTIFICATE-----")));
    expect(cert.equal(signer.certificateChain[0]!)).toBe(true);
    const usage = Bun.spawnSync(["openssl", "x509", "-noout", "-ext", "keyUsage"], { stdin: new TextEncoder().encode(pem.out) });
    expect(usage.stdout.toString()).toContain("Digital Signature, Non Repudiation");

    const sealed = await sealPdf(await makePdf(), { signer, signingTime: now });
    expect(pdfsig(dir, sealed)[0]!.valid).toBe(true);
  });
});
