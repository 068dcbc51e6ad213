import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { createWebhookDispatcher } from "../src/modules/webhooks/dispatcher";
import { recordEvent } from "../src/modules/webhooks/events";
import { transaction } from "../src/store/transaction";
import { blockedReason, networkPolicy, parseIp, resolveTarget, TargetRefusedError, type Resolver } from "../src/modules/webhooks/network";
import { newWebhookSecret, secretKey, signatureHeaders, signWebhook, verifyWebhook } from "../src/modules/webhooks/signature";
import { startTestServer } from "./helpers/server";
import { run, tempDir } from "./helpers/spawn";

describe("signature", () => {
  test("matches the standardwebhooks reference implementation, which verifies it", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(secret)).toHaveLength(32);
    const body = JSON.stringify({ id: "evt_1", type: "envelope.completed", data: { name: "Zoë ✓" } });
    const ts = Math.floor(Date.now() / 1000);
    const ref = new Webhook(secret);
    expect(signWebhook(secretKey(secret), "evt_1", ts, body)).toBe(ref.sign("evt_1", new Date(ts * 1000), body));
    const headers = signatureHeaders(secretKey(secret), "evt_1", ts, body);
    expect(ref.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => ref.verify(body + " ", headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  test("known vector from the Standard Webhooks specification", () => {
    // https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
    const key = secretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(signWebhook(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  test("verifyWebhook: the ten-line receiver check (several signatures, tolerance, tampering)", () => {
    const secret = newWebhookSecret();
    const body = '{"a":1}';
    const now = 1_800_000_000;
    const h = signatureHeaders(secretKey(secret), "evt_9", now, body);
    const hdr = { id: h["webhook-id"]!, timestamp: h["webhook-timestamp"]!, signature: `v1,bm90IGl0 ${h["webhook-signature"]}` };
    expect(verifyWebhook(secret, hdr, body, { nowSeconds: now + 10 })).toBe(true);
    expect(verifyWebhook(secret, hdr, body + "x", { nowSeconds: now })).toBe(false);
    expect(verifyWebhook(secret, { ...hdr, id: "evt_8" }, body, { nowSeconds: now })).toBe(false);
    expect(verifyWebhook(secret, hdr, body, { nowSeconds: now + 301 })).toBe(false);
    expect(verifyWebhook(secret, { ...hdr, signature: h["webhook-signature"]!.replace("v1,", "v2,") }, body, { nowSeconds: now })).toBe(false);
  });
});

describe("network policy", () => {
  const blocked: [string, RegExp][] = [
    ["127.0.0.1", /loopback/], ["127.255.0.9", /loopback/], ["10.0.0.1", /private/], ["172.16.5.4", /private/], ["172.31.255.255", /private/],
    ["192.168.0.1", /private/], ["100.64.0.1", /carrier-grade/], ["100.127.255.254", /carrier-grade/], ["169.254.169.254", /metadata/],
    ["169.254.10.1", /link-local/], ["0.0.0.0", /unspecified/], ["224.0.0.251", /multicast/], ["255.255.255.255", /broadcast/],
    ["::1", /loopback/], ["::", /unspecified/], ["fe80::1", /link-local/], ["fe80::1%eth0", /link-local/], ["fd00:ec2::254", /unique-local/],
    ["fc00::1", /unique-local/], ["ff02::1", /multicast/], ["::ffff:127.0.0.1", /loopback/], ["::ffff:a9fe:a9fe", /metadata/],
    ["64:ff9b::10.0.0.1", /private/], ["2002:c0a8:0101::1", /private/], ["2001:db8::1", /documentation/], ["192.0.2.1", /documentation/],
    // IPv4-translated (SIIT) and Teredo: refused whatever address they carry.
    ["::ffff:0:10.0.0.1", /IPv4-translated/], ["::ffff:0:8.8.8.8", /IPv4-translated/], ["0:0:0:0:ffff:0:a00:1", /IPv4-translated/],
    ["2001::1", /Teredo/], ["2001:0:4136:e378:8000:63bf:3fff:fdd2", /Teredo/], ["2001:0000:ffff::", /Teredo/],
  ];
  for (const [ip, why] of blocked) test(`refuses ${ip}`, () => expect(blockedReason(ip)).toMatch(why));

  for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4007:80e::200e",
    "64:ff9b::8.8.8.8", "2002:0808:0808::1", "2001:1::1", "2001:4860:4860::8888"])
    test(`allows ${ip}`, () => expect(blockedReason(ip)).toBeNull());

  test("parses addresses strictly", () => {
    for (const bad of ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4x", "1::2::3", "12345::", "hr.internal", "", "1:2:3:4:5:6:7:8:9"])
      expect(parseIp(bad)).toBeNull();
    expect(parseIp("[::1]")?.family).toBe(6);
    expect(parseIp("fe80::1%eth0")).toEqual({ family: 6, address: "fe80::1" });
    expect(parseIp("1:2:3:4:5:6:7:8")).toEqual({ family: 6, address: "1:2:3:4:5:6:7:8" });
  });

  test("allowlist: CIDRs (v4, v6, mapped), single addresses, host names and suffixes; typos are errors", () => {
    const p = networkPolicy(["127.0.0.0/8", "10.1.2.3", "fd00::/8", "hr.internal", "*.corp.example", " .lab.local "]);
    expect(p.refusal("x", "127.1.2.3")).toBeNull();
    expect(p.refusal("x", "::ffff:127.0.0.1")).toBeNull();
    expect(p.refusal("x", "10.1.2.3")).toBeNull();
    expect(p.refusal("x", "10.1.2.4")).toContain("private");
    expect(p.refusal("x", "fd12::1")).toBeNull();
    expect(p.refusal("HR.Internal.", "192.168.1.1")).toBeNull();
    expect(p.refusal("a.b.corp.example", "192.168.1.1")).toBeNull();
    expect(p.refusal("corp.example.evil.com", "192.168.1.1")).toContain("private");
    expect(p.refusal("x.lab.local", "169.254.169.254")).toBeNull();
    expect(p.refusal("x", "169.254.169.254")).toContain("metadata");
    for (const bad of ["10.0.0.0/33", "10.0.0.0/8/1", "hr internal", "http://x", "::1/129"]) expect(() => networkPolicy([bad])).toThrow(/allowedNetworks/);
    expect(p.refusal("x", "2001::1")).toContain("Teredo");
    const tunnels = networkPolicy(["2001::/32", "::ffff:0:0:0/96"]);
    expect(tunnels.refusal("x", "2001:0:4136:e378::1")).toBeNull();
    expect(tunnels.refusal("x", "::ffff:0:10.0.0.1")).toBeNull();
    expect(tunnels.refusal("x", "2001:db8::1")).toContain("documentation");
  });

  test("resolveTarget pins the checked address, keeps the Host, and sets the TLS server name", async () => {
    const resolver: Resolver = async (h) => (h === "hooks.example.com" ? [{ address: "2606:4700::1", family: 6 }, { address: "93.184.216.34", family: 4 }] : []);
    const p = networkPolicy([]);
    const t = await resolveTarget(new URL("https://hooks.example.com:8443/a/b?c=d"), p, resolver);
    expect(t).toEqual({ url: "https://93.184.216.34:8443/a/b?c=d", host: "hooks.example.com:8443", serverName: "hooks.example.com", address: "93.184.216.34" });
    const v6 = await resolveTarget(new URL("http://hooks.example.com/"), p, async () => [{ address: "2606:4700::1", family: 6 }]);
    expect(v6.url).toBe("http://[2606:4700::1]/");
    await expect(resolveTarget(new URL("http://nothing.test/"), p, resolver)).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(resolveTarget(new URL("http://[::1]:80/"), p, resolver)).rejects.toThrow(/::1 is a loopback address/);
    // Public and private answers mixed: only the public one is used.
    const mixed = await resolveTarget(new URL("http://m.test/"), p, async () => [{ address: "10.0.0.1", family: 4 }, { address: "8.8.4.4", family: 4 }]);
    expect(mixed.address).toBe("8.8.4.4");
  });
});

describe("https delivery to the checked address", () => {
  const hasOpenssl = run(["sh", "-c", "command -v openssl"]).code === 0;
  test.skipIf(!hasOpenssl)("the certificate is verified against the URL's host name (SNI), not the pinned IP", async () => {
    const dir = tempDir("certyneo-tls-");
    const mk = (name: string) => {
      const r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.pem`), "-subj", `/CN=${name}`, "-addext", `subjectAltName=DNS:${name}`]);
      expect(r.code, r.stderr).toBe(0);
      return { cert: readFileSync(join(dir, `${name}.pem`), "utf8"), key: readFileSync(join(dir, `${name}.key`), "utf8") };
    };
    const good = mk("hooks.test");
    const got: string[] = [];
    const tls = Bun.serve({ port: 0, hostname: "127.0.0.1", tls: good, fetch: async (r) => { got.push(`${r.headers.get("host")} ${r.headers.get("webhook-id")}`); return new Response(null, { status: 204 }); } });
    const s = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8" } });
    try {
      await s.running.app.webhooks.stop();
      const resolver: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
      const d = createWebhookDispatcher(s.deps, { resolver, tlsCa: good.cert });
      const ok = await (await s.api("/api/v1/webhooks", { method: "POST", json: { url: `https://hooks.test:${tls.port}/in`, events: ["envelope.created"] } })).json();
      const wrong = await (await s.api("/api/v1/webhooks", { method: "POST", json: { url: `https://other.test:${tls.port}/in`, events: ["envelope.sent"] } })).json();
      const evt = await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.created", data: {} }));
      await transaction(s.deps.db, (tx) => recordEvent(tx, s.deps.clock, { environment: "test", envelopeId: "env_evt", type: "envelope.sent", data: {} }));
      expect(await d.drain()).toMatchObject({ attempts: 2 });
      expect(got).toEqual([`hooks.test:${tls.port} ${evt}`]);
      const list = async (id: string) => (await (await s.api(`/api/v1/webhooks/${id}/deliveries`)).json()).data[0];
      expect((await list(ok.id)).status).toBe("succeeded");
      expect((await list(wrong.id)).lastError).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
    } finally {
      await s.stop();
      tls.stop(true);
    }
  });
});
