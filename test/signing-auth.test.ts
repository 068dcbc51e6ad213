/**
 * Signer authentication: a one-time code by e-mail (read from the outbox the server writes),
 * an access code given out of band, the 401 until then, the resend back-off, the lockout after
 * five wrong codes, the audit events, and what the certificate of completion says.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listAudit } from "../src/modules/audit/service";
import { recipients } from "../src/store/schema";
import { eq } from "drizzle-orm";
import { envelopeSuite, getEnvelope, pointers, post, quickStart, sentEnvelope, signing, startEnvelopeServer, typed, uploadDoc } from "./helpers/envelopes";
import { startSmsGateway } from "./helpers/sms-gateway";
import { sealEnvelope } from "../src/modules/sealing/service";
import { parseMail } from "./helpers/smtp";
import { pdftotext } from "./pdf/render-fixtures";

const { s, clock, doc } = await envelopeSuite();

/** The newest code e-mailed to `to`, from the outbox folder (no SMTP configured). */
function lastCode(to: string): string {
  const dir = join(s.dir, "outbox");
  const mails = readdirSync(dir).sort().map((f) => parseMail(readFileSync(join(dir, f), "utf8"))).filter((m) => m.headers.to === to && /code/i.test(m.subject));
  return /\b(\d{6})\b/.exec(mails.at(-1)!.text)![1]!;
}

const withCookie = (cookie: string) => ({ headers: { cookie } });
const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0]!;
const auditTypes = async (envelopeId: string) => (await listAudit(s.deps.db, envelopeId)).map((e) => e.type);

describe("one-time code by e-mail", () => {
  test("401 until the code is entered; code sent (back-off), wrong code counted, right code opens the session for this browser", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "jane@example.com", name: "Jane Doe", authentication: { method: "email_otp" } }], { locale: "fr" }));
    const token = tokens[0]!;
    expect(e.recipients[0].authentication).toEqual({ method: "email_otp" });

    const closed = await signing(s, token);
    expect(closed.status).toBe(401);
    expect(closed.body).toMatchObject({ code: "signing_auth_required", authentication: { method: "email_otp", destination: "j•••@example.com", locale: "fr" } });
    expect((await signing(s, token, `/documents/${doc.id}`)).status).toBe(401);
    expect((await signing(s, token, "/complete", { json: typed() })).status).toBe(401);
    expect((await getEnvelope(s, e.id)).recipients[0].status).toBe("SENT"); // not even VIEWED

    const sent = await signing(s, token, "/auth/code", { method: "POST" });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ destination: "j•••@example.com", retryAfterSeconds: 30 });
    const again = await signing(s, token, "/auth/code", { method: "POST" });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe("auth_resend_too_soon");
    expect(again.res.headers.get("retry-after")).toBe("30");

    const code = lastCode("jane@example.com");
    const wrong = await signing(s, token, "/auth", { json: { code: code === "000000" ? "111111" : "000000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe("auth_code_invalid");
    expect(wrong.body.message).toContain("4 attempts left");

    const ok = await signing(s, token, "/auth", { json: { code } });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe("ready");
    const setCookie = ok.res.headers.get("set-cookie")!;
    expect(setCookie).toContain(`Path=/api/v1/signing/${token}`);
    expect(setCookie).toContain("HttpOnly");
    const cookie = cookieOf(ok.res);
    expect((await signing(s, token, "", withCookie(cookie))).status).toBe(200);
    expect((await signing(s, token, `/documents/${doc.id}`, withCookie(cookie))).status).toBe(200);
    // Another browser (no cookie, or a made-up one) still has to authenticate; the code is spent.
    expect((await signing(s, token)).status).toBe(401);
    expect((await signing(s, token, "", withCookie(`certyneo_signer=${"A".repeat(43)}`))).status).toBe(401);
    expect((await signing(s, token, "/auth", { json: { code } })).status).toBe(401);

    expect((await signing(s, token, "/complete", { json: typed(), ...withCookie(cookie) })).status).toBe(200);
    const types = await auditTypes(e.id);
    expect(types).toEqual(expect.arrayContaining(["recipient.auth_code_sent", "recipient.auth_failed", "recipient.authenticated", "recipient.signed"]));
    expect(types.indexOf("recipient.authenticated")).toBeLessThan(types.indexOf("recipient.viewed"));

    // The certificate of completion says how the signer was authenticated, the address masked.
    await sealEnvelope(s.deps, e.id);
    const certificate = pdftotext(new Uint8Array(await (await s.api(`/api/v1/envelopes/${e.id}/signed-document`)).arrayBuffer()));
    expect(certificate.replace(/\s+/g, " ")).toContain("code à usage unique envoyé par e-mail à j•••@example.com");

    // Back-off: another code after 30 s, the next after 60 s more.
    clock.advance(30_000);
    const later = await signing(s, token, "/auth/code", { method: "POST" });
    expect(later.body.retryAfterSeconds).toBe(60);
  });

  test("five wrong codes lock authentication for 15 minutes, even for the right code", async () => {
    const { tokens, e } = await sentEnvelope(s, quickStart([doc.id], [{ email: "lock@example.com", name: "Lou", authentication: { method: "email_otp" } }]));
    const token = tokens[0]!;
    await signing(s, token, "/auth/code", { method: "POST" });
    const code = lastCode("lock@example.com");
    const bad = code === "123456" ? "654321" : "123456";
    for (let i = 0; i < 4; i++) expect((await signing(s, token, "/auth", { json: { code: bad } })).body.code).toBe("auth_code_invalid");
    const fifth = await signing(s, token, "/auth", { json: { code: bad } });
    expect(fifth.status).toBe(429);
    expect(fifth.body.code).toBe("auth_locked");
    expect(fifth.res.headers.get("retry-after")).toBe("900");
    expect((await signing(s, token, "/auth", { json: { code } })).body.code).toBe("auth_locked");
    expect((await signing(s, token, "/auth/code", { method: "POST" })).body.code).toBe("auth_locked");
    expect(await auditTypes(e.id)).toContain("recipient.auth_locked");
    // After the lock, the old code is void; a new one works.
    clock.advance(15 * 60_000 + 1000);
    expect((await signing(s, token, "/auth", { json: { code } })).body.code).toBe("auth_code_invalid");
    await signing(s, token, "/auth/code", { method: "POST" });
    expect((await signing(s, token, "/auth", { json: { code: lastCode("lock@example.com") } })).status).toBe(200);
  });
});

describe("codes asked for in parallel", () => {
  test("one is sent, the others wait their turn: one e-mail, one event, and its code opens the session", async () => {
    const { tokens, e } = await sentEnvelope(s, quickStart([doc.id], [{ email: "many@example.com", name: "Manu", authentication: { method: "email_otp" } }]));
    const token = tokens[0]!;
    const outbox = join(s.dir, "outbox");
    const mails = () => (existsSync(outbox) ? readdirSync(outbox) : []).filter((f) => readFileSync(join(outbox, f), "utf8").includes("many@example.com")).length;
    const before = mails();
    const answers = await Promise.all(Array.from({ length: 6 }, () => signing(s, token, "/auth/code", { method: "POST" })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 429, 429, 429, 429, 429]);
    expect(mails() - before).toBe(1);
    expect((await auditTypes(e.id)).filter((t) => t === "recipient.auth_code_sent")).toHaveLength(1);
    expect((await signing(s, token, "/auth", { json: { code: lastCode("many@example.com") } })).status).toBe(200);
  });
});

describe("wrong codes sent in parallel", () => {
  test("each one counts: the fifth locks, the rest are refused as locked, and the right code opens nothing", async () => {
    const { tokens, e } = await sentEnvelope(s, quickStart([doc.id], [{ email: "race@example.com", name: "Rae", authentication: { method: "access_code", accessCode: "RED-1" } }]));
    const token = tokens[0]!;
    // The access code is checked with argon2 off the event loop, so the attempts overlap.
    const answers = await Promise.all(Array.from({ length: 12 }, () => signing(s, token, "/auth", { json: { code: "WRONG-2" } })));
    const codes = answers.map((a) => a.body.code);
    expect(codes.filter((c) => c === "auth_code_invalid")).toHaveLength(4);
    expect(codes.filter((c) => c === "auth_locked")).toHaveLength(8);
    expect(answers.map((a) => a.body.message).filter((m) => m.includes("attempt")).sort()).toEqual(["Wrong or expired code: 1 attempt left", "Wrong or expired code: 2 attempts left", "Wrong or expired code: 3 attempts left", "Wrong or expired code: 4 attempts left"]);
    const types = await auditTypes(e.id);
    expect(types.filter((t) => t === "recipient.auth_failed")).toHaveLength(4);
    expect(types.filter((t) => t === "recipient.auth_locked")).toHaveLength(1);
    expect((await signing(s, token, "/auth", { json: { code: "RED-1" } })).body.code).toBe("auth_locked");
  });
});

describe("access code", () => {
  test("stored hashed, never shown; the right code opens the session; a PATCH that keeps the recipients keeps it", async () => {
    const created = await post(s, "/api/v1/envelopes", quickStart([doc.id], [{ email: "ac@example.com", name: "Ace", authentication: { method: "access_code", accessCode: "BLUE-4217" } }]));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain("BLUE-4217");
    const row = s.deps.db.select().from(recipients).where(eq(recipients.id, created.body.recipients[0].id)).get()!;
    expect(row.accessCodeHash).toStartWith("$argon2");
    expect((await s.api(`/api/v1/envelopes/${created.body.id}`, { method: "PATCH", json: { subject: "Renamed", signingOrder: "sequential" } })).status).toBe(200);
    const sent = await (await s.api(`/api/v1/envelopes/${created.body.id}/send`, { method: "POST" })).json() as any;
    const token = new URL(sent.recipients[0].signUrl).pathname.slice(3);
    expect((await signing(s, token)).body.authentication).toEqual({ method: "access_code" });
    expect((await signing(s, token, "/auth/code", { method: "POST" })).body.code).toBe("auth_not_required");
    expect((await signing(s, token, "/auth", { json: { code: "blue-4217" } })).body.code).toBe("auth_code_invalid");
    const ok = await signing(s, token, "/auth", { json: { code: " BLUE-4217 " } });
    expect(ok.status).toBe(200);
    expect((await signing(s, token, "", withCookie(cookieOf(ok.res)))).body.recipient.name).toBe("Ace");
  });

  test("codes are hashed off the event loop: a GET sent meanwhile is answered first; each code opens its own recipient only", async () => {
    const people = Array.from({ length: 6 }, (_, i) => ({ email: `p${i}@example.com`, name: `P${i}`, authentication: { method: "access_code", accessCode: `CODE-${i}${i}${i}${i}` } }));
    const order: string[] = [];
    const creating = post(s, "/api/v1/envelopes", quickStart([doc.id], people)).then((r) => (order.push("POST"), r));
    await Bun.sleep(30);
    const read = s.api(`/api/v1/documents/${doc.id}`).then((r) => (order.push("GET"), r));
    expect((await read).status).toBe(200);
    const created = await creating;
    expect(created.status).toBe(201);
    // Six argon2id hashes take hundreds of milliseconds of CPU: on the event loop, the GET waited for all of them.
    expect(order).toEqual(["GET", "POST"]);

    // A PATCH with new recipients hashes theirs too.
    people[5] = { ...people[5]!, authentication: { method: "access_code", accessCode: "NEW-5555" } };
    expect((await s.api(`/api/v1/envelopes/${created.body.id}`, { method: "PATCH", json: { recipients: people } })).status).toBe(200);
    const sent = await (await s.api(`/api/v1/envelopes/${created.body.id}/send`, { method: "POST" })).json() as any;
    const tokens = sent.recipients.map((r: any) => new URL(r.signUrl).pathname.slice(3));
    expect((await signing(s, tokens[0], "/auth", { json: { code: "CODE-1111" } })).body.code).toBe("auth_code_invalid");
    expect((await signing(s, tokens[1], "/auth", { json: { code: "CODE-1111" } })).status).toBe(200);
    expect((await signing(s, tokens[5], "/auth", { json: { code: "CODE-5555" } })).body.code).toBe("auth_code_invalid");
    expect((await signing(s, tokens[5], "/auth", { json: { code: "NEW-5555" } })).status).toBe(200);
  });

  test("the rules: sms_otp needs a phone, access_code an accessCode, the others none", async () => {
    const bad = await post(s, "/api/v1/envelopes", quickStart([doc.id], [
      { email: "a@example.com", name: "A", authentication: { method: "sms_otp" } },
      { email: "b@example.com", name: "B", authentication: { method: "access_code" } },
      { email: "c@example.com", name: "C", authentication: { method: "email_otp", accessCode: "1234" } },
    ]));
    expect(bad.status).toBe(422);
    expect(pointers(bad.body).sort()).toEqual(["/recipients/0/authentication/method", "/recipients/1/authentication/accessCode", "/recipients/2/authentication/accessCode"]);
  });

  test("the code is kept without surrounding spaces, as the signer's entry is read; one of spaces only is refused", async () => {
    const { tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "sp@example.com", name: "Spa", authentication: { method: "access_code", accessCode: " 4321 " } }]));
    expect((await signing(s, tokens[0]!, "/auth", { json: { code: "4321" } })).status).toBe(200);
    const blank = await post(s, "/api/v1/envelopes", quickStart([doc.id], [{ email: "a@example.com", name: "A", authentication: { method: "access_code", accessCode: " 12 " } }]));
    expect(blank.status).toBe(422);
    expect(pointers(blank.body)).toEqual(["/recipients/0/authentication/accessCode"]);
    expect(JSON.stringify(blank.body)).not.toContain(" 12 ");
  });

  test("a code that breaks the schema is not quoted back in the answer", async () => {
    const short = await post(s, "/api/v1/envelopes", quickStart([doc.id], [{ email: "a@example.com", name: "A", authentication: { method: "access_code", accessCode: "S3c" } }]));
    expect(short.status).toBe(422);
    expect(short.body.errors).toEqual([{ pointer: "/recipients/0/authentication/accessCode", message: "must be at least 4 characters long" }]);
    expect(JSON.stringify(short.body)).not.toContain("S3c");
  });
});

describe("one-time code by SMS", () => {
  test("the code goes to the recipient's phone through the gateway, in the envelope's language; no handing over", async () => {
    const gateway = startSmsGateway();
    const sms = await startEnvelopeServer({ CERTYNEO_SMS_GATEWAY_URL: `http://127.0.0.1:${gateway.port}/send` });
    try {
      const document = await uploadDoc(sms);
      const { tokens } = await sentEnvelope(sms, quickStart([document.id], [{ email: "p@example.com", name: "Pia", phone: "+33612345678", authentication: { method: "sms_otp" } }], { locale: "de", allowReassign: true }));
      expect((await signing(sms, tokens[0]!)).body.authentication).toEqual({ method: "sms_otp", destination: "+33•••••78", locale: "de" });
      // A gateway that fails: 503, and the signer may ask again at once (the back-off is for codes sent).
      gateway.status = 500;
      const failed = await signing(sms, tokens[0]!, "/auth/code", { method: "POST" });
      expect(failed.status).toBe(503);
      expect(failed.body.code).toBe("unavailable");
      gateway.reset();
      const sent = await signing(sms, tokens[0]!, "/auth/code", { method: "POST" });
      expect(sent.body.destination).toBe("+33•••••78");
      expect(sent.body.retryAfterSeconds).toBe(30);
      expect(gateway.hits.map((h) => h.body.to)).toEqual(["+33612345678"]);
      const text: string = gateway.hits[0]!.body.text;
      expect(text).toStartWith("Ihr Code: ");
      const ok = await signing(sms, tokens[0]!, "/auth", { json: { code: /\d{6}/.exec(text)![0] } });
      expect(ok.status).toBe(200);
      // The code goes to the phone the sender gave: the signer cannot hand the turn to someone else's.
      const cookie = ok.res.headers.get("set-cookie")!.split(";")[0]!;
      expect((await signing(sms, tokens[0]!, "", { headers: { cookie } })).body.envelope.allowReassign).toBe(false);
      const handOver = await signing(sms, tokens[0]!, "/reassign", { json: { name: "Someone", email: "someone@example.com", reason: "Away" }, headers: { cookie } });
      expect([handOver.status, handOver.body.code]).toEqual([409, "reassign_not_allowed"]);
      expect(handOver.body.message).toContain("only the sender");
    } finally {
      await sms.stop();
      gateway.stop();
    }
  });
});
