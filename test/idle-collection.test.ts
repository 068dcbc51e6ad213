/**
 * An idle server collects its heap (server.ts, idleCollector): its polls' garbage would otherwise
 * raise its RSS until the runtime's next collection.
 */
import { afterAll, expect, test } from "bun:test";
import { createLogger } from "../src/log";
import { idleCollector } from "../src/server";
import { startTestServer, type TestServer } from "./helpers/server";

const collections = (logs: Record<string, unknown>[]) => logs.filter((l) => l.msg === "idle: heap collected");

test("a collection at each look that found no request since the last one, none while requests come", async () => {
  const logs: Record<string, unknown>[] = [];
  const idle = idleCollector(createLogger("debug", (line) => logs.push(JSON.parse(line))));
  const fetch = idle.count(async () => new Response("ok"));

  idle.check();
  expect(collections(logs)).toHaveLength(1);
  idle.check(); // still idle: the polls' garbage goes too
  expect(collections(logs)).toHaveLength(2);

  await fetch(new Request("http://x/"));
  idle.check(); // a request since the last look: not idle
  await fetch(new Request("http://x/"));
  idle.check();
  expect(collections(logs)).toHaveLength(2);
  idle.check(); // none since: idle again
  expect(collections(logs)).toHaveLength(3);

  const [line] = collections(logs);
  expect(typeof line!.ms).toBe("number");
  expect(line!.heapMb).toBeGreaterThan(0);
});

let s: TestServer | undefined;
afterAll(() => s?.stop());

test("a running server left idle collects its heap, and answers as before", async () => {
  s = await startTestServer({ idleCollectMs: 100 });
  const deadline = Date.now() + 10_000;
  while (!collections(s.logs).length && Date.now() < deadline) await Bun.sleep(20);
  expect(collections(s.logs).length).toBeGreaterThanOrEqual(1);
  expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
});
