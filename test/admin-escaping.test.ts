/**
 * What integrators, senders and signers write is shown in the console as text, never as markup:
 * the same hostile value in every field they can set (a document's file name, the subject, the
 * message, the sender, recipients' names, metadata, a decline reason, a key's name, a webhook's
 * description, a search), then the console's pages. Each value a page shows must be on it (so
 * its escaping is what is tested), and no page may carry any of them raw.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addAdmin, consoleClient } from "./helpers/admin";
import { createEnvelope, sendEnvelope, signing, tokenOf } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";

/** The payload, marked so that each field's copy can be found on its page. */
const hostile = (mark: string) => `"'><img src=x onerror=alert('${mark}')><svg/onload=alert(1)>\u202e${mark}`;
const RAW = /<img src=x onerror|<svg\/onload/;

let s: TestServer;
let pages: Record<string, string[]>;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_WEBHOOK_ALLOWED_NETWORKS: "127.0.0.0/8" } });
  const form = new FormData();
  form.set("file", new File([await Bun.file("docs/sample-contract.pdf").arrayBuffer()], `${hostile("docname")}.pdf`));
  const doc = await (await fetch(`${s.url}/api/v1/documents`, { method: "POST", headers: { authorization: `Bearer ${await s.key()}` }, body: form })).json();
  const draft = {
    subject: hostile("subject"), message: hostile("message"), documentIds: [doc.id],
    sender: { name: hostile("sendername"), email: "hr@example.com" }, metadata: { ref: hostile("metadata") },
    recipients: [{ email: "ana@example.com", name: hostile("signername"), role: "SIGNER" }, { email: "ben@example.com", name: hostile("declinername"), role: "SIGNER" }],
  };
  const env = await sendEnvelope(s, (await createEnvelope(s, draft as never)).id);
  expect((await signing(s, tokenOf(env.recipients[1].signUrl), "/decline", { method: "POST", json: { reason: hostile("declinereason") } })).status).toBe(200);
  expect((await s.api("/api/v1/webhooks", { method: "POST", json: { url: "http://127.0.0.1:9/hook", description: hostile("hookdescription") } })).status).toBe(201);
  expect((await s.api("/api/v1/keys", { method: "POST", json: { name: hostile("keyname") } })).status).toBe(201);
  const hook = (await (await s.api("/api/v1/webhooks")).json()).data[0].id;
  await addAdmin(s);
  const c = consoleClient(s);
  await c.login();
  const search = encodeURIComponent(hostile("search"));
  pages = {
    [`/admin/envelopes/${env.id}`]: ["subject", "metadata", "signername", "declinername", "declinereason", "docname"],
    "/admin/envelopes": ["subject", "signername", "declinername"],
    [`/admin/envelopes?q=${search}`]: ["search"],
    "/admin/documents": ["docname"],
    "/admin/keys": ["keyname"],
    // The console shows neither the message, the sender, nor a webhook's description: they are
    // set anyway, and no page may carry them raw.
    "/admin/webhooks": [],
    [`/admin/webhooks/${hook}`]: [],
    "/admin/activity": [],
    "/admin": [],
  };
  for (const path of Object.keys(pages)) {
    const { res, text } = await c.get(`${path}${path.includes("?") ? "&" : "?"}env=test`);
    expect([path, res.status]).toEqual([path, 200]);
    pages[path] = [text, ...pages[path]!];
  }
});
afterAll(() => s.stop());

test("every hostile value is on its console page as text, and none is markup", () => {
  for (const [path, [text, ...marks]] of Object.entries(pages)) {
    expect({ path, raw: RAW.exec(text!)?.[0] ?? null }).toEqual({ path, raw: null });
    for (const mark of marks) expect({ path, mark, shown: text!.includes(`alert(&#39;${mark}&#39;)`) }).toEqual({ path, mark, shown: true });
  }
});
