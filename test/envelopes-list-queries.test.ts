/**
 * GET /api/v1/envelopes at scale: a page costs the same few statements whatever its size (no
 * N+1), each envelope in it is exactly what GET /envelopes/{id} shows, and every variant of the
 * page query (status filter, cursor) is one range seek of an index, as EXPLAIN QUERY PLAN says.
 */
import { describe, expect, test } from "bun:test";
import { fillPlaceholders } from "drizzle-orm/sql/sql";
import { envelopePages, listEnvelopesJson, revisionPages } from "../src/modules/envelopes/list-envelopes";
import { createEnvelope, envelopeSuite, getEnvelope, quickStart, sendEnvelope } from "./helpers/envelopes";
import { executionsOf } from "./helpers/query-plans";

const { s, doc, doc2 } = await envelopeSuite();
const key = await s.key("test", "list at scale");

/** How many statements `run` ran (executionsOf, all texts together). */
const statementsRun = async (run: () => Promise<unknown>) => [...(await executionsOf(run)).values()].reduce((n, c) => n + c, 0);

const list = async (q: string) => {
  const res = await s.api(`/api/v1/envelopes?${q}`, { key });
  expect(res.status).toBe(200);
  return (await res.json()) as { data: any[]; hasMore: boolean };
};

/**
 * The statements one page costs in the domain (the HTTP layer's own reads, e.g. a key cache
 * refill, left out), on its first read: views not cached yet.
 */
async function statementsFor(q: string) {
  const query = Object.fromEntries(new URLSearchParams(q));
  const input = { environment: "test" as const, limit: Number(query.limit), startingAfter: query.startingAfter };
  const count = await statementsRun(() => listEnvelopesJson(s.deps, input));
  const page = await list(q);
  expect(page).toEqual(JSON.parse(await (await listEnvelopesJson(s.deps, input)).text()));
  return { count, page };
}

describe("list at scale", () => {
  test("a page of 20 runs as many statements as a page of 2, and shows each envelope as GET does", async () => {
    for (let i = 0; i < 22; i++) {
      (s.clock as any).advance(1000);
      const recipients = [
        { email: `a${i}@example.com`, name: `A ${i}`, role: "SIGNER", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 72, y: 100, width: 150, height: 40 }] },
        { email: `b${i}@example.com`, name: `B ${i}`, role: i % 2 ? "SIGNER" : "CC" },
      ];
      const e = await createEnvelope(s, quickStart(i % 3 ? [doc.id] : [doc.id, doc2.id], recipients, { subject: `Scale ${i}` }), key);
      if (i % 4 === 0) await sendEnvelope(s, e.id, key);
    }
    const small = await statementsFor("limit=2");
    const large = await statementsFor("limit=20");
    expect(large.page.data).toHaveLength(20);
    expect(large.count).toBe(small.count);
    const deep = await statementsFor(`limit=20&startingAfter=${small.page.data[1].id}`);
    // The cursor's own lookup is the one statement more.
    expect(deep.count).toBe(small.count + 1);

    for (const e of large.page.data) expect(e).toEqual(await getEnvelope(s, e.id, key));
    expect(large.page.data.some((e) => e.documents.length === 2 && e.recipients.length === 2 && e.fields.length === 1 && e.audit.count > 1)).toBe(true);
  });

  test("a page read again runs no page query; an envelope changed since, through any of its rows, is read again", async () => {
    const input = { environment: "test" as const, limit: 20 };
    const first = JSON.parse(await (await listEnvelopesJson(s.deps, input)).text());
    let again: unknown;
    // Only the envelopes' generation was read (migration 0017; not through drizzle): it has not moved.
    expect(await statementsRun(async () => (again = JSON.parse(await (await listEnvelopesJson(s.deps, input)).text())))).toBe(0);
    expect(again).toEqual(first);

    const [a, b, c] = first.data as any[];
    const draft = first.data.find((e: any) => e.status === "DRAFT");
    await sendEnvelope(s, draft.id, key);
    // Written as another process would: straight to the database, no application code.
    s.deps.db.$client.run("UPDATE recipients SET name = 'Renamed' WHERE id = ?", [b.recipients[0].id]);
    s.deps.db.$client.run("UPDATE fields SET label = 'relabelled' WHERE envelope_id = ?", [c.id]);
    s.deps.db.$client.run("DELETE FROM envelope_documents WHERE envelope_id = ? AND position = 1", [a.id]);
    let after: any[] = [];
    // The page, then for the changed envelopes together: their rows, documents, recipients, fields,
    // audit tails, deliveries.
    expect(await statementsRun(async () => (after = JSON.parse(await (await listEnvelopesJson(s.deps, input)).text()).data))).toBe(7);
    const byId = new Map(after.map((e) => [e.id, e]));
    expect(byId.get(draft.id).status).toBe("SENT");
    expect(byId.get(b.id).recipients[0].name).toBe("Renamed");
    expect(byId.get(c.id).fields.every((f: any) => f.label === "relabelled")).toBe(true);
    expect(byId.get(a.id).documents).toHaveLength(a.documents.length === 2 ? 1 : a.documents.length);
    for (const e of after) expect(e).toEqual(await getEnvelope(s, e.id, key));
  });

  test("a creation writes its envelope's row once, at revision 1; its parts move it only once created; every later change does", async () => {
    const client = s.deps.db.$client;
    // A probe on this connection (the server's): every update of an envelope row, with its revision.
    client.run("CREATE TEMP TABLE updated_envelopes (id TEXT, revision INTEGER)");
    client.run("CREATE TEMP TRIGGER updated_envelopes AFTER UPDATE ON main.envelopes BEGIN INSERT INTO updated_envelopes VALUES (NEW.id, NEW.revision); END");
    const updates = (id: string) => (client.query("SELECT revision FROM updated_envelopes WHERE id = ?").all(id) as { revision: number }[]).map((r) => r.revision);
    try {
      const created = await createEnvelope(s, {
        subject: "Revisions", documentIds: [doc.id],
        recipients: [{ email: "r1@example.com", name: "R One" }, { email: "r2@example.com", name: "R Two", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 10, y: 10, width: 100, height: 30 }] }],
      }, key);
      const revision = () => (client.query("SELECT revision FROM envelopes WHERE id = ?").get(created.id) as { revision: number }).revision;
      // Inserted at 1 with its first audit event's head: neither its document, recipients and field
      // (written before that event) nor the event moved or rewrote it.
      expect(revision()).toBe(1);
      expect(updates(created.id)).toEqual([]);
      expect(created.audit).toMatchObject({ valid: true, count: 1 });
      expect(await getEnvelope(s, created.id, key)).toEqual(created);
      client.run("UPDATE fields SET label = 'moved' WHERE envelope_id = ?", [created.id]);
      expect(revision()).toBe(2);
      client.run("DELETE FROM recipients WHERE id = ?", [created.recipients[0].id]);
      expect(revision()).toBe(3);
      client.run("INSERT INTO envelope_documents (envelope_id, document_id, position) VALUES (?, ?, 1)", [created.id, doc2.id]);
      expect(revision()).toBe(4);
      expect(updates(created.id)).toEqual([2, 3, 4]);
    } finally {
      client.run("DROP TRIGGER temp.updated_envelopes");
      client.run("DROP TABLE temp.updated_envelopes");
    }
  });

  test("every page query is one index range seek, with no sort", async () => {
    const variants = [
      { query: { owner: "test" }, index: "envelopes_env_created (environment=?)" },
      { query: { owner: "test", filters: { status: "SENT" } }, index: "envelopes_env_status_created (environment=? AND status=?)" },
    ];
    const any = s.deps.db.$client.query("SELECT id FROM envelopes WHERE environment = 'test' LIMIT 1").get() as { id: string };
    for (const { query, index } of variants) {
      for (const startingAfter of [undefined, any.id]) {
        const expected = startingAfter ? index.replace(/\)$/, " AND (created_at,id)<(?,?))") : index;
        // The whole rows, and the ids and revisions alone: from the index, no row read.
        for (const [pager, how] of [[envelopePages, "INDEX"], [revisionPages, "COVERING INDEX"]] as const) {
          const { stmt, values } = await pager.statement(s.deps.db, { ...query, startingAfter });
          const { sql, params } = stmt.getQuery();
          const plan = (s.deps.db.$client.query(`EXPLAIN QUERY PLAN ${sql}`).all(...(fillPlaceholders(params, values) as any[])) as { detail: string }[]).map((r) => r.detail);
          expect(plan).toEqual([`SEARCH envelopes USING ${how} ${expected}`]);
        }
      }
    }
  });
});
