/**
 * The console's search reads envelopes a chunk at a time and lets the event loop turn between
 * chunks (a search that matches nothing reads them all: 1.4 s at a million, which held every
 * request that long). Chunked, it finds the same envelopes, in the same order, page after page.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { searchEnvelopes } from "../src/modules/admin/queries";
import type { EnvelopeStatus } from "../src/store/schema";
import { createEnvelope, quickStart, sendEnvelope, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ENABLED: "false" } });
  const doc = await uploadDoc(s);
  for (let i = 0; i < 14; i++) {
    const who = [{ email: i % 3 ? `ana${i}@example.com` : `ben${i}@example.org`, name: i % 4 ? "Ana Silva" : "Ben Okafor" }];
    const e = await createEnvelope(s, quickStart([doc.id], who, { subject: i % 2 ? `Alpha contract ${i}` : `Beta offer ${i}` }));
    if (i % 5 === 0) await sendEnvelope(s, e.id);
  }
});
afterAll(() => s.stop());

/** Every page of a search, `limit` at a time: the ids in order. */
async function allPages(q: string, limit: number, chunk: number, status?: EnvelopeStatus) {
  const ids: string[] = [];
  for (let after: string | undefined; ;) {
    const page = await searchEnvelopes(s.deps.db, "test", { q, limit, chunk, status, startingAfter: after });
    ids.push(...page.data.map((r) => r.envelope.id));
    if (!page.hasMore) return ids;
    after = ids.at(-1);
  }
}

test("chunk by chunk, every page is the one a single read gives", async () => {
  for (const [q, status] of [["alpha", undefined], ["BETA", undefined], ["example.org", undefined], ["okafor", undefined], ["alpha", "SENT"], ["offer", "DRAFT"], ["nothing like it", undefined]] as const) {
    const whole = await allPages(q, 4, 1_000_000, status);
    for (const chunk of [1, 2, 3, 5]) for (const limit of [1, 3, 50]) expect({ q, status, chunk, limit, ids: await allPages(q, limit, chunk, status) }).toEqual({ q, status, chunk, limit, ids: whole });
  }
  expect((await allPages("alpha", 50, 1_000_000)).length).toBe(7);
  expect(await allPages("nothing like it", 50, 1_000_000)).toEqual([]);
});

test("between chunks the event loop turns: other work goes on during a long search", async () => {
  let turns = 0;
  let searching = true;
  const tick = () => {
    turns++;
    if (searching) setImmediate(tick);
  };
  setImmediate(tick);
  const found = await searchEnvelopes(s.deps.db, "test", { q: "nothing like it", chunk: 2 });
  searching = false;
  expect(found.data).toEqual([]);
  // 14 envelopes, 2 a chunk: seven reads, six turns between them at least.
  expect(turns).toBeGreaterThanOrEqual(6);
});

test("case and accents are ignored on both sides: elodie, ÉLODIE and Elodie find Élodie; signe finds signé", async () => {
  const doc = await uploadDoc(s);
  const e = await createEnvelope(s, quickStart([doc.id], [{ email: "elodie.dupre@exemple.fr", name: "Élodie Dupré" }], { subject: "Contrat signé à Zürich", metadata: { ville: "Besançon" } }));
  const ids = async (q: string) => (await searchEnvelopes(s.deps.db, "test", { q })).data.map((r) => r.envelope.id);
  for (const q of ["elodie", "ÉLODIE", "Elodie", "élodie", "DUPRE", "dupré", "signe", "SIGNÉ", "zurich", "ZÜRICH", "besancon", "BESANÇON"]) expect({ q, ids: await ids(q) }).toEqual({ q, ids: [e.id] });
  // A term is still a substring: every word of it, in its order.
  expect(await ids("contrat signe a zurich")).toEqual([e.id]);
  expect(await ids("elodie dupre x")).toEqual([]);
});
