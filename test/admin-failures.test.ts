/**
 * The console's failures at scale: the dashboard counts every failed seal, the failures page lists
 * the latest 200 and says how many there are, and both find them on the partial index of failed
 * seals (migration 0019) instead of reading every envelope.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { inArray } from "drizzle-orm";
import { FAILURES_SHOWN } from "../src/modules/admin/queries";
import { envelopes } from "../src/store/schema";
import { addAdmin, consoleClient } from "./helpers/admin";
import { createEnvelope, quickStart, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ENABLED: "false" } });
  await addAdmin(s);
});
afterAll(() => s.stop());

const plan = (sql: string, ...args: string[]) =>
  (s.deps.db.$client.query(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join("; ");

test("past 200 failed seals: the dashboard counts them all, the failures page lists the latest 200 and says of how many", async () => {
  const doc = await uploadDoc(s);
  const ids: string[] = [];
  for (let i = 0; i < FAILURES_SHOWN + 3; i++) ids.push((await createEnvelope(s, quickStart([doc.id], undefined, { subject: `Contract ${i}` }))).id);
  // One that did not fail, to be left out.
  await createEnvelope(s, quickStart([doc.id], undefined, { subject: "Sealed fine" }));
  // Failed seals as the seal job leaves them, the last one created the most recently failed.
  for (const [i, id] of ids.entries())
    await s.deps.db.update(envelopes).set({ sealStatus: "FAILED", updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000) }).where(inArray(envelopes.id, [id]));

  const c = consoleClient(s);
  await c.login();
  expect((await c.get("/admin?env=test")).text).toContain(`${FAILURES_SHOWN + 3} envelopes could not be sealed`);
  const page = (await c.get("/admin/failures")).text;
  const listed = [...page.matchAll(/\/admin\/envelopes\/(env_[^/"]+)\/retry-seal/g)].map((m) => m[1]);
  expect(listed).toEqual(ids.slice(3).reverse());
  expect(page).toContain(`The ${FAILURES_SHOWN} most recent of ${FAILURES_SHOWN + 3}.`);
});

test("the count and the list of failed seals read the index of failed seals only", () => {
  expect(plan("SELECT count(*) FROM envelopes WHERE environment = ? AND seal_status = 'FAILED'", "test")).toContain("USING COVERING INDEX envelopes_seal_failed (environment=?)");
  expect(plan("SELECT * FROM envelopes WHERE environment = ? AND seal_status = 'FAILED' ORDER BY updated_at DESC LIMIT 200", "test")).toContain("USING INDEX envelopes_seal_failed (environment=?)");
  const index = s.deps.db.$client.query("SELECT sql FROM sqlite_master WHERE name = 'envelopes_seal_failed'").get() as { sql: string };
  expect(index.sql).toContain(`WHERE "envelopes"."seal_status" = 'FAILED'`);
});
