/**
 * Who signs when: parallel, sequential, custom groups with approvers and CCs, and the webhook
 * events that follow the ceremony.
 */
import { describe, expect, test } from "bun:test";
import {
  complete, decline, envelopeSuite, getEnvelope, jobsOf, pointers, quickStart, sentEnvelope, signing, typed,
} from "./helpers/envelopes";
import { subscribeToAllEvents } from "./helpers/events";

const { s, clock, doc } = await envelopeSuite();

describe("routing", () => {
  test("parallel: everyone signs at once, completion with the last", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
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
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [
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
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [
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

describe("events", () => {
  test("webhook events follow the ceremony, each carrying the envelope as it was then", async () => {
    await subscribeToAllEvents(s.deps);
    const events = (id: string) => (s.deps.db.$client.query("SELECT payload FROM webhook_events ORDER BY rowid").all() as any[])
      .map((r) => JSON.parse(r.payload)).filter((p) => p.data.envelope.id === id);
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }], { signingOrder: "sequential" }));
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

    const d = await sentEnvelope(s, quickStart([doc.id]));
    await decline(s, d.tokens[0]!);
    expect(events(d.e.id).map((p) => p.type)).toEqual(["envelope.created", "envelope.sent", "envelope.declined"]);
    const x = await sentEnvelope(s, quickStart([doc.id], undefined, { expiresAt: new Date(clock.now().getTime() + 1000).toISOString() }));
    clock.advance(2000);
    await signing(s, x.tokens[0]!);
    expect(events(x.e.id).map((p) => p.type)).toEqual(["envelope.created", "envelope.sent", "envelope.expired"]);
  });
});
