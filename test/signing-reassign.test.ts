/**
 * allowReassign: a signer hands their turn to someone else through the signing API; the new
 * person gets a link and the invitation, the old link dies, the audit trail and the certificate
 * of completion say who handed the place over and why.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listAudit } from "../src/modules/audit/service";
import { complete, createEnvelope, jobsOf, pointers, sendEnvelope, signing, tokenOf, uploadDoc } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { tempDir } from "./helpers/spawn";

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } }); });
afterAll(() => s.stop());

async function sent(allowReassign: boolean) {
  const doc = await uploadDoc(s);
  const e = await createEnvelope(s, {
    subject: "Purchase order", documentIds: [doc.id], allowReassign,
    recipients: [{ email: "manager@example.com", name: "Manager" }, { email: "buyer@example.com", name: "Buyer" }],
  });
  expect(e.allowReassign).toBe(allowReassign);
  return sendEnvelope(s, e.id);
}

describe("handing a turn over (allowReassign)", () => {
  test("the new person takes the place with a new link and the invitation; audited; shown in the certificate", async () => {
    const e = await sent(true);
    const token = tokenOf(e.recipients[0].signUrl);
    expect((await signing(s, token)).body.envelope.allowReassign).toBe(true);
    const invitationsBefore = jobsOf(s, "send_invitation").length;
    const r = await signing(s, token, "/reassign", { json: { name: "Deputy", email: "deputy@example.com", reason: "On leave this week" } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ reassignedTo: { name: "Deputy", email: "deputy@example.com" } });
    expect((await signing(s, token)).status).toBe(404);
    expect(jobsOf(s, "send_invitation").length).toBe(invitationsBefore + 1);

    const after = await (await s.api(`/api/v1/envelopes/${e.id}`)).json();
    const deputy = after.recipients[0];
    expect(deputy).toMatchObject({ id: e.recipients[0].id, name: "Deputy", email: "deputy@example.com", status: "SENT", reassignedFrom: "Manager <manager@example.com>: On leave this week" });
    const event = (await listAudit(s.deps.db, e.id)).find((a) => a.type === "recipient.reassigned")!;
    expect(event.data).toMatchObject({ from: { email: "manager@example.com" }, to: { email: "deputy@example.com" }, reason: "On leave this week" });
    expect(event.actor).toContain("manager@example.com");

    expect((await complete(s, tokenOf(deputy.signUrl), { signature: { type: "typed", value: "Deputy" }, consent: true })).status).toBe(200);
    expect((await complete(s, tokenOf(after.recipients[1].signUrl), { signature: { type: "typed", value: "Buyer" }, consent: true })).status).toBe(200);
    const pdf = new Uint8Array(await (await s.api(`/api/v1/envelopes/${e.id}/signed-document`)).arrayBuffer());
    const path = join(tempDir("certyneo-reassign-"), "signed.pdf");
    writeFileSync(path, pdf);
    const text = Bun.spawnSync(["pdftotext", "-layout", path, "-"]).stdout.toString();
    expect(text).toContain("Reassigned from");
    expect(text).toContain("manager@example.com");
  });

  test("refused: not allowed by the sender, a person already in the envelope, after signing", async () => {
    const closed = await sent(false);
    const no = await signing(s, tokenOf(closed.recipients[0].signUrl), "/reassign", { json: { name: "X", email: "x@example.com", reason: "r" } });
    expect(no.status).toBe(409);
    expect(no.body.code).toBe("reassign_not_allowed");

    const open = await sent(true);
    const token = tokenOf(open.recipients[0].signUrl);
    const dup = await signing(s, token, "/reassign", { json: { name: "Buyer", email: "BUYER@example.com", reason: "r" } });
    expect(dup.status).toBe(422);
    expect(dup.body.errors[0].pointer).toBe("/email");
    const invisible = await signing(s, token, "/reassign", { json: { name: "\u200B", email: "z@example.com", reason: "\u2060" } });
    expect(invisible.status).toBe(422);
    expect(pointers(invisible.body).sort()).toEqual(["/name", "/reason"]);
    expect((await complete(s, token, { signature: { type: "typed", value: "Manager" }, consent: true })).status).toBe(200);
    const done = await signing(s, token, "/reassign", { json: { name: "Y", email: "y@example.com", reason: "r" } });
    expect(done.status).toBe(409);
    expect(done.body.code).toBe("signing_already_done");
  });

  test("a recipient who must prove who they are hands nothing over before doing so", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, {
      subject: "Guarded", documentIds: [doc.id], allowReassign: true,
      recipients: [{ email: "guarded@example.com", name: "Guarded", authentication: { method: "access_code", accessCode: "4711-code" } }],
    })).id);
    const token = tokenOf(e.recipients[0].signUrl);
    const r = await signing(s, token, "/reassign", { json: { name: "Other", email: "other@example.com", reason: "r" } });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe("signing_auth_required");
    const auth = await signing(s, token, "/auth", { json: { code: "4711-code" } });
    expect(auth.status).toBe(200);
    const cookie = auth.res.headers.get("set-cookie")!.split(";")[0]!;
    const ok = await signing(s, token, "/reassign", { json: { name: "Other", email: "other@example.com", reason: "r" }, headers: { cookie } });
    expect(ok.status).toBe(200);
    // The new person proves who they are in turn: the cookie the previous one earned opens nothing.
    const next = tokenOf((await (await s.api(`/api/v1/envelopes/${e.id}`)).json() as any).recipients[0].signUrl);
    const withOld = await signing(s, next, "", { headers: { cookie } });
    expect(withOld.status).toBe(401);
    expect(withOld.body.code).toBe("signing_auth_required");
  });

  test("a new person starts with no code, no back-off and no failures of the previous one", async () => {
    const doc = await uploadDoc(s);
    const e = await sendEnvelope(s, (await createEnvelope(s, {
      subject: "Coded", documentIds: [doc.id], allowReassign: true,
      recipients: [{ email: "first@example.com", name: "First", authentication: { method: "email_otp" } }],
    })).id);
    const token = tokenOf(e.recipients[0].signUrl);
    expect((await signing(s, token, "/auth/code", { method: "POST" })).status).toBe(200);
    const row = () => s.deps.db.$client.query("SELECT otp_hash, otp_sends, auth_failures FROM recipients WHERE id = ?").get(e.recipients[0].id) as any;
    for (let i = 0; i < 2; i++) expect((await signing(s, token, "/auth", { json: { code: "wrong!" } })).body.code).toBe("auth_code_invalid");
    expect(row()).toMatchObject({ otp_sends: 1, auth_failures: 2 });
    // Handed over by the sender's correction (the same replacement as a reassignment).
    const fixed = await s.api(`/api/v1/envelopes/${e.id}/recipients/${e.recipients[0].id}`, { method: "PATCH", json: { email: "second@example.com" } });
    expect(fixed.status).toBe(200);
    expect(row()).toEqual({ otp_hash: null, otp_sends: 0, auth_failures: 0 });
    const next = tokenOf(((await fixed.json()) as any).recipients[0].signUrl);
    const sent = await signing(s, next, "/auth/code", { method: "POST" });
    expect(sent.status).toBe(200);
    expect(sent.body.destination).toBe("s•••@example.com");
  });
});
