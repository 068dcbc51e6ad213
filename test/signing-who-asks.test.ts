/**
 * Who is asking: the organisation (branding settings), the envelope's sender and deadline, and
 * the void reason, as the signing API tells the page; the organisation's logo by token.
 */
import { describe, expect, test } from "bun:test";
import { saveBranding } from "../src/modules/branding/service";
import { envelopeSuite, getEnvelope, post, quickStart, sentEnvelope, signing, TINY_PNG } from "./helpers/envelopes";

const { s, doc } = await envelopeSuite();
// The organisation as an admin sets it in the console.
await saveBranding(s.deps, { actor: "admin:test" }, { organisationName: "Acme GmbH", accentColor: "#0b5e3a", fromName: "", fromAddress: "", replyTo: "", logo: TINY_PNG });

describe("who is asking", () => {
  test("the session names the organisation, the sender, the deadline and, once voided, the reason", async () => {
    const expiresAt = new Date(s.clock.now().getTime() + 7 * 86_400_000).toISOString();
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], undefined, { sender: { name: "Maria Keller", email: "hr@acme.example" }, expiresAt }));
    const { body } = await signing(s, tokens[0]!);
    expect(body.organisation).toEqual({ name: "Acme GmbH", colour: "#0b5e3a", logoUrl: "/branding/logo" });
    expect(body.envelope).toMatchObject({ sender: { name: "Maria Keller", email: "hr@acme.example" }, expiresAt, statusReason: null, locale: null });

    const logo = await fetch(`${s.url}${body.organisation.logoUrl}`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await logo.arrayBuffer())).toEqual(TINY_PNG);

    expect((await s.api(`/api/v1/envelopes/${e.id}?reason=${encodeURIComponent("Wrong salary")}`, { method: "DELETE" })).status).toBe(200);
    const voided = (await signing(s, tokens[0]!)).body;
    expect(voided.state).toBe("voided");
    expect(voided.envelope.statusReason).toBe("Wrong salary");
  });

  test("sender and locale: validated, changed and cleared on a draft", async () => {
    const bad = await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, { sender: { name: "X", email: "not-an-address" } }));
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((x: any) => x.pointer)).toEqual(["/sender/email"]);
    expect((await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, { locale: "ja" }))).status).toBe(422);
    const draft = await post(s, "/api/v1/envelopes", quickStart([doc.id], undefined, { locale: "el", sender: { name: "Νίκος", email: "nikos@example.gr" } }));
    expect(draft.body).toMatchObject({ locale: "el", sender: { name: "Νίκος", email: "nikos@example.gr" } });
    const patched = await s.api(`/api/v1/envelopes/${draft.body.id}`, { method: "PATCH", json: { locale: null, sender: null } });
    expect(await patched.json()).toMatchObject({ locale: null, sender: null });
    expect((await getEnvelope(s, draft.body.id)).locale).toBeNull();
  });
});
