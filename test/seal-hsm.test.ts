// Sealing with a key that stays in an HSM (SoftHSM2): the whole envelope cycle on the
// real server, then the sealed PDF judged by pdfsig and by openssl.
import "reflect-metadata";
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "@peculiar/x509";
import { complete, createEnvelope, quickStart, sendEnvelope, tokenOf, typed, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { CKA, CKO, loadCryptoki } from "../src/pkcs11/cryptoki";
import { SHARED_KEYS, sharedSoftHsm, SOFTHSM_MODULE, type HsmKeySpec } from "./helpers/softhsm";
import { startTestPki } from "./pdf/helpers-pki";
import { lastSignature, pdfsig, pdfsigWithTrust, run, tempDir } from "./pdf/helpers-seal";

const token = sharedSoftHsm();
const work = tempDir("certyneo-seal-hsm-");
const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

/**
 * A server sealing with `env`. The real clock: the token's certificates are issued now.
 */
async function serverWith(env: Record<string, string>) {
  const s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...env }, realClock: true });
  servers.push(s);
  return s;
}

/** One envelope signed by one recipient on `s`: the sealed PDF and the audit trail. */
async function sealOn(s: TestServer) {
  const doc = await uploadDoc(s);
  const envelope = await createEnvelope(s, quickStart([doc.id], [{ email: "ana@example.com", name: "Ana Silva", role: "SIGNER" }]));
  const sent = await sendEnvelope(s, envelope.id);
  expect((await complete(s, tokenOf(sent.recipients[0].signUrl), typed("Ana Silva"))).status).toBe(200);
  await s.running.app.jobs.drain();
  const get = async (path: string) => {
    const res = await s.api(`/api/v1/envelopes/${envelope.id}/${path}`);
    expect(res.status).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  };
  return { pdf: await get("signed-document"), auditTrail: await get("audit-trail") };
}

async function sealWith(env: Record<string, string>) {
  const s = await serverWith(env);
  return { s, ...(await sealOn(s)) };
}

/** The sealed PDF's CMS as openssl reads it: signer certificate and signature algorithm. */
function cmsOf(pdf: Uint8Array) {
  const file = join(work, `cms-${crypto.randomUUID()}.der`);
  writeFileSync(file, lastSignature(pdf).cms);
  const printed = run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", file]).out;
  const certs = run(["openssl", "pkcs7", "-inform", "DER", "-in", file, "-print_certs"]).out;
  return { printed, firstCertificate: new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(certs)![0]) };
}

function expectValid(pdf: Uint8Array) {
  const sigs = pdfsig(work, pdf);
  expect(sigs).toHaveLength(1);
  expect(sigs[0]!.valid, sigs[0]!.text).toBe(true);
  expect(sigs[0]!.total, sigs[0]!.text).toBe(true);
  return sigs[0]!;
}

describe("sealing with a key in an HSM", () => {
  const cases: { name: string; key: HsmKeySpec; env: Record<string, string>; algorithm: RegExp }[] = [
    { name: "RSA 2048 generated in the token, PKCS#1 v1.5, certificate from the token", key: SHARED_KEYS.rsa, env: {}, algorithm: /sha256WithRSAEncryption/ },
    { name: "RSA 2048 generated in the token, PSS", key: SHARED_KEYS.rsa, env: { CERTYNEO_SEAL_RSA_PSS: "true" }, algorithm: /rsassaPss/ },
    { name: "RSA key imported into the token", key: SHARED_KEYS.imported, env: {}, algorithm: /sha256WithRSAEncryption/ },
    { name: "EC P-256, certificate chain from seal.certificatePath", key: SHARED_KEYS.p256, env: { CERTYNEO_SEAL_CERTIFICATE_PATH: token.chainPath(SHARED_KEYS.p256.label) }, algorithm: /ecdsa-with-SHA256/ },
    { name: "EC P-384, certificate from the token", key: SHARED_KEYS.p384, env: {}, algorithm: /ecdsa-with-SHA256/ },
    { name: "EC P-521 imported into the token", key: SHARED_KEYS.p521, env: {}, algorithm: /ecdsa-with-SHA256/ },
    { name: "EC P-256 asking for the PIN before each use", key: SHARED_KEYS.alwaysAuthenticate, env: {}, algorithm: /ecdsa-with-SHA256/ },
  ];
  for (const c of cases) {
    test(`${c.name}: the sealed PDF and the audit trail are valid, signed by the token's certificate`, async () => {
      const { s, pdf, auditTrail } = await sealWith(token.env(c.key.label, c.env));
      const expected = new X509Certificate(token.certificatePem(c.key.label));
      const sig = expectValid(pdf);
      expect(sig.text).toContain(`HSM seal ${c.key.label}`);
      expectValid(auditTrail);
      const cms = cmsOf(pdf);
      expect(cms.firstCertificate.equal(expected)).toBe(true);
      expect(cms.printed).toMatch(c.algorithm);
      // Certyneo's own verification agrees, and the log says where the key lives.
      const form = new FormData();
      form.set("file", new File([pdf], "sealed.pdf"));
      const report = await (await s.api("/api/v1/verify", { method: "POST", body: form })).json();
      // No trust anchor configured: intact, not trusted (a later test configures the CA).
      expect(report.signatures[0]).toMatchObject({ intact: true, coversWholeDocument: true, byThisInstance: true, trusted: false });
      expect(s.logs.find((l) => l.msg === "sealing key opened in a PKCS#11 token")).toMatchObject({ token: token.tokenLabel, key: c.key.label });
    });
  }

  test("with a certificate file, the chain in the CMS is the file's: the seal's certificate, then the CA, trusted under that CA", async () => {
    const { s, pdf } = await sealWith(
      token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_CERTIFICATE_PATH: token.chainPath(SHARED_KEYS.rsa.label), CERTYNEO_VERIFY_TRUST_ANCHORS: token.caPath }),
    );
    expectValid(pdf);
    const form = new FormData();
    form.set("file", new File([pdf], "sealed.pdf"));
    const report = await (await s.api("/api/v1/verify", { method: "POST", body: form })).json();
    expect(report.signatures[0]).toMatchObject({ intact: true, trusted: true });
    const file = join(work, "chain.der");
    writeFileSync(file, lastSignature(pdf).cms);
    const subjects = [...run(["openssl", "pkcs7", "-inform", "DER", "-in", file, "-print_certs", "-noout"]).out.matchAll(/^subject=(.*)$/gm)].map((m) => m[1]);
    expect(subjects).toEqual([expect.stringContaining("HSM seal seal-rsa"), expect.stringContaining("Certyneo Test HSM CA")]);
  });

  test("sessions the token dropped (and with them the login) are reopened: the next seal is valid", async () => {
    const { s, pdf } = await sealWith(token.env(SHARED_KEYS.rsa.label));
    expectValid(pdf);
    // What a re-plugged token or a reconnected network HSM does to this process's sessions.
    const cryptoki = loadCryptoki(SOFTHSM_MODULE);
    let closed = 0;
    for (let handle = 1; handle < 5000; handle++) {
      try {
        cryptoki.findObjects(handle, [[CKA.CLASS, CKO.PRIVATE_KEY]]);
        cryptoki.closeSession(handle);
        closed++;
      } catch {} // not a session handle
    }
    expect(closed).toBeGreaterThan(0);
    expectValid((await sealOn(s)).pdf);
  });

  test("at B-LTA with a CA's chain: DSS and document time-stamp added after the token's signature, trusted by pdfsig", async () => {
    const pki = await startTestPki(join(work, "pki"));
    try {
      // The test PKI's sealing key, moved into the token as a CA-delivered key would be.
      token.importKey("seal-pki", join(pki.dir, "seal.key"));
      const chain = join(work, "pki-chain.pem");
      writeFileSync(chain, ["seal.crt", "int.crt", "root.crt"].map((f) => readFileSync(join(pki.dir, f), "latin1")).join(""));
      const { s, pdf } = await sealWith(
        token.env("seal-pki", {
          CERTYNEO_SEAL_CERTIFICATE_PATH: chain,
          CERTYNEO_SEAL_LEVEL: "B-LTA",
          CERTYNEO_SEAL_TSA_URL: pki.tsaUrl,
          CERTYNEO_VERIFY_TRUST_ANCHORS: pki.rootFile,
        }),
      );
      const sigs = (await pdfsigWithTrust(work, pdf, pki.nssDir())).filter((sig) => !sig.unsigned);
      // The seal, valid and trusted; then the document time-stamp (pdfsig does not validate
      // those; Certyneo's report below does).
      expect(sigs.length).toBe(2);
      expect(sigs[0]!.valid, sigs[0]!.text).toBe(true);
      expect(sigs[0]!.text).toContain("Certificate is Trusted");
      expect(sigs[0]!.text).toContain("Certyneo Test Seal");
      expect(sigs[1]!.text).toContain("Certyneo Test TSA");
      const form = new FormData();
      form.set("file", new File([pdf], "sealed.pdf"));
      const report = await (await s.api("/api/v1/verify", { method: "POST", body: form })).json();
      expect(report.signatures[0]).toMatchObject({ intact: true, trusted: true, level: "B-LTA" });
    } finally {
      pki.stop();
    }
  });
});
