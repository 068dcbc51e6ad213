/**
 * Sealing that cannot succeed: a permanent cause marks the seal FAILED at once (audit and
 * webhook event), downloads answer problem+json (never 500) and never re-run a failing seal.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renameSync, writeFileSync } from "node:fs";
import { complete, createEnvelope, getEnvelope, jobsOf, quickStart, sendEnvelope, startEnvelopeServer, tokenOf, typed, uploadDoc } from "./helpers/envelopes";
import { badCountPdf, objectStreamBomb } from "./helpers/hostile-pdf";
import type { TestServer } from "./helpers/server";
import { subscribeToAllEvents } from "./helpers/events";

let s: TestServer;
beforeAll(async () => {
  s = await startEnvelopeServer();
  await subscribeToAllEvents(s.deps);
});
afterAll(() => s.stop());

async function completed() {
  const doc = await uploadDoc(s);
  const env = await createEnvelope(s, quickStart([doc.id]));
  const sent = await sendEnvelope(s, env.id);
  expect((await complete(s, tokenOf(sent.recipients[0].signUrl), typed())).status).toBe(200);
  return { doc, env };
}

const events = (type: string) =>
  (s.deps.db.$client.query("SELECT payload FROM webhook_events WHERE type = ?").all(type) as { payload: string }[]).map((r) => JSON.parse(r.payload));

test("a document sealing cannot process fails the seal at once: FAILED, audit, webhook event, 503 seal_failed", async () => {
  await s.api("/api/v1/webhooks", { method: "POST", json: { url: "https://example.com/hook" } });
  const { doc, env } = await completed();
  // The stored original turns into a zip bomb (what an upload check would have refused).
  writeFileSync(s.deps.files.path(doc.sha256), objectStreamBomb(1024 ** 3));
  const first = await s.api(`/api/v1/envelopes/${env.id}/signed-document`);
  expect(first.status).toBe(503);
  expect((await first.json()).code).toBe("seal_failed");
  expect((await getEnvelope(s, env.id)).sealStatus).toBe("FAILED");
  expect(events("envelope.seal_failed").map((e) => e.data.envelope.id)).toContain(env.id);
  // The job finds it failed for good: one attempt, no retry schedule.
  await s.running.app.jobs.drain();
  const job = s.deps.db.$client.query("SELECT status, attempts FROM jobs WHERE kind = 'seal_envelope' AND json_extract(payload, '$.envelopeId') = ?").get(env.id) as any;
  expect(job).toEqual({ status: "failed", attempts: 1 });
  const again = await s.api(`/api/v1/envelopes/${env.id}/signed-document`);
  expect(again.status).toBe(503);
  expect(s.logs.filter((l) => l.msg === "envelope sealing failed for good" && l.envelopeId === env.id)).toHaveLength(1);
});

test("a seal waiting for its retry is not re-run by downloads: 409 seal_pending with Retry-After, never 500", async () => {
  const { doc, env } = await completed();
  const path = s.deps.files.path(doc.sha256);
  renameSync(path, `${path}.away`);
  await s.running.app.jobs.drain();
  expect(jobsOf(s, "seal_envelope").length).toBeGreaterThan(0);
  const failures = () => s.logs.filter((l) => l.msg === "job will be retried" && l.kind === "seal_envelope").length;
  const before = failures();
  expect(before).toBeGreaterThan(0);
  for (let i = 0; i < 3; i++) {
    const res = await s.api(`/api/v1/envelopes/${env.id}/signed-document`);
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe("seal_pending");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  }
  expect(s.logs.filter((l) => l.msg === "sealing on download failed").length).toBe(0);
  renameSync(`${path}.away`, path);
  expect((await getEnvelope(s, env.id)).sealStatus).toBe("PENDING");
});

test("a file whose page tree counts its pages wrongly is refused at upload or sealed: never accepted, then failed", async () => {
  const outcomes: Record<string, string> = {};
  for (const count of ["-1", "0", "3.5", "1000000000", "(two)", "null", "[1 2]", "<<>>"]) {
    const res = await s.api("/api/v1/documents", { method: "POST", json: { name: `count-${count}.pdf`, contentBase64: Buffer.from(badCountPdf(count)).toString("base64") } });
    if (res.status !== 201) {
      expect(res.status).toBe(422);
      outcomes[count] = "refused";
      continue;
    }
    const doc = (await res.json()) as { id: string };
    const env = await createEnvelope(s, quickStart([doc.id]));
    const sent = await sendEnvelope(s, env.id);
    expect((await complete(s, tokenOf(sent.recipients[0].signUrl), typed())).status).toBe(200);
    await s.running.app.jobs.drain();
    outcomes[count] = (await getEnvelope(s, env.id)).sealStatus;
  }
  // The signature page is appended: pdf-lib rewrites the counts on its way, the file's own are repaired first.
  expect(outcomes["<<>>"]).toBe("SEALED");
  expect(Object.entries(outcomes).filter(([, o]) => o !== "refused" && o !== "SEALED")).toEqual([]);
});
