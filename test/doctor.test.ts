/** certyneo doctor, run as a newcomer would: one line per check, exit 1 when one fails. */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDevelopmentP12 } from "../src/pdf/devcert";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startTestServer } from "./helpers/server";
import { startSmtpSink } from "./helpers/smtp";
import { createEnvelope, quickStart, sendEnvelope, uploadDoc } from "./helpers/envelopes";
import { postgresClient } from "../src/store/dialect";
import type { TestServer } from "./helpers/server";
import { BUN, freePort, ROOT, run, tempDir } from "./helpers/spawn";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Spawned without blocking: the SMTP sink of a test answers from this process. */
async function doctor(env: Record<string, string>, args: string[] = []) {
  const p = Bun.spawn([BUN, "src/main.ts", "doctor", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const r = { code: await p.exited, stdout: await new Response(p.stdout).text(), stderr: await new Response(p.stderr).text() };
  const lines = r.stdout.trim().split("\n");
  const status = (name: string) => lines.find((l) => l.slice(6).startsWith(name))?.slice(0, 4).trim();
  return { ...r, lines, status };
}


describe("certyneo doctor", () => {
  test("a fresh installation: everything ok but the development certificate", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = await startTestServer({ dir });
    await s.deps.sealingKey();
    await s.stop();
    const r = await doctor({ CERTYNEO_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.lines).toHaveLength(10);
    for (const name of ["configuration", "data directory", "free space", "database", "stored fields", "instance key", "smtp", "time-stamp authority"]) expect(r.status(name)).toBe("ok");
    expect(r.status("sealing certificate")).toBe("warn");
    expect(r.stdout).toContain("development certificate");
    const json = JSON.parse(run([BUN, "src/main.ts", "doctor", "--json"], { env: { CERTYNEO_DATA_DIR: dir } }).stdout);
    expect(json.map((c: { name: string }) => c.name)).toContain("sealing certificate");
  });

  test("SMTP: --smtp greets the server; a closed port fails with exit 1", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const sink = await startSmtpSink();
    try {
      expect((await doctor({ CERTYNEO_DATA_DIR: dir, ...sink.env }, ["--smtp"])).status("smtp")).toBe("ok");
    } finally {
      await sink.close();
    }
    const closed = await doctor({ CERTYNEO_DATA_DIR: dir, CERTYNEO_SMTP_HOST: "127.0.0.1", CERTYNEO_SMTP_PORT: String(await freePort()) }, ["--smtp"]);
    expect(closed.code).toBe(1);
    expect(closed.status("smtp")).toBe("fail");
    expect(closed.stdout).toMatch(/ECONNREFUSED/);
  });

  test("a certificate expiring within 30 days, a readable data directory, an unreachable TSA", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const tenYearsLessTenDays = new Date(Date.now() - (10 * 365.25 - 10) * 86400_000);
    const p12 = join(dir, "expiring.p12");
    writeFileSync(p12, await createDevelopmentP12({ commonName: "Expiring seal", password: "pw", now: tenYearsLessTenDays }));
    chmodSync(dir, 0o755);
    const r = await doctor({ CERTYNEO_DATA_DIR: dir, CERTYNEO_SEAL_P12_PATH: p12, CERTYNEO_SEAL_P12_PASSWORD: "pw", CERTYNEO_SEAL_TSA_URL: `http://127.0.0.1:${await freePort()}/tsa`, CERTYNEO_SEAL_LEVEL: "B-B" });
    expect(r.status("sealing certificate")).toBe("warn");
    expect(r.stdout).toMatch(/Expiring seal.*in (9|10|11) days; renew it/);
    expect(r.status("data directory")).toBe("warn");
    expect(r.status("time-stamp authority")).toBe("fail");
    expect(r.code).toBe(1);
  });

  test("an open envelope with a field on page 0 or below, stored before such text was checked, is named", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = await startTestServer({ dir });
    const { sent, ended } = await fieldsOnPageBelowOne(s, (sql, id) => void s.deps.db.$client.query(sql).run(id));
    await s.stop();
    const r = await doctor({ CERTYNEO_DATA_DIR: dir });
    expect(r.status("stored fields")).toBe("warn");
    expect(r.stdout).toContain(`open envelopes with a field on page 0 or below, which could not be sealed: ${sent}.`);
    expect(r.stdout).not.toContain(ended);
    expect(r.code).toBe(0);
  });

  test("a bad setting is one failed line", async () => {
    const r = await doctor({ CERTYNEO_PORT: "http" });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(/^fail  configuration .*CERTYNEO_PORT/)]);
  });
});

/**
 * Two envelopes whose field is moved to page -1 (what a body could store while whole numbers sent
 * as text skipped their bounds): one sent, one voided, which the check leaves out.
 */
async function fieldsOnPageBelowOne(s: TestServer, update: (sql: string, envelopeId: string) => unknown) {
  const doc = await uploadDoc(s);
  const withField = quickStart([doc.id], [{ email: "ana@example.com", name: "Ana", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 72, y: 650, width: 180, height: 40 }] }]);
  const [sent, ended] = [(await sendEnvelope(s, (await createEnvelope(s, withField)).id)).id, (await sendEnvelope(s, (await createEnvelope(s, withField)).id)).id];
  expect((await s.api(`/api/v1/envelopes/${ended}`, { method: "DELETE" })).status).toBe(200);
  for (const id of [sent, ended]) await update("UPDATE fields SET page = -1 WHERE envelope_id = $1", id);
  return { sent, ended };
}

describe.skipIf(!havePostgres)("certyneo doctor on PostgreSQL", () => {
  test("migrations to apply are a warning, then ok after certyneo migrate; an unreachable server fails", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const url = await (await testPostgres()).freshDatabase();
    const fresh = await doctor({ CERTYNEO_DATA_DIR: dir, CERTYNEO_DATABASE_URL: url });
    expect(fresh.status("database")).toBe("warn");
    expect(fresh.stdout).toMatch(/migration\(s\) to apply: certyneo migrate/);
    expect(run([BUN, "src/main.ts", "migrate"], { env: { CERTYNEO_DATA_DIR: dir, CERTYNEO_DATABASE_URL: url } }).code).toBe(0);
    const migrated = await doctor({ CERTYNEO_DATA_DIR: dir, CERTYNEO_DATABASE_URL: url });
    expect(migrated.lines.find((l) => l.slice(6).startsWith("database"))).toMatch(/^ok +database +postgres:\/\/.*, reachable, migrations up to date$/);
    expect(migrated.status("stored fields")).toBe("ok");
    const down = await doctor({ CERTYNEO_DATA_DIR: dir, CERTYNEO_DATABASE_URL: `postgres://certyneo:secret@127.0.0.1:${await freePort()}/none` });
    expect(down.status("database")).toBe("fail");
    expect(down.stdout).toContain("postgres://certyneo:***@127.0.0.1:");
    expect(down.stdout).not.toContain("secret");
    expect(down.code).toBe(1);
  });

  test("an open envelope with a field on page 0 or below is named on PostgreSQL too", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const s = await startTestServer({ dir, postgres: true });
    const url = s.deps.config.database.url;
    const { sent, ended } = await fieldsOnPageBelowOne(s, (sql, id) => postgresClient(s.deps.db).unsafe(sql, [id]));
    await s.stop();
    const r = await doctor({ CERTYNEO_DATA_DIR: dir, CERTYNEO_DATABASE_URL: url });
    expect(r.status("stored fields")).toBe("warn");
    expect(r.stdout).toContain(`which could not be sealed: ${sent}.`);
    expect(r.stdout).not.toContain(ended);
  });
});
