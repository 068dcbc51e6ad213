/**
 * GET /api/v1/envelopes answers a kept page without a page query while the envelopes'
 * generation (migration 0017) has not moved: every change must still show in the very next list,
 * whoever writes it (this server, straight SQL, another connection), and what a transaction
 * wrote and then rolled back must never be answered from what was kept.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { listEnvelopesJson } from "../src/modules/envelopes/list-envelopes";
import { transaction } from "../src/store/transaction";
import { createEnvelope, envelopeSuite, quickStart, sendEnvelope } from "./helpers/envelopes";

const { s, doc } = await envelopeSuite();
const key = await s.key("test", "list cache");
const input = { environment: "test" as const, limit: 5 };
const page = async () => JSON.parse(await (await listEnvelopesJson(s.deps, input)).text()) as { data: any[]; hasMore: boolean };
const listed = async (q = "limit=5") => {
  const res = await s.api(`/api/v1/envelopes?${q}`, { key });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: any[] }).data;
};

for (let i = 0; i < 3; i++) {
  (s.clock as any).advance(1000);
  await createEnvelope(s, quickStart([doc.id], undefined, { subject: `Cached ${i}` }), key);
}
const other = new Database(s.deps.db.$client.filename);
afterAll(() => other.close());

describe("list pages kept by generation", () => {
  test("a client sees its own creation, sending and deletion in the next list", async () => {
    for (let i = 0; i < 10; i++) {
      await listed();
      (s.clock as any).advance(1000);
      const made = await createEnvelope(s, quickStart([doc.id], undefined, { subject: `Loop ${i}` }), key);
      expect((await listed())[0].id).toBe(made.id);
      await sendEnvelope(s, made.id, key);
      expect((await listed())[0].status).toBe("SENT");
      expect((await listed("limit=5&status=SENT"))[0].id).toBe(made.id);
      expect((await listed("limit=5&status=DRAFT")).some((e) => e.id === made.id)).toBe(false);
      const draft = await createEnvelope(s, quickStart([doc.id], undefined, { subject: `Deleted ${i}` }), key);
      expect((await listed())[0].id).toBe(draft.id);
      expect((await s.api(`/api/v1/envelopes/${draft.id}`, { key, method: "DELETE" })).status).toBeLessThan(300);
      expect((await listed()).some((e) => e.id === draft.id)).toBe(false);
    }
  });

  // Each write lands within microseconds of the list before it: a generation read at most once a
  // millisecond (or never) would answer the page kept before the write.
  test("a write just after a list shows in the next one, from this connection or another", async () => {
    const ids = (await page()).data.map((e) => e.id);
    for (let i = 0; i < 200; i++) {
      const id = ids[i % ids.length];
      await page();
      const conn = i % 2 ? other : s.deps.db.$client;
      conn.run("UPDATE envelopes SET subject = ? WHERE id = ?", [`Subject ${i}`, id]);
      expect((await page()).data.find((e) => e.id === id).subject).toBe(`Subject ${i}`);
    }
    const [first] = (await page()).data;
    other.run("UPDATE recipients SET name = 'Renamed elsewhere' WHERE envelope_id = ?", [first.id]);
    expect((await page()).data[0].recipients[0].name).toBe("Renamed elsewhere");
  });

  test("a page read inside a transaction that rolls back is never answered afterwards", async () => {
    const [a, b] = (await page()).data;
    const seenInside: string[] = [];
    // Another request's list runs while the transaction is open on the shared connection: it
    // sees the uncommitted subject, and must not keep the page it built.
    await expect(transaction(s.deps.db, async () => {
      s.deps.db.$client.run("UPDATE envelopes SET subject = 'Rolled back' WHERE id = ?", [a.id]);
      seenInside.push((await page()).data.find((e) => e.id === a.id).subject);
      throw new Error("roll back");
    })).rejects.toThrow("roll back");
    expect(seenInside).toEqual(["Rolled back"]);
    // The rollback brings the generation back; another change then moves it to the value the
    // rolled-back page was read at.
    s.deps.db.$client.run("UPDATE envelopes SET subject = 'Committed' WHERE id = ?", [b.id]);
    const after = (await page()).data;
    expect(after.find((e) => e.id === a.id).subject).toBe(a.subject);
    expect(after.find((e) => e.id === b.id).subject).toBe("Committed");
    expect((await listed()).find((e) => e.id === a.id).subject).toBe(a.subject);
  });
});
