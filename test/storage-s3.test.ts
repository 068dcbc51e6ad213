/**
 * CERTYNEO_STORAGE_URL=s3://…: the upload -> sign -> seal -> download cycle with every file in a real
 * S3-compatible server (s3rver on loopback), the delete-keeps-bytes rules, the state two nodes
 * share through the bucket, and the one-line start-up errors.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { openInstance } from "../src/instance";
import { createLogger } from "../src/log";
import { openStorage } from "../src/store/storage";
import { complete, createEnvelope, pngDataUrl, quickStart, sendEnvelope, TINY_PNG, tokenOf, uploadDoc } from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";
import { makePdf } from "./helpers/pdf";
import { startS3Server, startS3TestServer, S3RVER_KEY, type S3TestServer } from "./helpers/s3";
import { download } from "./helpers/sealing";
import { BUN, freePort, ROOT, runAsync, tempDir } from "./helpers/spawn";
import { pdfsig } from "./pdf/helpers-seal";

let s3: S3TestServer;
beforeAll(async () => { s3 = await startS3Server(); });
afterAll(() => s3.stop());

const blobKey = (prefix: string, sha: string) => `${prefix}/${sha.slice(0, 2)}/${sha}`;

describe("files in a bucket", () => {
  test("upload, drawn signature, seal and download: every object is named by its SHA-256, nothing in the data directory", async () => {
    const t = await startS3TestServer(s3, "cycle");
    try {
      const doc = await uploadDoc(t, { pages: 2 });
      const sent = await sendEnvelope(t, (await createEnvelope(t, quickStart([doc.id]))).id);
      const signed = await complete(t, tokenOf(sent.recipients[0].signUrl), { signature: { type: "drawn", value: pngDataUrl() }, consent: true });
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
      await t.running.app.jobs.drain();
      const pdf = await download(t, `/api/v1/envelopes/${sent.id}/signed-document`);
      expect(pdf.status).toBe(200);
      const sigs = pdfsig(t.dir, pdf.bytes);
      expect(sigs).toHaveLength(1);
      expect(sigs[0]!.valid, sigs[0]!.text).toBe(true);
      // The uploaded bytes, read back from the bucket, are the sealed file's first revision.
      const original = await s3.client.file(blobKey("cycle", doc.sha256)).bytes();
      expect(sha256(original)).toBe(doc.sha256);
      expect(Buffer.from(pdf.bytes.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);

      const objects = await s3.objects("cycle/");
      const blobs = objects.filter((o) => !o.key.startsWith("cycle/instance/"));
      for (const o of blobs) expect(o.key).toBe(blobKey("cycle", o.sha256));
      const shas = blobs.map((o) => o.sha256);
      expect(shas).toContain(doc.sha256);
      expect(shas).toContain(sha256(TINY_PNG));
      expect(shas).toContain(sha256(pdf.bytes));
      expect(objects.map((o) => o.key).sort()).toEqual(expect.arrayContaining(["cycle/instance/development-seal.p12", "cycle/instance/instance.key"]));
      for (const name of ["files", "instance.key", "development-seal.p12"]) expect(existsSync(join(t.dir, name)), name).toBe(false);
    } finally {
      await t.stop();
    }
  });

  test("delete removes unshared bytes from the bucket, and keeps bytes a completed envelope names", async () => {
    const t = await startS3TestServer(s3, "delete");
    try {
      const lone = await uploadDoc(t, { pages: 3, name: "lone.pdf" });
      expect(await s3.client.exists(blobKey("delete", lone.sha256))).toBe(true);
      expect((await t.api(`/api/v1/documents/${lone.id}`, { method: "DELETE" })).status).toBe(200);
      expect(await s3.client.exists(blobKey("delete", lone.sha256))).toBe(false);

      const pdf = await makePdf(1, "kept");
      const upload = async () => (await t.api("/api/v1/documents", { method: "POST", json: { name: "kept.pdf", contentBase64: Buffer.from(pdf).toString("base64") } })).json();
      const a = await upload();
      const sent = await sendEnvelope(t, (await createEnvelope(t, quickStart([a.id]))).id);
      await complete(t, tokenOf(sent.recipients[0].signUrl));
      expect((await t.api(`/api/v1/documents/${a.id}`, { method: "DELETE" })).status).toBe(200);
      const b = await upload();
      expect(b.sha256).toBe(a.sha256);
      expect((await t.api(`/api/v1/documents/${b.id}`, { method: "DELETE" })).status).toBe(200);
      expect(await s3.client.exists(blobKey("delete", a.sha256))).toBe(true);
      expect(await t.deps.files.exists(a.sha256)).toBe(true);
    } finally {
      await t.stop();
    }
  });

  test("put is idempotent and takes parts; a large file goes up in parts and comes back whole", async () => {
    const { files } = await openStorage(loadConfig(s3.env("put")));
    const big = crypto.getRandomValues(new Uint8Array(65536)).map((b, i) => b ^ i);
    const large = new Uint8Array(20 * 1024 * 1024);
    for (let i = 0; i < large.length; i += big.length) large.set(big.subarray(0, Math.min(big.length, large.length - i)), i);
    const sha = await files.put([large.subarray(0, 9_000_001), large.subarray(9_000_001)]);
    expect(sha).toBe(sha256(large));
    expect(await files.put(large)).toBe(sha);
    expect(sha256(await files.get(sha))).toBe(sha);
    expect(files.path(sha)).toBe(`s3://${s3.bucket}/${blobKey("put", sha)}`);
    await files.remove(sha);
    await files.remove(sha);
    expect(await files.exists(sha)).toBe(false);
    await expect(files.get(sha)).rejects.toThrow();
  });
});

describe("state the nodes share", () => {
  test("two nodes with their own data directories get one instance secret and one development certificate from the bucket", async () => {
    const quiet = createLogger("error", () => {});
    const open = async () => {
      const config = loadConfig({ ...s3.env("shared"), CERTYNEO_DATA_DIR: tempDir() });
      return openInstance(config, { log: quiet, storage: await openStorage(config, quiet) });
    };
    const [a, b] = [await open(), await open()];
    try {
      expect(a.secret.length).toBe(32);
      expect(Buffer.from(b.secret).equals(Buffer.from(a.secret))).toBe(true);
      const [ka, kb] = [await a.sealingKey(), await b.sealingKey()];
      expect(ka.development).toBe(true);
      expect(kb.certificateChain[0]!.serialNumber).toBe(ka.certificateChain[0]!.serialNumber);
      const other = await openStorage(loadConfig(s3.env("other-instance")));
      expect(Buffer.from(other.secret).equals(Buffer.from(a.secret))).toBe(false);
    } finally {
      a.db.$client.close();
      b.db.$client.close();
    }
  });
});

describe("start-up errors", () => {
  const serve = (env: Record<string, string>) =>
    runAsync([BUN, join(ROOT, "src/main.ts"), "serve"], { env: { CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_PORT: "0", ...env } });

  test("a missing bucket, refused credentials or an unreachable endpoint stop the start with one line and exit 2", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...s3.env("x"), CERTYNEO_STORAGE_URL: "s3://no-such-bucket/x" }, /bucket "no-such-bucket" does not exist/],
      [{ ...s3.env("x"), S3_ACCESS_KEY_ID: "NOT" + S3RVER_KEY }, /credentials refused \(InvalidAccessKeyId\)/],
      [{ ...s3.env("x"), S3_ENDPOINT: dead }, /endpoint unreachable/],
      [{ ...s3.env("x"), CERTYNEO_STORAGE_URL: "https://bucket/x" }, /CERTYNEO_STORAGE_URL \(storage.url\): expected s3:\/\/bucket\/prefix/],
    ];
    for (const [env, message] of cases) {
      const r = await serve(env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
