/**
 * Links of envelopes that ended without completing: voided by the sender, or expired
 * (with the fake clock, and by the outbox's sweep).
 */
import { describe, expect, test } from "bun:test";
import { expireEnvelope } from "../src/modules/envelopes/expire-envelope";
import type { FakeClock } from "./helpers/clock";
import {
  complete, decline, envelopeSuite, getEnvelope, jobsOf, quickStart, sentEnvelope, signing, startEnvelopeServer, uploadDoc,
} from "./helpers/envelopes";

const { s, clock, doc } = await envelopeSuite();

describe("void", () => {
  test("a voided envelope's links stop working: session says voided, documents and actions 410", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id]));
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
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], undefined, { expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString() }));
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
    const own = await startEnvelopeServer();
    const ownClock = own.clock as FakeClock;
    try {
      const d = await uploadDoc(own);
      const expiring = (ms: number) => ({ expiresAt: new Date(ownClock.now().getTime() + ms).toISOString() });
      const soon = await sentEnvelope(own, quickStart([d.id], undefined, expiring(60_000)));
      const later = await sentEnvelope(own, quickStart([d.id], undefined, expiring(86400_000)));
      const never = await sentEnvelope(own, quickStart([d.id]));
      ownClock.advance(120_000);
      await own.running.app.jobs.drain();
      expect((await getEnvelope(own, soon.e.id)).status).toBe("EXPIRED");
      expect((await getEnvelope(own, later.e.id)).status).toBe("SENT");
      expect((await getEnvelope(own, never.e.id)).status).toBe("SENT");
      expect(await expireEnvelope(own.deps, { envelopeId: soon.e.id })).toBe(false); // already expired: a no-op
      expect(await expireEnvelope(own.deps, { envelopeId: later.e.id })).toBe(false); // not due
    } finally {
      await own.stop();
    }
  });
});
