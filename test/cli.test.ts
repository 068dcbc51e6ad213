import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, ConfigError } from "../src/config";
import { STOP_GRACE_MS } from "../src/server";
import { BUN, freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";
import pkg from "../package.json";

const cli = (args: string[], env: Record<string, string> = {}) => run([BUN, "src/main.ts", ...args], { env });

describe("configuration", () => {
  test("defaults, environment overrides and derived base URL", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe("./data");
    expect(c.baseUrl).toBe("http://localhost:3000");
    const o = loadConfig({
      CERTYNEO_PORT: "8080", CERTYNEO_HOST: "0.0.0.0", CERTYNEO_BASE_URL: "https://sign.example.com/", CERTYNEO_MAX_UPLOAD_MB: "50",
      CERTYNEO_RATE_LIMIT_BURST: "10", CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "10.0.0.0/8, hr.internal",
    });
    expect(o).toMatchObject({ port: 8080, host: "0.0.0.0", baseUrl: "https://sign.example.com", maxUploadMb: 50 });
    expect(o.rateLimit).toMatchObject({ burst: 10, enabled: false });
    expect(o.webhooks.allowedNetworks).toEqual(["10.0.0.0/8", "hr.internal"]);
  });

  test("a bad value is one clear error naming the setting", () => {
    expect(() => loadConfig({ CERTYNEO_PORT: "http" })).toThrow(ConfigError);
    expect(() => loadConfig({ CERTYNEO_PORT: "70000" })).toThrow(/CERTYNEO_PORT/);
    expect(() => loadConfig({ CERTYNEO_RATE_LIMIT_ENABLED: "maybe" })).toThrow(/CERTYNEO_RATE_LIMIT_ENABLED/);
    expect(() => loadConfig({ CERTYNEO_BASE_URL: "not a url" })).toThrow(/CERTYNEO_BASE_URL/);
    expect(() => loadConfig({ CERTYNEO_WEBHOOKS_DISABLE_AFTER_HOURS: "-1" })).toThrow(/CERTYNEO_WEBHOOKS_DISABLE_AFTER_HOURS \(webhooks.disableAfterHours\): must be between 0 and 8760/);
    // A keyed POST's reply expires ttl hours on: past the dates a clock holds, every one answered 500.
    for (const ttl of ["0", "1e300", "8761"])
      expect(() => loadConfig({ CERTYNEO_IDEMPOTENCY_TTL_HOURS: ttl }), ttl).toThrow(`CERTYNEO_IDEMPOTENCY_TTL_HOURS (idempotency.ttlHours): must be more than 0 and at most 8760 (a year), got ${Number(ttl)}`);
    expect(loadConfig({ CERTYNEO_IDEMPOTENCY_TTL_HOURS: "8760" }).idempotency.ttlHours).toBe(8760);
    for (const base of ["https://intranet.example.com/esign", "https://sign.example.com/?x=1", "https://user:pw@sign.example.com", "ftp://sign.example.com"])
      expect(() => loadConfig({ CERTYNEO_BASE_URL: base }), base).toThrow(/CERTYNEO_BASE_URL \(baseUrl\): must be/);
    expect(loadConfig({ CERTYNEO_BASE_URL: "https://sign.example.com:8443/" }).baseUrl).toBe("https://sign.example.com:8443");
    // Values every seal, SMS or e-mail would fail on, refused at start rather than at each use.
    expect(() => loadConfig({ CERTYNEO_SEAL_TSA_URL: "https://tsa.example.com, ftp://tsa2.example.com" })).toThrow(/CERTYNEO_SEAL_TSA_URLS \(seal.tsa.urls\): must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/tsa2.example.com"/);
    expect(() => loadConfig({ CERTYNEO_SMS_GATEWAY_URL: "smtp://sms.example.com" })).toThrow(/CERTYNEO_SMS_GATEWAY_URL/);
    for (const from of ["not an address", "Certyneo <no-reply>", "a@b <c@d"])
      expect(() => loadConfig({ CERTYNEO_SMTP_FROM: from }), from).toThrow(/CERTYNEO_SMTP_FROM \(smtp.from\): expected an address/);
    for (const from of ["no-reply@example.com", "ACME Signatures <sign@acme.example>", "Certyneo <no-reply@localhost>", ""])
      expect(loadConfig({ CERTYNEO_SMTP_FROM: from }).smtp.from).toBe(from);
  });

  test("the server refuses to start on a bad value with one line on stderr", () => {
    const r = cli(["serve"], { CERTYNEO_PORT: "abc", CERTYNEO_DATA_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("CERTYNEO_PORT");
  });
});

describe("CLI", () => {
  test("--help and --version", () => {
    expect(cli(["--help"]).stdout).toContain("keys create --env test|live --name");
    expect(cli(["--version"]).stdout.trim()).toBe(pkg.version);
    const bad = cli(["frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown command");
  });

  test("an option a command does not take is refused before the command runs", () => {
    const dir = tempDir();
    const typo = cli(["keys", "list", "--jsn"], { CERTYNEO_DATA_DIR: dir });
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe("");
    expect(typo.stderr.trim()).toBe("certyneo: keys takes no option --jsn; see certyneo keys --help");
    // Refused before anything is opened: the data directory stays empty.
    const serve = cli(["serve", "--acept-new-instance-key"], { CERTYNEO_DATA_DIR: dir });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain("serve takes no option --acept-new-instance-key");
    expect(readdirSync(dir)).toEqual([]);
    // Its own options still pass.
    expect(JSON.parse(cli(["keys", "list", "--json"], { CERTYNEO_DATA_DIR: dir }).stdout)).toEqual([]);
  });

  test("keys create / list / revoke, against a running server", async () => {
    const dir = tempDir();
    const env = { CERTYNEO_DATA_DIR: dir };
    const created = cli(["keys", "create", "--env", "live", "--name", "ERP"], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split("\n").at(-1)!;
    expect(key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    const json = JSON.parse(cli(["keys", "create", "--env", "test", "--name", "CI", "--json"], env).stdout);
    expect(json).toMatchObject({ env: "test", name: "CI", scopes: ["envelopes", "webhooks", "keys"] });
    expect(JSON.parse(cli(["keys", "create", "--env", "test", "--name", "W", "--scopes", "webhooks", "--json"], env).stdout).scopes).toEqual(["webhooks"]);
    expect(cli(["keys", "create", "--env", "test", "--name", "W", "--scopes", "root"], env).code).toBe(2);
    expect(json.id).toMatch(/^key_/);
    expect(json.key).toStartWith("sk_test_");
    expect(cli(["keys", "create", "--env", "prod"], env).code).toBe(2);

    const port = await freePort();
    const server = Bun.spawn([BUN, "src/main.ts", "serve"], { env: { ...process.env, ...env, CERTYNEO_PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url);
      const auth = { authorization: `Bearer ${key}` };
      expect((await fetch(`${url}/api/v1/documents`, { headers: auth })).status).toBe(200);
      const list = JSON.parse(cli(["keys", "list", "--json"], env).stdout);
      const erp = list.find((k: any) => k.name === "ERP");
      expect(erp.environment).toBe("live");
      expect(cli(["keys", "revoke", erp.id], env).code).toBe(0);
      expect((await fetch(`${url}/api/v1/documents`, { headers: auth })).status).toBe(401);
      expect(cli(["keys", "list"], env).stdout).toContain("revoked");

      // Graceful shutdown: SIGTERM ends the process cleanly.
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      const logs = await new Response(server.stdout).text();
      expect(logs).toContain('"msg":"stopped"');
    } finally {
      server.kill("SIGKILL");
    }
  });

  test("SIGTERM stops the server although a client holds an upload open", async () => {
    const port = await freePort();
    const server = Bun.spawn([BUN, "src/main.ts", "serve"], { env: { ...process.env, CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`);
      // An upload that trickles in a few bytes at a time (a slow link, or a slowloris).
      const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      socket.write(`POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: 1000000\r\n\r\n%PDF-`);
      const trickle = setInterval(() => socket.write("0123456789"), 100);
      await Bun.sleep(500);
      const sent = performance.now();
      server.kill("SIGTERM");
      const exited = await Promise.race([server.exited, Bun.sleep(20_000).then(() => "still running")]);
      expect(exited).toBe(0);
      expect(performance.now() - sent).toBeLessThan(STOP_GRACE_MS + 3_000);
      clearInterval(trickle);
      socket.end();
    } finally {
      server.kill("SIGKILL");
    }
  });

  test("serve restarts itself, same process, with the allocator's hole purging off; an operator's own value is kept", async () => {
    const start = async (extra: Record<string, string>) => {
      const port = await freePort();
      const env: Record<string, string | undefined> = { ...process.env, CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_PORT: String(port), MIMALLOC_VERBOSE: "1", ...extra };
      if (!("MIMALLOC_PURGE_HOLES" in extra)) delete env.MIMALLOC_PURGE_HOLES;
      const server = Bun.spawn([BUN, "--smol", "src/main.ts", "serve"], { env, stdout: "ignore", stderr: "pipe" });
      await waitForHealth(`http://127.0.0.1:${port}`);
      const environ = readFileSync(`/proc/${server.pid}/environ`, "utf8").split("\0");
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      // mimalloc prints its options as it starts, once per start of the process.
      const options = [...(await new Response(server.stderr).text()).matchAll(/option 'purge_holes': (\d)/g)].map((m) => m[1]);
      return { environ, cmdline, options };
    };
    const ours = await start({});
    expect(ours.environ).toContain("MIMALLOC_PURGE_HOLES=0");
    expect(ours.options).toEqual(["1", "0"]);
    // Bun's own flags and the script are given again.
    expect(ours.cmdline.slice(1)).toEqual(["--smol", join(ROOT, "src/main.ts"), "serve"]);
    const theirs = await start({ MIMALLOC_PURGE_HOLES: "1" });
    expect(theirs.environ).toContain("MIMALLOC_PURGE_HOLES=1");
    expect(theirs.options).toEqual(["1"]);
  });

  test("migrate creates and upgrades the database", () => {
    const dir = tempDir();
    const r = cli(["migrate"], { CERTYNEO_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("up to date");
    const { Database } = require("bun:sqlite");
    const db = new Database(`${dir}/certyneo.db`);
    const tables = db.query("SELECT name FROM sqlite_master WHERE type='table'").all().map((t: any) => t.name);
    expect(tables).toContain("api_keys");
    expect(tables).toContain("envelopes");
    expect(db.query("PRAGMA journal_mode").get().journal_mode).toBe("wal");
    db.close();
  });

  test("every migration in the journal is embedded", async () => {
    const { migrationJournal, migrationSql } = await import("../migrations");
    const files = [...new Bun.Glob("*.sql").scanSync("migrations")].map((f) => f.replace(/\.sql$/, "")).sort();
    expect(migrationJournal.map((m) => m.tag).sort()).toEqual(files);
    expect(Object.keys(migrationSql).sort()).toEqual(files);
  });
});
