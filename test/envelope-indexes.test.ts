/**
 * The sweeps' and bulk send's lookups of envelopes run on partial indexes (migration 0018): only
 * envelopes with an expiry, or of a bulk send, have an entry, and the queries still seek them.
 */
import { expect, test } from "bun:test";
import { envelopeSuite } from "./helpers/envelopes";

const { s } = await envelopeSuite();
const plan = (sql: string, ...args: (string | number)[]) =>
  (s.deps.db.$client.query(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join("; ");

test("the expiry sweep seeks SENT envelopes past their expiry on the index of envelopes that have one", () => {
  expect(plan("SELECT id FROM envelopes WHERE status = 'SENT' AND expires_at <= ?", Date.now())).toContain("USING INDEX envelopes_status_expires (status=? AND expires_at<?)");
  const index = s.deps.db.$client.query("SELECT sql FROM sqlite_master WHERE name = 'envelopes_status_expires'").get() as { sql: string };
  expect(index.sql).toContain('WHERE "envelopes"."expires_at" IS NOT NULL');
});

test("a bulk send's rerun finds a row's envelope on the index of bulk-sent envelopes", () => {
  expect(plan("SELECT id FROM envelopes WHERE batch_id = ? AND batch_row = ? LIMIT 1", "bat_x", 3)).toContain("USING INDEX envelopes_batch_row (batch_id=? AND batch_row=?)");
  const index = s.deps.db.$client.query("SELECT sql FROM sqlite_master WHERE name = 'envelopes_batch_row'").get() as { sql: string };
  expect(index.sql).toContain('WHERE "envelopes"."batch_id" IS NOT NULL');
});
