/**
 * `certyneo migrate-data --to`: a SQLite installation copied into PostgreSQL (and back to a new
 * data directory), by the CLI as an admin runs it; the server then runs on the copy with the
 * same envelopes, keys, signing links and audit chains.
 */
import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { join } from "node:path";
import { complete, getEnvelope, quickStart, sentEnvelope, tokenOf, typed, uploadDoc } from "./helpers/envelopes";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startTestServer } from "./helpers/server";
import { BUN, ROOT, runAsync, tempDir } from "./helpers/spawn";

const cli = (args: string[], env: Record<string, string>) => runAsync([BUN, join(ROOT, "src/main.ts"), "migrate-data", ...args], { env: { CERTYNEO_LOG_LEVEL: "error", ...env } });
const quiet = { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" };

describe.skipIf(!havePostgres)("migrate-data --to", () => {
  test("SQLite to PostgreSQL and back: rows verified table by table; the server runs on each copy", async () => {
    const dir = tempDir();
    const source = await startTestServer({ dir, env: quiet, realClock: true });
    const key = await source.key();
    const doc = await uploadDoc(source, { key });
    const signed = await sentEnvelope(source, quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }]), key);
    expect((await complete(source, signed.tokens[0]!, typed("Ana Silva"))).status).toBe(200);
    const waiting = await sentEnvelope(source, quickStart([doc.id], [{ email: "b@example.com", name: "Bo Li" }]), key);
    const before = await getEnvelope(source, waiting.e.id, key);
    await source.stop();

    const url = await (await testPostgres()).freshDatabase();
    const toPg = await cli(["--to", url], { CERTYNEO_DATA_DIR: dir });
    expect(toPg.code, toPg.stderr).toBe(0);
    expect(toPg.stdout).toMatch(/envelopes: 2 row\(s\) copied/);
    expect(toPg.stdout).toMatch(/every table's row count and SHA-256 match the source/);
    // Into a database that holds rows already: refused, nothing written.
    const again = await cli(["--to", url], { CERTYNEO_DATA_DIR: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/the target database is not empty/);

    // The server on PostgreSQL (files and instance key still in the data directory): same key, same link.
    const onPg = await startTestServer({ dir, env: { ...quiet, CERTYNEO_DATABASE_URL: url }, realClock: true });
    try {
      const same = await getEnvelope(onPg, waiting.e.id, key);
      expect(same.recipients.map((r: any) => [r.email, r.status])).toEqual(before.recipients.map((r: any) => [r.email, r.status]));
      expect(same.audit).toEqual(before.audit);
      // The invitation e-mail goes out from the copy: its delivery extends the copied chain.
      await onPg.running.app.jobs.drain();
      const extended = await getEnvelope(onPg, waiting.e.id, key);
      expect(extended.audit.count).toBeGreaterThan(before.audit.count);
      expect(extended.audit.valid).toBe(true);
      expect((await complete(onPg, tokenOf(same.recipients[0].signUrl), typed("Bo Li"))).status).toBe(200);
      expect((await getEnvelope(onPg, waiting.e.id, key)).status).toBe("COMPLETED");
    } finally {
      await onPg.stop();
    }
    const db = new SQL(url, { max: 1 });
    const [{ n }] = await db`SELECT count(*)::int AS n FROM audit_events WHERE envelope_id = ${waiting.e.id}`;
    await db.close();

    // Back to a new data directory's SQLite.
    const back = tempDir();
    const toSqlite = await cli(["--to", back, "--storage", back], { CERTYNEO_DATA_DIR: dir, CERTYNEO_DATABASE_URL: url });
    expect(toSqlite.code, toSqlite.stderr).toBe(0);
    const onSqlite = await startTestServer({ dir: back, env: quiet, realClock: true });
    try {
      const done = await getEnvelope(onSqlite, waiting.e.id, key);
      expect(done.status).toBe("COMPLETED");
      expect(done.audit.valid).toBe(true);
      expect(done.audit.count).toBe(n);
    } finally {
      await onSqlite.stop();
    }
  }, 120_000);
});
