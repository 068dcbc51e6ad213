/**
 * POST /api/v1/envelopes/{id}/send: DRAFT to SENT, signing links and invitations, retries with an
 * Idempotency-Key, and signing links that survive a restart (the instance secret).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  createEnvelope, envelopeSuite, getEnvelope, jobsOf, pointers, post, quickStart, sendEnvelope, signing, startEnvelopeServer, tokenOf, uploadDoc,
} from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";
import { executionsMatching, executionsOf } from "./helpers/query-plans";
import { tempDir } from "./helpers/spawn";

const { s, doc } = await envelopeSuite();

describe("send", () => {
  test("DRAFT → SENT, every recipient gets a signUrl, the first group is invited; twice: 409", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], [
      { email: "a@example.com", name: "A" },
      { email: "b@example.com", name: "B", routingOrder: 2 },
      { email: "c@example.com", name: "C", role: "CC", routingOrder: 1 },
    ]));
    const before = jobsOf(s, "send_invitation").length;
    const sent = await sendEnvelope(s, e.id);
    expect(sent.status).toBe("SENT");
    expect(sent.sentAt).toBe(s.clock.now().toISOString());
    for (const r of sent.recipients) expect(r.signUrl).toMatch(new RegExp(`^${s.url}/s/[A-Za-z0-9_-]{43}$`));
    expect(new Set(sent.recipients.map((r: any) => r.signUrl)).size).toBe(3);
    expect(sent.recipients.map((r: any) => r.status)).toEqual(["SENT", "PENDING", "PENDING"]);
    const invitations = jobsOf(s, "send_invitation").slice(before);
    expect(invitations.map((j) => j.payload)).toEqual([{ recipientId: sent.recipients[0].id }]);
    expect(sent.audit.events.map((x: any) => x.type)).toEqual(["envelope.created", "envelope.sent", "recipient.invited"]);
    expect((await getEnvelope(s, e.id)).recipients[1].signUrl).toBe(sent.recipients[1].signUrl);

    const again = await post(s, `/api/v1/envelopes/${e.id}/send`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("envelope_already_sent");
  });

  test("a send reads its recipients twice: to issue their links and invite the first group, and for the answer", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B", routingOrder: 2 }]));
    let sent: any;
    const counts = await executionsOf(async () => (sent = await sendEnvelope(s, e.id)));
    expect(sent.recipients.map((r: any) => r.status)).toEqual(["SENT", "PENDING"]);
    expect(executionsMatching(counts, /^select .* from "recipients" where "recipients"."envelope_id" IN /)).toBe(2);
  });

  test("the token is not stored: only its SHA-256", async () => {
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const token = tokenOf(e.recipients[0].signUrl);
    const row = s.deps.db.$client.query("SELECT * FROM recipients WHERE id = ?").get(e.recipients[0].id) as any;
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.token_hash).toBe(sha256(token));
  });

  test("an envelope whose expiresAt passed before sending: 422", async () => {
    const e = await createEnvelope(s, quickStart([doc.id], undefined, { expiresAt: new Date(s.clock.now().getTime() + 60_000).toISOString() }));
    (s.clock as any).advance(120_000);
    const r = await post(s, `/api/v1/envelopes/${e.id}/send`);
    expect(r.status).toBe(422);
    expect(pointers(r.body)).toEqual(["/expiresAt"]);
  });

  test("unknown envelope: 404", async () => {
    const r = await post(s, "/api/v1/envelopes/env_00000000000000000000/send");
    expect(r.status).toBe(404);
  });
});

describe("idempotency", () => {
  test("POST /send retried with its Idempotency-Key replays the first answer instead of a 409", async () => {
    const e = await createEnvelope(s, quickStart([doc.id]));
    const invitations = jobsOf(s, "send_invitation").length;
    const a = await post(s, `/api/v1/envelopes/${e.id}/send`, undefined, { headers: { "idempotency-key": `send-${e.id}` } });
    const b = await post(s, `/api/v1/envelopes/${e.id}/send`, undefined, { headers: { "idempotency-key": `send-${e.id}` } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    // The replay is the first answer with the signing links blanked: they are secrets and are
    // not stored for replays (GET the envelope for them).
    expect(b.body).toEqual({ ...a.body, recipients: a.body.recipients.map((r: any) => ({ ...r, signUrl: null })) });
    expect(b.res.headers.get("idempotent-replayed")).toBe("true");
    expect(jobsOf(s, "send_invitation").length).toBe(invitations + 1);
    expect((await post(s, `/api/v1/envelopes/${e.id}/send`)).status).toBe(409);
  });
});

describe("instance secret", () => {
  test("32 bytes in {dataDir}/instance.key, mode 0600; signUrls survive a restart", async () => {
    const dir = tempDir("certyneo-env-");
    try {
      const a = await startEnvelopeServer({}, { dir });
      const key = await a.key();
      const d = await uploadDoc(a, { key });
      const e = await sendEnvelope(a, (await createEnvelope(a, quickStart([d.id]), key)).id, key);
      const file = join(dir, "instance.key");
      expect(readFileSync(file).length).toBe(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      await a.stop();
      const b = await startEnvelopeServer({ CERTYNEO_BASE_URL: new URL(e.recipients[0].signUrl).origin }, { dir });
      try {
        expect((await getEnvelope(b, e.id, key)).recipients[0].signUrl).toBe(e.recipients[0].signUrl);
        const sess = await signing(b, tokenOf(e.recipients[0].signUrl));
        expect(sess.status).toBe(200);
        expect(sess.body.state).toBe("ready");
      } finally {
        await b.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
