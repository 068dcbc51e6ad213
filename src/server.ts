import type { Server } from "bun";
import { buildApp } from "./app";
import type { Deps } from "./deps";
import { AppError, type ErrorCode } from "./errors";
import { newRequestId } from "./http/context";
import { maxBodyBytes } from "./http/pipeline";
import { systemRoutes } from "./http/system-routes";
import { problemResponse } from "./http/problem";
import { apiAnswerHeaders } from "./http/security-headers";
import type { Logger } from "./log";
import { waitBrieflyForLocks } from "./store/db";
import { dialectOf } from "./store/dialect";

export interface RunningServer {
  url: string;
  server: Server<unknown>;
  app: ReturnType<typeof buildApp>;
  /** Stops accepting, lets in-flight requests finish (for STOP_GRACE_MS), stops the workers. The caller closes the database. */
  stop(): Promise<void>;
}

/**
 * A problem answer made outside the pipeline (the start gate's, Bun's error hook's), with the
 * header fields the pipeline gives every API answer.
 */
function problemOutsidePipeline(config: Deps["config"], code: ErrorCode, message: string, requestId = newRequestId()): Response {
  return problemResponse(new AppError(code, message, { headers: apiAnswerHeaders(config, requestId) }), requestId, config.baseUrl);
}

/**
 * How long a stop waits for requests under way before closing their connections: a client that
 * holds its request open (a slow or stalled upload) must not hold the stop, and container
 * runtimes send SIGKILL 10 s after SIGTERM.
 */
export const STOP_GRACE_MS = 5_000;

type AppFetch = ReturnType<typeof buildApp>["fetch"];

/**
 * Requests wait for `ready` (the sealing-key check at start) and are answered 503 if it failed,
 * so none is served before it has passed, while the port opens at once (the runtime and the
 * app are ready meanwhile). /healthz waits too: a server whose key cannot seal never says healthy.
 */
function gated(fetch: AppFetch, ready: Promise<unknown>, config: Deps["config"]): AppFetch {
  let state: "checking" | "ok" | "failed" = "checking";
  const settled = ready.then(() => void (state = "ok"), () => void (state = "failed"));
  const waiting: typeof fetch = async (req, server, route) => {
    await settled;
    if (state === "failed") return problemOutsidePipeline(config, "unavailable", "The server is stopping: its sealing key cannot be used");
    return fetch(req, server, route);
  };
  // Once checked, requests go straight through: no extra promise per request.
  return (req, server, route) => (state === "ok" ? fetch(req, server, route) : waiting(req, server, route));
}

/** How often a server looks whether it went without a request, to collect its heap. */
export const IDLE_COLLECT_MS = 10_000;

/**
 * An idle server gives its memory back. Its polls (jobs, webhooks, sweeps) leave garbage that
 * the runtime collects only as the heap grows, so an idle server's RSS climbed by 5-8 MB between
 * its collections (about 2 MB since the polls' statements are prepared once). `check` (every
 * IDLE_COLLECT_MS) makes a full collection (10-15 ms, when nobody waits: 0.1 % of a core) if no
 * request came since the check before; a server with requests is left to the runtime. `count`
 * wraps the server's fetch.
 */
export function idleCollector(log: Logger) {
  let requests = 0;
  let seen = 0;
  return {
    count: (fetch: AppFetch): AppFetch => (req, server, route) => {
      requests++;
      return fetch(req, server, route);
    },
    check() {
      if (requests !== seen) {
        seen = requests;
        return;
      }
      const t0 = performance.now();
      Bun.gc(true);
      log.debug("idle: heap collected", { ms: Math.round(performance.now() - t0), heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20) });
    },
  };
}

export function startServer(deps: Deps, opts: { port?: number; host?: string; ready?: Promise<unknown>; idleCollectMs?: number } = {}): RunningServer {
  if (dialectOf(deps.db) === "sqlite") waitBrieflyForLocks(deps.db);
  const app = buildApp(deps);
  const idle = idleCollector(deps.log);
  const idleTimer = setInterval(idle.check, opts.idleCollectMs ?? IDLE_COLLECT_MS);
  idleTimer.unref();
  const entry = idle.count(opts.ready ? gated(app.fetch, opts.ready, deps.config) : app.fetch);
  const server = Bun.serve({
    port: opts.port ?? deps.config.port,
    hostname: opts.host ?? deps.config.host,
    // Bun's own cap sits above the pipeline's, which answers a declared over-limit body with a
    // problem+json 413; only chunked bodies beyond this get Bun's bare 413.
    maxRequestBodySize: maxBodyBytes(deps.config) + 2 * 1024 * 1024,
    // Bun's router matches the app's routes; what it does not match goes through Elysia's.
    routes: systemRoutes(app.elysia, entry),
    fetch: entry,
    // The app answers every error itself; what reaches here failed as Bun sent a body: the one
    // problem shape, under an id of its own (Bun does not say which request it was). A stored
    // file gone by then was there a moment before, when the download opened it (a file missing
    // for good fails there, logged as an error): an erasure or deletion came first, and the
    // answer is what a request arriving now gets.
    error(e) {
      const requestId = newRequestId();
      if ((e as NodeJS.ErrnoException)?.code === "ENOENT") {
        deps.log.warn("a stored file was removed while it was being sent (erased or deleted meanwhile)", { requestId, error: String(e.message) });
        return problemOutsidePipeline(deps.config, "not_found", "The file is no longer stored: it was erased or deleted as it was being sent", requestId);
      }
      deps.log.error("response body failed", { requestId, error: String(e?.message ?? e) });
      return problemOutsidePipeline(deps.config, "internal_error", "Internal error; the request id identifies it in the server log", requestId);
    },
  });
  let stopped = false;
  const startWorkers = () => {
    if (!stopped) for (const w of app.workers) w.start();
  };
  // Background work (seals among it) starts once the sealing key has passed its check, on a
  // later turn than the requests that waited for it: the sweeps of its first round wait for them.
  if (opts.ready) opts.ready.then(() => void setImmediate(startWorkers), () => {});
  else startWorkers();
  return {
    url: `http://${server.hostname === "0.0.0.0" ? "127.0.0.1" : server.hostname}:${server.port}`,
    server,
    app,
    async stop() {
      stopped = true;
      clearInterval(idleTimer);
      let grace: ReturnType<typeof setTimeout> | undefined;
      const drained = server.stop(false).then(() => true);
      const late = new Promise<false>((done) => (grace = setTimeout(() => done(false), STOP_GRACE_MS)));
      if (!(await Promise.race([drained, late]))) await server.stop(true);
      clearTimeout(grace);
      await Promise.all(app.workers.map((w) => w.stop()));
      deps.pdf.close();
    },
  };
}
