/**
 * POST /api/v1/signing/{token}/decline: the envelope ends DECLINED and the other links close.
 */
import { describe, expect, test } from "bun:test";
import {
  complete, decline, envelopeSuite, getEnvelope, jobsOf, pointers, quickStart, sentEnvelope, signing, typed,
} from "./helpers/envelopes";

const { s, clock, doc } = await envelopeSuite();

describe("decline", () => {
  test("ends the envelope DECLINED, tells the others; their links then answer 410", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    await complete(s, tokens[0]!, typed("A"));
    for (const blank of ["   ", "\u200B\u200D"]) {
      const empty = await decline(s, tokens[1]!, blank);
      expect(empty.status).toBe(422);
      expect(pointers(empty.body)).toEqual(["/reason"]);
    }
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
    const { tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "b@example.com", name: "B" }]));
    await decline(s, tokens[0]!);
    const r = await complete(s, tokens[1]!);
    expect(r.status).toBe(410);
    expect(r.body.code).toBe("signing_closed");
  });
});
