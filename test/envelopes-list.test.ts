/**
 * GET /api/v1/envelopes: newest first, cursor pagination, status filter.
 */
import { describe, expect, test } from "bun:test";
import { createEnvelope, envelopeSuite, quickStart, sendEnvelope } from "./helpers/envelopes";

const { s, doc } = await envelopeSuite();

/** `n` drafts a second apart, oldest first, so their order is their creation order. */
async function draftsInOrder(key: string, n: number, subject: string): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < n; i++) {
    (s.clock as any).advance(1000);
    made.push((await createEnvelope(s, quickStart([doc.id], undefined, { subject: `${subject} ${i}` }), key)).id);
  }
  return made;
}

describe("list", () => {
  test("newest first, cursor pagination, status filter", async () => {
    const key = await s.key("test", "list key");
    // A fresh environment view is not possible (test keys share it), so compare against what this test creates.
    const made = await draftsInOrder(key, 5, "List");
    await sendEnvelope(s, made[1]!, key);
    await sendEnvelope(s, made[3]!, key);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ limit: "2", ...(after ? { startingAfter: after } : {}) });
      const page = (await (await s.api(`/api/v1/envelopes?${q}`, { key })).json()) as any;
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((x: any) => x.id));
      if (!page.hasMore) break;
      after = page.data.at(-1).id;
    }
    expect(seen.slice(0, 5)).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const sent = (await (await s.api("/api/v1/envelopes?status=SENT&limit=100", { key })).json()) as any;
    expect(sent.data.every((x: any) => x.status === "SENT")).toBe(true);
    expect(sent.data.slice(0, 2).map((x: any) => x.id)).toEqual([made[3], made[1]]);
    const drafts = (await (await s.api("/api/v1/envelopes?status=DRAFT&limit=2", { key })).json()) as any;
    expect(drafts.data.map((x: any) => x.id)).toEqual([made[4], made[2]]);
    expect(drafts.hasMore).toBe(true);
    const next = (await (await s.api(`/api/v1/envelopes?status=DRAFT&limit=2&startingAfter=${made[2]}`, { key })).json()) as any;
    expect(next.data[0].id).toBe(made[0]);

    // The cursor is a position among the environment's envelopes, not only the filtered ones: the
    // next page of DRAFTs still follows (no 422) once the last one seen has been sent.
    await sendEnvelope(s, made[2]!, key);
    const moved = await s.api(`/api/v1/envelopes?status=DRAFT&limit=2&startingAfter=${made[2]}`, { key });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as any).data[0].id).toBe(made[0]);
  });

  test("a purged envelope's id pages on from where it was (its tombstone keeps its creation time); a deleted draft's is a 422", async () => {
    const key = await s.key("test", "purge-while-listing key");
    const [older, purged, draft] = (await draftsInOrder(key, 3, "Purged")) as [string, string, string];
    await sendEnvelope(s, purged, key);
    expect((await s.api(`/api/v1/envelopes/${purged}`, { method: "DELETE", key })).status).toBe(200);
    expect((await s.api(`/api/v1/envelopes/${purged}?purge=true`, { method: "DELETE", key })).status).toBe(200);
    const next = await s.api(`/api/v1/envelopes?limit=1&startingAfter=${purged}`, { key });
    expect(next.status).toBe(200);
    expect(((await next.json()) as any).data.map((e: any) => e.id)).toEqual([older]);
    expect((await s.api(`/api/v1/envelopes/${draft}`, { method: "DELETE", key })).status).toBe(200);
    expect((await s.api(`/api/v1/envelopes?limit=1&startingAfter=${draft}`, { key })).status).toBe(422);
  });

  test("bad filters: 422", async () => {
    expect((await s.api("/api/v1/envelopes?status=LOST")).status).toBe(422);
    expect((await s.api("/api/v1/envelopes?limit=0")).status).toBe(422);
    expect((await s.api("/api/v1/envelopes?startingAfter=env_00000000000000000000")).status).toBe(422);
  });
});
