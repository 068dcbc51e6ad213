/**
 * The signing ceremony through its JSON API (no browser): sessions, documents, signing typed and
 * drawn, fields, routing (parallel, sequential, custom with approvers and CCs), decline, void,
 * expiry with the fake clock, and every refusal.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { crc32 } from "node:zlib";
import type { FakeClock } from "./helpers/clock";
import type { TestServer } from "./helpers/server";
import { parseMail, startSmtpSink, type SmtpSink } from "./helpers/smtp";
import {
  complete, createEnvelope, decline, getEnvelope, jobsOf, pngDataUrl, quickStart, sendEnvelope, signing,
  startEnvelopeServer, tokenOf, TINY_PNG, typed, uploadDoc,
} from "./helpers/envelopes";

let s: TestServer;
let clock: FakeClock;
let doc: { id: string; sha256: string; pages: { width: number; height: number }[] };
let doc2: { id: string; sha256: string };

beforeAll(async () => {
  s = startEnvelopeServer();
  clock = s.clock as FakeClock;
  doc = await uploadDoc(s, { pages: 2 });
  doc2 = await uploadDoc(s, { pages: 1, name: "annex.pdf" });
});
afterAll(() => s.stop());

async function sent(body: unknown) {
  const e = await createEnvelope(s, body);
  const out = await sendEnvelope(s, e.id);
  return { e: out, tokens: out.recipients.map((r: any) => tokenOf(r.signUrl)) as string[] };
}

const sha256 = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");
const pointers = (body: any) => (body.errors ?? []).map((e: any) => e.pointer);

describe("lifecycle", () => {
  test("one signer: open, view, download, sign → COMPLETED, sealing and notices queued, evidence kept", async () => {
    const { e, tokens } = await sent(quickStart([doc.id, doc2.id], undefined, { message: "Please sign", locale: "fr" }));
    const [token] = tokens;

    const sess = await signing(s, token!);
    expect(sess.status).toBe(200);
    expect(sess.res.headers.get("cache-control")).toBe("no-store");
    expect(sess.body).toEqual({
      envelope: { id: e.id, subject: "Employment contract", message: "Please sign", status: "SENT", locale: "fr", expiresAt: null },
      recipient: { id: e.recipients[0].id, name: "Jane Doe", email: "jane@example.com", role: "SIGNER", status: "VIEWED" },
      state: "ready",
      documents: [
        { id: doc.id, name: "contract.pdf", sha256: doc.sha256, pageCount: 2, pages: doc.pages, url: `/api/v1/signing/${token}/documents/${doc.id}` },
        { id: doc2.id, name: "annex.pdf", sha256: doc2.sha256, pageCount: 1, pages: expect.any(Array), url: `/api/v1/signing/${token}/documents/${doc2.id}` },
      ],
      signedDocument: null,
      fields: [],
    });
    let env = await getEnvelope(s, e.id);
    expect(env.recipients[0]).toMatchObject({ status: "VIEWED", viewedAt: clock.now().toISOString() });
    // A second open records nothing more.
    const count = env.audit.count;
    await signing(s, token!);
    expect((await getEnvelope(s, e.id)).audit.count).toBe(count);

    const pdf = await signing(s, token!, `/documents/${doc.id}`);
    expect(pdf.status).toBe(200);
    expect(pdf.res.headers.get("content-type")).toBe("application/pdf");
    expect(sha256(pdf.body)).toBe(doc.sha256);
    expect((await signing(s, token!, `/documents/doc_00000000000000000000`)).status).toBe(404);

    clock.advance(60_000);
    const done = await complete(s, token!, typed("Jane Doe"));
    expect(done.status).toBe(200);
    expect(done.body.state).toBe("completed");
    expect(done.body.recipient.status).toBe("SIGNED");
    expect(done.body.documents).toEqual([]);
    expect(done.body.signedDocument).toEqual({ url: `/api/v1/signing/${token}/signed-document` });

    env = await getEnvelope(s, e.id);
    expect(env.status).toBe("COMPLETED");
    expect(env.completedAt).toBe(clock.now().toISOString());
    expect(env.sealStatus).toBe("PENDING");
    expect(env.recipients[0]).toMatchObject({ status: "SIGNED", signedAt: clock.now().toISOString() });
    expect(env.audit.valid).toBe(true);
    expect(jobsOf(s, "seal_envelope").map((j) => j.payload)).toContainEqual({ envelopeId: e.id });
    expect(jobsOf(s, "notify_completed").map((j) => j.payload)).toContainEqual({ envelopeId: e.id });

    const row = s.deps.db.$client.query("SELECT * FROM recipients WHERE id = ?").get(e.recipients[0].id) as any;
    expect(row).toMatchObject({ signature_type: "typed", signature_value: "Jane Doe", ip: "127.0.0.1", user_agent: "TestBrowser/1.0", signature_image_sha256: null });

    const types = (s.deps.db.$client.query("SELECT type FROM audit_events WHERE envelope_id = ? ORDER BY seq").all(e.id) as any[]).map((r) => r.type);
    expect(types).toEqual(["envelope.created", "envelope.sent", "recipient.invited", "recipient.viewed", "document.downloaded", "recipient.signed", "envelope.completed"]);

    // Twice: 409, even though the envelope has ended; declining now: 409 too.
    const twice = await complete(s, token!);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe("signing_already_done");
    expect((await decline(s, token!)).status).toBe(409);
    // The ended envelope's documents are no longer served.
    const closed = await signing(s, token!, `/documents/${doc.id}`);
    expect(closed.status).toBe(410);
    expect(closed.body.code).toBe("signing_closed");
  });

  test("the invitation e-mail's link opens the session and signs", async () => {
    const sink: SmtpSink = await startSmtpSink();
    const m = startEnvelopeServer(sink.env);
    try {
      const d = await uploadDoc(m);
      const e = await sendEnvelope(m, (await createEnvelope(m, quickStart([d.id]))).id);
      await m.running.app.jobs.drain();
      const [mail] = await sink.waitFor(1);
      expect(mail!.to).toEqual(["jane@example.com"]);
      const link = /https?:\/\/\S+\/s\/[A-Za-z0-9_-]{43}/.exec(mail!.text)?.[0];
      expect(link).toBe(e.recipients[0].signUrl);
      const token = tokenOf(link!);
      expect((await signing(m, token)).body.state).toBe("ready");
      expect((await complete(m, token)).body.state).toBe("completed");
      expect((await getEnvelope(m, e.id)).status).toBe("COMPLETED");
    } finally {
      await m.stop();
      await sink.close();
    }
  });
});

describe("concurrency and events", () => {
  test("the same completion sent twice at once: one 200, one 409; parallel last signers: one completion", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }, { email: "c@example.com", name: "C" }]));
    const drawn = { signature: { type: "drawn", value: pngDataUrl() }, consent: true };
    const [x, y] = await Promise.all([complete(s, tokens[0]!, drawn), complete(s, tokens[0]!, drawn)]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const results = await Promise.all([complete(s, tokens[1]!, typed("B")), complete(s, tokens[2]!, typed("C"))]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await getEnvelope(s, e.id)).status).toBe("COMPLETED");
    expect(jobsOf(s, "seal_envelope").filter((j) => j.payload.envelopeId === e.id)).toHaveLength(1);
    const types = (s.deps.db.$client.query("SELECT type FROM audit_events WHERE envelope_id = ? ORDER BY seq").all(e.id) as any[]).map((r) => r.type);
    expect(types.filter((t) => t === "recipient.signed")).toHaveLength(3);
    expect(types.filter((t) => t === "envelope.completed")).toHaveLength(1);
  });

  test("webhook events follow the ceremony, each carrying the envelope as it was then", async () => {
    const events = (id: string) => (s.deps.db.$client.query("SELECT payload FROM webhook_events ORDER BY rowid").all() as any[])
      .map((r) => JSON.parse(r.payload)).filter((p) => p.data.envelope.id === id);
    const { e, tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }], { signingOrder: "sequential" }));
    await signing(s, tokens[0]!);
    await complete(s, tokens[0]!, typed("A"));
    await signing(s, tokens[1]!);
    await complete(s, tokens[1]!, typed("B"));
    const got = events(e.id);
    expect(got.map((p) => p.type)).toEqual([
      "envelope.created", "envelope.sent", "recipient.viewed", "recipient.signed", "recipient.viewed", "recipient.signed", "envelope.completed",
    ]);
    // recipient.signed is recorded before the next group is invited: B is still PENDING in it.
    expect(got[3].data.envelope.recipients.map((r: any) => r.status)).toEqual(["SIGNED", "PENDING"]);
    expect(got[4].data.envelope.recipients.map((r: any) => r.status)).toEqual(["SIGNED", "VIEWED"]);
    // The envelope as GET returns it, without the signing links.
    const { recipients, ...rest } = await getEnvelope(s, e.id);
    expect(got.at(-1).data.envelope).toEqual({ ...rest, recipients: recipients.map(({ signUrl: _, ...r }: any) => r) });
    expect(got.flatMap((p) => p.data.envelope.recipients).some((r: any) => "signUrl" in r)).toBe(false);

    const d = await sent(quickStart([doc.id]));
    await decline(s, d.tokens[0]!);
    expect(events(d.e.id).map((p) => p.type)).toEqual(["envelope.created", "envelope.sent", "envelope.declined"]);
    const x = await sent(quickStart([doc.id], undefined, { expiresAt: new Date(clock.now().getTime() + 1000).toISOString() }));
    clock.advance(2000);
    await signing(s, x.tokens[0]!);
    expect(events(x.e.id).map((p) => p.type)).toEqual(["envelope.created", "envelope.sent", "envelope.expired"]);
  });
});

describe("the signed document", () => {
  test("every recipient's link downloads the sealed PDF once COMPLETED (409 before, 410 if it ended otherwise)", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "cc@example.com", name: "CC", role: "CC" }]));
    const early = await signing(s, tokens[0]!, "/signed-document");
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("envelope_not_completed");
    await complete(s, tokens[0]!, typed("A"));
    const cc = await signing(s, tokens[1]!);
    expect(cc.body.state).toBe("completed");
    // A signing link never starts the seal itself: the background job does.
    expect((await signing(s, tokens[1]!, "/signed-document")).body.code).toBe("seal_pending");
    await s.running.app.jobs.drain();
    const pdf = await signing(s, tokens[1]!, cc.body.signedDocument.url.replace(`/api/v1/signing/${tokens[1]}`, ""));
    expect(pdf.status).toBe(200);
    expect(pdf.res.headers.get("content-type")).toBe("application/pdf");
    expect(new TextDecoder().decode(pdf.body.slice(0, 5))).toBe("%PDF-");
    const env = await getEnvelope(s, e.id);
    expect(env.sealStatus).toBe("SEALED");
    const last = (s.deps.db.$client.query("SELECT actor, data FROM audit_events WHERE envelope_id = ? AND type = 'document.downloaded' ORDER BY seq DESC").get(e.id) as any);
    expect(last.actor).toBe(`recipient:${e.recipients[1].id} <cc@example.com>`);
    expect(JSON.parse(last.data)).toEqual({ recipientId: e.recipients[1].id, signed: true, sha256: sha256(pdf.body) });

    const other = await sent(quickStart([doc.id]));
    await decline(s, other.tokens[0]!);
    expect((await signing(s, other.tokens[0]!)).body.signedDocument).toBeNull();
    expect((await signing(s, other.tokens[0]!, "/signed-document")).status).toBe(410);
  });
});

describe("download file names", () => {
  test("one Content-Disposition: ASCII filename without quotes, exact name in filename*; inline for signers, attachment for the API", async () => {
    const odd = await uploadDoc(s, { name: 'Contrat "été" (v2).pdf' });
    const { e, tokens } = await sent(quickStart([odd.id], undefined, { subject: "Offre d'emploi" }));
    const pdf = await signing(s, tokens[0]!, `/documents/${odd.id}`);
    expect(pdf.res.headers.get("content-disposition"))
      .toBe(`inline; filename="Contrat __t__ (v2).pdf"; filename*=UTF-8''Contrat%20%22%C3%A9t%C3%A9%22%20%28v2%29.pdf`);
    await complete(s, tokens[0]!, typed());
    await s.running.app.jobs.drain();
    const signed = await signing(s, tokens[0]!, "/signed-document");
    expect(signed.res.headers.get("content-disposition")).toBe(`inline; filename="Offre-demploi-signed.pdf"; filename*=UTF-8''Offre-demploi-signed.pdf`);
    const api = await s.api(`/api/v1/envelopes/${e.id}/signed-document`);
    expect(api.status).toBe(200);
    expect(api.headers.get("content-disposition")).toBe(`attachment; filename="Offre-demploi-signed.pdf"; filename*=UTF-8''Offre-demploi-signed.pdf`);
  });
});

describe("routing", () => {
  test("parallel: everyone signs at once, completion with the last", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    expect(e.recipients.map((r: any) => r.status)).toEqual(["SENT", "SENT"]);
    expect((await signing(s, tokens[1]!)).body.state).toBe("ready");
    expect((await complete(s, tokens[1]!, typed("B"))).body.state).toBe("signed");
    expect((await getEnvelope(s, e.id)).status).toBe("SENT");
    expect((await signing(s, tokens[1]!)).body.state).toBe("signed");
    expect((await complete(s, tokens[0]!, typed("A"))).body.state).toBe("completed");
    expect((await getEnvelope(s, e.id)).status).toBe("COMPLETED");
    expect((await signing(s, tokens[1]!)).body.state).toBe("completed");
  });

  test("sequential: the next signer is invited when the previous one signs; out of turn: 409", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [
      { email: "a@example.com", name: "A" },
      { email: "b@example.com", name: "B" },
      { email: "cc@example.com", name: "CC", role: "CC" },
    ], { signingOrder: "sequential" }));
    expect(e.recipients.map((r: any) => [r.routingOrder, r.status])).toEqual([[1, "SENT"], [2, "PENDING"], [2, "PENDING"]]);
    const invited = () => jobsOf(s, "send_invitation").map((j) => j.payload.recipientId).filter((id) => e.recipients.some((r: any) => r.id === id));
    expect(invited()).toEqual([e.recipients[0].id]);

    const waiting = await signing(s, tokens[1]!);
    expect(waiting.body.state).toBe("waiting");
    expect(waiting.body.recipient.status).toBe("PENDING"); // opening early does not count as viewed
    const early = await complete(s, tokens[1]!, typed("B"));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("signing_not_your_turn");
    expect((await decline(s, tokens[1]!)).body.code).toBe("signing_not_your_turn");

    expect((await complete(s, tokens[0]!, typed("A"))).body.state).toBe("signed");
    expect(invited()).toEqual([e.recipients[0].id, e.recipients[1].id]);
    let env = await getEnvelope(s, e.id);
    expect(env.recipients.map((r: any) => r.status)).toEqual(["SIGNED", "SENT", "PENDING"]);
    expect((await signing(s, tokens[1]!)).body.state).toBe("ready");

    // A CC never signs.
    expect((await signing(s, tokens[2]!)).body.state).toBe("waiting");
    const cc = await complete(s, tokens[2]!, typed("CC"));
    expect(cc.status).toBe(409);
    expect(cc.body.code).toBe("signing_not_required");

    expect((await complete(s, tokens[1]!, typed("B"))).body.state).toBe("completed");
    env = await getEnvelope(s, e.id);
    expect(env.status).toBe("COMPLETED");
    expect(env.recipients.map((r: any) => r.status)).toEqual(["SIGNED", "SIGNED", "SENT"]);
    expect(invited()).toHaveLength(2); // the CC hears through notify_completed, not an invitation
    expect((await signing(s, tokens[2]!)).body.state).toBe("completed");
  });

  test("custom groups with an APPROVER: the group of order 1 completes before order 2 is invited", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [
      { email: "a@example.com", name: "A", routingOrder: 1 },
      { email: "hr@example.com", name: "HR", role: "APPROVER", routingOrder: 1 },
      { email: "ceo@example.com", name: "CEO", routingOrder: 5 },
    ]));
    expect(e.recipients.map((r: any) => r.status)).toEqual(["SENT", "SENT", "PENDING"]);
    // An approver needs consent, no signature.
    const noConsent = await complete(s, tokens[1]!, { consent: false });
    expect(noConsent.status).toBe(422);
    expect(pointers(noConsent.body)).toEqual(["/consent"]);
    expect((await complete(s, tokens[1]!, { consent: true })).body.state).toBe("signed");
    expect((await getEnvelope(s, e.id)).recipients[2].status).toBe("PENDING");
    await complete(s, tokens[0]!, typed("A"));
    expect((await getEnvelope(s, e.id)).recipients[2].status).toBe("SENT");
    await complete(s, tokens[2]!, typed("CEO"));
    const env = await getEnvelope(s, e.id);
    expect(env.status).toBe("COMPLETED");
    const types = (s.deps.db.$client.query("SELECT type FROM audit_events WHERE envelope_id = ? ORDER BY seq").all(e.id) as any[]).map((r) => r.type);
    expect(types.filter((t) => t.startsWith("recipient.") && t !== "recipient.invited")).toEqual(["recipient.approved", "recipient.signed", "recipient.signed"]);
  });
});

describe("signatures and fields", () => {
  const fieldsEnvelope = () => quickStart([doc.id], [{
    email: "jane@example.com", name: "Jane Marie Doe",
    fields: [
      { documentId: doc.id, type: "signature", page: 2, x: 72, y: 700, width: 200, height: 60 },
      { documentId: doc.id, type: "initials", page: 1, x: 500, y: 780, width: 40, height: 30 },
      { documentId: doc.id, type: "date", page: 2, x: 300, y: 700, width: 100, height: 20 },
      { documentId: doc.id, type: "text", page: 1, x: 72, y: 200, width: 200, height: 20, label: "Job title" },
      { documentId: doc.id, type: "checkbox", page: 1, x: 72, y: 240, width: 12, height: 12, label: "I accept" },
      { documentId: doc.id, type: "text", page: 1, x: 72, y: 300, width: 200, height: 20, required: false, label: "Comment" },
    ],
  }, { email: "other@example.com", name: "Other", fields: [{ documentId: doc.id, type: "text", page: 1, x: 1, y: 1, width: 5, height: 5 }] }]);

  test("the session shows only this recipient's fields, in place", async () => {
    const { e, tokens } = await sent(fieldsEnvelope());
    const sess = (await signing(s, tokens[0]!)).body;
    expect(sess.fields).toHaveLength(6);
    expect(sess.fields.every((f: any) => e.fields.find((x: any) => x.id === f.id).recipientId === e.recipients[0].id)).toBe(true);
    expect(sess.fields[0]).toEqual({ id: e.fields[0].id, documentId: doc.id, type: "signature", page: 2, x: 72, y: 700, width: 200, height: 60, required: true, label: null, value: null });
  });

  test("required fields, checkbox, unknown field, consent, missing signature: 422 with pointers, nothing stored", async () => {
    const { e, tokens } = await sent(fieldsEnvelope());
    const f = e.fields;
    const r = await complete(s, tokens[0]!, { fields: { [f[4].id]: false, [e.fields[6].id]: "not mine", "a/b": "x" }, consent: false });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("validation_failed");
    expect(pointers(r.body).sort()).toEqual(["/consent", `/fields/${e.fields[6].id}`, "/fields/a~1b", `/fields/${f[3].id}`, `/fields/${f[4].id}`, "/signature"].sort());
    const env = await getEnvelope(s, e.id);
    expect(env.recipients[0].status).toBe("SENT");
    expect(env.fields.every((x: any) => x.value === null)).toBe(true);

    const missingConsent = await complete(s, tokens[0]!, { signature: { type: "typed", value: "J" } });
    expect(missingConsent.status).toBe(422);
    expect(pointers(missingConsent.body)).toContain("/consent");
  });

  test("values are stored; empty date gets the signing date, empty initials the signer's", async () => {
    const { e, tokens } = await sent(fieldsEnvelope());
    const f = e.fields;
    const r = await complete(s, tokens[0]!, { signature: { type: "typed", value: "Jane M. Doe" }, fields: { [f[3].id]: "  Engineer ", [f[4].id]: true }, consent: true });
    expect(r.status).toBe(200);
    expect(r.body.state).toBe("signed");
    const env = await getEnvelope(s, e.id);
    const byId = Object.fromEntries(env.fields.map((x: any) => [x.id, x.value]));
    expect(byId[f[0].id]).toBe("Jane M. Doe");
    expect(byId[f[1].id]).toBe("JMD");
    expect(byId[f[2].id]).toBe(clock.now().toISOString().slice(0, 10));
    expect(byId[f[3].id]).toBe("Engineer");
    expect(byId[f[4].id]).toBe("true");
    expect(byId[f[5].id]).toBeNull();
    expect(byId[f[6].id]).toBeNull(); // the other recipient's
    const signedEvent = (s.deps.db.$client.query("SELECT data FROM audit_events WHERE envelope_id = ? AND type = 'recipient.signed'").get(e.id) as any);
    const data = JSON.parse(signedEvent.data);
    expect(data.signature).toEqual({ type: "typed", name: "Jane M. Doe" });
    expect(data.consent).toBe(true);
    expect(data.fields[f[3].id]).toBe("Engineer");
    expect(data.documents).toEqual([{ id: doc.id, name: "contract.pdf", sha256: doc.sha256 }]);
  });

  test("typed signature: 1 to 100 characters", async () => {
    const { tokens } = await sent(quickStart([doc.id]));
    for (const value of ["", "   ", "x".repeat(101)]) {
      const r = await complete(s, tokens[0]!, { signature: { type: "typed", value }, consent: true });
      expect(r.status).toBe(422);
      expect(pointers(r.body)).toEqual(["/signature/value"]);
    }
    expect((await complete(s, tokens[0]!, { signature: { type: "typed", value: "x".repeat(100) }, consent: true })).status).toBe(200);
  });

  test("drawn signature: a real PNG data URL up to 500 KB, kept in the file store", async () => {
    const { e, tokens } = await sent(quickStart([doc.id]));
    const bad = [
      "data:image/jpeg;base64,/9j/4AAQ",
      "https://example.com/sig.png",
      "data:image/png;base64," + Buffer.from("GIF89a not a png at all........").toString("base64"),
      "data:image/png;base64,!!!!",
      pngDataUrl(new Uint8Array([...TINY_PNG, ...new Uint8Array(400 * 1024)])), // 400 KB of bytes is ~534 KB of base64
    ];
    for (const value of bad) {
      const r = await complete(s, tokens[0]!, { signature: { type: "drawn", value }, consent: true });
      expect(r.status).toBe(422);
      expect(pointers(r.body)).toEqual(["/signature/value"]);
    }
    const big = new Uint8Array([...TINY_PNG, ...new Uint8Array(300 * 1024)]);
    const r = await complete(s, tokens[0]!, { signature: { type: "drawn", value: pngDataUrl(big) }, consent: true });
    expect(r.status).toBe(200);
    const row = s.deps.db.$client.query("SELECT signature_type, signature_value, signature_image_sha256 FROM recipients WHERE id = ?").get(e.recipients[0].id) as any;
    expect(row).toEqual({ signature_type: "drawn", signature_value: null, signature_image_sha256: sha256(big) });
    expect(sha256(await s.deps.files.get(row.signature_image_sha256))).toBe(sha256(big));
  });

  test("a drawn signature that cannot be decoded: 422, and the envelope stays SENT", async () => {
    const { e, tokens } = await sent(quickStart([doc.id]));
    // TINY_PNG is signature, IHDR (8..33), IDAT (33..58), IEND (58..69).
    const resized = (w: number, h: number) => {
      const b = Buffer.from(TINY_PNG);
      b.writeUInt32BE(w, 16);
      b.writeUInt32BE(h, 20);
      b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
      return new Uint8Array(b);
    };
    const bad: [string, Uint8Array][] = [
      ["truncated", TINY_PNG.slice(0, 50)],
      ["truncated before IEND", TINY_PNG.slice(0, 58)],
      ["40-byte fake: signature and IHDR, then zeros", new Uint8Array([...TINY_PNG.slice(0, 33), 0, 0, 0, 0, 0, 0, 0])],
      ["bad CRC", new Uint8Array([...TINY_PNG.slice(0, 54), 0, 0, 0, 0, ...TINY_PNG.slice(58)])],
      ["5000 pixels wide", resized(5000, 1)],
    ];
    for (const [what, png] of bad) {
      const r = await complete(s, tokens[0]!, { signature: { type: "drawn", value: pngDataUrl(png) }, consent: true });
      expect(r.status, what).toBe(422);
      expect(pointers(r.body), what).toEqual(["/signature/value"]);
    }
    const env = await getEnvelope(s, e.id);
    expect(env.status).toBe("SENT");
    expect(env.recipients[0].status).toBe("SENT");
    // 4000 pixels is allowed, but the 1-pixel image data then no longer matches IHDR.
    expect((await complete(s, tokens[0]!, { signature: { type: "drawn", value: pngDataUrl(resized(4000, 1)) }, consent: true })).body.errors[0].message)
      .toContain("does not match the size in IHDR");
    expect((await complete(s, tokens[0]!, { signature: { type: "drawn", value: pngDataUrl() }, consent: true })).status).toBe(200);
  });

  test("a malformed body: 422 from the schema, 400 when not JSON", async () => {
    const { tokens } = await sent(quickStart([doc.id]));
    expect((await complete(s, tokens[0]!, { signature: { type: "stamp", value: "x" }, consent: true })).status).toBe(422);
    expect((await complete(s, tokens[0]!, { ...typed(), extra: 1 })).status).toBe(422);
    const empty = await signing(s, tokens[0]!, "/complete", { method: "POST", headers: { "content-type": "application/json" } });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe("invalid_json");
    expect((await signing(s, tokens[0]!, "/complete", { json: {} })).status).toBe(422);
  });
});

describe("decline", () => {
  test("ends the envelope DECLINED, tells the others; their links then answer 410", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    await complete(s, tokens[0]!, typed("A"));
    const empty = await decline(s, tokens[1]!, "   ");
    expect(empty.status).toBe(422);
    expect(pointers(empty.body)).toEqual(["/reason"]);
    expect((await signing(s, tokens[1]!, "/decline", { json: {} })).status).toBe(422);
    expect((await decline(s, tokens[1]!, "x".repeat(1001))).status).toBe(422);

    const r = await decline(s, tokens[1]!, "The salary is wrong");
    expect(r.status).toBe(200);
    expect(r.body.state).toBe("declined");
    expect(r.body.recipient.status).toBe("DECLINED");
    const env = await getEnvelope(s, e.id);
    expect(env).toMatchObject({ status: "DECLINED", statusReason: "The salary is wrong", endedAt: clock.now().toISOString() });
    expect(env.recipients[1]).toMatchObject({ status: "DECLINED", declineReason: "The salary is wrong", declinedAt: clock.now().toISOString() });
    expect(jobsOf(s, "notify_declined").map((j) => j.payload)).toContainEqual({ envelopeId: e.id });
    expect(jobsOf(s, "seal_envelope").map((j) => j.payload)).not.toContainEqual({ envelopeId: e.id });

    expect((await signing(s, tokens[0]!)).body.state).toBe("declined");
    const again = await decline(s, tokens[1]!);
    expect(again.body.code).toBe("signing_already_done");
    const row = s.deps.db.$client.query("SELECT ip, user_agent FROM recipients WHERE id = ?").get(e.recipients[1].id) as any;
    expect(row).toEqual({ ip: "127.0.0.1", user_agent: "TestBrowser/1.0" });
  });

  test("a third signer who has not signed yet gets 410 once another declined", async () => {
    const { tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    await decline(s, tokens[0]!);
    const r = await complete(s, tokens[1]!);
    expect(r.status).toBe(410);
    expect(r.body.code).toBe("signing_closed");
  });
});

describe("void", () => {
  test("a voided envelope's links stop working: session says voided, documents and actions 410", async () => {
    const { e, tokens } = await sent(quickStart([doc.id]));
    expect((await s.api(`/api/v1/envelopes/${e.id}`, { method: "DELETE" })).status).toBe(200);
    const sess = await signing(s, tokens[0]!);
    expect(sess.status).toBe(200);
    expect(sess.body.state).toBe("voided");
    expect(sess.body.documents).toEqual([]);
    expect(sess.body.fields).toEqual([]);
    expect(sess.body.recipient.status).toBe("SENT"); // not viewed: nothing was shown
    for (const r of [await signing(s, tokens[0]!, `/documents/${doc.id}`), await complete(s, tokens[0]!), await decline(s, tokens[0]!)]) {
      expect(r.status).toBe(410);
      expect(r.body.code).toBe("signing_closed");
    }
  });
});

describe("expiry", () => {
  test("with the fake clock: a link used after expiresAt finds the envelope EXPIRED", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], undefined, { expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString() }));
    expect((await signing(s, tokens[0]!)).body.state).toBe("ready");
    clock.advance(3600_000);
    const sess = await signing(s, tokens[0]!);
    expect(sess.body.state).toBe("expired");
    expect(sess.body.envelope.status).toBe("EXPIRED");
    expect((await complete(s, tokens[0]!)).status).toBe(410);
    const env = await getEnvelope(s, e.id);
    expect(env).toMatchObject({ status: "EXPIRED", endedAt: clock.now().toISOString() });
    expect(env.audit.events.at(-1)).toMatchObject({ type: "envelope.expired", actor: "system" });
    expect(jobsOf(s, "notify_expired").map((j) => j.payload)).toContainEqual({ envelopeId: e.id });
  });

  test("the outbox's expiry sweep expires due envelopes, and only those", async () => {
    // Its own server, so the drain runs only this test's jobs.
    const s = startEnvelopeServer();
    const clock = s.clock as FakeClock;
    const doc = await uploadDoc(s);
    const sent = async (body: unknown) => ({ e: await sendEnvelope(s, (await createEnvelope(s, body)).id) });
    try {
    const soon = await sent(quickStart([doc.id], undefined, { expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() }));
    const later = await sent(quickStart([doc.id], undefined, { expiresAt: new Date(clock.now().getTime() + 86400_000).toISOString() }));
    const never = await sent(quickStart([doc.id]));
    clock.advance(120_000);
    await s.running.app.jobs.drain();
    expect((await getEnvelope(s, soon.e.id)).status).toBe("EXPIRED");
    expect((await getEnvelope(s, later.e.id)).status).toBe("SENT");
    expect((await getEnvelope(s, never.e.id)).status).toBe("SENT");
    const { expireEnvelope } = await import("../src/modules/envelopes/expire-envelope");
    expect(expireEnvelope(s.deps, { envelopeId: soon.e.id })).toBe(false); // already expired: a no-op
    expect(expireEnvelope(s.deps, { envelopeId: later.e.id })).toBe(false); // not due
    } finally {
      await s.stop();
    }
  });
});

describe("tokens", () => {
  test("unknown, malformed and draft tokens: 404", async () => {
    const draft = await createEnvelope(s, quickStart([doc.id]));
    const { signingToken } = await import("../src/modules/signing/token");
    const draftToken = signingToken(s.deps.secret, draft.recipients[0].id);
    for (const t of ["A".repeat(43), "short", draftToken]) {
      const r = await signing(s, t);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe("not_found");
      expect((await complete(s, t)).status).toBe(404);
    }
  });

  test("no API key needed, and an API key does not open a session", async () => {
    const { tokens } = await sent(quickStart([doc.id]));
    const res = await s.api(`/api/v1/signing/${tokens[0]}`, { key: null });
    expect(res.status).toBe(200);
    expect((await s.api(`/api/v1/signing/${"B".repeat(43)}`)).status).toBe(404);
  });

  test("a token opens only its own recipient's session", async () => {
    const { e, tokens } = await sent(quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    expect((await signing(s, tokens[0]!)).body.recipient.id).toBe(e.recipients[0].id);
    expect((await signing(s, tokens[1]!)).body.recipient.id).toBe(e.recipients[1].id);
  });
});

describe("OpenAPI", () => {
  test("the signing API is documented under Signing with no security", async () => {
    const spec = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
    const paths = Object.keys(spec.paths).filter((p) => p.startsWith("/api/v1/signing"));
    expect(paths.sort()).toEqual(["/api/v1/signing/{token}", "/api/v1/signing/{token}/complete", "/api/v1/signing/{token}/decline", "/api/v1/signing/{token}/documents/{documentId}", "/api/v1/signing/{token}/signed-document"]);
    for (const p of paths) for (const op of Object.values(spec.paths[p]) as any[]) {
      expect(op.tags).toEqual(["Signing"]);
      expect(op.security).toEqual([]);
    }
    expect(Object.keys(spec.paths["/api/v1/signing/{token}/documents/{documentId}"].get.responses["200"].content)).toEqual(["application/pdf"]);
    const envPaths = Object.keys(spec.paths).filter((p) => p.startsWith("/api/v1/envelopes"));
    expect(envPaths).toEqual(expect.arrayContaining(["/api/v1/envelopes", "/api/v1/envelopes/{id}", "/api/v1/envelopes/{id}/send"]));
    expect(envPaths).not.toContain("/api/v1/envelopes/");
  });
});
