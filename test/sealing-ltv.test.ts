// Sealing at PAdES B-LTA end to end, against a test PKI (openssl CA, OCSP responder, CRLs, TSA):
// the server seals, pdfsig trusts it through an NSS database, the API and the CLI agree on the
// level and the trust, seal extend and the daily job renew the archive time-stamp, a TSA outage
// delays the seal without faking anything, and what the configuration cannot reach is refused at start.
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { ConfigError, loadConfig } from "../src/config";
import { webhookEvents } from "../src/store/schema";
import { sealingKeyLoader } from "../src/modules/sealing/key";
import { createLogger } from "../src/log";
import { openForReading, readSignatures } from "../src/pdf/signature-fields";
import { completeAll, download } from "./helpers/sealing";
import { fakeClock, type FakeClock } from "./helpers/clock";
import { uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { startTestPki, type TestPki } from "./pdf/helpers-pki";
import { must, pdfsigWithTrust, tempDir } from "./pdf/helpers-seal";
import { BUN, ROOT } from "./helpers/spawn";
import { subscribeToAllEvents } from "./helpers/events";

const dir = tempDir("certyneo-sealing-ltv-");
let pki: TestPki;
let s: TestServer;
let clock: FakeClock;
let tsaUp = true;
let tsaProxy: ReturnType<typeof Bun.serve>;

/** The server's environment: the PKI's sealing key, its TSA (through a switchable proxy), its root as trust anchor. */
const env = () => ({
  CERTYNEO_SEAL_P12_PATH: pki.sealP12File,
  CERTYNEO_SEAL_P12_PASSWORD: pki.sealPassword,
  CERTYNEO_SEAL_TSA_URL: `http://127.0.0.1:${tsaProxy.port}/tsa`,
  CERTYNEO_VERIFY_TRUST_ANCHORS: pki.rootFile,
  CERTYNEO_JOBS_POLL_MS: "60000",
  CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false",
});

beforeAll(async () => {
  pki = await startTestPki(join(dir, "pki"));
  tsaProxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => (tsaUp ? fetch(pki.tsaUrl, { method: "POST", headers: req.headers, body: await req.arrayBuffer() }) : new Response("down", { status: 503 })),
  });
  clock = fakeClock(new Date());
  s = await startTestServer({ clock, env: env() });
});
afterAll(async () => {
  await s.stop();
  tsaProxy.stop(true);
  pki.stop();
});

/** The CLI against the server's data directory; asynchronous, since this process serves the TSA and the PKI. */
async function cli(...args: string[]) {
  const p = Bun.spawn([BUN, "src/main.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env(), CERTYNEO_DATA_DIR: s.dir }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { stdout, stderr, exitCode };
}

async function verifyApi(pdf: Uint8Array) {
  const form = new FormData();
  form.set("file", new File([pdf as Uint8Array<ArrayBuffer>], "sealed.pdf"));
  return (await s.api("/api/v1/verify", { method: "POST", body: form })).json();
}

const pdftotextOf = async (pdf: Uint8Array) => {
  const file = join(dir, `t-${crypto.randomUUID()}.pdf`);
  writeFileSync(file, pdf);
  return must(["pdftotext", "-enc", "UTF-8", file, "-"]);
};

const types = async (pdf: Uint8Array) => {
  const { catalog, resolve } = await openForReading(pdf);
  return readSignatures(pdf, catalog, resolve).map((x) => x.type);
};

describe("B-LTA by default with a TSA", () => {
  test("the signed document and the audit trail: trusted by pdfsig, reported B-LTA and trusted by the API and the CLI", async () => {
    expect(s.deps.config.seal.level).toBe("B-LTA");
    const doc = await uploadDoc(s);
    const id = await completeAll(s, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
    const signed = await download(s, `/api/v1/envelopes/${id}/signed-document`);
    expect(signed.status).toBe(200);
    expect(await types(signed.bytes)).toEqual(["Sig", "DocTimeStamp"]);
    // The seal and each LTV step's byte work ran on a PDF worker thread (0 is the main thread), which stored the file.
    const sealTasks = s.logs.filter((l) => l.msg === "pdf task done" && l.task === "sealFile");
    expect(sealTasks.length).toBeGreaterThan(0);
    expect(sealTasks.every((l) => (l.thread as number) > 0 && l.ok)).toBe(true);
    const verdicts = await pdfsigWithTrust(dir, signed.bytes, pki.nssDir());
    expect(verdicts[0]!.valid, verdicts[0]!.text).toBe(true);
    expect(verdicts[0]!.text).toContain("Certificate is Trusted");

    const report = await verifyApi(signed.bytes);
    expect(report).toMatchObject({ valid: true, trusted: true });
    expect(report.signatures[0]).toMatchObject({ kind: "signature", level: "B-LTA", intact: true, trusted: true, revocation: "good", byThisInstance: true });
    expect(report.signatures[1]).toMatchObject({ kind: "document-timestamp", intact: true, trusted: true, coversWholeDocument: true });

    const file = join(dir, "signed.pdf");
    writeFileSync(file, signed.bytes);
    const verified = await cli("verify", file, "--json");
    expect(verified.exitCode, verified.stderr).toBe(0);
    const fromCli = JSON.parse(verified.stdout);
    expect(fromCli.trusted).toBe(true);
    expect(fromCli.signatures.map((x: { level: string | null; trusted: boolean }) => [x.level, x.trusted])).toEqual(
      report.signatures.map((x: { level: string | null; trusted: boolean }) => [x.level, x.trusted]),
    );

    const trail = await download(s, `/api/v1/envelopes/${id}/audit-trail`);
    expect(await types(trail.bytes)).toEqual(["Sig", "DocTimeStamp"]);
    expect((await verifyApi(trail.bytes)).signatures[0]).toMatchObject({ level: "B-LTA", trusted: true });
  });

  test("certyneo seal extend adds a document time-stamp and keeps everything before it valid; the daily job does too", async () => {
    const doc = await uploadDoc(s);
    const id = await completeAll(s, [doc.id], [{ name: "Bo Berg", email: "bo@example.com" }]);
    const before = (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes;
    // The TSA certificate lives 60 days: with --before 3650 every B-LTA file is due.
    const extended = await cli("seal", "extend", "--before", "3650");
    expect(extended.exitCode, extended.stderr + extended.stdout).toBe(0);
    expect(extended.stdout).toContain(id);
    const after = (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes;
    expect(Buffer.from(after.subarray(0, before.length)).equals(Buffer.from(before))).toBe(true);
    expect(await types(after)).toEqual(["Sig", "DocTimeStamp", "DocTimeStamp"]);
    const report = await verifyApi(after);
    expect(report.valid).toBe(true);
    expect(report.signatures.every((x: { intact: boolean; trusted: boolean }) => x.intact && x.trusted)).toBe(true);
    expect(report.signatures[0].changesAfter).toEqual({ kinds: ["dss", "document-timestamp"], allowed: true });
    expect((await pdfsigWithTrust(dir, after, pki.nssDir()))[0]!.valid).toBe(true);

    // The daily job: due a day later; the TSA certificate (60 days) is within the default 90.
    await s.running.app.jobs.drain();
    clock.advance(86_400_000 + 1000);
    await s.running.app.jobs.drain();
    const daily = (await download(s, `/api/v1/envelopes/${id}/signed-document`)).bytes;
    expect(await types(daily)).toEqual(["Sig", "DocTimeStamp", "DocTimeStamp", "DocTimeStamp"]);
    const trail = await pdftotextOf((await download(s, `/api/v1/envelopes/${id}/audit-trail`)).bytes);
    expect(trail.match(/envelope\.seal_extended/g)).toHaveLength(2);
  });
});

describe("behind a proxy", () => {
  test("revocation and time-stamp requests go through HTTP_PROXY", async () => {
    const through: string[] = [];
    const proxy = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        through.push(`${req.method} ${new URL(req.url).pathname}`);
        return fetch(req.url, { method: req.method, headers: req.headers, body: req.method === "POST" ? await req.arrayBuffer() : undefined });
      },
    });
    try {
      const doc = await uploadDoc(s);
      await completeAll(s, [doc.id], [{ name: "Di Eng", email: "di@example.com" }]);
      const p = Bun.spawn([BUN, "src/main.ts", "seal", "extend", "--before", "3650"], {
        cwd: ROOT, env: { ...process.env, ...env(), CERTYNEO_DATA_DIR: s.dir, HTTP_PROXY: `http://127.0.0.1:${proxy.port}` }, stdout: "pipe", stderr: "pipe",
      });
      expect(await p.exited, await new Response(p.stderr).text()).toBe(0);
      expect(through).toContain("POST /tsa");
      expect(through.some((t) => t === "POST /ocsp/int" || t.startsWith("GET /crl/"))).toBe(true);
    } finally {
      proxy.stop(true);
    }
  });
});

describe("when every TSA fails", () => {
  test("the seal waits (503, audit event), never embeds a fake token, and completes once the TSA is back", async () => {
    await subscribeToAllEvents(s.deps);
    const doc = await uploadDoc(s);
    tsaUp = false;
    try {
      const id = await completeAll(s, [doc.id], [{ name: "Cy Dahl", email: "cy@example.com" }]);
      const waiting = await download(s, `/api/v1/envelopes/${id}/signed-document`);
      expect(waiting.status).toBe(503);
      expect(Buffer.from(waiting.bytes).toString()).toContain("time-stamp");
      await s.running.app.jobs.drain();
      const env = await (await s.api(`/api/v1/envelopes/${id}`)).json();
      expect(env.sealStatus).toBe("PENDING");
      expect(s.logs.some((l) => l.msg === "envelope sealing delayed, retrying" && l.envelopeId === id)).toBe(true);
      // A webhook event tells the integrator, with the reason.
      const events = s.deps.db.select().from(webhookEvents).where(eq(webhookEvents.type, "envelope.seal_delayed")).all().map((e) => JSON.parse(e.payload));
      const delayed = events.find((e) => e.data.envelope.id === id);
      expect(delayed?.data.reason).toContain("time-stamp server");
      tsaUp = true;
      clock.advance(5 * 60_000);
      await s.running.app.jobs.drain();
      const sealed = await download(s, `/api/v1/envelopes/${id}/signed-document`);
      expect(sealed.status).toBe(200);
      expect((await verifyApi(sealed.bytes)).signatures[0]).toMatchObject({ level: "B-LTA", trusted: true });
    } finally {
      tsaUp = true;
    }
  });
});

describe("a revoked sealing certificate", () => {
  test("fails the seal for good: FAILED, a seal_failed webhook with the reason, downloads answer seal_failed", async () => {
    const local = await startTestPki(join(dir, "pki-revoked"));
    const t = await startTestServer({
      clock: fakeClock(new Date()),
      env: { ...env(), CERTYNEO_SEAL_P12_PATH: local.sealP12File, CERTYNEO_SEAL_P12_PASSWORD: local.sealPassword, CERTYNEO_SEAL_TSA_URL: local.tsaUrl, CERTYNEO_VERIFY_TRUST_ANCHORS: local.rootFile },
    });
    await subscribeToAllEvents(t.deps);
    try {
      local.revokeSeal();
      const doc = await uploadDoc(t);
      const id = await completeAll(t, [doc.id], [{ name: "Eva Fors", email: "eva@example.com" }]);
      await t.running.app.jobs.drain();
      expect((await (await t.api(`/api/v1/envelopes/${id}`)).json()).sealStatus).toBe("FAILED");
      const failed = t.deps.db.select().from(webhookEvents).where(eq(webhookEvents.type, "envelope.seal_failed")).all().map((e) => JSON.parse(e.payload));
      expect(failed.find((e) => e.data.envelope.id === id)?.data.reason).toContain("revoked");
      const res = await t.api(`/api/v1/envelopes/${id}/signed-document`);
      expect(res.status).toBe(503);
      expect((await res.json()).code).toBe("seal_failed");
      const trail = await t.api(`/api/v1/envelopes/${id}/audit-trail`);
      expect(trail.status).toBe(503);
      expect((await trail.json()).detail).toContain("revoked");
    } finally {
      await t.stop();
      local.stop();
    }
  });
});

describe("refused at start", () => {
  test("a level above B-B without a TSA", () => {
    for (const level of ["B-T", "B-LT", "B-LTA"]) {
      expect(() => loadConfig({ CERTYNEO_SEAL_LEVEL: level })).toThrow(ConfigError);
      expect(() => loadConfig({ CERTYNEO_SEAL_LEVEL: level })).toThrow(/needs a time-stamp authority/);
    }
    expect(() => loadConfig({ CERTYNEO_SEAL_LEVEL: "B-X" })).toThrow(/must be one of B-B, B-T, B-LT, B-LTA/);
    expect(loadConfig({}).seal.level).toBe("B-B");
  });

  test("B-LT with a certificate that names no OCSP responder nor CRL distribution point", async () => {
    const d = pki.dir;
    must(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", join(d, "bare.key")]);
    must(["openssl", "req", "-new", "-key", join(d, "bare.key"), "-subj", "/CN=Bare Seal", "-out", join(d, "bare.csr"), "-config", join(d, "ext.cnf")]);
    writeFileSync(join(d, "bare.ext"), "keyUsage=critical,digitalSignature\n");
    must(["openssl", "x509", "-req", "-in", join(d, "bare.csr"), "-CA", join(d, "int.crt"), "-CAkey", join(d, "int.key"), "-set_serial", "77", "-days", "30", "-extfile", join(d, "bare.ext"), "-out", join(d, "bare.crt")]);
    const p12 = join(d, "bare.p12");
    must(["openssl", "pkcs12", "-export", "-inkey", join(d, "bare.key"), "-in", join(d, "bare.crt"), "-certfile", join(d, "seal-chain.pem"), "-out", p12, "-passout", "pass:pw"]);
    const config = loadConfig({ ...env(), CERTYNEO_DATA_DIR: dir, CERTYNEO_SEAL_P12_PATH: p12, CERTYNEO_SEAL_P12_PASSWORD: "pw", CERTYNEO_SEAL_LEVEL: "B-LT" });
    const load = sealingKeyLoader(config, { now: () => new Date() }, createLogger("error", () => {}), new Uint8Array(32));
    await expect(load()).rejects.toThrow(/cannot seal at B-LT .*"CN=Bare Seal" names no OCSP responder nor CRL distribution point/);
    // The same certificate seals at B-T.
    const bt = sealingKeyLoader({ ...config, seal: { ...config.seal, level: "B-T" } }, { now: () => new Date() }, createLogger("error", () => {}), new Uint8Array(32));
    expect((await bt()).certificateChain[0]!.subject).toBe("CN=Bare Seal");
  });
});
