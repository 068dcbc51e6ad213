import { afterAll, expect } from "bun:test";
import type { FakeClock } from "./clock";
import { makePdf } from "./pdf";
import { startTestServer, type TestServer } from "./server";

/** A test server whose outbox worker stays idle unless the test drains it (no wake on enqueue, CERTYNEO_JOBS_POLL_MS at its maximum). */
export function startEnvelopeServer(env: Record<string, string> = {}, opts: { dir?: string } = {}): Promise<TestServer> {
  return startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...env }, dir: opts.dir });
}

/**
 * The setup the envelope and signing suites share: an envelope server (stopped after the file),
 * a two-page contract.pdf and a one-page annex.pdf of the test environment.
 */
export async function envelopeSuite(env: Record<string, string> = {}) {
  const s = await startEnvelopeServer(env);
  afterAll(() => s.stop());
  const doc = await uploadDoc(s, { pages: 2 });
  const doc2 = await uploadDoc(s, { pages: 1, name: "annex.pdf" });
  return { s, clock: s.clock as FakeClock, doc, doc2 };
}

export async function uploadDoc(s: TestServer, opts: { pages?: number; key?: string; name?: string } = {}) {
  const pdf = await makePdf(opts.pages ?? 1);
  const res = await s.api("/api/v1/documents", {
    method: "POST",
    key: opts.key,
    json: { name: opts.name ?? "contract.pdf", contentBase64: Buffer.from(pdf).toString("base64") },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; sha256: string; pages: { width: number; height: number }[] };
}

export type UploadedDoc = Awaited<ReturnType<typeof uploadDoc>>;

export const quickStart = (documentIds: string[], recipients: { email: string; name: string; role?: string; [k: string]: unknown }[] = [{ email: "jane@example.com", name: "Jane Doe", role: "SIGNER" }], extra: Record<string, unknown> = {}) =>
  ({ subject: "Employment contract", documentIds, recipients, ...extra });

export async function post(s: TestServer, path: string, json?: unknown, init: { key?: string; headers?: Record<string, string> } = {}) {
  const res = await s.api(path, { method: "POST", json, key: init.key, headers: init.headers });
  return { status: res.status, body: (await res.json()) as any, res };
}

export async function createEnvelope(s: TestServer, body: unknown, key?: string) {
  const r = await post(s, "/api/v1/envelopes", body, { key });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function sendEnvelope(s: TestServer, id: string, key?: string) {
  const r = await post(s, `/api/v1/envelopes/${id}/send`, undefined, { key });
  if (r.status !== 200) throw new Error(`send failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates and sends an envelope: the sent envelope and its recipients' signing tokens, in order. */
export async function sentEnvelope(s: TestServer, body: unknown, key?: string) {
  const e = await sendEnvelope(s, (await createEnvelope(s, body, key)).id, key);
  return { e, tokens: e.recipients.map((r: any) => tokenOf(r.signUrl)) as string[] };
}

export async function getEnvelope(s: TestServer, id: string, key?: string) {
  const res = await s.api(`/api/v1/envelopes/${id}`, { key });
  return (await res.json()) as any;
}

export const tokenOf = (signUrl: string) => new URL(signUrl).pathname.split("/").pop()!;

/** Calls the signing API as a browser would: no API key. */
export async function signing(s: TestServer, token: string, path = "", init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { "user-agent": "TestBrowser/1.0", ...init.headers };
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${s.url}/api/v1/signing/${token}${path}`, {
    method: init.method ?? (init.json !== undefined ? "POST" : "GET"),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const type = res.headers.get("content-type") ?? "";
  const body = type.includes("json") ? ((await res.json()) as any) : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, body, res };
}

export const typed = (name = "Jane Doe") => ({ signature: { type: "typed", value: name }, consent: true });

export const complete = (s: TestServer, token: string, body: unknown = typed()) => signing(s, token, "/complete", { json: body });
export const decline = (s: TestServer, token: string, reason = "Wrong salary") => signing(s, token, "/decline", { json: { reason } });

/** The JSON pointers of a validation problem's errors. */
export const pointers = (body: any): string[] => (body.errors ?? []).map((e: any) => e.pointer);

/** Pending jobs of a kind, oldest first. */
export function jobsOf(s: TestServer, kind?: string): { kind: string; payload: any }[] {
  const rows = s.deps.db.$client.query("SELECT kind, payload FROM jobs ORDER BY rowid").all() as { kind: string; payload: string }[];
  return rows.filter((r) => !kind || r.kind === kind).map((r) => ({ kind: r.kind, payload: JSON.parse(r.payload) }));
}

/** A 1×1 transparent PNG. */
export const TINY_PNG = Uint8Array.from(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64"));
export const pngDataUrl = (bytes: Uint8Array = TINY_PNG) => "data:image/png;base64," + Buffer.from(bytes).toString("base64");
