import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../src/clock";
import { loadConfig, type Config } from "../../src/config";
import type { Deps } from "../../src/deps";
import { openInstance } from "../../src/instance";
import { closeDatabase } from "../../src/store/open";
import { createLogger, type Logger } from "../../src/log";
import { createKey } from "../../src/modules/keys/service";
import { startServer, type RunningServer } from "../../src/server";
import type { Environment } from "../../src/store/schema";
import type { Storage } from "../../src/store/storage";
import { fakeClock, type FakeClock } from "./clock";
import { testPostgres } from "./postgres";

export interface TestServer {
  url: string;
  dir: string;
  deps: Deps;
  clock: FakeClock | Clock;
  running: RunningServer;
  logs: Record<string, unknown>[];
  key(environment?: Environment, name?: string): Promise<string>;
  /** fetch against the server with a key and JSON helpers. */
  api(path: string, init?: ApiInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface ApiInit extends Omit<RequestInit, "body"> {
  key?: string | null;
  json?: unknown;
  body?: BodyInit;
}

/**
 * A real server on a loopback port over a temporary data directory. `env` sets CERTYNEO_*
 * variables exactly as an admin would; `clock` defaults to a fake one. `storage`: a bucket opened
 * beforehand with openStorage (asynchronous; see startS3TestServer), with the same env.
 * `postgres`: on a new database of the test PostgreSQL (helpers/postgres.ts) instead of SQLite.
 * `idleCollectMs`: how often the server looks whether it is idle (server.ts, idleCollector).
 */
export async function startTestServer(opts: { env?: Record<string, string>; clock?: Clock; dir?: string; realClock?: boolean; storage?: Storage; postgres?: boolean; idleCollectMs?: number } = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "certyneo-test-"));
  const database = opts.postgres ? { CERTYNEO_DATABASE_URL: await (await testPostgres()).freshDatabase() } : {};
  const config: Config = loadConfig({ CERTYNEO_DATA_DIR: dir, CERTYNEO_PORT: "0", CERTYNEO_LOG_LEVEL: "debug", ...database, ...opts.env });
  const logs: Record<string, unknown>[] = [];
  const log: Logger = createLogger("debug", (line) => logs.push(JSON.parse(line)));
  const clock = opts.clock ?? (opts.realClock ? { now: () => new Date() } : fakeClock());
  const deps = await openInstance(config, { clock, log, storage: opts.storage });
  const running = startServer(deps, { port: 0, host: "127.0.0.1", idleCollectMs: opts.idleCollectMs });
  if (!opts.env?.CERTYNEO_BASE_URL) deps.config.baseUrl = running.url;
  let defaultKey: string | null = null;
  const server: TestServer = {
    url: running.url,
    dir,
    deps,
    clock,
    running,
    logs,
    async key(environment = "test", name = "test key") {
      return (await createKey(deps.db, deps.clock, { environment, name })).secret;
    },
    async api(path, init = {}) {
      const { key, json, headers, ...rest } = init;
      const h = new Headers(headers);
      const k = key === undefined ? (defaultKey ??= await server.key("test", "default")) : key;
      if (k) h.set("authorization", `Bearer ${k}`);
      let body = rest.body;
      if (json !== undefined) {
        body = JSON.stringify(json);
        if (!h.has("content-type")) h.set("content-type", "application/json");
      }
      return fetch(running.url + path, { ...rest, headers: h, body });
    },
    async stop() {
      await running.stop();
      await closeDatabase(deps.db);
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface TwoNodes {
  /** The database both nodes use. */
  url: string;
  a: TestServer;
  b: TestServer;
  stop(): Promise<void>;
}

/**
 * Two nodes on one new database of the test PostgreSQL, sharing one files directory (as nodes
 * share a bucket): no rate limit, and jobs run only when a test asks (no poll, no wake on enqueue).
 * `env` adds to or overrides those settings.
 */
export async function startTwoNodesOnPostgres(env: Record<string, string> = {}): Promise<TwoNodes> {
  const url = await (await testPostgres()).freshDatabase();
  const nodeEnv = { CERTYNEO_DATABASE_URL: url, CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...env };
  const a = await startTestServer({ env: nodeEnv });
  const b = await startTestServer({ env: nodeEnv, dir: a.dir });
  return {
    url, a, b,
    async stop() {
      await b.stop();
      await a.stop();
    },
  };
}
