/**
 * The sweeps', retention's and bulk send's lookups of envelopes run on partial indexes (migrations
 * 0018, 0021, 0024): only envelopes with an expiry, ended ones, those of a bulk send, or sealed ones have an entry,
 * and the queries still seek them.
 */
import { expect, test } from "bun:test";
import { fileNeeded } from "../src/modules/documents/file-needed";
import { envelopeSuite } from "./helpers/envelopes";
import { fullScans, queryPlan, statementsOf } from "./helpers/query-plans";

const { s } = await envelopeSuite();
const plan = (sql: string, ...args: (string | number)[]) => queryPlan(s.deps.db.$client, sql, ...args);

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

test("retention finds envelopes ended before its cutoff on the index of ended envelopes, not by reading them all each tick", () => {
  const due = `SELECT id, environment FROM envelopes WHERE status IN ('COMPLETED', 'DECLINED', 'VOIDED', 'EXPIRED') AND ended_at < ? AND (seal_status IS NULL OR seal_status NOT IN ('PENDING')) LIMIT 50`;
  expect(plan(due, Date.now())).toContain("USING INDEX envelopes_ended (ended_at<?)");
  const index = s.deps.db.$client.query("SELECT sql FROM sqlite_master WHERE name = 'envelopes_ended'").get() as { sql: string };
  expect(index.sql).toContain('WHERE "envelopes"."ended_at" IS NOT NULL');
});

test("whether a stored file is still needed is answered by index seeks, not by reading envelopes, their documents and recipients whole", async () => {
  const client = s.deps.db.$client;
  // A file nothing refers to: every lookup of the check runs, and none finds a row.
  const statements = await statementsOf(client, async () => expect(await fileNeeded(s.deps.db, "f".repeat(64))).toBe(false));
  expect(statements.filter((sql) => /^select/i.test(sql)).length).toBe(4);
  expect(fullScans(client, statements)).toEqual([]);
});
