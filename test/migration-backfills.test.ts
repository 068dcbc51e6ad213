/**
 * Migrations that add a column a purge finds rows by fill it in for the rows already there: each
 * job's envelope (SQLite 0026, PostgreSQL 0017), and whether a kept Idempotency-Key reply names
 * an envelope (0027, 0018). Each test runs the migration's own UPDATE, read from its file, on rows
 * as they were before it.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { enqueue } from "../src/jobs/queue";
import { postgresClient } from "../src/store/dialect";
import { idempotencyKeys, jobs } from "../src/store/schema";
import { transaction } from "../src/store/transaction";
import { quickStart, sentEnvelope, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/** The migration's UPDATE, as its file has it. */
const backfillOf = (file: string) =>
  readFileSync(join(import.meta.dir, "../migrations", file), "utf8").split("--> statement-breakpoint").map((q) => q.trim()).find((q) => q.startsWith("UPDATE"))!;

async function runBackfill(s: TestServer, postgres: boolean, sqliteFile: string, postgresFile: string): Promise<void> {
  if (postgres) await postgresClient(s.deps.db).unsafe(backfillOf(`postgres/${postgresFile}`));
  else s.deps.db.$client.run(backfillOf(sqliteFile));
}

for (const postgres of [false, true]) {
  describe.skipIf(postgres && !havePostgres)(`rows from before the columns, on ${postgres ? "PostgreSQL" : "SQLite"}`, () => {
    test("an unfinished job gets its payload's envelope or its recipient's; a finished one, and one about no envelope, none", async () => {
      const s = await startTestServer({ postgres, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
      try {
        const doc = await uploadDoc(s);
        const { e } = await sentEnvelope(s, quickStart([doc.id]));
        const later = new Date(s.deps.clock.now().getTime() + 3_600_000);
        const queued = (kind: string, payload: Record<string, unknown>) => transaction(s.deps.db, (tx) => enqueue(tx, s.deps.clock, { kind, payload, runAt: later }));
        const ids = {
          reminder: await queued("send_reminder", { recipientId: e.recipients[0].id }),
          notice: await queued("notify_completed", { envelopeId: e.id }),
          batch: await queued("send_batch", { batchId: "bat_none" }),
          finished: await queued("notify_completed", { envelopeId: e.id }),
        };
        await s.deps.db.update(jobs).set({ status: "done" }).where(eq(jobs.id, ids.finished));
        // As the rows were before the migration.
        await s.deps.db.update(jobs).set({ envelopeId: null });

        await runBackfill(s, postgres, "0026_jobs_envelope.sql", "0017_jobs_envelope.sql");

        const envelopeOf = new Map((await s.deps.db.select({ id: jobs.id, envelopeId: jobs.envelopeId }).from(jobs)).map((j) => [j.id, j.envelopeId]));
        expect([ids.reminder, ids.notice, ids.batch, ids.finished].map((id) => envelopeOf.get(id))).toEqual([e.id, e.id, null, null]);
        // The invitations the send queued, about its recipient.
        const invitations = await s.deps.db.select({ envelopeId: jobs.envelopeId }).from(jobs).where(eq(jobs.kind, "send_invitation"));
        expect(invitations.length).toBeGreaterThan(0);
        expect(invitations.every((j) => j.envelopeId === e.id)).toBe(true);
      } finally {
        await s.stop();
      }
    });

    test("a kept Idempotency-Key reply that names an envelope is marked to be read at an erasure; one that names none is not", async () => {
      const s = await startTestServer({ postgres });
      try {
        const doc = await uploadDoc(s);
        const created = await s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id]), headers: { "idempotency-key": "create-1" } });
        expect(created.status).toBe(201);
        const hook = await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://hooks.example.com/x" }, headers: { "idempotency-key": "hook-1" } });
        expect(hook.status).toBe(201);
        // As the rows were before the migration.
        await s.deps.db.update(idempotencyKeys).set({ envelopeId: null });

        await runBackfill(s, postgres, "0027_idempotency_envelope.sql", "0018_idempotency_envelope.sql");

        const marks = new Map((await s.deps.db.select({ key: idempotencyKeys.key, envelopeId: idempotencyKeys.envelopeId }).from(idempotencyKeys)).map((r) => [r.key, r.envelopeId]));
        expect([marks.get("create-1"), marks.get("hook-1")]).toEqual(["*", null]);
      } finally {
        await s.stop();
      }
    });
  });
}
