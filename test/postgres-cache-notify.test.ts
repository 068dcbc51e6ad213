/**
 * PostgreSQL: what tells the nodes to drop the API keys and documents they keep in memory
 * (LISTEN certyneo_cache, migration 0013). A change or a deletion does; a new key or document
 * does not (another node finds it by a cache miss), so uploads no longer empty every node's caches.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { havePostgres } from "./helpers/postgres";
import { startTwoNodesOnPostgres, type TestServer, type TwoNodes } from "./helpers/server";
import { uploadDoc } from "./helpers/envelopes";
import { cacheGeneration } from "../src/store/cache-generations";

describe.skipIf(!havePostgres)("cache notifications on PostgreSQL", () => {
  let nodes: TwoNodes;
  let a: TestServer;
  let b: TestServer;
  let listener: SQL;
  const heard: string[] = [];
  /** The notifications heard once those sent so far have arrived (a notification to ourselves marks the end). */
  const settle = async () => {
    const mark = `mark-${heard.length}-${Math.random()}`;
    await listener`SELECT pg_notify('certyneo_cache', ${mark})`;
    for (let i = 0; i < 200 && !heard.includes(mark); i++) await Bun.sleep(10);
    return heard.splice(0).filter((h) => h !== mark);
  };

  beforeAll(async () => {
    nodes = await startTwoNodesOnPostgres();
    ({ a, b } = nodes);
    listener = new SQL(nodes.url, { max: 1 });
    await listener.listen("certyneo_cache", (payload) => void heard.push(payload));
  });
  afterAll(async () => {
    await listener?.close();
    await nodes?.stop();
  });

  test("new keys and uploads notify nobody, and the other node serves them at once; a deletion and a revocation do notify", async () => {
    const key = await a.key();
    // b's caches filled: the key verified, a document read.
    const { id: first } = await uploadDoc(a, { key });
    expect((await b.api(`/api/v1/documents/${first}`, { key })).status).toBe(200);
    await settle();

    const { id: second } = await uploadDoc(a, { key });
    const otherKey = await a.key("test", "another");
    expect(await settle()).toEqual([]);
    // Found by b's cache misses.
    expect((await b.api(`/api/v1/documents/${second}`, { key: otherKey })).status).toBe(200);

    expect((await a.api(`/api/v1/documents/${second}`, { method: "DELETE", key })).status).toBe(200);
    expect(await settle()).toEqual(["documents"]);
    expect((await b.api(`/api/v1/documents/${second}`, { key })).status).toBe(404);

    const keys = (await (await a.api("/api/v1/keys", { key })).json()) as { data: { id: string; name: string }[] };
    const other = keys.data.find((k) => k.name === "another")!;
    expect((await a.api(`/api/v1/keys/${other.id}`, { method: "DELETE", key })).status).toBeLessThan(300);
    expect(await settle()).toEqual(["api_keys"]);
    expect((await b.api(`/api/v1/documents/${first}`, { key: otherKey })).status).toBe(401);
  });

  test("each table's notification drops that table's cache only; one naming no cached table drops both", async () => {
    const generations = { api_keys: cacheGeneration(b.deps.db, "api_keys"), documents: cacheGeneration(b.deps.db, "documents") };
    const read = () => ({ api_keys: generations.api_keys(), documents: generations.documents() });
    /** Which of b's generations moved once b has heard `payload`, then `fence` twice (notifications arrive in order). */
    const moved = async (payload: string, fence: "api_keys" | "documents") => {
      const before = read();
      for (const p of [payload, fence, fence]) await listener`SELECT pg_notify('certyneo_cache', ${p})`;
      // The fence's generation moves once per notification: two more than the payload's own move.
      const fenced = () => read()[fence] - before[fence] >= (payload === fence ? 3 : 2);
      for (let i = 0; i < 200 && !fenced(); i++) await Bun.sleep(10);
      expect(fenced()).toBe(true);
      const other = fence === "documents" ? "api_keys" : "documents";
      return read()[other] !== before[other];
    };
    expect(read()).toEqual(read()); // b listens: the generations stand still
    expect(await moved("documents", "documents")).toBe(false); // the key cache stays
    expect(await moved("api_keys", "api_keys")).toBe(false); // the document cache stays
    expect(await moved("something else", "documents")).toBe(true); // the key cache is dropped too
  });
});
