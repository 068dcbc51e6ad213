/**
 * Statements prepared once and run in the caller's transaction (store/prepared.ts, insert-rows.ts,
 * update-rows.ts),
 * on both databases. On PostgreSQL every transaction has a session and a connection of its own:
 * a statement is built once per database and each transaction's run goes to its own connection.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import { insertRows, insertRowsReturning } from "../src/store/insert-rows";
import { affectedRows } from "../src/store/portable-sql";
import { preparedPerSession } from "../src/store/prepared";
import { settings, webhooks } from "../src/store/schema";
import { transaction } from "../src/store/transaction";
import { preparedUpdate } from "../src/store/update-rows";
import type { Tx } from "../src/store/db";
import { havePostgres } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/** Resolves once `n` callers have arrived: transactions that wait for each other to be under way. */
function meeting(n: number) {
  let arrived = 0;
  let all!: () => void;
  const met = new Promise<void>((resolve) => (all = resolve));
  return () => (++arrived === n && all(), met);
}

const setting = (key: string) => ({ key, value: { by: key }, updatedAt: new Date(1_700_000_000_000), updatedBy: "test" });

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !havePostgres)(`prepared statements on ${dialect}`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ postgres: dialect === "postgres" });
    });
    afterAll(() => s?.stop());

    test("a statement is built once, however many transactions run it, and reads what its own transaction wrote", async () => {
      let builds = 0;
      const byKey = preparedPerSession((tx) => {
        builds++;
        return tx.select({ key: settings.key }).from(settings).where(eq(settings.key, sql.placeholder("key"))).prepare();
      });
      const [both, bothRead] = [meeting(2), meeting(2)];
      const seen = await Promise.all(["a", "b"].map((mine) =>
        transaction(s.deps.db, async (tx) => {
          await insertRows(tx, settings, [setting(`t1-${mine}`)]);
          // On PostgreSQL the two transactions are now under way on two connections at once.
          if (dialect === "postgres") await both();
          const read = async (k: string) => (await byKey(tx).execute({ key: `t1-${k}` })).map((r) => r.key);
          const seen = { own: await read(mine), other: await read(mine === "a" ? "b" : "a") };
          // Neither commits before both have read.
          if (dialect === "postgres") await bothRead();
          return seen;
        }, { isolation: "read committed" })));
      expect(seen.map((r) => r.own)).toEqual([["t1-a"], ["t1-b"]]);
      // Read committed: neither saw the other's uncommitted row, so each read ran on its own connection.
      if (dialect === "postgres") expect(seen.map((r) => r.other)).toEqual([[], []]);
      for (let i = 0; i < 5; i++) await transaction(s.deps.db, async (tx) => void (await byKey(tx).execute({ key: "none" })));
      expect(await byKey(s.deps.db).execute({ key: "t1-a" })).toEqual([{ key: "t1-a" }]);
      expect(builds).toBe(1);
    });

    test("rows inserted in a transaction that fails are not kept", async () => {
      const failing = transaction(s.deps.db, async (tx: Tx) => {
        await insertRows(tx, settings, [setting("t2-a"), setting("t2-b")]);
        throw new Error("refused");
      });
      expect(failing).rejects.toThrow("refused");
      await failing.catch(() => {});
      const rows = await s.deps.db.select({ key: settings.key }).from(settings).where(sql`${settings.key} LIKE 't2-%'`);
      expect(rows).toEqual([]);
    });

    test("rows of several shapes in one call, nulls, times and JSON read back as they were given, and as answered", async () => {
      const rows = [
        { id: "wh_1", environment: "test" as const, url: "https://a.example/hook", description: null, events: ["envelope.completed"], secret: "s1", failingSince: new Date(1_700_000_000_123), createdAt: new Date(1_700_000_000_000) },
        { id: "wh_2", environment: "live" as const, url: "https://b.example/hook", description: "second", events: [], secret: "s2", enabled: false, createdAt: new Date(1_700_000_001_000) },
      ];
      // Twice with the same shapes (a prepared insert used again), then once more with others.
      const answered = await transaction(s.deps.db, (tx) => insertRowsReturning(tx, webhooks, rows));
      await transaction(s.deps.db, (tx) => insertRows(tx, webhooks, rows.map((r, i) => ({ ...r, id: `wh_${i + 3}` }))));
      await transaction(s.deps.db, (tx) => insertRows(tx, webhooks, [{ ...rows[1]!, id: "wh_5", description: null }]));
      // More rows than PostgreSQL prepares an insert for.
      const many = Array.from({ length: 6 }, (_, i) => ({ ...rows[i % 2]!, id: `wh_many_${i}` }));
      const manyAnswered = await transaction(s.deps.db, (tx) => insertRowsReturning(tx, webhooks, many));
      const stored = await s.deps.db.select().from(webhooks).orderBy(webhooks.id);
      expect(stored).toEqual(answered.concat(answered.map((r, i) => ({ ...r, id: `wh_${i + 3}` })), [{ ...answered[1]!, id: "wh_5", description: null }], manyAnswered));
      expect(stored[0]).toMatchObject({ description: null, enabled: true, disabledReason: null, failingSince: new Date(1_700_000_000_123), deletedAt: null, events: ["envelope.completed"] });
      expect(stored[1]).toMatchObject({ description: "second", enabled: false, failingSince: null, events: [] });
    });

    test("a prepared update sets the values of each call, whatever columns it gives and whichever are null", async () => {
      const base = { environment: "test" as const, url: "https://u.example/hook", description: "kept", events: ["envelope.sent"], secret: "s", createdAt: new Date(1_700_000_000_000) };
      await transaction(s.deps.db, (tx) => insertRows(tx, webhooks, [{ ...base, id: "wh_u1" }, { ...base, id: "wh_u2" }, { ...base, id: "wh_u3", environment: "live" }]));
      const update = preparedUpdate(webhooks, and(eq(webhooks.id, sql.placeholder("id")), eq(webhooks.environment, sql.placeholder("environment")))!);
      const run = (set: Parameters<typeof update>[1], id: string, environment = "test") =>
        transaction(s.deps.db, async (tx) => affectedRows(await update(tx, set, { id, environment })));
      // One shape twice with other values (its statement used again), then other shapes: nulls, a time, JSON, a boolean.
      expect(await run({ description: "first", failingSince: new Date(1_700_000_000_500) }, "wh_u1")).toBe(1);
      expect(await run({ description: "second", failingSince: new Date(1_700_000_000_600) }, "wh_u2")).toBe(1);
      expect(await run({ description: null, failingSince: null, enabled: false, events: ["envelope.completed", "envelope.sent"] }, "wh_u1")).toBe(1);
      // The condition holds for no row: nothing changes.
      expect(await run({ description: "not this one" }, "wh_u3")).toBe(0);
      const stored = await s.deps.db.select().from(webhooks).where(sql`${webhooks.id} LIKE 'wh_u%'`).orderBy(webhooks.id);
      expect(stored.map(({ id, description, failingSince, enabled, events }) => ({ id, description, failingSince, enabled, events }))).toEqual([
        { id: "wh_u1", description: null, failingSince: null, enabled: false, events: ["envelope.completed", "envelope.sent"] },
        { id: "wh_u2", description: "second", failingSince: new Date(1_700_000_000_600), enabled: true, events: ["envelope.sent"] },
        { id: "wh_u3", description: "kept", failingSince: null, enabled: true, events: ["envelope.sent"] },
      ]);
    });
  });
}
