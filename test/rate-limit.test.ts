import { describe, expect, test } from "bun:test";
import { clientNetwork, createRateLimiter } from "../src/http/rate-limit";
import { fakeClock } from "./helpers/clock";
import { havePostgres, testPostgres } from "./helpers/postgres";
import { startTestServer } from "./helpers/server";

describe("token bucket", () => {
  const make = () => {
    const clock = fakeClock();
    return { clock, limiter: createRateLimiter({ enabled: true, burst: 200, perMinute: 100, now: () => clock.now().getTime() }) };
  };

  test("a burst of 200 passes at once, the 201st is refused with Retry-After", () => {
    const { limiter } = make();
    for (let i = 0; i < 200; i++) expect(limiter.take("k").allowed).toBe(true);
    const refused = limiter.take("k");
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(1); // one token per 0.6 s, rounded up to whole seconds
  });

  test("100 requests per minute are sustained after the burst", () => {
    const { clock, limiter } = make();
    for (let i = 0; i < 200; i++) limiter.take("k");
    let allowed = 0;
    for (let s = 0; s < 600; s++) { // ten minutes, one request every second
      clock.advance(1000);
      if (limiter.take("k").allowed) allowed++;
    }
    expect(allowed).toBe(600); // the refill (1.67/s) exceeds one request a second
    for (let i = 0; i < 300; i++) limiter.take("k");
    clock.advance(60_000);
    let inMinute = 0;
    while (limiter.take("k").allowed) inMinute++;
    expect(inMinute).toBe(100);
  });

  test("keys have their own buckets", () => {
    const { limiter } = make();
    for (let i = 0; i < 200; i++) limiter.take("a");
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
  });
});

describe("the network an anonymous client counts by", () => {
  test("an IPv4 address; an IPv6 address's /64, however it is written; anything else as itself", () => {
    const cases: [string, string][] = [
      ["203.0.113.7", "203.0.113.7"],
      ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
      ["2001:0DB8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
      ["2001:db8:1:2::9", "2001:db8:1:2::/64"],
      ["2001:db8::", "2001:db8:0:0::/64"],
      ["::1", "0:0:0:0::/64"],
      ["fe80::1%eth0", "fe80:0:0:0::/64"],
      ["::ffff:198.51.100.2", "198.51.100.2"],
      ["::1:2:3:4:5:192.0.2.1", "0:1:2:3::/64"],
      ["not-an-address", "not-an-address"],
      ["2001:db8::zz", "2001:db8::zz"],
    ];
    expect(cases.map(([ip]) => [ip, clientNetwork(ip)])).toEqual(cases);
  });
});

describe("rate limit over HTTP", () => {
  test("429 with Retry-After and RateLimit headers; time refills the bucket", async () => {
    const s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_BURST: "5", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60" } });
    try {
      const key = await s.key();
      for (let i = 0; i < 4; i++) {
        const ok = await s.api("/api/v1/documents", { key });
        expect(ok.status).toBe(200);
        expect(ok.headers.get("ratelimit-limit")).toBe("5");
        expect(ok.headers.get("ratelimit-remaining")).toBe(String(4 - i));
        expect(ok.headers.get("ratelimit-policy")).toBe("5;w=5");
      }
      // A body the pipeline refuses before the route spent a token too, and says so.
      const badJson = await s.api("/api/v1/envelopes", { key, method: "POST", headers: { "content-type": "application/json" }, body: "{" });
      expect(badJson.status).toBe(400);
      expect((await badJson.json()).code).toBe("invalid_json");
      expect(badJson.headers.get("ratelimit-remaining")).toBe("0");
      const refused = await s.api("/api/v1/documents", { key });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect((await refused.json()).code).toBe("rate_limited");
      (s.clock as any).advance(1000);
      expect((await s.api("/api/v1/documents", { key })).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});

describe.skipIf(!havePostgres)("rate limit across two nodes on PostgreSQL", () => {
  test("a key's burst is shared: what one node allowed, the other no longer does", async () => {
    const env = { CERTYNEO_DATABASE_URL: await (await testPostgres()).freshDatabase(), CERTYNEO_RATE_LIMIT_BURST: "10", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60" };
    const clock = fakeClock();
    const [a, b] = [await startTestServer({ env, clock }), await startTestServer({ env, clock })];
    try {
      const key = await a.key();
      let allowed = 0;
      for (let i = 0; i < 8; i++) if ((await a.api("/api/v1/documents", { key })).status === 200) allowed++;
      expect(allowed).toBe(8);
      // Both nodes reconcile with the shared bucket (every 250 ms); the fake clock adds no tokens meanwhile.
      await Bun.sleep(700);
      for (let i = 0; i < 10; i++) if ((await b.api("/api/v1/documents", { key })).status === 200) allowed++;
      expect(allowed).toBe(10);
      await Bun.sleep(700);
      const last = await a.api("/api/v1/documents", { key });
      expect(last.status).toBe(429);
      expect(Number(last.headers.get("ratelimit-remaining"))).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
