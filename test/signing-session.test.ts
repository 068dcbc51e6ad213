/**
 * The signing ceremony from a recipient's link, through its JSON API (no browser): open the
 * session, download the documents, sign; one token opens one recipient's session; the API is
 * documented. Refusals by token: security-sweep.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { startSmtpSink, type SmtpSink } from "./helpers/smtp";
import {
  complete, createEnvelope, decline, envelopeSuite, getEnvelope, jobsOf, quickStart, sendEnvelope, sentEnvelope, signing, startEnvelopeServer, tokenOf, typed, uploadDoc,
} from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";

const { s, clock, doc, doc2 } = await envelopeSuite();

describe("lifecycle", () => {
  test("one signer: open, view, download, sign → COMPLETED, sealing queued (the completion e-mails follow the seal), evidence kept", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id, doc2.id], undefined, { message: "Please sign", locale: "fr" }));
    const [token] = tokens;

    const sess = await signing(s, token!);
    expect(sess.status).toBe(200);
    expect(sess.res.headers.get("cache-control")).toBe("no-store");
    expect(sess.body).toEqual({
      envelope: { id: e.id, subject: "Employment contract", message: "Please sign", status: "SENT", locale: "fr", expiresAt: null, sender: null, statusReason: null, allowedOrigins: [], redirectUrl: null, allowReassign: false },
      organisation: { name: "Certyneo", colour: "#1d4ed8", logoUrl: null },
      recipient: { id: e.recipients[0].id, name: "Jane Doe", email: "jane@example.com", role: "SIGNER", status: "VIEWED" },
      state: "ready",
      documents: [
        { id: doc.id, name: "contract.pdf", sha256: doc.sha256, pageCount: 2, pages: doc.pages, url: `/api/v1/signing/${token}/documents/${doc.id}` },
        { id: doc2.id, name: "annex.pdf", sha256: doc2.sha256, pageCount: 1, pages: expect.any(Array), url: `/api/v1/signing/${token}/documents/${doc2.id}` },
      ],
      signedDocument: null,
      stamps: [],
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
    expect(done.body.signedDocument).toEqual({ url: `/api/v1/signing/${token}/signed-document`, status: "PENDING" });

    env = await getEnvelope(s, e.id);
    expect(env.status).toBe("COMPLETED");
    expect(env.completedAt).toBe(clock.now().toISOString());
    expect(env.sealStatus).toBe("PENDING");
    expect(env.recipients[0]).toMatchObject({ status: "SIGNED", signedAt: clock.now().toISOString() });
    expect(env.audit.valid).toBe(true);
    expect(jobsOf(s, "seal_envelope").map((j) => j.payload)).toContainEqual({ envelopeId: e.id });
    // The completion e-mails wait for the seal: they carry the sealed PDF.
    expect(jobsOf(s, "notify_completed").map((j) => j.payload)).not.toContainEqual({ envelopeId: e.id });

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
});

describe("invitation", () => {
  test("the invitation e-mail's link opens the session and signs", async () => {
    const sink: SmtpSink = await startSmtpSink();
    const m = await startEnvelopeServer(sink.env);
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

describe("tokens", () => {
  test("a token opens only its own recipient's session", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    expect((await signing(s, tokens[0]!)).body.recipient.id).toBe(e.recipients[0].id);
    expect((await signing(s, tokens[1]!)).body.recipient.id).toBe(e.recipients[1].id);
  });
});

describe("OpenAPI", () => {
  test("the signing API is documented under Signing with no security", async () => {
    const spec = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
    const paths = Object.keys(spec.paths).filter((p) => p.startsWith("/api/v1/signing"));
    expect(paths.sort()).toEqual(["/api/v1/signing/{token}", "/api/v1/signing/{token}/auth", "/api/v1/signing/{token}/auth/code", "/api/v1/signing/{token}/complete", "/api/v1/signing/{token}/decline", "/api/v1/signing/{token}/documents/{documentId}", "/api/v1/signing/{token}/reassign", "/api/v1/signing/{token}/signatures/{recipientId}", "/api/v1/signing/{token}/signed-document"]);
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
