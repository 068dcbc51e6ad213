/**
 * certyneo backup / restore against real processes: a backup taken by the CLI while the server
 * takes writes restores into a new data directory where every write acknowledged before the
 * backup began is present, the API keys and the signing links sent before it still work, and
 * every PDF matches its SHA-256. A damaged backup changes nothing.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { sha256Hex } from "../src/ids";
import { createEnvelope, getEnvelope, quickStart, sendEnvelope, signing, tokenOf, typed, uploadDoc } from "./helpers/envelopes";
import { makePdf } from "./helpers/pdf";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { BUN, ROOT, run, runAsync, tempDir } from "./helpers/spawn";

setDefaultTimeout(120_000);

let source: TestServer;
let restored: TestServer | null = null;
const work = tempDir("certyneo-backup-");
const file = join(work, "certyneo-backup.tar.gz");

beforeAll(async () => {
  source = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" }, realClock: true });
  // As `serve` does before listening: the development certificate exists from then on.
  await source.deps.sealingKey();
});
afterAll(async () => {
  await restored?.stop();
  await source?.stop();
  rmSync(work, { recursive: true, force: true });
});

const cli = (args: string[], dataDir: string) => run([BUN, "src/main.ts", ...args], { env: { CERTYNEO_DATA_DIR: dataDir } });

describe("backup under concurrent writes, then restore", () => {
  const acked: { envelopeId: string; documentId: string; sha256: string; at: number }[] = [];
  const links: { envelopeId: string; signUrl: string }[] = [];
  let key: string;
  let backupStartedAt = 0;

  test("the CLI backs up while the server writes", async () => {
    key = await source.key("test", "integration");
    const doc = await uploadDoc(source, { key });
    for (let i = 0; i < 3; i++) {
      const env = await sendEnvelope(source, (await createEnvelope(source, quickStart([doc.id], [{ email: `r${i}@example.com`, name: `R ${i}` }]), key)).id, key);
      links.push({ envelopeId: env.id, signUrl: env.recipients[0].signUrl });
    }
    let writing = true;
    // One writer: a new PDF (a new file in the store) and an envelope using it, again and again.
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const pdf = await makePdf(1, `concurrent ${i}`);
        const up = await source.api("/api/v1/documents", { key, method: "POST", json: { name: `c${i}.pdf`, contentBase64: Buffer.from(pdf).toString("base64") } });
        expect(up.status).toBe(201);
        const d = (await up.json()) as { id: string; sha256: string };
        const env = await createEnvelope(source, quickStart([d.id], [{ email: `c${i}@example.com`, name: `C ${i}` }]), key);
        acked.push({ envelopeId: env.id, documentId: d.id, sha256: d.sha256, at: performance.now() });
      }
    })();
    while (acked.length < 5) await Bun.sleep(10);
    backupStartedAt = performance.now();
    const proc = Bun.spawn([BUN, "src/main.ts", "backup", file, "--json"], { cwd: ROOT, env: { ...process.env, CERTYNEO_DATA_DIR: source.dir }, stdout: "pipe", stderr: "pipe" });
    const [code, stdout, stderr] = [await proc.exited, await new Response(proc.stdout).text(), await new Response(proc.stderr).text()];
    writing = false;
    await writer;
    expect({ code, stderr }).toMatchObject({ code: 0 });
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ file, format: 1, developmentCertificate: true });
    expect(acked.filter((a) => a.at > backupStartedAt).length).toBeGreaterThan(0);
    // Any tar reads it.
    const listing = run(["tar", "tzf", file]).stdout.split("\n");
    expect(listing).toEqual(expect.arrayContaining(["backup.json", "certyneo.db", "instance.key", "development-seal.p12"]));
    expect(listing.filter((l) => l.startsWith("files/"))).toHaveLength(summary.files);
  });

  test("restore refuses a data directory that is not empty", () => {
    const r = cli(["restore", file], source.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not empty");
    expect(r.stderr).toContain("--force");
  });

  test("restore --force refuses the data directory of a running server", () => {
    const r = cli(["restore", file, "--force"], source.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is in use by a running server");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const name = basename(source.dir);
    expect(readdirSync(dirname(source.dir)).filter((n) => n !== name && n.includes(name))).toEqual([]);
    expect(existsSync(join(source.dir, "certyneo.db"))).toBe(true);
  });

  test("a backup that cannot be written says so in one line and leaves no snapshot behind", () => {
    const r = cli(["backup", join(work, "no-such-dir", "b.tar.gz")], source.dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("no-such-dir");
    expect(readdirSync(source.dir).filter((n) => n.startsWith(".backup-"))).toEqual([]);
  });

  test("restore into a data directory that is a file, or under one, is one line", () => {
    const notDir = join(work, "a-file");
    writeFileSync(notDir, "x");
    for (const target of [notDir, join(notDir, "data")]) {
      const r = cli(["restore", file, "--force"], target);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(notDir);
    }
    expect(readFileSync(notDir, "utf8")).toBe("x");
  });

  test("a damaged backup is refused and leaves the directory as it was", () => {
    const bytes = new Uint8Array(readFileSync(file));
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    const damaged = join(work, "damaged.tar.gz");
    writeFileSync(damaged, bytes);
    const target = join(work, "never");
    const r = cli(["restore", damaged], target);
    expect(r.code).toBe(2);
    expect(existsSync(join(target, "certyneo.db"))).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes("restoring"))).toEqual([]);
  });

  test("restored: every write acknowledged before the backup, the keys, the signing links, the PDFs", async () => {
    const target = join(work, "restored");
    const r = cli(["restore", file], target);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("checked against its SHA-256") });
    restored = await startTestServer({ dir: target, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" }, realClock: true });
    for (const a of acked.filter((x) => x.at < backupStartedAt)) {
      const res = await restored.api(`/api/v1/envelopes/${a.envelopeId}`, { key });
      expect(res.status).toBe(200);
      const doc = await restored.api(`/api/v1/documents/${a.documentId}`, { key });
      expect(((await doc.json()) as { sha256: string }).sha256).toBe(a.sha256);
    }
    // Every document the restored database knows has its PDF, byte for byte.
    const rows = restored.deps.db.$client.query("SELECT sha256 FROM documents").all() as { sha256: string }[];
    expect(rows.length).toBeGreaterThan(acked.filter((x) => x.at < backupStartedAt).length);
    for (const { sha256 } of rows) expect(sha256Hex(readFileSync(restored.deps.files.path(sha256)))).toBe(sha256);
    // Links sent before the backup open, and a recipient can sign through one.
    for (const l of links) expect((await signing(restored, tokenOf(l.signUrl))).status).toBe(200);
    expect((await signing(restored, tokenOf(links[0]!.signUrl), "/complete", { json: typed("R 0") })).status).toBe(200);
    expect((await getEnvelope(restored, links[0]!.envelopeId, key)).status).toBe("COMPLETED");
    await restored.running.app.jobs.drain();
    const pdf = await restored.api(`/api/v1/envelopes/${links[0]!.envelopeId}/signed-document`, { key });
    expect(pdf.status).toBe(200);
    expect(new TextDecoder().decode((await pdf.bytes()).slice(0, 5))).toBe("%PDF-");
  });

  test("--force moves a non-empty data directory aside", () => {
    const target = join(work, "forced");
    const first = cli(["restore", file], target);
    expect(first.code).toBe(0);
    const again = cli(["restore", file, "--force"], target);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("was moved to");
    expect(readdirSync(work).some((n) => n.startsWith("forced.before-restore-"))).toBe(true);
    expect(existsSync(join(target, "certyneo.db"))).toBe(true);
  });
});

describe("a backup holds every file its database names", () => {
  test("a file the database names but the store lacks is named in the manifest and by the CLI, not left out silently", async () => {
    const dir = tempDir();
    const t = await startTestServer({ dir });
    try {
      const doc = await uploadDoc(t);
      rmSync(t.deps.files.path(doc.sha256));
      const { createBackup } = await import("../src/ops/backup");
      const m = await createBackup(t.deps, join(work, "short.tar.gz"));
      expect(m.missingFiles).toEqual([doc.sha256]);
      expect(readdirSync(dir).filter((n) => n.startsWith(".backup-"))).toEqual([]);
    } finally {
      await t.stop();
    }
    const r = cli(["backup", join(work, "short-cli.tar.gz")], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("1 file(s) the database names were already missing");
  });
});

describe.skipIf(!havePostgres)("on PostgreSQL", () => {
  test("backup and restore refuse a database they would not cover", async () => {
    const env = { CERTYNEO_DATABASE_URL: await (await testPostgres()).freshDatabase(), CERTYNEO_DATA_DIR: tempDir() };
    for (const args of [["backup", join(work, "pg.tar.gz")], ["restore", file]]) {
      const r = await runAsync([BUN, join(ROOT, "src/main.ts"), ...args], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("the database is PostgreSQL (CERTYNEO_DATABASE_URL), which backup and restore do not cover");
    }
    expect(existsSync(join(work, "pg.tar.gz"))).toBe(false);
  });
});
