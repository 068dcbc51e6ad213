// The RFC 3161 client: a list of authorities tried in order, authentication, nonce and certReq,
// and the sizing token measured once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import { TimeStampReq } from "@peculiar/asn1-tsp";
import { digestOf } from "../../src/pdf/algorithms.ts";
import { httpTimestamper, readTstInfo, TimestampError } from "../../src/pdf/tsa.ts";
import { startTsa, tempDir } from "./helpers-seal.ts";

let tsa: ReturnType<typeof startTsa>;
const seen: { auth: string | null; key: string | null; nonce: boolean; certReq: boolean }[] = [];
let front: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  tsa = startTsa(tempDir("certyneo-tsa-client-"));
  // An authority that wants credentials: records what came, then answers through the openssl TSA.
  front = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = await req.arrayBuffer();
      const query = AsnConvert.parse(body, TimeStampReq);
      seen.push({ auth: req.headers.get("authorization"), key: req.headers.get("x-api-key"), nonce: !!query.nonce, certReq: query.certReq });
      if (req.headers.get("authorization") !== `Basic ${btoa("ana:s3cret")}` || req.headers.get("x-api-key") !== "k-123") return new Response("no", { status: 401 });
      return fetch(tsa.url, { method: "POST", headers: { "content-type": "application/timestamp-query" }, body });
    },
  });
});
afterAll(() => {
  front.stop(true);
  tsa.stop();
});

const digest = digestOf("SHA-256", new TextEncoder().encode("hello"));

describe("httpTimestamper", () => {
  test("authorities are tried in order: a dead one, then one that answers", async () => {
    const t = httpTimestamper({ endpoints: [{ url: "http://127.0.0.1:9/dead" }, { url: tsa.url }], timeoutMs: 2_000 });
    const info = readTstInfo(await t.timestamp(digest));
    expect(Buffer.from(info.messageImprint.hashedMessage.buffer).equals(Buffer.from(digest))).toBe(true);
  });

  test("when every authority fails, the error names each failure", async () => {
    const t = httpTimestamper({ endpoints: [{ url: "http://127.0.0.1:9/dead" }, { url: `http://127.0.0.1:${front.port}/tsa` }], timeoutMs: 2_000 });
    const error = await t.timestamp(digest).catch((e) => e);
    expect(error).toBeInstanceOf(TimestampError);
    expect(error.message).toContain("127.0.0.1:9/dead unreachable");
    expect(error.message).toContain("answered HTTP 401");
  });

  test("basic authentication and an extra header; nonce and certReq in every request", async () => {
    seen.length = 0;
    const t = httpTimestamper({ endpoints: [{ url: `http://127.0.0.1:${front.port}/tsa`, username: "ana", password: "s3cret", header: "X-Api-Key: k-123" }], timeoutMs: 5_000 });
    await t.timestamp(digest);
    expect(seen).toEqual([{ auth: `Basic ${btoa("ana:s3cret")}`, key: "k-123", nonce: true, certReq: true }]);
  });

  test("the sizing token is fetched once, then the largest token seen is used", async () => {
    seen.length = 0;
    const t = httpTimestamper({ endpoints: [{ url: `http://127.0.0.1:${front.port}/tsa`, username: "ana", password: "s3cret", header: "X-Api-Key: k-123" }], timeoutMs: 5_000 });
    const first = await t.sizingToken();
    const again = await t.sizingToken();
    expect(again).toBe(first);
    expect(seen).toHaveLength(1);
  });
});
