/**
 * Start-up and crash debris through the real CLI: one clear line and exit 2 for every
 * start-up problem, temp files and dead leases cleaned at start, a lost instance.key refused.
 * Then the system conditions a request can meet: a full disk (507) and a locked database (503).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { migrationJournal } from "../migrations";
import { documentName } from "../src/modules/documents/service";
import { complete, createEnvelope, quickStart, sendEnvelope, tokenOf, typed, uploadDoc } from "./helpers/envelopes";
import { makePdf } from "./helpers/pdf";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { BUN, freePort, ROOT, tempDir, waitForHealth } from "./helpers/spawn";

/** `certyneo serve` until it exits (or, if it starts listening, until stopped): exit code and stderr. */
async function serveOnce(env: Record<string, string>, args: string[] = []) {
  const port = env.CERTYNEO_PORT ?? String(await freePort());
  const p = Bun.spawn([BUN, "src/main.ts", "serve", ...args], {
    cwd: ROOT, env: { ...process.env, CERTYNEO_PORT: port, ...env }, stdout: "pipe", stderr: "pipe",
  });
  // Either it exits, or it starts answering and is stopped (code null).
  const listening = waitForHealth(`http://127.0.0.1:${port}`, 20_000).then(() => null, () => null);
  const exited = await Promise.race([p.exited, listening]);
  if (exited === null) {
    p.kill();
    await p.exited;
  }
  return { code: exited, stderr: await new Response(p.stderr).text(), stdout: await new Response(p.stdout).text() };
}

function expectOneLine(r: { code: number | null; stderr: string }, ...words: string[]) {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toStartWith("certyneo: ");
  expect(r.stderr).not.toContain("    at ");
  for (const w of words) expect(lines[0]).toContain(w);
}

/** A one-shot command of the CLI, run to its end. */
const cli = (cmd: string, env: Record<string, string>) => Bun.spawnSync([BUN, "src/main.ts", cmd], { cwd: ROOT, env: { ...process.env, ...env } });

describe("start-up problems: one line, exit 2", () => {
  test("data dir that is a file; p12 path that is a directory; invalid allowed networks", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "afile"), "x");
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "afile") }), "is a file, not a directory");
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "d1"), CERTYNEO_SEAL_P12_PATH: dir }), dir, "is a directory");
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "d2"), CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "10.0.0.0/99" }), "CERTYNEO_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/99");
  });

  test("corrupt development p12 (named); damaged instance.key; corrupt database; locked database", async () => {
    const dir = tempDir();
    for (const d of ["p12", "key", "db", "lock"]) mkdirSync(join(dir, d));
    writeFileSync(join(dir, "p12/development-seal.p12"), "garbage");
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "p12") }), join(dir, "p12/development-seal.p12"));
    writeFileSync(join(dir, "key/instance.key"), "short");
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "key") }), "instance.key is damaged", "restore");
    writeFileSync(join(dir, "db/certyneo.db"), Buffer.alloc(8192, 7));
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "db") }), "certyneo.db is damaged");
    const locker = new Database(join(dir, "lock/certyneo.db"));
    locker.run("PRAGMA locking_mode = EXCLUSIVE");
    locker.run("BEGIN EXCLUSIVE");
    try {
      expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: join(dir, "lock") }), "locked by another process");
    } finally {
      locker.run("ROLLBACK");
      locker.close();
    }
  });

  test("a database a newer version migrated: the server, certyneo migrate and doctor refuse it; SQLite and PostgreSQL", async () => {
    const dir = tempDir();
    expect(cli("migrate", { CERTYNEO_DATA_DIR: dir }).exitCode).toBe(0);
    const db = new Database(join(dir, "certyneo.db"));
    const future = migrationJournal.at(-1)!.when + 86_400_000;
    db.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-a-newer-version', ?)", [future]);
    const before = db.query("SELECT count(*) AS n FROM sqlite_master").get();
    db.close();
    expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: dir }), "certyneo.db", "migrated by a newer version of Certyneo", "restore the backup");
    const migrate = cli("migrate", { CERTYNEO_DATA_DIR: dir });
    expect(migrate.exitCode).toBe(2);
    expect(migrate.stderr.toString()).toContain("migrated by a newer version");
    const doctor = cli("doctor", { CERTYNEO_DATA_DIR: dir });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout.toString()).toMatch(/^fail +database +.*migrated by a newer version of Certyneo/m);
    const after = new Database(join(dir, "certyneo.db"), { readonly: true });
    expect(after.query("SELECT count(*) AS n FROM sqlite_master").get()).toEqual(before);
    after.close();

    if (!havePostgres) return;
    const url = await (await testPostgres()).freshDatabase();
    expect(cli("migrate", { CERTYNEO_DATABASE_URL: url, CERTYNEO_DATA_DIR: dir }).exitCode).toBe(0);
    const sql = new SQL(url);
    await sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-a-newer-version', ${future})`;
    await sql.close();
    expectOneLine(await serveOnce({ CERTYNEO_DATABASE_URL: url, CERTYNEO_DATA_DIR: dir }), "cannot be used", "migrated by a newer version of Certyneo");
  });

  test.skipIf(!havePostgres)("a PostgreSQL database that is not UTF-8 is refused before anything is written to it; doctor fails it", async () => {
    const pg = await testPostgres();
    const admin = new SQL(pg.adminUrl, { max: 1 });
    const name = `latin1_${process.pid}`;
    await admin.unsafe(`CREATE DATABASE "${name}" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await admin.close();
    const url = pg.adminUrl.replace(/\/postgres$/, `/${name}`);
    expectOneLine(await serveOnce({ CERTYNEO_DATABASE_URL: url, CERTYNEO_DATA_DIR: tempDir() }), "cannot be used", "its encoding is LATIN1; Certyneo needs UTF8");
    const doctor = cli("doctor", { CERTYNEO_DATABASE_URL: url, CERTYNEO_DATA_DIR: tempDir() });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout.toString()).toMatch(/^fail +database +.*its encoding is LATIN1/m);
    const sql = new SQL(url, { max: 1 });
    expect(await sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')`).toEqual([{ n: 0 }]);
    await sql.close();
  });

  test("port in use", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = String((blocker.address() as { port: number }).port);
    try {
      expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_PORT: port }), `port ${port}`, "in use");
    } finally {
      blocker.close();
    }
  });

  test("a host this machine cannot listen on", async () => {
    for (const host of ["bogus.invalid", "192.0.2.1"])
      expectOneLine(await serveOnce({ CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_HOST: host }), `"${host}"`, "CERTYNEO_HOST");
  });
});

describe("a lost instance.key", () => {
  test("with envelopes in the database the server refuses to start, unless told to accept the loss", async () => {
    const dir = tempDir();
    const s = await startTestServer({ dir, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    const doc = await uploadDoc(s);
    await createEnvelope(s, quickStart([doc.id]));
    await s.stop();
    rmSync(join(dir, "instance.key"));
    const refused = await serveOnce({ CERTYNEO_DATA_DIR: dir });
    expectOneLine(refused, "instance.key is missing", "restore", "--accept-new-instance-key");
    expect(existsSync(join(dir, "instance.key"))).toBe(false);
    const accepted = await serveOnce({ CERTYNEO_DATA_DIR: dir }, ["--accept-new-instance-key"]);
    expect(accepted.code).toBeNull(); // it started and listened until stopped
    expect(existsSync(join(dir, "instance.key"))).toBe(true);
  });
});

describe("crash debris", () => {
  test("stale temp files are removed at start; a live writer's are kept", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "files/ab"), { recursive: true });
    const dead = join(dir, `files/ab/${"a".repeat(64)}.999999.${crypto.randomUUID()}.tmp`);
    const mine = join(dir, `files/ab/${"c".repeat(64)}.${process.ppid}.${crypto.randomUUID()}.tmp`);
    for (const f of [dead, mine]) writeFileSync(f, Buffer.alloc(4096));
    const s = await startTestServer({ dir });
    try {
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(mine)).toBe(true); // its writer (our parent) runs
      expect(s.logs.find((l) => l.msg === "removed temporary files left by a crash")).toBeTruthy();
    } finally {
      await s.stop();
    }
  });

  test("jobs leased by a process that died are due at once at the next start", async () => {
    const dir = tempDir();
    const s = await startTestServer({ dir, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" }, realClock: true });
    const doc = await uploadDoc(s);
    const env = await createEnvelope(s, quickStart([doc.id]));
    const sent = await sendEnvelope(s, env.id);
    await complete(s, tokenOf(sent.recipients[0].signUrl), typed());
    await s.stop();
    // As a runner killed mid-run leaves them: leased for 5 minutes by a process that is gone.
    const db = new Database(join(dir, "certyneo.db"));
    const leaseEnd = Date.now() + 5 * 60_000;
    db.run("UPDATE jobs SET run_at = ?, leased_by = ?, attempts = 1 WHERE status = 'pending'", [leaseEnd, `${require("node:os").hostname()}:999999:dead`]);
    db.run("UPDATE jobs SET leased_by = ? WHERE rowid = (SELECT min(rowid) FROM jobs WHERE status = 'pending' AND kind != 'seal_envelope')", ["other-host:1:x"]);
    db.close();
    const again = await startTestServer({ dir, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" }, realClock: true });
    try {
      // The runner reclaims them as it starts (drain waits for that): the seal, leased for 5 more
      // minutes by a process that is gone, runs now.
      await again.running.app.jobs.drain();
      const state = again.deps.db.$client.query("SELECT seal_status AS s FROM envelopes WHERE id = ?").get(env.id) as any;
      expect(state.s).toBe("SEALED");
      const rows = again.deps.db.$client.query("SELECT kind, run_at AS runAt, leased_by AS leasedBy FROM jobs WHERE status = 'pending' OR kind = 'seal_envelope'").all() as any[];
      // A lease from another host is not judged: it keeps its end.
      expect(rows.filter((r) => r.leasedBy === "other-host:1:x").map((r) => r.runAt)).toEqual([leaseEnd]);
    } finally {
      await again.stop();
    }
  });
});

describe("system conditions on requests", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.stop());

  test("a database locked by another process: reads are served while a write waits; 503 database_busy with Retry-After after the wait", async () => {
    const doc = await uploadDoc(s);
    const locker = new Database(join(s.dir, "certyneo.db"));
    locker.run("BEGIN IMMEDIATE");
    try {
      let settled = false;
      const waiting = s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id]) }).finally(() => void (settled = true));
      await Bun.sleep(200);
      // The write waits for the lock between turns of the event loop, which answers meanwhile.
      expect((await s.api(`/api/v1/documents/${doc.id}`)).status).toBe(200);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(settled).toBe(false);
      const res = await waiting;
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect((await res.json()).code).toBe("database_busy");

      // A write that is waiting when the lock goes goes through.
      const next = s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id]) });
      await Bun.sleep(200);
      locker.run("ROLLBACK");
      expect((await next).status).toBe(201);
      // Background work said once that it waits, and goes on at its next round.
      const said = (msg: string) => s.logs.filter((l) => l.msg === msg).length;
      for (let i = 0; i < 50 && !said("database usable again: background work goes on"); i++) await Bun.sleep(100);
      expect(said("database locked by another process: background work waits for it")).toBe(1);
      expect(said("database usable again: background work goes on")).toBe(1);
      expect(s.logs.filter((l) => l.msg === "periodic job failed")).toEqual([]);
    } finally {
      if (locker.inTransaction) locker.run("ROLLBACK");
      locker.close();
    }
  });

  test("multipart without a boundary says so; file names are cleaned and bounded", async () => {
    const res = await s.api("/api/v1/documents", { method: "POST", body: "x", headers: { "content-type": "multipart/form-data" } });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toContain("boundary");
    const form = new FormData();
    form.set("file", new File([await makePdf()], "evil\u202Efdp.exe\u0007" + "x".repeat(400) + ".pdf"));
    const up = await s.api("/api/v1/documents", { method: "POST", body: form });
    expect(up.status).toBe(201);
    const { name } = (await up.json()) as { name: string };
    expect([...name]).toHaveLength(255);
    expect(name).toStartWith("evilfdp.exexxx");
    expect(name).toEndWith(".pdf");
    expect(documentName("\u2066\u0000 ")).toBe("document.pdf");
  });
});

describe("a full disk", () => {
  const mount = tempDir("certyneo-full-");
  const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]).exitCode === 0;
  afterAll(() => { if (mounted) Bun.spawnSync(["umount", "-l", mount]); });

  test.skipIf(!mounted)("uploads answer 507 insufficient_storage, leave no partial file, and reads are still served", async () => {
    const s = await startTestServer({ dir: mount, env: { CERTYNEO_RATE_LIMIT_ENABLED: "false" } });
    try {
      const first = await uploadDoc(s);
      const statuses: number[] = [];
      for (let i = 0; i < 40 && !statuses.includes(507); i++) {
        const pdf = await makePdf(1, `filler ${i}`);
        // 400 KB of comment before the end marker: a valid PDF that fills the disk.
        const padded = Buffer.concat([Buffer.from(pdf.subarray(0, pdf.length - 6)), Buffer.from("%" + "z".repeat(400_000) + "\n" + crypto.randomUUID() + "\n"), Buffer.from(pdf.subarray(pdf.length - 6))]);
        const form = new FormData();
        form.set("file", new File([padded], `f${i}.pdf`));
        const res = await s.api("/api/v1/documents", { method: "POST", body: form });
        statuses.push(res.status);
        if (res.status === 507) expect((await res.json()).code).toBe("insufficient_storage");
      }
      expect(statuses).toContain(507);
      expect(statuses.filter((c) => c !== 201 && c !== 507)).toEqual([]);
      expect((await s.api(`/api/v1/documents/${first.id}`)).status).toBe(200);
      expect((await s.api("/api/v1/documents")).status).toBe(200);
      expect((await fetch(s.url + "/healthz")).status).toBe(200);
      const temps = readdirSync(join(mount, "files"), { recursive: true }).filter((f) => String(f).endsWith(".tmp"));
      expect(temps).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
