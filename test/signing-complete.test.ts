/**
 * POST /api/v1/signing/{token}/complete: typed and drawn signatures, field values, what is
 * refused (422 with pointers, nothing stored), the same completion twice at once.
 */
import { describe, expect, test } from "bun:test";
import { crc32 } from "node:zlib";
import {
  complete, envelopeSuite, getEnvelope, jobsOf, pngDataUrl, pointers, quickStart, sentEnvelope, signing, TINY_PNG, typed,
} from "./helpers/envelopes";
import { CONSENT_VERSION } from "../src/modules/signing/page/consent-texts.js";
import { STRINGS } from "../src/modules/signing/page/i18n.js";
import { sha256 } from "./helpers/hash";
import { executionsMatching, executionsOf } from "./helpers/query-plans";

const { s, clock, doc } = await envelopeSuite();

describe("signatures and fields", () => {
  const fieldsEnvelope = () => quickStart([doc.id], [{
    email: "jane@example.com", name: "Jane Marie Doe",
    fields: [
      { documentId: doc.id, type: "signature", page: 2, x: 72, y: 700, width: 200, height: 60 },
      { documentId: doc.id, type: "initials", page: 1, x: 500, y: 780, width: 40, height: 30 },
      { documentId: doc.id, type: "date", page: 2, x: 300, y: 700, width: 100, height: 20 },
      { documentId: doc.id, type: "text", page: 1, x: 72, y: 200, width: 200, height: 20, label: "Job title" },
      { documentId: doc.id, type: "checkbox", page: 1, x: 72, y: 240, width: 12, height: 12, label: "I accept", required: true },
      { documentId: doc.id, type: "text", page: 1, x: 72, y: 300, width: 200, height: 20, required: false, label: "Comment" },
    ],
  }, { email: "other@example.com", name: "Other", fields: [{ documentId: doc.id, type: "text", page: 1, x: 1, y: 1, width: 5, height: 5 }] }]);

  test("the session shows only this recipient's fields, in place", async () => {
    const { e, tokens } = await sentEnvelope(s, fieldsEnvelope());
    const sess = (await signing(s, tokens[0]!)).body;
    expect(sess.fields).toHaveLength(6);
    expect(sess.fields.every((f: any) => e.fields.find((x: any) => x.id === f.id).recipientId === e.recipients[0].id)).toBe(true);
    expect(sess.fields[0]).toEqual({ id: e.fields[0].id, documentId: doc.id, type: "signature", page: 2, x: 72, y: 700, width: 200, height: 60, required: true, label: null, value: null, readOnly: false, options: null, buttons: null });
  });

  test("fields are required by default, checkboxes optional unless said otherwise", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{
      email: "jane@example.com", name: "Jane",
      fields: (["signature", "initials", "date", "text", "checkbox"] as const).map((type, i) => ({ documentId: doc.id, type, page: 1, x: 72, y: 100 + 40 * i, width: 100, height: 20 })),
    }]));
    expect(e.fields.map((f: any) => [f.type, f.required])).toEqual([["signature", true], ["initials", true], ["date", true], ["text", true], ["checkbox", false]]);
    // An unticked optional checkbox is stored as false; nothing else is asked of it.
    const r = await complete(s, tokens[0]!, { ...typed("Jane"), fields: { [e.fields[3].id]: "x" } });
    expect(r.status).toBe(200);
    expect((await getEnvelope(s, e.id)).fields[4].value).toBe("false");
  });

  test("required fields, checkbox, unknown field, consent, missing signature: 422 with pointers, nothing stored", async () => {
    const { e, tokens } = await sentEnvelope(s, fieldsEnvelope());
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
    const { e, tokens } = await sentEnvelope(s, fieldsEnvelope());
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
    // What the signer agreed to: the consent text (English: no locale was sent), its version and hash.
    const text = STRINGS.en.consentSign!;
    expect(data.consent).toEqual({ version: CONSENT_VERSION, locale: "en", text, sha256: sha256(text) });
    expect(data.fields[f[3].id]).toBe("Engineer");
    expect(data.documents).toEqual([{ id: doc.id, name: "contract.pdf", sha256: doc.sha256 }]);
  });

  test("typed signature: 1 to 100 characters", async () => {
    const { tokens } = await sentEnvelope(s, quickStart([doc.id]));
    for (const value of ["", "   ", "x".repeat(101)]) {
      const r = await complete(s, tokens[0]!, { signature: { type: "typed", value }, consent: true });
      expect(r.status).toBe(422);
      expect(pointers(r.body)).toEqual(["/signature/value"]);
    }
    expect((await complete(s, tokens[0]!, { signature: { type: "typed", value: "x".repeat(100) }, consent: true })).status).toBe(200);
  });

  test("a signature or value of invisible characters only (zero-width, joiners, bidi marks) is blank; characters are counted, not UTF-16 units", async () => {
    const { e, tokens } = await sentEnvelope(s, fieldsEnvelope());
    const f = e.fields;
    const invisible = "\u200B\u200D\u2060\u202E\u3164";
    const r = await complete(s, tokens[0]!, { signature: { type: "typed", value: invisible }, fields: { [f[3].id]: invisible, [f[4].id]: true }, consent: true });
    expect(r.status).toBe(422);
    expect(pointers(r.body).sort()).toEqual([`/fields/${f[3].id}`, "/signature/value"]);
    // Blank optional, date and initials fields are empty ones: nothing stored, the signing date, the initials.
    const ok = await complete(s, tokens[0]!, { signature: { type: "typed", value: "😀".repeat(100) }, fields: { [f[1].id]: "\u200B", [f[2].id]: "\u200B", [f[3].id]: "Engineer", [f[4].id]: true, [f[5].id]: invisible }, consent: true });
    expect(ok.status).toBe(200);
    const byId = Object.fromEntries((await getEnvelope(s, e.id)).fields.map((x: any) => [x.id, x.value]));
    expect([byId[f[1].id], byId[f[2].id], byId[f[5].id]]).toEqual(["😀", clock.now().toISOString().slice(0, 10), null]);
    // A zero-width joiner inside a word is part of it.
    const { tokens: t2 } = await sentEnvelope(s, quickStart([doc.id]));
    expect((await complete(s, t2[0]!, { signature: { type: "typed", value: "👩\u200D💻 Ana" }, consent: true })).status).toBe(200);
  });

  test("initials are whole characters of the name: an emoji or an accent is not cut in half, at most four", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{
      email: "zoe@example.com", name: "Zoë",
      fields: [{ documentId: doc.id, type: "initials", page: 1, x: 500, y: 780, width: 40, height: 30 }],
    }]));
    expect((await complete(s, tokens[0]!, typed("😀 e\u0301mile 𝒜da Ñandú Öz"))).status).toBe(200);
    expect((await getEnvelope(s, e.id)).fields[0].value).toBe("😀\u00C9𝒜Ñ");
  });

  test("drawn signature: a real PNG data URL up to 500 KB, kept in the file store", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id]));
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
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id]));
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
    const { tokens } = await sentEnvelope(s, quickStart([doc.id]));
    expect((await complete(s, tokens[0]!, { signature: { type: "stamp", value: "x" }, consent: true })).status).toBe(422);
    expect((await complete(s, tokens[0]!, { ...typed(), extra: 1 })).status).toBe(422);
    const empty = await signing(s, tokens[0]!, "/complete", { method: "POST", headers: { "content-type": "application/json" } });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe("invalid_json");
    expect((await signing(s, tokens[0]!, "/complete", { json: {} })).status).toBe(422);
  });
});

describe("concurrency", () => {
  test("the same completion sent twice at once: one 200, one 409; parallel last signers: one completion", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }, { email: "c@example.com", name: "C" }]));
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
});

describe("consent", () => {
  test("the audit trail records the consent text of the page's language, and an approver's own text", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [
      { email: "fr@example.com", name: "Franck" },
      { email: "boss@example.com", name: "Boss", role: "APPROVER" },
    ]));
    expect((await complete(s, tokens[0]!, { ...typed("Franck"), locale: "fr" })).status).toBe(200);
    expect((await complete(s, tokens[1]!, { consent: true, locale: "el" })).status).toBe(200);
    const events = s.deps.db.$client.query("SELECT type, data FROM audit_events WHERE envelope_id = ? AND type IN ('recipient.signed', 'recipient.approved') ORDER BY seq").all(e.id) as any[];
    const consents = events.map((x) => JSON.parse(x.data).consent);
    expect(consents[0]).toEqual({ version: CONSENT_VERSION, locale: "fr", text: STRINGS.fr.consentSign, sha256: sha256(STRINGS.fr.consentSign!) });
    expect(consents[1]).toMatchObject({ locale: "el", text: STRINGS.el.consentApprove });
    // A language the server does not speak is refused by the schema.
    expect((await complete(s, tokens[0]!, { ...typed(), locale: "xx" })).status).toBe(422);
  });

  test("a consent text changed without raising CONSENT_VERSION fails here: raise the version, then update this fingerprint", () => {
    const all = Object.entries(STRINGS).map(([l, t]) => `${l}:${t.consentSign}\n${l}:${t.consentApprove}`).join("\n");
    expect({ version: CONSENT_VERSION, sha256: sha256(all) }).toEqual({ version: 2, sha256: "91e5782588e9d075802b1a54d8d3ca2e2ec4ac158c7c5d220d8ec8cc487a62f0" });
  });
});

describe("what a signature reads", () => {
  test("the link is read once before the signature's transaction, and no envelope row for a webhook event no endpoint takes", async () => {
    const { tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    const counts = await executionsOf(async () => expect((await complete(s, tokens[0]!)).status).toBe(200));
    // The recipient by its link: by the pipeline before it reads the body (isKnownToken), before
    // the transaction, locked in it, and for the answer.
    expect(executionsMatching(counts, /^select .* from "recipients" where "recipients"."token_hash" = \?$/)).toBe(4);
    // The envelope's row: before the transaction, locked in it, for the answer, and to decide
    // whether the signature completes it.
    expect(executionsMatching(counts, /^select "id", "environment", .* from "envelopes" where "envelopes"."id" = \?$/)).toBe(4);
  });
});
