import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFlakyProxy, type FaultRule, type FlakyProxy } from "./helpers/flaky-proxy";
import { makePdf } from "./helpers/pdf";
import { startTestServer, type TestServer } from "./helpers/server";
import { ROOT, runAsync, tempDir } from "./helpers/spawn";
import { ACCEPTED_CASES, webhookCases } from "./helpers/webhook-cases";

/**
 * sdk/python/tests/test_against_server.py, one test per process, with the system python3
 * against real servers: this file starts them (and a proxy that loses answers on cue),
 * then checks from the outside what the client did.
 */
const PYTHON_DIR = join(ROOT, "sdk/python");
let s: TestServer;
let limited: TestServer;
let proxy: FlakyProxy;
const env: Record<string, string> = {};
const cases = webhookCases();

beforeAll(async () => {
  s = await startTestServer();
  limited = await startTestServer({ realClock: true, env: { CERTYNEO_RATE_LIMIT_BURST: "2", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60" } });
  proxy = startFlakyProxy(s.url);
  const closed = await startTestServer();
  await closed.stop();
  const dir = tempDir("certyneo-sdk-py-");
  writeFileSync(join(dir, "contract.pdf"), await makePdf(1));
  writeFileSync(join(dir, "webhook-cases.json"), JSON.stringify(cases));
  const doc = await (await s.api("/api/v1/documents", { method: "POST", json: { name: "fixture.pdf", contentBase64: Buffer.from(await makePdf(1)).toString("base64") } })).json();
  const draft = await (await s.api("/api/v1/envelopes", { method: "POST", json: { subject: "Fixture", documentIds: [doc.id], recipients: [{ email: "ana@example.com", name: "Ana Silva" }] } })).json();
  Object.assign(env, {
    CERTYNEO_BASE_URL: s.url,
    CERTYNEO_API_KEY: await s.key("test", "python"),
    CERTYNEO_TEST_PROXY_URL: proxy.url,
    CERTYNEO_TEST_LIMITED_URL: limited.url,
    CERTYNEO_TEST_LIMITED_KEY: await limited.key(),
    CERTYNEO_TEST_CLOSED_URL: closed.url,
    CERTYNEO_TEST_PDF: join(dir, "contract.pdf"),
    CERTYNEO_TEST_WEBHOOK_CASES: join(dir, "webhook-cases.json"),
    CERTYNEO_TEST_DOC_ID: doc.id,
    CERTYNEO_TEST_DRAFT_ID: draft.id,
  });
});
afterAll(async () => {
  await proxy.stop();
  await limited.stop();
  await s.stop();
});

async function python(name: string, extra: Record<string, string> = {}) {
  const r = await runAsync(["python3", "-m", "unittest", "-v", `tests.test_against_server.${name}`], {
    cwd: PYTHON_DIR,
    env: { ...env, ...extra, PYTHONDONTWRITEBYTECODE: "1" },
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain("OK");
  return r;
}

/** A python test on a server of its own, for lists that must see only what the test made. */
async function isolated(name: string) {
  const own = await startTestServer();
  try {
    return await python(name, { CERTYNEO_TEST_EMPTY_URL: own.url, CERTYNEO_TEST_EMPTY_KEY: await own.key() });
  } finally {
    await own.stop();
  }
}

async function throughProxy(name: string, plan: FaultRule[]) {
  proxy.plan(plan);
  await python(name);
  return proxy.exchanges;
}

describe("certyneo (Python) against the real server", () => {
  test("documents: upload bytes, a path and an open file; get; delete", () => python("Documents.test_upload_get_delete"));
  test("documents: list walks every page", () => isolated("Documents.test_list_walks_every_page"));
  test("envelopes: create, update, send, sign, wait, signed PDF, verify, audit trail", () => python("Envelopes.test_whole_cycle"), 60_000);
  test("envelopes: decline, void, delete, list by status", () => isolated("Envelopes.test_decline_void_delete_and_list_by_status"), 60_000);
  test("envelopes: wait_for_completion gives up with code timeout", () => python("Envelopes.test_wait_gives_up_with_timeout"));
  test("envelopes: list pages on when the loop deletes the last draft it saw", () => python("Envelopes.test_list_pages_on_past_a_deleted_draft"));

  test("templates: create, get, update, list; bulk send 2 rows as JSON and a CSV; batch polled until completed; delete", () => python("Templates.test_create_bulk_send_poll_delete"), 60_000);
  test("envelopes: correct_recipient gives a new link; signing.reassign hands the turn over", () => python("Recipients.test_correct_recipient_and_reassign"), 60_000);
  test("signing: request_code for an e-mail code, authenticate with an access code", () => python("Recipients.test_signer_authentication"), 60_000);
  test("signing: signature_image gives a later signer the PNG an earlier one drew", () => python("Recipients.test_signature_image"), 60_000);

  test("errors carry status, code, request_id, the refused fields and the problem", async () => {
    const r = await python("Errors.test_problem_details");
    const { requestId } = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(s.logs.find((l) => l.requestId === requestId)).toMatchObject({ method: "POST", path: "/api/v1/envelopes", status: 422 });
  });
  test("keys: create, list, revoke; the revoked key is refused", () => python("Errors.test_keys_create_list_revoke"));
  test("no answer: network_error", () => python("Errors.test_network_error"));
  test("no answer in time: timeout, after one retry", async () => {
    const seen = await throughProxy("Errors.test_timeout", [{ method: "GET", path: /^\/api\/v1\/documents\//, when: "hang", times: 2 }]);
    expect(seen.length).toBe(2);
  });
  test("an answer that trickles in: timeout once the whole attempt took too long", async () => {
    const seen = await throughProxy("Errors.test_timeout_bounds_a_trickled_answer", [{ method: "GET", path: /^\/api\/v1\/documents\//, when: "trickle" }]);
    expect(seen.length).toBe(1);
  });

  test("GET is retried after a 5xx", async () => {
    const seen = await throughProxy("Retries.test_get_retried_after_5xx", [{ method: "GET", path: /^\/api\/v1\/documents\//, when: "before", status: 502, times: 2 }]);
    expect(seen.map((x) => x.status)).toEqual([502, 502, 200]);
  });
  test("PATCH is not retried after a 5xx", async () => {
    const seen = await throughProxy("Retries.test_patch_not_retried", [{ method: "PATCH", path: /^\/api\/v1\/envelopes\//, when: "before", status: 503 }]);
    expect(seen.length).toBe(1);
  });
  test("a POST whose answer was lost is retried with the same Idempotency-Key and replayed", async () => {
    const seen = await throughProxy("Retries.test_lost_post_answer_replayed", [{ method: "POST", path: /^\/api\/v1\/envelopes$/, when: "after", status: 503 }]);
    expect(seen.length).toBe(2);
    expect(seen[0]).toMatchObject({ upstreamStatus: 201, status: 503, replayed: false });
    expect(seen[1]).toMatchObject({ upstreamStatus: 201, status: 201, replayed: true });
    expect(seen[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]!.idempotencyKey).toBe(seen[0]!.idempotencyKey);
  });
  test("an Idempotency-Key of the caller's own is sent as given", async () => {
    const seen = await throughProxy("Retries.test_own_idempotency_key", []);
    expect(seen.map((x) => [x.idempotencyKey, x.replayed])).toEqual([["py-order-42", false], ["py-order-42", true]]);
  });
  test("429 is retried after Retry-After", async () => {
    await python("Retries.test_429_retried_after_retry_after");
    const statuses = limited.logs.filter((l) => l.msg === "request").map((l) => l.status);
    expect(statuses).toContain(429);
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(4);
  }, 30_000);

  test("webhooks: create, get, update, list, delete", () => isolated("Webhooks.test_create_get_update_list_delete"));
  test("verify_webhook decides as the standardwebhooks package does", async () => {
    const r = await python("Webhooks.test_verify_webhook_agrees_with_standardwebhooks");
    const decisions = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    for (const c of cases) for (const kind of ["str", "bytes"]) expect(decisions[`${c.name} (${kind})`], `${c.name} (${kind})`).toEqual(c.expected);
    expect(cases.filter((c) => c.expected.ok).map((c) => c.name)).toEqual(ACCEPTED_CASES);
  });
});
