/**
 * The servers of bench/get-pieces.bench.ts, in one process (its child): the app, and bare
 * `Bun.serve` handlers for the same GET of a document, each adding one more piece of what the
 * API must do for it, made of the app's own parts. Writes their addresses, the key and the path
 * to READY_FILE; its stdout is the access log.
 */
import { writeFileSync } from "node:fs";
import { uploadOnePagePdf } from "./pdfs";
import { loadConfig } from "../src/config";
import { newRequestId } from "../src/http/context";
import { createRateLimiter } from "../src/http/rate-limit";
import { securityHeaders } from "../src/http/security-headers";
import { openInstance } from "../src/instance";
import { getDocumentJson } from "../src/modules/documents/service";
import { createKey, createKeyVerifier, type Principal } from "../src/modules/keys/service";
import { startServer } from "../src/server";

const config = loadConfig({ ...process.env, CERTYNEO_PORT: "0" });
const deps = await openInstance(config, { clock: { now: () => new Date() } });
const app = startServer(deps, { port: 0, host: "127.0.0.1" });
deps.config.baseUrl = app.url;
const key = (await createKey(deps.db, deps.clock, { environment: "test", name: "get-pieces" })).secret;
const authorization = `Bearer ${key}`;
const documentId = await uploadOnePagePdf(app.url, { authorization });
const path = `/api/v1/documents/${documentId}`;
const body = new Uint8Array(await (await fetch(app.url + path, { headers: { authorization } })).arrayBuffer());

const keys = createKeyVerifier(deps.db, deps.clock);
const limiter = createRateLimiter({ ...deps.config.rateLimit, now: () => Date.now() });
const secure = securityHeaders(deps.config);
const json = { "content-type": "application/json" };
// The key's first check goes to the database: done here, so that the handlers find it verified.
const principal = (await keys.verify(key)) as Principal;

/** What the pipeline reads of every request: its URL, method and four header fields; returns the presented key. */
function read(req: Request): string {
  const h = req.headers;
  h.get("x-request-id");
  h.get("content-length");
  h.has("transfer-encoding");
  void req.url;
  void req.method;
  return h.get("authorization")!.slice("Bearer ".length);
}

/** The answer's fields the pipeline sets on every API answer, but the RateLimit ones. */
function fields(res: Response, id: string): Response {
  res.headers.set("x-request-id", id);
  secure(path, res.headers);
  return res;
}

const line = (req: Request, res: Response, id: string, started: number) =>
  deps.log.request({ requestId: id, method: req.method, path: "/api/v1/documents/{id}", status: res.status, durationMs: Math.round((performance.now() - started) * 100) / 100, keyId: principal.keyId, ip: undefined });

/** The key checked as the pipeline does: at once when verified before, else (its last use due to be written) after a promise. */
function withKey(req: Request, then: (checked: Principal) => Response | Promise<Response>): Response | Promise<Response> {
  const verified = keys.verify(read(req));
  return verified instanceof Promise ? verified.then((checked) => then(checked!)) : then(verified!);
}

/** The answer with its fields (and, given the checked key, its rate-limit state), logged. */
function answer(req: Request, started: number, content: Uint8Array | Blob, checked?: Principal): Response {
  const id = newRequestId();
  const res = fields(new Response(content as Uint8Array<ArrayBuffer>, { headers: json }), id);
  if (checked) limiter.setHeaders(limiter.take(checked.keyId), res.headers);
  line(req, res, id, started);
  return res;
}

/** One step further each: the rows of the bench's table, in order. */
const ladder: [string, (req: Request) => Response | Promise<Response>][] = [
  ["bare Bun.serve, the same bytes", () => new Response(body, { headers: json })],
  ["+ reading the request (URL, method, 4 header fields)", (req) => (read(req), new Response(body, { headers: json }))],
  ["+ the answer's request id, nosniff and cache fields", (req) => (read(req), fields(new Response(body, { headers: json }), newRequestId()))],
  ["+ the access-log line", (req) => {
    const started = performance.now();
    read(req);
    return answer(req, started, body);
  }],
  ["+ the key's check, the rate limit and its 4 fields", (req) => {
    const started = performance.now();
    return withKey(req, (checked) => answer(req, started, body, checked));
  }],
  ["+ the document from the in-memory cache", (req) => {
    const started = performance.now();
    return withKey(req, async (checked) => answer(req, started, await getDocumentJson(deps, checked.environment, documentId), checked));
  }],
];

const servers: Record<string, string> = {};
for (const [name, handler] of ladder) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", routes: { "/api/v1/documents/:id": { GET: handler } }, fetch: () => new Response(null, { status: 404 }) });
  servers[name] = `http://127.0.0.1:${server.port}`;
}
servers["certyneo (the app: pipeline, Elysia route)"] = app.url;
writeFileSync(process.env.READY_FILE!, JSON.stringify({ key, path, servers }));
