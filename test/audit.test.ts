/**
 * The audit trail: an append-only SHA-256 hash chain per envelope. Unit tests of the chain, then
 * over the real server: every step of a ceremony is an event with actor, IP, user agent and
 * document hashes, the chain verifies, and tampering with any row is detected.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb, type Db } from "../src/store/db";
import { transaction } from "../src/store/transaction";
import { appendAudit, canonicalJson, eventHash, GENESIS_HASH, listAudit, verifyChain, verifyEnvelopeChain, type AuditEvent } from "../src/modules/audit/service";
import { fakeClock } from "./helpers/clock";
import { pdftotext } from "./pdf/render-fixtures";
import type { TestServer } from "./helpers/server";
import { complete, createEnvelope, getEnvelope, quickStart, sendEnvelope, signing, startEnvelopeServer, tokenOf, typed, uploadDoc } from "./helpers/envelopes";

describe("canonical JSON", () => {
  test("sorted keys at every depth, no whitespace, undefined dropped, dates as ISO", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x", null], c: true }, u: undefined })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
    expect(canonicalJson({ at: new Date("2026-01-15T09:00:00Z") })).toBe('{"at":"2026-01-15T09:00:00.000Z"}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
    expect(canonicalJson("é\"")).toBe(JSON.stringify("é\""));
  });

  test("strings and keys written exactly as JSON.stringify writes them", () => {
    const strings = ["", "plain", "quote \" in", "back\\slash", "tab\tnew\nline", "\u0000\u001f\u007f", "\u2028\u2029", "😀 pair", "lone \ud800 high", "lone \udfff low", "é ß 中"];
    for (const s of strings) {
      expect(canonicalJson(s)).toBe(JSON.stringify(s));
      expect(canonicalJson({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
    }
  });
});

describe("chain", () => {
  let dir: string;
  let db: Db;
  const clock = fakeClock();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "certyneo-audit-"));
    db = openDb(join(dir, "a.db"));
    migrate(db);
  });
  afterAll(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function chain(envelopeId: string, n: number): Promise<AuditEvent[]> {
    // The chain continues from the head recorded on its envelope row.
    db.$client.query("INSERT OR IGNORE INTO envelopes (id, environment, subject, status, created_at, updated_at) VALUES (?, 'test', 's', 'DRAFT', 0, 0)").run(envelopeId);
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      await transaction(db, (tx) => appendAudit(tx, clock, {
        envelopeId, type: i === 0 ? "envelope.created" : "recipient.viewed", actor: i === 0 ? "api:key_x" : "recipient:rcp_y <a@example.com>",
        ip: "10.0.0.1", userAgent: "UA", data: { i, nested: { z: 1, a: [1, 2] } },
      }));
    }
    return listAudit(db, envelopeId);
  }

  test("the first prevHash is 64 zeros; each hash is SHA-256(prevHash + canonical JSON)", async () => {
    const events = await chain("env_chain1", 3);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toBe("0".repeat(64));
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    const e = events[0]!;
    const expected = new Bun.CryptoHasher("sha256").update(GENESIS_HASH + canonicalJson({
      envelopeId: e.envelopeId, seq: e.seq, type: e.type, at: e.at.toISOString(), actor: e.actor, ip: e.ip, userAgent: e.userAgent, data: e.data,
    })).digest("hex");
    expect(e.hash).toBe(expected);
    expect(eventHash(GENESIS_HASH, e)).toBe(expected);
    expect(verifyChain(events)).toEqual({ valid: true, count: 3, head: events[2]!.hash });
    expect(verifyChain([])).toEqual({ valid: true, count: 0, head: GENESIS_HASH });
  });

  test("chains are per envelope", async () => {
    const a = await chain("env_chainA", 2);
    const b = await chain("env_chainB", 1);
    expect(b[0]!.seq).toBe(1);
    expect(b[0]!.prevHash).toBe(GENESIS_HASH);
    expect(verifyChain(a).valid).toBe(true);
    expect(verifyChain([...a, ...b]).valid).toBe(false);
  });

  test("any change is detected: content, hash, removal, insertion, reordering", async () => {
    const events = await chain("env_chain2", 4);
    const edit = (i: number, patch: Partial<AuditEvent>) => events.map((e, j) => (j === i ? { ...e, ...patch } : e));
    expect(verifyChain(edit(1, { actor: "api:key_other" }))).toMatchObject({ valid: false, brokenAt: 2, reason: expect.stringContaining("hash") });
    expect(verifyChain(edit(2, { data: { i: 2, nested: { z: 2, a: [1, 2] } } }))).toMatchObject({ valid: false, brokenAt: 3 });
    expect(verifyChain(edit(0, { at: new Date(events[0]!.at.getTime() + 1) }))).toMatchObject({ valid: false, brokenAt: 1 });
    expect(verifyChain(edit(3, { ip: null }))).toMatchObject({ valid: false, brokenAt: 4 });
    // Recomputing the edited row's hash breaks the link to the next row instead.
    const forged = { ...events[1]!, type: "recipient.signed" };
    forged.hash = eventHash(forged.prevHash, forged);
    expect(verifyChain(events.map((e, j) => (j === 1 ? forged : e)))).toMatchObject({ valid: false, brokenAt: 3, reason: expect.stringContaining("prevHash") });
    expect(verifyChain(events.filter((_, j) => j !== 2))).toMatchObject({ valid: false, brokenAt: 4 });
    expect(verifyChain(events.slice(1))).toMatchObject({ valid: false });
    const swapped = [events[0]!, { ...events[2]!, seq: 2 }, { ...events[1]!, seq: 3 }, events[3]!];
    expect(verifyChain(swapped).valid).toBe(false);
  });

  test("two events with the same seq cannot both be stored (no fork)", async () => {
    const [e] = await chain("env_chain3", 1);
    expect(() => db.insert((require("../src/store/schema") as typeof import("../src/store/schema")).auditEvents).values({ ...e!, hash: "f".repeat(64) }).run()).toThrow();
  });
});

describe("over the real server", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startEnvelopeServer();
  });
  afterAll(() => s.stop());

  test("every step is recorded with time, actor, IP, user agent and the documents' SHA-256", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const token = tokenOf(e.recipients[0].signUrl);
    await signing(s, token);
    await signing(s, token, `/documents/${doc.id}`);
    await complete(s, token, typed());
    const events = await listAudit(s.deps.db, e.id);
    const byType = Object.fromEntries(events.map((x) => [x.type, x]));
    expect(Object.keys(byType)).toEqual(["envelope.created", "envelope.sent", "recipient.invited", "recipient.viewed", "document.downloaded", "recipient.signed", "envelope.completed"]);
    // (No asymmetric matchers inside toMatchObject here: bun's replaces the matched property in the received object.)
    expect(byType["envelope.created"]!.actor).toMatch(/^api:key_/);
    expect(byType["envelope.created"]!.ip).toBe("127.0.0.1");
    expect(byType["envelope.created"]!.data!.documents).toEqual([{ id: doc.id, name: "contract.pdf", sha256: doc.sha256 }]);
    expect(byType["envelope.sent"]!.data!.documents).toEqual([{ id: doc.id, name: "contract.pdf", sha256: doc.sha256 }]);
    const recipient = `recipient:${e.recipients[0].id} <jane@example.com>`;
    for (const t of ["recipient.viewed", "document.downloaded", "recipient.signed"])
      expect(byType[t]).toMatchObject({ actor: recipient, ip: "127.0.0.1", userAgent: "TestBrowser/1.0" });
    expect(byType["document.downloaded"]!.data).toMatchObject({ documentId: doc.id, sha256: doc.sha256 });
    expect(byType["recipient.signed"]!.data!.documents).toEqual([{ id: doc.id, name: "contract.pdf", sha256: doc.sha256 }]);
    expect(byType["envelope.completed"]).toMatchObject({ actor: "system", ip: null, userAgent: null });
    expect(byType["envelope.completed"]!.data!.documents).toEqual([{ id: doc.id, name: "contract.pdf", sha256: doc.sha256 }]);
    expect(verifyChain(events)).toMatchObject({ valid: true });

    const summary = (await getEnvelope(s, e.id)).audit;
    expect(summary).toEqual({
      count: 7,
      head: events.at(-1)!.hash,
      valid: true,
      events: events.slice(-5).map((x) => ({ seq: x.seq, type: x.type, at: x.at.toISOString(), actor: x.actor })),
    });
  });

  test("tampering with a stored row is detected by the full check the audit-trail PDF reports", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    await complete(s, tokenOf(e.recipients[0].signUrl), typed());
    expect(verifyChain(await listAudit(s.deps.db, e.id)).valid).toBe(true);
    expect((await verifyEnvelopeChain(s.deps.db, e.id)).chain.valid).toBe(true);

    // Someone with database access rewrites the signer's IP.
    s.deps.db.$client.query("UPDATE audit_events SET ip = '203.0.113.9' WHERE envelope_id = ? AND type = 'recipient.signed'").run(e.id);
    const check = verifyChain(await listAudit(s.deps.db, e.id));
    expect(check.valid).toBe(false);
    const signedSeq = (await listAudit(s.deps.db, e.id)).find((x) => x.type === "recipient.signed")!.seq;
    expect(check.brokenAt).toBe(signedSeq);
    expect((await verifyEnvelopeChain(s.deps.db, e.id)).chain).toMatchObject({ valid: false, brokenAt: signedSeq });
    // GET's summary recomputes no hash (docs/decisions.md): the trail is where integrity is reported.
    expect((await getEnvelope(s, e.id)).audit.valid).toBe(true);
    const trail = await s.api(`/api/v1/envelopes/${e.id}/audit-trail`);
    expect(trail.status).toBe(200);
    expect(pdftotext(new Uint8Array(await trail.arrayBuffer()))).toContain("BROKEN");
  });

  test("a removed last event: GET's summary no longer matches the recorded head, and the full check says so", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const before = (await getEnvelope(s, e.id)).audit;
    expect(before.valid).toBe(true);
    s.deps.db.$client.query("DELETE FROM audit_events WHERE envelope_id = ? AND seq = ?").run(e.id, before.count);
    // What is left is a valid chain on its own: only the recorded head shows the cut.
    expect(verifyChain(await listAudit(s.deps.db, e.id)).valid).toBe(true);
    expect((await verifyEnvelopeChain(s.deps.db, e.id)).chain).toMatchObject({ valid: false, brokenAt: before.count });
    const after = (await getEnvelope(s, e.id)).audit;
    expect(after).toMatchObject({ count: before.count, head: before.head, valid: false });
    expect(after.events.at(-1)!.seq).toBe(before.count - 1);
    // The audit-trail PDF reports the cut too: its check ends at the recorded head.
    const trail = await s.api(`/api/v1/envelopes/${e.id}/audit-trail`);
    expect(trail.status).toBe(200);
    expect(pdftotext(new Uint8Array(await trail.arrayBuffer()))).toContain("BROKEN");
  });

  test("an append continues from the recorded head, so a removed tail stays visible as a gap", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    const count = (await getEnvelope(s, e.id)).audit.count;
    s.deps.db.$client.query("DELETE FROM audit_events WHERE envelope_id = ? AND seq = ?").run(e.id, count);
    await signing(s, tokenOf(e.recipients[0].signUrl));
    const events = await listAudit(s.deps.db, e.id);
    expect(events.at(-1)!.seq).toBe(count + 1);
    expect(verifyChain(events)).toMatchObject({ valid: false, brokenAt: count + 1 });
  });

  test("deleting a row is detected too", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    s.deps.db.$client.query("DELETE FROM audit_events WHERE envelope_id = ? AND seq = 2").run(e.id);
    expect(verifyChain(await listAudit(s.deps.db, e.id))).toMatchObject({ valid: false, brokenAt: 3 });
  });
});
