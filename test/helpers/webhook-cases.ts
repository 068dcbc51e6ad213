import { Webhook } from "standardwebhooks";

export interface WebhookCase {
  name: string;
  secret: string;
  headers: Record<string, string>;
  payload: string;
  /** What the standardwebhooks package decides: the parsed event, or a refusal. */
  expected: { ok: true; event: unknown } | { ok: false };
}

/**
 * Deliveries signed with the `standardwebhooks` package, good and bad, each with that
 * package's decision, so an SDK's verifier can be held to agree with it.
 */
export function webhookCases(): WebhookCase[] {
  const secret = "whsec_" + Buffer.from("a shared secret of 32 bytes long").toString("base64");
  const other = "whsec_" + Buffer.from("another secret, also 32 bytes!!").toString("base64");
  const wh = new Webhook(secret);
  const body = JSON.stringify({ id: "evt_1", type: "envelope.completed", createdAt: "2026-01-15T09:00:00Z", environment: "test", data: { envelope: { id: "env_1", subject: "Contrat — signé ✓" } } });
  const now = Math.floor(Date.now() / 1000);
  const signed = (id: string, ts: number, w = wh) => ({ "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": w.sign(id, new Date(ts * 1000), body) });
  const good = signed("msg_1", now);
  const drafts: { name: string; headers: Record<string, string>; secret?: string; payload?: string }[] = [
    { name: "valid", headers: good },
    { name: "valid, capitalised header names", headers: Object.fromEntries(Object.entries(good).map(([k, v]) => [k.toUpperCase(), v])) },
    { name: "two signatures, one good", headers: { ...good, "webhook-signature": `v1,${Buffer.alloc(32).toString("base64")} ${good["webhook-signature"]}` } },
    { name: "good signature under a v2 label", headers: { ...good, "webhook-signature": good["webhook-signature"].replace("v1,", "v2,") } },
    { name: "body changed", headers: good, payload: body.replace("signé", "signe") },
    { name: "wrong secret", headers: good, secret: other },
    { name: "id changed", headers: { ...good, "webhook-id": "msg_2" } },
    { name: "signed by another secret", headers: signed("msg_1", now, new Webhook(other)) },
    { name: "4 minutes old", headers: signed("msg_1", now - 240) },
    { name: "6 minutes old", headers: signed("msg_1", now - 360) },
    { name: "6 minutes ahead", headers: signed("msg_1", now + 360) },
    { name: "timestamp not a number", headers: { ...good, "webhook-timestamp": "soon" } },
    { name: "no signature header", headers: { "webhook-id": "msg_1", "webhook-timestamp": String(now) } },
    { name: "garbage signature", headers: { ...good, "webhook-signature": "v1,not base64!" } },
  ];
  return drafts.map((c) => {
    const full = { name: c.name, headers: c.headers, secret: c.secret ?? secret, payload: c.payload ?? body };
    let expected: WebhookCase["expected"];
    try {
      expected = { ok: true, event: new Webhook(full.secret).verify(full.payload, full.headers) };
    } catch {
      expected = { ok: false };
    }
    return { ...full, expected };
  });
}

/** The names of the cases standardwebhooks accepts: a check that the table tests both outcomes. */
export const ACCEPTED_CASES = ["valid", "valid, capitalised header names", "two signatures, one good", "4 minutes old"];

/** A delivery of `envelope.completed` for `envelope`, signed with a fresh secret by the standardwebhooks package. */
export function signedDelivery(envelope: { id: string }, headerCase: (name: string) => string = (n) => n) {
  const secret = "whsec_" + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  const body = JSON.stringify({ id: "evt_readme", type: "envelope.completed", createdAt: new Date().toISOString(), environment: "test", data: { envelope } });
  const now = new Date();
  const headers = {
    [headerCase("webhook-id")]: "evt_readme",
    [headerCase("webhook-timestamp")]: String(Math.floor(now.getTime() / 1000)),
    [headerCase("webhook-signature")]: new Webhook(secret).sign("evt_readme", now, body),
  };
  return { secret, body, headers };
}
