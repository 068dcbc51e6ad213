/**
 * The migration that gave each job the envelope it is about (SQLite 0026, PostgreSQL 0017) fills
 * it in for the unfinished jobs already queued, from the payload's envelope or its recipient's:
 * a purge finds a job by that column only.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { enqueue } from "../src/jobs/queue";
import { postgresClient } from "../src/store/dialect";
import { jobs } from "../src/store/schema";
import { transaction } from "../src/store/transaction";
import { quickStart, sentEnvelope, uploadDoc } from "./helpers/envelopes";
import { havePostgres } from "./helpers/postgres";
import { startTestServer } from "./helpers/server";

/** The migration's UPDATE, as its file has it. */
const backfillOf = (file: string) =>
  readFileSync(join(import.meta.dir, "../migrations", file), "utf8").split("--> statement-breakpoint").map((q) => q.trim()).find((q) => q.startsWith("UPDATE"))!;

for (const postgres of [false, true]) {
  describe.skipIf(postgres && !havePostgres)(`jobs queued before the column, on ${postgres ? "PostgreSQL" : "SQLite"}`, () => {
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

        const backfill = backfillOf(postgres ? "postgres/0017_jobs_envelope.sql" : "0026_jobs_envelope.sql");
        if (postgres) await postgresClient(s.deps.db).unsafe(backfill);
        else s.deps.db.$client.run(backfill);

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
  });
}
