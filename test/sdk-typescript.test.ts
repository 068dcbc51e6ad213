import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Certyneo, CertyneoError, verifyWebhook, WebhookVerificationError } from "../sdk/typescript/src/index";
import { startFlakyProxy, type FlakyProxy } from "./helpers/flaky-proxy";
import { makePdf } from "./helpers/pdf";
import { pngDataUrl, TINY_PNG } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { ACCEPTED_CASES, webhookCases } from "./helpers/webhook-cases";
import { tempDir } from "./helpers/spawn";

let s: TestServer;
let proxy: FlakyProxy;
let certyneo: Certyneo;
const recipients = [{ email: "ana@example.com", name: "Ana Silva" }];

beforeAll(async () => {
  s = await startTestServer();
  proxy = startFlakyProxy(s.url);
  certyneo = new Certyneo({ apiKey: await s.key(), baseUrl: s.url });
});
afterAll(async () => {
  await proxy.stop();
  await s.stop();
});

async function caught(p: Promise<unknown>): Promise<CertyneoError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(CertyneoError);
  return e as CertyneoError;
}

describe("documents", () => {
  test("uploads bytes, a Blob and a file path; gets, lists and deletes", async () => {
    const pdf = await makePdf(2);
    const fromBytes = await certyneo.documents.upload(pdf, { name: "bytes.pdf" });
    expect(fromBytes).toMatchObject({ name: "bytes.pdf", pageCount: 2, size: pdf.length });
    expect(fromBytes.id).toMatch(/^doc_/);

    const fromBlob = await certyneo.documents.upload(new File([pdf], "blob.pdf", { type: "application/pdf" }));
    expect(fromBlob.name).toBe("blob.pdf");

    const dir = tempDir("certyneo-sdk-");
    writeFileSync(join(dir, "contract.pdf"), pdf);
    const fromPath = await certyneo.documents.upload(join(dir, "contract.pdf"));
    expect(fromPath.name).toBe("contract.pdf");
    expect(fromPath.sha256).toBe(fromBytes.sha256);

    expect(await certyneo.documents.get(fromPath.id)).toEqual(fromPath);
    expect(Buffer.from(await certyneo.documents.content(fromPath.id)).equals(Buffer.from(pdf))).toBe(true);
    await certyneo.documents.delete(fromBlob.id);
    expect((await caught(certyneo.documents.get(fromBlob.id))).code).toBe("not_found");
  });

  test("list is an async iterator that walks every page", async () => {
    const own = await startTestServer();
    try {
      const client = new Certyneo({ apiKey: await own.key(), baseUrl: own.url });
      const pdf = await makePdf(1);
      const uploaded: string[] = [];
      for (let i = 0; i < 5; i++) uploaded.push((await client.documents.upload(pdf, { name: `p${i}.pdf` })).id);
      const seen: string[] = [];
      for await (const doc of client.documents.list({ limit: 2 })) seen.push(doc.id);
      // Newest first; under the test server's frozen clock all share one instant, so compare as sets.
      expect(seen.length).toBe(5);
      expect(seen.toSorted()).toEqual(uploaded.toSorted());
      const pages = own.logs.filter((l) => l.msg === "request" && l.method === "GET" && l.path === "/api/v1/documents");
      expect(pages.length).toBe(3);
    } finally {
      await own.stop();
    }
  });
  test("list pages on when the loop deletes the last draft it saw (the cursor's item is gone)", async () => {
    const own = await startTestServer();
    try {
      const client = new Certyneo({ apiKey: await own.key(), baseUrl: own.url });
      const doc = await client.documents.upload(await makePdf(1));
      const drafts: string[] = [];
      for (let i = 0; i < 5; i++) drafts.push((await client.envelopes.create({ subject: `d${i}`, documentIds: [doc.id], recipients })).id);
      const seen: string[] = [];
      for await (const envelope of client.envelopes.list({ status: "DRAFT", limit: 2 })) {
        seen.push(envelope.id);
        if (seen.length === 2) await client.envelopes.delete(envelope.id);
      }
      expect(seen.toSorted()).toEqual(drafts.toSorted());
    } finally {
      await own.stop();
    }
  });
});

describe("envelopes", () => {
  test("create, update, send, sign through the signing API, wait, signed PDF and audit trail", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1), { name: "contract.pdf" });
    const draft = await certyneo.envelopes.create({ subject: "Contract", documentIds: [doc.id], recipients });
    expect(draft.status).toBe("DRAFT");
    const updated = await certyneo.envelopes.update(draft.id, { subject: "Employment contract", metadata: { employee: "42" } });
    expect(updated).toMatchObject({ subject: "Employment contract", metadata: { employee: "42" } });

    const sent = await certyneo.envelopes.send(draft.id);
    expect(sent.status).toBe("SENT");
    const signUrl = sent.recipients[0]!.signUrl!;
    const session = await certyneo.signing.get(signUrl);
    expect(session.state).toBe("ready");
    expect(new TextDecoder().decode((await certyneo.signing.document(signUrl, doc.id)).slice(0, 5))).toBe("%PDF-");
    await certyneo.signing.complete(signUrl, { signature: { type: "typed", value: "Ana Silva" }, consent: true });

    const done = await certyneo.envelopes.waitForCompletion(draft.id, { timeoutMs: 30_000 });
    expect(done).toMatchObject({ status: "COMPLETED", sealStatus: "SEALED" });
    const signed = await certyneo.envelopes.signedDocument(draft.id);
    expect(new TextDecoder().decode(signed.slice(0, 5))).toBe("%PDF-");
    expect(signed.length).toBeGreaterThan(doc.size);
    const verification = await certyneo.verify(signed);
    expect(verification.valid).toBe(true);
    expect(verification.signatures.some((sig) => sig.byThisInstance)).toBe(true);
    const audit = await certyneo.envelopes.auditTrail(draft.id);
    expect(new TextDecoder().decode(audit.slice(0, 5))).toBe("%PDF-");
    expect(await certyneo.signing.signedDocument(signUrl)).toEqual(signed);
  }, 60_000);

  test("a declined envelope settles too; void ends a sent one; list filters by status across pages", async () => {
    const own = await startTestServer();
    try {
      await declineVoidAndList(new Certyneo({ apiKey: await own.key(), baseUrl: own.url }));
    } finally {
      await own.stop();
    }
  }, 60_000);

  async function declineVoidAndList(client: Certyneo) {
    const doc = await client.documents.upload(await makePdf(1));
    const declined = await client.envelopes.send((await client.envelopes.create({ subject: "A", documentIds: [doc.id], recipients })).id);
    await client.signing.decline(declined.recipients[0]!.signUrl!, "Wrong salary");
    expect(await client.envelopes.waitForCompletion(declined.id, { timeoutMs: 30_000 })).toMatchObject({ status: "DECLINED", statusReason: "Wrong salary" });

    const voided = await client.envelopes.send((await client.envelopes.create({ subject: "B", documentIds: [doc.id], recipients })).id);
    expect(await client.envelopes.void(voided.id, "Sent by mistake")).toMatchObject({ status: "VOIDED" });
    const draft = await client.envelopes.create({ subject: "C", documentIds: [doc.id], recipients });
    const drafts: string[] = [];
    for (let i = 0; i < 2; i++) drafts.push((await client.envelopes.create({ subject: `D${i}`, documentIds: [doc.id], recipients })).id);

    const all: string[] = [];
    for await (const e of client.envelopes.list({ limit: 1 })) all.push(e.id);
    expect(all.toSorted()).toEqual([...drafts, draft.id, voided.id, declined.id].toSorted());
    const onlyDrafts: string[] = [];
    for await (const e of client.envelopes.list({ status: "DRAFT", limit: 2 })) onlyDrafts.push(e.id);
    expect(onlyDrafts.toSorted()).toEqual([...drafts, draft.id].toSorted());
    expect(await client.envelopes.delete(draft.id)).toMatchObject({ deleted: true });
  }

  test("waitForCompletion gives up with code timeout", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1));
    const sent = await certyneo.envelopes.send((await certyneo.envelopes.create({ subject: "Waiting", documentIds: [doc.id], recipients })).id);
    const e = await caught(certyneo.envelopes.waitForCompletion(sent.id, { timeoutMs: 1 }));
    expect(e).toMatchObject({ status: 0, code: "timeout" });
    expect(e.message).toContain("SENT");
  });
});

describe("templates and bulk send", () => {
  test("create, get, update, list; bulk send 2 rows as JSON and 1 as CSV; batch polled until completed; delete", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1), { name: "offer.pdf" });
    const template = await certyneo.templates.create({
      name: "Offer letter",
      subject: "Your offer",
      documentIds: [doc.id],
      roles: [{ roleName: "Candidate" }],
      fields: [{ roleName: "Candidate", documentId: doc.id, type: "signature", page: 1, x: 72, y: 600, width: 180, height: 40 }],
    });
    expect(template.id).toMatch(/^tpl_/);
    expect(template).toMatchObject({ name: "Offer letter", roles: [{ roleName: "Candidate", role: "SIGNER", routingOrder: 1 }] });
    expect(await certyneo.templates.get(template.id)).toEqual(template);
    expect(await certyneo.templates.update(template.id, { subject: "Your offer from Certyneo" })).toMatchObject({ subject: "Your offer from Certyneo" });
    const listed: string[] = [];
    for await (const t of certyneo.templates.list({ limit: 1 })) listed.push(t.id);
    expect(listed).toContain(template.id);

    const rows = { rows: [{ recipients: [{ roleName: "Candidate", email: "ana@example.com", name: "Ana Silva" }] }, { recipients: [{ roleName: "Candidate", email: "rui@example.com", name: "Rui Costa" }], metadata: { row: "2" } }] };
    const batch = await certyneo.templates.bulkSend(template.id, rows, { idempotencyKey: `bulk-${template.id}` });
    expect(batch).toMatchObject({ templateId: template.id, total: 2 });
    // The same Idempotency-Key answers the same batch instead of sending twice.
    expect((await certyneo.templates.bulkSend(template.id, rows, { idempotencyKey: `bulk-${template.id}` })).id).toBe(batch.id);
    const done = await pollBatch(batch.id);
    expect(done).toMatchObject({ status: "completed", processed: 2, sent: 2, failed: 0, errors: [] });
    const envelopes = await Promise.all(done.envelopes.map((e) => certyneo.envelopes.get(e.envelopeId)));
    expect(envelopes.map((e) => [e.status, e.recipients[0]!.email]).toSorted()).toEqual([["SENT", "ana@example.com"], ["SENT", "rui@example.com"]]);

    const csv = await certyneo.templates.bulkSend(template.id, { csv: new TextEncoder().encode("Candidate.email,Candidate.name\nleo@example.com,Leo Faria\n") });
    expect(await pollBatch(csv.id)).toMatchObject({ status: "completed", total: 1, sent: 1 });

    expect(await certyneo.templates.delete(template.id)).toMatchObject({ id: template.id, deleted: true });
    expect((await caught(certyneo.templates.get(template.id))).code).toBe("not_found");
  }, 60_000);

  async function pollBatch(id: string) {
    for (const deadline = Date.now() + 30_000; ; ) {
      const batch = await certyneo.batches.get(id);
      if (batch.status === "completed" || Date.now() > deadline) return batch;
      await Bun.sleep(200);
    }
  }
});

describe("recipients and the signing API", () => {
  test("correctRecipient gives a new link; reassign hands the turn over", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1));
    const sent = await certyneo.envelopes.send((await certyneo.envelopes.create({ subject: "Correct me", documentIds: [doc.id], recipients, allowReassign: true })).id);
    const before = sent.recipients[0]!;
    const corrected = await certyneo.envelopes.correctRecipient(sent.id, before.id, { email: "ana.silva@example.com", name: "Ana M. Silva" });
    expect(corrected.recipients[0]).toMatchObject({ id: before.id, email: "ana.silva@example.com", name: "Ana M. Silva" });
    const newLink = (await certyneo.envelopes.get(sent.id)).recipients[0]!.signUrl!;
    expect(newLink).not.toBe(before.signUrl);
    expect((await caught(certyneo.signing.get(before.signUrl!))).status).toBeGreaterThanOrEqual(400);

    const handed = await certyneo.signing.reassign(newLink, { name: "Rui Costa", email: "rui@example.com", reason: "On leave" });
    expect(handed).toEqual({ reassignedTo: { name: "Rui Costa", email: "rui@example.com" } });
    const after = await certyneo.envelopes.get(sent.id);
    expect(after.recipients[0]).toMatchObject({ email: "rui@example.com", name: "Rui Costa" });
  }, 60_000);

  test("signatureImage: a later signer gets the PNG an earlier one drew, by recipient id or by the stamp's imageUrl", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1));
    const sent = await certyneo.envelopes.send((await certyneo.envelopes.create({
      subject: "Two hands", documentIds: [doc.id],
      recipients: [
        { email: "ana@example.com", name: "Ana Silva", fields: [{ documentId: doc.id, type: "signature", page: 1, x: 72, y: 600, width: 160, height: 40 }] },
        { email: "rui@example.com", name: "Rui Costa" },
      ],
    })).id);
    const [ana, rui] = sent.recipients;
    await certyneo.signing.complete(ana!.signUrl!, { signature: { type: "drawn", value: pngDataUrl() }, consent: true });
    const stamp = (await certyneo.signing.get(rui!.signUrl!)).stamps.find((st) => st.imageUrl)!;
    expect(stamp.recipientName).toBe("Ana Silva");
    expect(await certyneo.signing.signatureImage(rui!.signUrl!, stamp.imageUrl!)).toEqual(TINY_PNG);
    expect(await certyneo.signing.signatureImage(rui!.signUrl!, ana!.id)).toEqual(TINY_PNG);
    expect((await caught(certyneo.signing.signatureImage(rui!.signUrl!, rui!.id))).status).toBe(404);
  }, 60_000);

  test("signer authentication: requestCode for an e-mail code, authenticate with an access code", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1));
    const sent = await certyneo.envelopes.send(
      (
        await certyneo.envelopes.create({
          subject: "Prove it",
          documentIds: [doc.id],
          recipients: [
            { email: "ana@example.com", name: "Ana Silva", authentication: { method: "access_code", accessCode: "4821" } },
            { email: "rui@example.com", name: "Rui Costa", authentication: { method: "email_otp" } },
          ],
        })
      ).id,
    );
    const [ana, rui] = sent.recipients.map((r) => r.signUrl!);
    expect((await caught(certyneo.signing.get(ana!))).code).toBe("signing_auth_required");
    expect((await caught(certyneo.signing.authenticate(ana!, "0000"))).code).toBe("auth_code_invalid");
    expect((await certyneo.signing.authenticate(ana!, "4821")).state).toBe("ready");

    const code = await certyneo.signing.requestCode(rui!);
    expect(code.destination).toContain("@example.com");
    expect(code.retryAfterSeconds).toBeGreaterThan(0);
  }, 60_000);
});

describe("errors", () => {
  test("a problem from the server is a CertyneoError with status, code, requestId and the problem", async () => {
    const e = await caught(certyneo.envelopes.create({ subject: "", documentIds: [], recipients: [] }));
    expect(e).toMatchObject({ status: 422, code: "validation_failed" });
    expect(e.problem?.type).toContain("validation_failed");
    expect(e.errors.map((x) => x.pointer)).toContain("/subject");
    const logged = s.logs.find((l) => l.requestId === e.requestId);
    expect(logged).toMatchObject({ method: "POST", path: "/api/v1/envelopes", status: 422 });

    expect(await certyneo.health()).toMatchObject({ status: "ok" });
    const missing = await caught(certyneo.envelopes.get("env_doesnotexist"));
    expect(missing).toMatchObject({ status: 404, code: "not_found" });
    const anonymous = await caught(new Certyneo({ apiKey: "sk_test_nope", baseUrl: s.url }).documents.get("doc_x"));
    expect(anonymous).toMatchObject({ status: 401, code: "unauthorized" });
  });

  test("a revoked key is refused on its next call", async () => {
    const created = await certyneo.keys.create({ name: "short-lived", scopes: ["envelopes", "keys"] });
    expect(created.key).toStartWith("sk_test_");
    expect(created.scopes).toEqual(["envelopes", "keys"]);
    expect((await certyneo.keys.list()).map((k) => k.id)).toContain(created.id);
    const other = new Certyneo({ apiKey: created.key, baseUrl: s.url });
    expect((await other.keys.list()).length).toBeGreaterThan(0);
    expect((await certyneo.keys.revoke(created.id)).revokedAt).not.toBeNull();
    expect((await caught(other.keys.list())).code).toBe("unauthorized");
  });

  test("no answer at all is status 0: network_error, timeout", async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.stop();
    const down = new Certyneo({ apiKey: "sk_test_x", baseUrl: url, maxRetries: 1 });
    expect(await caught(down.documents.get("doc_x"))).toMatchObject({ status: 0, code: "network_error" });

    proxy.plan([{ method: "GET", path: /^\/api\/v1\/documents\//, when: "hang", times: 2 }]);
    const slow = new Certyneo({ apiKey: await s.key(), baseUrl: proxy.url, timeoutMs: 300, maxRetries: 1 });
    expect(await caught(slow.documents.get("doc_x"))).toMatchObject({ status: 0, code: "timeout" });
    expect(proxy.exchanges.length).toBe(2);
  });
});

describe("retries", () => {
  test("GET is retried after a 5xx; PATCH is not", async () => {
    const doc = await certyneo.documents.upload(await makePdf(1));
    const viaProxy = new Certyneo({ apiKey: await s.key(), baseUrl: proxy.url });
    proxy.plan([{ method: "GET", path: /^\/api\/v1\/documents\//, when: "before", status: 502, times: 2 }]);
    expect((await viaProxy.documents.get(doc.id)).id).toBe(doc.id);
    expect(proxy.exchanges.map((x) => x.status)).toEqual([502, 502, 200]);

    const draft = await certyneo.envelopes.create({ subject: "Patch me", documentIds: [doc.id], recipients });
    proxy.plan([{ method: "PATCH", path: /^\/api\/v1\/envelopes\//, when: "before", status: 503 }]);
    expect((await caught(viaProxy.envelopes.update(draft.id, { subject: "Changed" }))).status).toBe(503);
    expect(proxy.exchanges.length).toBe(1);
  });

  test("a fetch of the caller's own carries every call", async () => {
    const seen: string[] = [];
    const client = new Certyneo({ apiKey: await s.key(), baseUrl: s.url, fetch: (url, init) => (seen.push(`${init.method} ${url}`), fetch(url, init)) });
    await client.keys.list();
    expect(seen).toEqual([`GET ${s.url}/api/v1/keys`]);
  });

  test("a POST whose answer was lost is retried with the same Idempotency-Key, and the server replays it", async () => {
    const client = new Certyneo({ apiKey: await s.key("test", "idempotent"), baseUrl: proxy.url });
    const doc = await client.documents.upload(await makePdf(1));
    proxy.plan([{ method: "POST", path: /^\/api\/v1\/envelopes$/, when: "after", status: 503 }]);
    const created = await client.envelopes.create({ subject: "Once", documentIds: [doc.id], recipients });

    const [first, second] = proxy.exchanges;
    expect(proxy.exchanges.length).toBe(2);
    expect(first).toMatchObject({ upstreamStatus: 201, status: 503, replayed: false });
    expect(second).toMatchObject({ upstreamStatus: 201, status: 201, replayed: true });
    expect(first!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.idempotencyKey).toBe(first!.idempotencyKey);
    const once = [];
    for await (const e of client.envelopes.list()) if (e.subject === "Once") once.push(e.id);
    expect(once).toEqual([created.id]);

    proxy.plan([]);
    await client.envelopes.create({ subject: "Twice", documentIds: [doc.id], recipients }, { idempotencyKey: "order-42" });
    await client.envelopes.create({ subject: "Twice", documentIds: [doc.id], recipients }, { idempotencyKey: "order-42" });
    expect(proxy.exchanges.map((x) => [x.idempotencyKey, x.replayed])).toEqual([["order-42", false], ["order-42", true]]);
    expect(proxy.exchanges[0]!.idempotencyKey).not.toBe(first!.idempotencyKey);
  });

  test("429 is retried after Retry-After", async () => {
    const limited = await startTestServer({ realClock: true, env: { CERTYNEO_RATE_LIMIT_BURST: "2", CERTYNEO_RATE_LIMIT_PER_MINUTE: "60" } });
    try {
      const client = new Certyneo({ apiKey: await limited.key(), baseUrl: limited.url });
      for (let i = 0; i < 4; i++) expect((await client.keys.list()).length).toBe(1);
      const statuses = limited.logs.filter((l) => l.msg === "request").map((l) => l.status);
      expect(statuses.filter((x) => x === 200).length).toBe(4);
      expect(statuses).toContain(429);

      const impatient = new Certyneo({ apiKey: await limited.key(), baseUrl: limited.url, maxRetries: 0 });
      await impatient.keys.list().catch(() => {});
      await impatient.keys.list().catch(() => {});
      const e = await caught(impatient.keys.list());
      expect(e).toMatchObject({ status: 429, code: "rate_limited" });
      expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  }, 30_000);
});

describe("webhooks", () => {
  test("create, get, update, list and delete an endpoint", async () => {
    const client = new Certyneo({ apiKey: await s.key("test", "hooks"), baseUrl: s.url });
    const created = await client.webhooks.create({ url: "https://hr.example.com/hooks/certyneo", events: ["envelope.created"] });
    expect(created.secret).toStartWith("whsec_");
    expect((await client.webhooks.get(created.id)).url).toBe(created.url);
    expect((await client.webhooks.update(created.id, { description: "HRIS" })).description).toBe("HRIS");
    const listed = [];
    for await (const w of client.webhooks.list()) listed.push(w.id);
    expect(listed).toEqual([created.id]);
    const doc = await client.documents.upload(await makePdf(1));
    const envelope = await client.envelopes.create({ subject: "Hooked", documentIds: [doc.id], recipients });
    const deliveries = [];
    for await (const d of client.webhooks.deliveries(created.id)) deliveries.push(d);
    expect(deliveries.length).toBe(1);
    const resent = await client.webhooks.resend(created.id, deliveries[0]!.id);
    expect(resent.id).not.toBe(deliveries[0]!.id);
    expect(resent.eventId).toBe(deliveries[0]!.eventId);
    await client.envelopes.delete(envelope.id);
    expect((await client.webhooks.delete(created.id)).deletedAt).toBeString();
  });

  test("verifyWebhook decides as the standardwebhooks package does", async () => {
    const accepted: string[] = [];
    for (const c of webhookCases()) {
      const ours = await verifyWebhook(c.secret, c.headers, c.payload).then(
        (event) => ({ ok: true, event }),
        (e) => {
          expect(e, c.name).toBeInstanceOf(WebhookVerificationError);
          return { ok: false };
        },
      );
      expect(ours, c.name).toEqual(c.expected);
      const fromBytes = await verifyWebhook(c.secret, new Headers(c.headers), new TextEncoder().encode(c.payload)).then(() => true, () => false);
      expect(fromBytes, c.name).toBe(c.expected.ok);
      if (ours.ok) accepted.push(c.name);
    }
    expect(accepted).toEqual(ACCEPTED_CASES);
    const old = webhookCases().find((c) => c.name === "6 minutes old")!;
    expect(await verifyWebhook(old.secret, old.headers, old.payload, { toleranceSeconds: 600 })).toMatchObject({ type: "envelope.completed" });
  });
});
