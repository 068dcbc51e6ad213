/**
 * The sealed PDF through the signing links once COMPLETED (409 before, 410 if it ended otherwise),
 * and the download file names of the signing and envelope APIs.
 */
import { describe, expect, test } from "bun:test";
import {
  complete, decline, envelopeSuite, getEnvelope, quickStart, sentEnvelope, signing, typed, uploadDoc,
} from "./helpers/envelopes";
import { sha256 } from "./helpers/hash";

const { s, doc } = await envelopeSuite();

describe("the signed document", () => {
  test("every recipient's link downloads the sealed PDF once COMPLETED (409 before, 410 if it ended otherwise)", async () => {
    const { e, tokens } = await sentEnvelope(s, quickStart([doc.id], [{ email: "a@example.com", name: "A" }, { email: "cc@example.com", name: "CC", role: "CC" }]));
    const early = await signing(s, tokens[0]!, "/signed-document");
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("envelope_not_completed");
    await complete(s, tokens[0]!, typed("A"));
    const cc = await signing(s, tokens[1]!);
    expect(cc.body.state).toBe("completed");
    // A signing link never starts the seal itself: the background job does.
    expect((await signing(s, tokens[1]!, "/signed-document")).body.code).toBe("seal_pending");
    await s.running.app.jobs.drain();
    const pdf = await signing(s, tokens[1]!, cc.body.signedDocument.url.replace(`/api/v1/signing/${tokens[1]}`, ""));
    expect(pdf.status).toBe(200);
    expect(pdf.res.headers.get("content-type")).toBe("application/pdf");
    expect(new TextDecoder().decode(pdf.body.slice(0, 5))).toBe("%PDF-");
    const env = await getEnvelope(s, e.id);
    expect(env.sealStatus).toBe("SEALED");
    const last = (s.deps.db.$client.query("SELECT actor, data FROM audit_events WHERE envelope_id = ? AND type = 'document.downloaded' ORDER BY seq DESC").get(e.id) as any);
    expect(last.actor).toBe(`recipient:${e.recipients[1].id} <cc@example.com>`);
    expect(JSON.parse(last.data)).toEqual({ recipientId: e.recipients[1].id, signed: true, sha256: sha256(pdf.body) });

    const other = await sentEnvelope(s, quickStart([doc.id]));
    await decline(s, other.tokens[0]!);
    expect((await signing(s, other.tokens[0]!)).body.signedDocument).toBeNull();
    expect((await signing(s, other.tokens[0]!, "/signed-document")).status).toBe(410);
  });
});

describe("download file names", () => {
  test("one Content-Disposition: ASCII filename without quotes, exact name in filename*; inline for signers, attachment for the API", async () => {
    const odd = await uploadDoc(s, { name: 'Contrat "été" (v2).pdf' });
    const { e, tokens } = await sentEnvelope(s, quickStart([odd.id], undefined, { subject: "Offre d'emploi" }));
    const pdf = await signing(s, tokens[0]!, `/documents/${odd.id}`);
    expect(pdf.res.headers.get("content-disposition"))
      .toBe(`inline; filename="Contrat __t__ (v2).pdf"; filename*=UTF-8''Contrat%20%22%C3%A9t%C3%A9%22%20%28v2%29.pdf`);
    await complete(s, tokens[0]!, typed());
    await s.running.app.jobs.drain();
    const signed = await signing(s, tokens[0]!, "/signed-document");
    expect(signed.res.headers.get("content-disposition")).toBe(`inline; filename="Offre-demploi-signed.pdf"; filename*=UTF-8''Offre-demploi-signed.pdf`);
    const api = await s.api(`/api/v1/envelopes/${e.id}/signed-document`);
    expect(api.status).toBe(200);
    expect(api.headers.get("content-disposition")).toBe(`attachment; filename="Offre-demploi-signed.pdf"; filename*=UTF-8''Offre-demploi-signed.pdf`);
  });
});
