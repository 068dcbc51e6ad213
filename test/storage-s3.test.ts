/**
 * CERTYNEO_STORAGE_URL=s3://…: the upload -> sign -> seal -> download cycle with every file in a real
 * S3-compatible server (s3rver on loopback), the delete-keeps-bytes rules, the state two nodes
 * share through the bucket, the one-line start-up errors, and `certyneo migrate-data`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { loadConfig } from "../src/config";
import { openInstance } from "../src/instance";
import { createLogger } from "../src/log";
import { underNodeLock } from "../src/store/node-lock";
import { closeDatabase } from "../src/store/open";
import { openStorage } from "../src/store/storage";
import { complete, createEnvelope, pngDataUrl, quickStart, sendEnvelope, TINY_PNG, tokenOf, uploadDoc } from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";
import { makePdf } from "./helpers/pdf";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startS3Server, startS3TestServer, S3RVER_KEY, type S3TestServer } from "./helpers/s3";
import { download } from "./helpers/sealing";
import { startTestServer } from "./helpers/server";
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
    expect(await files.size(sha)).toBe(large.length);
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
      expect(Buffer.from(other.secret!).equals(Buffer.from(a.secret))).toBe(false);
    } finally {
      a.db.$client.close();
      b.db.$client.close();
    }
  });
});

describe.skipIf(!havePostgres)("state the nodes share, on PostgreSQL", () => {
  test("nodes starting together on a new instance: one makes the secret and the development certificate, the others read them", async () => {
    const url = await (await testPostgres()).freshDatabase();
    const lines: string[] = [];
    const log = createLogger("info", (line) => lines.push(line));
    const config = () => loadConfig({ ...s3.env("together"), CERTYNEO_DATABASE_URL: url, CERTYNEO_DATA_DIR: tempDir() });
    // s3rver keeps objects as files: its folder made first, or writes racing to make it fail (a real bucket has no folders).
    await s3.client.write("together/instance/.folder", "");
    const nodes = await Promise.all([1, 2, 3, 4].map(() => openInstance(config(), { log })));
    try {
      for (const n of nodes) expect(Buffer.from(n.secret).equals(Buffer.from(nodes[0]!.secret))).toBe(true);
      const keys = await Promise.all(nodes.map((n) => n.sealingKey()));
      expect(new Set(keys.map((k) => k.certificateChain[0]!.serialNumber)).size).toBe(1);
      const created = (msg: string) => lines.filter((l) => JSON.parse(l).msg === msg).length;
      expect([created("instance secret created"), created("development sealing certificate created")]).toEqual([1, 1]);
      // The lock those creations take: two nodes' steps under one name do not overlap.
      const spans: [number, number][] = [];
      await Promise.all(nodes.slice(0, 2).map((n) => underNodeLock(n.db, "certyneo:test", async () => {
        const start = performance.now();
        await Bun.sleep(50);
        spans.push([start, performance.now()]);
      })));
      spans.sort((x, y) => x[0] - y[0]);
      expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
    } finally {
      await Promise.all(nodes.map((n) => closeDatabase(n.db)));
    }
  });
});

describe("configuration", () => {
  test("CERTYNEO_STORAGE_* first, then S3_*, then AWS_*; a URL that is not s3:// is refused", () => {
    const aws = { AWS_ENDPOINT_URL: "http://aws.example", AWS_REGION: "eu-west-3", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "aws-secret", AWS_SESSION_TOKEN: "tok" };
    expect(loadConfig(aws).storage).toEqual({ url: "", endpoint: "http://aws.example", region: "eu-west-3", accessKeyId: "AKIA", secretAccessKey: "aws-secret", sessionToken: "tok" });
    const s3vars = { ...aws, S3_ENDPOINT: "http://s3.example", S3_ACCESS_KEY_ID: "S3KEY" };
    expect(loadConfig(s3vars).storage).toMatchObject({ endpoint: "http://s3.example", accessKeyId: "S3KEY", secretAccessKey: "aws-secret" });
    expect(loadConfig({ ...s3vars, CERTYNEO_STORAGE_ENDPOINT: "http://own.example" }).storage.endpoint).toBe("http://own.example");
    expect(() => loadConfig({ CERTYNEO_STORAGE_URL: "s3:/bucket" })).toThrow(/CERTYNEO_STORAGE_URL \(storage.url\): expected s3:\/\/bucket\/prefix/);
    expect(() => loadConfig({ CERTYNEO_STORAGE_URL: "s3://bkt/p", S3_ENDPOINT: "not a url" })).toThrow(/CERTYNEO_STORAGE_ENDPOINT \(storage.endpoint\): not a URL/);
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

  test("a bucket without the instance secret, beside a database that holds envelopes, is refused: signing links would break", async () => {
    const dir = tempDir();
    const t = await startTestServer({ dir, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    await createEnvelope(t, quickStart([(await uploadDoc(t)).id]));
    await t.stop();
    const r = await serve({ ...s3.env("lost-secret"), CERTYNEO_DATA_DIR: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`s3://${s3.bucket}/lost-secret/instance/instance.key is missing but the database holds envelopes`);
    expect(await s3.client.exists("lost-secret/instance/instance.key")).toBe(false);
  });

  test("backup and restore refuse a bucket they would not cover", async () => {
    for (const args of [["backup", join(tempDir(), "b.tar.gz")], ["restore", join(tempDir(), "b.tar.gz")]]) {
      const r = await runAsync([BUN, join(ROOT, "src/main.ts"), ...args], { env: { ...s3.env("x"), CERTYNEO_DATA_DIR: tempDir() } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("which backup and restore do not cover");
    }
  });
});

describe("certyneo doctor over a bucket", () => {
  test("reports the bucket and the instance key in it; a missing bucket fails", async () => {
    const dir = tempDir();
    await openStorage(loadConfig(s3.env("doctor")));
    const good = await runAsync([BUN, join(ROOT, "src/main.ts"), "doctor"], { env: { ...s3.env("doctor"), CERTYNEO_DATA_DIR: dir } });
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(new RegExp(`^ok +storage +s3://${s3.bucket}/doctor/ at ${s3.endpoint}, reachable$`, "m"));
    expect(good.stdout).toMatch(new RegExp(`^ok +instance key +s3://${s3.bucket}/doctor/instance/instance.key$`, "m"));
    const bad = await runAsync([BUN, join(ROOT, "src/main.ts"), "doctor"], { env: { ...s3.env("doctor"), CERTYNEO_STORAGE_URL: "s3://no-such-bucket/doctor", CERTYNEO_DATA_DIR: dir } });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^fail +storage +storage s3:\/\/no-such-bucket\/doctor\/ at .*: bucket "no-such-bucket" does not exist$/m);
  });
});

describe("certyneo migrate-data", () => {
  const cli = (args: string[], env: Record<string, string>) => runAsync([BUN, join(ROOT, "src/main.ts"), "migrate-data", ...args], { env: { CERTYNEO_LOG_LEVEL: "error", ...env } });
  const bucketEnv = (prefix: string) => { const { CERTYNEO_STORAGE_URL: _, ...rest } = s3.env(prefix); return rest; };

  test("a data directory to a bucket and back: every file and the shared state, SHA-256 checked, idempotent; links and seals keep working", async () => {
    const dir = tempDir();
    const disk = await startTestServer({ dir, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    const doc = await uploadDoc(disk, { pages: 2 });
    const done = await sendEnvelope(disk, (await createEnvelope(disk, quickStart([doc.id]))).id);
    await complete(disk, tokenOf(done.recipients[0].signUrl), { signature: { type: "drawn", value: pngDataUrl() }, consent: true });
    await disk.running.app.jobs.drain();
    const sealed = (await download(disk, `/api/v1/envelopes/${done.id}/signed-document`)).bytes;
    const pending = await sendEnvelope(disk, (await createEnvelope(disk, quickStart([doc.id], [{ email: "later@example.com", name: "Later", role: "SIGNER" }]))).id);
    const onDisk: string[] = [];
    for await (const sha of disk.deps.files.list()) onDisk.push(sha);
    await disk.stop();
    expect(onDisk).toContain(sha256(sealed));

    const env = { ...bucketEnv("migrated"), CERTYNEO_DATA_DIR: dir };
    const first = await cli(["--storage", `s3://${s3.bucket}/migrated`], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`[1/${onDisk.length}] `);
    expect(first.stdout).toContain(`${onDisk.length} file(s): ${onDisk.length} copied`);
    expect(first.stdout).toContain("instance.key: copied");
    expect(first.stdout).toContain("development-seal.p12: copied");
    const objects = await s3.objects("migrated/");
    for (const sha of onDisk) expect(objects.find((o) => o.key === blobKey("migrated", sha))?.sha256).toBe(sha);
    expect(Buffer.from(await s3.client.file("migrated/instance/instance.key").bytes()).equals(readFileSync(join(dir, "instance.key")))).toBe(true);

    // A damaged object is copied again; the others are left alone.
    await s3.client.write(blobKey("migrated", doc.sha256), "damaged");
    const again = await cli(["--storage", `s3://${s3.bucket}/migrated`], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${onDisk.length} file(s): 1 copied`);
    expect(again.stdout).toContain(`${onDisk.length - 1} already there, 0 failed`);
    expect(sha256(await s3.client.file(blobKey("migrated", doc.sha256)).bytes())).toBe(doc.sha256);

    // The same database over the bucket: the sealed file downloads, the pending signing link still opens.
    rmSync(join(dir, "files"), { recursive: true });
    const onS3 = await startS3TestServer(s3, "migrated", {}, { dir });
    try {
      expect((await download(onS3, `/api/v1/envelopes/${done.id}/signed-document`)).bytes).toEqual(sealed);
      expect((await fetch(`${onS3.url}/api/v1/signing/${tokenOf(pending.recipients[0].signUrl)}`)).status).toBe(200);
    } finally {
      await onS3.stop();
    }

    const back = join(tempDir(), "not-yet");
    const home = await cli(["--storage", back], { ...s3.env("migrated"), CERTYNEO_DATA_DIR: dir });
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).toContain(`${onDisk.length} file(s): ${onDisk.length} copied`);
    for (const sha of onDisk) expect(sha256(readFileSync(join(back, "files", sha.slice(0, 2), sha)))).toBe(sha);
    expect(readFileSync(join(back, "instance.key")).equals(readFileSync(join(dir, "instance.key")))).toBe(true);
  });

  test("refuses a target of another instance, the source itself, and a database it cannot reach", async () => {
    const dir = tempDir();
    await closeDatabase((await openInstance(loadConfig({ CERTYNEO_DATA_DIR: dir }), { log: createLogger("error", () => {}) })).db);
    await openStorage(loadConfig(s3.env("someone-else")));
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--storage", `s3://${s3.bucket}/someone-else`], { ...bucketEnv("x"), CERTYNEO_DATA_DIR: dir }, /holds a different instance\.key: the target belongs to another instance/],
      [["--storage", dir], { CERTYNEO_DATA_DIR: relative(ROOT, dir) }, /that is where the files are already/],
      [["--to", `postgres://u:secret@127.0.0.1:${await freePort()}/db`], { CERTYNEO_DATA_DIR: dir }, /database postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/db cannot be used/],
      [[], { CERTYNEO_DATA_DIR: dir }, /usage: certyneo migrate-data \[--to/],
      [["--to", "ftp://u:secret@example.com/x"], { CERTYNEO_DATA_DIR: dir }, /--to ftp:\/\/u:\*\*\*@example\.com\/x: expected postgres:\/\/\.\.\. or a data directory/],
      [["--to", tempDir()], { CERTYNEO_DATA_DIR: dir }, /the configured database is SQLite already; --to DATA_DIR copies a PostgreSQL database/],
    ];
    for (const [args, env, message] of cases) {
      const r = await cli(args, env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
