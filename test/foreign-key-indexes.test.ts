/**
 * Every foreign key's columns lead an index, on both databases: a parent row's deletion (or, for
 * a cascade, its children's) finds the rows that refer to it by that index. Without one, each
 * deleted parent read the whole child table: fields had none on recipient_id, and deleting an
 * envelope, purging it or replacing its recipients read every field of every envelope per
 * recipient (188 ms an envelope at ~400,000 fields; migration 0023).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postgresClient } from "../src/store/dialect";
import { havePostgres } from "./helpers/postgres";
import { queryPlan } from "./helpers/query-plans";
import { startTestServer, type TestServer } from "./helpers/server";

interface Reference { table: string; columns: string[]; leadingIndexes: string[][] }

/** Each foreign key of the SQLite database, with the leading columns of every index of its table. */
function sqliteReferences(s: TestServer): Reference[] {
  const db = s.deps.db.$client;
  const tables = (db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  return tables.flatMap((table) => {
    const keys = new Map<number, string[]>();
    for (const k of db.query("SELECT id, \"from\" FROM pragma_foreign_key_list(?) ORDER BY id, seq").all(table) as { id: number; from: string }[])
      keys.set(k.id, [...(keys.get(k.id) ?? []), k.from]);
    const indexes = (db.query("SELECT name FROM pragma_index_list(?)").all(table) as { name: string }[])
      .map((i) => (db.query("SELECT name FROM pragma_index_info(?) ORDER BY seqno").all(i.name) as { name: string }[]).map((c) => c.name));
    return [...keys.values()].map((columns) => ({ table, columns, leadingIndexes: indexes }));
  });
}

/** The same of the PostgreSQL database (primary keys and unique constraints are indexes there too). */
async function postgresReferences(s: TestServer): Promise<Reference[]> {
  const sql = postgresClient(s.deps.db as never);
  const keys = await sql.unsafe(`
    SELECT c.conrelid::regclass::text AS "table",
           array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
           array(SELECT array_to_string(array(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.i), ',')
                 FROM pg_index ix WHERE ix.indrelid = c.conrelid) AS indexes
    FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`) as { table: string; columns: string[]; indexes: string[] }[];
  return keys.map((k) => ({ table: k.table, columns: k.columns, leadingIndexes: k.indexes.map((i) => i.split(",")) }));
}

const unindexed = (refs: Reference[]) =>
  refs.filter((r) => !r.leadingIndexes.some((ix) => r.columns.every((c, i) => ix[i] === c))).map((r) => `${r.table}(${r.columns.join(", ")})`);

for (const postgres of [false, true]) {
  describe.skipIf(postgres && !havePostgres)(`foreign keys on ${postgres ? "PostgreSQL" : "SQLite"}`, () => {
    let s: TestServer;
    beforeAll(async () => void (s = await startTestServer({ postgres })));
    afterAll(() => s?.stop());

    test("every foreign key's columns lead an index of its table", async () => {
      const refs = postgres ? await postgresReferences(s) : sqliteReferences(s);
      // The schema's references, found (a query that found none would pass anything).
      expect(refs.map((r) => `${r.table}(${r.columns.join(", ")})`)).toContain("fields(recipient_id)");
      expect(refs.length).toBeGreaterThanOrEqual(10);
      expect(unindexed(refs)).toEqual([]);
    });
  });
}

test("a signing link's recipient is found on the token index, which holds only sent recipients (SQLite)", async () => {
  const s = await startTestServer();
  try {
    const db = s.deps.db.$client;
    expect(queryPlan(db, "SELECT id FROM recipients WHERE token_hash = ?", "x")).toContain("USING INDEX recipients_token_hash_unique (token_hash=?)");
    const index = db.query("SELECT sql FROM sqlite_master WHERE name = 'recipients_token_hash_unique'").get() as { sql: string };
    expect(index.sql).toContain('WHERE "recipients"."token_hash" IS NOT NULL');
  } finally {
    await s.stop();
  }
});
