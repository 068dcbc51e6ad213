import { expect } from "bun:test";
import { complete, createEnvelope, getEnvelope, quickStart, sendEnvelope, tokenOf, typed } from "./envelopes";
import type { TestServer } from "./server";

/** A GET through the API with the body as bytes. */
export async function download(t: TestServer, path: string) {
  const res = await t.api(path);
  return { status: res.status, type: res.headers.get("content-type"), disposition: res.headers.get("content-disposition"), bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Create, send, and have every recipient sign through the signing API: the envelope is COMPLETED. */
export async function completeAll(t: TestServer, docIds: string[], people: { name: string; email: string }[], extra: Record<string, unknown> = {}) {
  const env = await createEnvelope(t, quickStart(docIds, people.map((p) => ({ ...p, role: "SIGNER" })), extra));
  const sent = await sendEnvelope(t, env.id);
  for (const [i, r] of sent.recipients.entries()) {
    const res = await complete(t, tokenOf(r.signUrl), typed(people[i]!.name));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  expect((await getEnvelope(t, env.id)).status).toBe("COMPLETED");
  return env.id as string;
}
