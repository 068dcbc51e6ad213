/**
 * Purging ended envelopes: DELETE ?purge=true (erasure on request) and the retention setting
 * (off by default). What goes: recipients, audit events, webhook events, files only the
 * envelope needed; what stays: a tombstone, and the envelope answers 410.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { eq } from "drizzle-orm";
import { readFileSync } from "node:fs";
import { enqueue } from "../src/jobs/queue";
import { envelopeTombstones, recipients } from "../src/store/schema";
import { transaction } from "../src/store/transaction";
import { complete, createEnvelope, getEnvelope, pngDataUrl, post, quickStart, sendEnvelope, signing, startEnvelopeServer, tokenOf, uploadDoc } from "./helpers/envelopes";
import type { FakeClock } from "./helpers/clock";
import { fullScans, queryPlan, statementsOf } from "./helpers/query-plans";
import { startTestServer, type TestServer } from "./helpers/server";
import { havePostgres } from "./helpers/postgres";

const count = (s: TestServer, sql: string, ...args: string[]) => (s.deps.db.$client.query(sql).get(...args) as { n: number }).n;

async function completed(s: TestServer, docId: string) {
  const env = await sendEnvelope(s, (await createEnvelope(s, quickStart([docId], [{ email: "ana@example.com", name: "Ana Silva" }]))).id);
  const drawn = { signature: { type: "drawn", value: pngDataUrl() }, consent: true };
  expect((await complete(s, tokenOf(env.recipients[0].signUrl), drawn)).status).toBe(200);
  await s.running.app.jobs.drain();
  return getEnvelope(s, env.id);
}

describe("DELETE /envelopes/{id}?purge=true", () => {
  test("erases an ended envelope, its files and events; a tombstone remains and the envelope answers 410", async () => {
    const s = await startEnvelopeServer();
    try {
      const hook = await post(s, "/api/v1/webhooks", { url: "https://hooks.example.com/x", events: ["*"] });
      expect(hook.status).toBe(201);
      const doc = await uploadDoc(s);
      const env = await completed(s, doc.id);
      expect(env.sealStatus).toBe("SEALED");
      const sealed = s.deps.db.$client.query("SELECT sealed_sha256 AS sha FROM envelopes WHERE id = ?").get(env.id) as { sha: string };
      const drawn = s.deps.db.$client.query("SELECT signature_image_sha256 AS sha FROM recipients WHERE envelope_id = ?").get(env.id) as { sha: string };
      const blobs = [doc.sha256, sealed.sha, drawn.sha];
      for (const sha of blobs) expect(await s.deps.files.exists(sha)).toBe(true);
      const events = count(s, "SELECT count(*) AS n FROM webhook_events WHERE json_extract(payload, '$.data.envelope.id') = ?", env.id);
      expect(events).toBeGreaterThan(0);
      // Each event names its envelope in a column, and the purge finds events and deliveries on indexes, not by scanning.
      expect(count(s, "SELECT count(*) AS n FROM webhook_events WHERE envelope_id = ?", env.id)).toBe(events);
      const plan = (q: string) => queryPlan(s.deps.db.$client, q);
      expect(plan("SELECT id FROM webhook_events WHERE envelope_id = 'x'")).toContain("USING INDEX webhook_events_envelope");
      expect(plan("SELECT id FROM webhook_deliveries WHERE event_id IN ('a', 'b')")).toContain("USING INDEX webhook_deliveries_event");

      // Unfinished jobs about it (a reminder to its recipient, a notice) go with it, another
      // envelope's stay; each job names the envelope it is about, and the purge finds them by it.
      const later = new Date(s.deps.clock.now().getTime() + 3_600_000);
      const queue = (payload: { recipientId: string } | { envelopeId: string }) =>
        transaction(s.deps.db, (tx) => enqueue(tx, s.deps.clock, { kind: "recipientId" in payload ? "send_reminder" : "notify_completed", payload, runAt: later }));
      const its = [await queue({ recipientId: env.recipients[0].id }), await queue({ envelopeId: env.id })];
      const another = await queue({ envelopeId: "env_another" });
      for (const id of its) expect(count(s, "SELECT count(*) AS n FROM jobs WHERE id = ? AND envelope_id = ?", id, env.id)).toBe(1);

      let res!: Response;
      const statements = await statementsOf(s.deps.db.$client, async () => void (res = await s.api(`/api/v1/envelopes/${env.id}?purge=true`, { method: "DELETE" })));
      expect(res.status).toBe(200);
      // No statement of the purge reads a table whole: finished jobs, envelopes, recipients and
      // their files' references grow with the instance (jobs were read whole at every purge, and
      // each file's references three tables whole).
      expect(statements.length).toBeGreaterThan(10);
      expect(fullScans(s.deps.db.$client, statements)).toEqual([]);
      expect(statements.filter((q) => /^delete from "jobs"/i.test(q)).map((q) => plan(q))).toEqual([expect.stringContaining("USING INDEX jobs_envelope")]);
      const tomb = (await res.json()) as any;
      expect(tomb).toMatchObject({ id: env.id, purged: true, status: "COMPLETED", reason: "request", documentHashes: [doc.sha256], sealedSha256: sealed.sha });
      // The chain as it was when purged (`env` was read after the seal, the last event).
      expect(tomb.auditCount).toBe(env.audit.count);
      expect(tomb.auditHead).toBe(env.audit.head);
      expect(JSON.stringify(tomb)).not.toContain("ana@example.com");

      const gone = await s.api(`/api/v1/envelopes/${env.id}`);
      expect(gone.status).toBe(410);
      expect(((await gone.json()) as any).code).toBe("envelope_purged");
      expect((await signing(s, tokenOf(env.recipients[0].signUrl))).status).toBe(404);
      expect((await s.api(`/api/v1/documents/${doc.id}`)).status).toBe(404);
      for (const sha of blobs) expect(await s.deps.files.exists(sha)).toBe(false);
      expect(count(s, "SELECT count(*) AS n FROM audit_events WHERE envelope_id = ?", env.id)).toBe(0);
      expect(count(s, "SELECT count(*) AS n FROM recipients WHERE envelope_id = ?", env.id)).toBe(0);
      expect(count(s, "SELECT count(*) AS n FROM webhook_events WHERE json_extract(payload, '$.data.envelope.id') = ?", env.id)).toBe(0);
      expect(count(s, "SELECT count(*) AS n FROM webhook_deliveries WHERE event_id NOT IN (SELECT id FROM webhook_events)")).toBe(0);
      expect(count(s, "SELECT count(*) AS n FROM envelope_tombstones WHERE envelope_id = ?", env.id)).toBe(1);
      for (const id of its) expect(count(s, "SELECT count(*) AS n FROM jobs WHERE id = ?", id)).toBe(0);
      expect(count(s, "SELECT count(*) AS n FROM jobs WHERE id = ?", another)).toBe(1);
      // A second purge: the envelope is gone.
      expect((await s.api(`/api/v1/envelopes/${env.id}?purge=true`, { method: "DELETE" })).status).toBe(410);
    } finally {
      await s.stop();
    }
  });

  // What is on disk: the database file after a checkpoint of the test's own (the log folded into
  // it), or the file and its log as the server left them.
  test.each([
    ["the erased rows' bytes are overwritten: the database file keeps no trace of the signer's name, address or the subject", true],
    ["the write-ahead log keeps no copy of them either: the purge empties it into the overwritten file", false],
  ] as const)("%s", async (_name, checkpointFirst) => {
    const s = await startEnvelopeServer();
    try {
      const words = ["Quirinus Erasureprobe", "quirinus.erasureprobe@example.com", "Lease of the Erasureprobe mill"];
      const doc = await uploadDoc(s);
      const env = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [{ email: words[1]!, name: words[0]! }], { subject: words[2] }))).id);
      const drawn = { signature: { type: "drawn", value: pngDataUrl() }, consent: true };
      expect((await complete(s, tokenOf(env.recipients[0].signUrl), drawn)).status).toBe(200);
      await s.running.app.jobs.drain();
      const file = s.deps.db.$client.filename;
      const traces = () => {
        if (checkpointFirst) s.deps.db.$client.run("PRAGMA wal_checkpoint(TRUNCATE)");
        const bytes = Buffer.concat([readFileSync(file), ...(checkpointFirst ? [] : [readFileSync(`${file}-wal`)])]);
        return words.filter((w) => bytes.includes(w));
      };
      expect(traces()).toEqual(words);
      expect((await s.api(`/api/v1/envelopes/${env.id}?purge=true`, { method: "DELETE" })).status).toBe(200);
      expect(traces()).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  test("only ended envelopes; another environment's key finds nothing; a document another envelope uses stays", async () => {
    const s = await startEnvelopeServer();
    try {
      await post(s, "/api/v1/webhooks", { url: "https://hooks.example.com/x", events: ["*"] });
      const doc = await uploadDoc(s);
      const sent = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
      const eventsOf = (id: string) => count(s, "SELECT count(*) AS n FROM webhook_events WHERE envelope_id = ?", id);
      const sentEvents = eventsOf(sent.id);
      expect(sentEvents).toBe(2);
      const refused = await s.api(`/api/v1/envelopes/${sent.id}?purge=true`, { method: "DELETE" });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as any).code).toBe("envelope_not_ended");
      const ended = await completed(s, doc.id);
      expect((await s.api(`/api/v1/envelopes/${ended.id}?purge=true`, { method: "DELETE", key: await s.key("live") })).status).toBe(404);
      expect((await s.api(`/api/v1/envelopes/${ended.id}?purge=true`, { method: "DELETE" })).status).toBe(200);
      // Only the purged envelope's webhook events go.
      expect(eventsOf(ended.id)).toBe(0);
      expect(eventsOf(sent.id)).toBe(sentEvents);
      // The sent envelope still uses the document: it and its bytes stay.
      expect(await s.deps.files.exists(doc.sha256)).toBe(true);
      expect((await s.api(`/api/v1/documents/${doc.id}`)).status).toBe(200);
      expect((await getEnvelope(s, sent.id)).status).toBe("SENT");
    } finally {
      await s.stop();
    }
  });

  test("the Idempotency-Key replies that name the envelope go too: a retry is not answered with its people", async () => {
    const s = await startEnvelopeServer();
    try {
      const doc = await uploadDoc(s);
      const body = quickStart([doc.id], [{ email: "erased@example.com", name: "Erased Person" }]);
      const create = () => s.api("/api/v1/envelopes", { method: "POST", json: body, headers: { "idempotency-key": "create-1" } });
      const env = (await (await create()).json()) as any;
      const sent = await s.api(`/api/v1/envelopes/${env.id}/send`, { method: "POST", headers: { "idempotency-key": "send-1" } });
      expect(sent.status).toBe(200);
      expect((await s.api(`/api/v1/envelopes/${env.id}?reason=x`, { method: "DELETE" })).status).toBe(200);
      const other = (await (await s.api("/api/v1/envelopes", { method: "POST", json: quickStart([doc.id]), headers: { "idempotency-key": "create-2" } })).json()) as any;
      // Each reply names its envelope; one naming several (or kept from before the column) is marked "*", and read at an erasure.
      expect(count(s, "SELECT count(*) AS n FROM idempotency_keys WHERE key IN ('create-1', 'send-1') AND envelope_id = ?", env.id)).toBe(2);
      const several = (key: string, ids: string[]) => s.deps.db.$client.run(
        "INSERT INTO idempotency_keys (environment, key, fingerprint, status, response_status, response_body, envelope_id, created_at, expires_at) VALUES ('test', ?, 'f', 'done', 200, ?, '*', ?, ?)",
        [key, JSON.stringify({ data: ids.map((id) => ({ id })) }), Date.now(), Date.now() + 3_600_000]);
      several("batch-1", [other.id, env.id]);
      several("batch-2", [other.id, "env_yetanother"]);
      let purged!: Response;
      const statements = await statementsOf(s.deps.db.$client, async () => void (purged = await s.api(`/api/v1/envelopes/${env.id}?purge=true`, { method: "DELETE" })));
      expect(purged.status).toBe(200);
      expect(statements.filter((q) => /^delete from "idempotency_keys"/i.test(q)).map((q) => queryPlan(s.deps.db.$client, q))).toEqual([expect.stringContaining("USING INDEX idempotency_envelope")]);
      expect(count(s, "SELECT count(*) AS n FROM idempotency_keys WHERE response_body LIKE '%erased@example.com%'")).toBe(0);
      expect(count(s, "SELECT count(*) AS n FROM idempotency_keys WHERE key = 'batch-1'")).toBe(0);
      // Another envelope's replies stay.
      expect(count(s, "SELECT count(*) AS n FROM idempotency_keys WHERE key IN ('create-2', 'batch-2')")).toBe(2);
      const again = await create();
      expect(again.headers.get("idempotent-replayed")).toBeNull();
      expect(((await again.json()) as any).id).not.toBe(env.id);
      expect(other.id).toBeString();
    } finally {
      await s.stop();
    }
  });
});

describe("retention", () => {
  test("off by default: an envelope ended long ago stays", async () => {
    const s = await startEnvelopeServer();
    try {
      const env = await sendEnvelope(s, (await createEnvelope(s, quickStart([(await uploadDoc(s)).id]))).id);
      expect((await s.api(`/api/v1/envelopes/${env.id}?reason=x`, { method: "DELETE" })).status).toBe(200);
      (s.clock as FakeClock).advance(1000 * 86400_000);
      await s.running.app.jobs.drain();
      expect((await getEnvelope(s, env.id)).status).toBe("VOIDED");
    } finally {
      await s.stop();
    }
  });

  // The retention query runs on each dialect's index (envelopes_ended): both run here.
  test.each([false, ...(havePostgres ? [true] : [])])("CERTYNEO_RETENTION_DAYS=30 purges envelopes ended more than 30 days ago, as the system (on PostgreSQL: %p)", async (postgres) => {
    const s = await startTestServer({ postgres, env: { CERTYNEO_RETENTION_DAYS: "30", CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    try {
      const doc = await uploadDoc(s);
      const subject = "Retention walprobe lease";
      const voided = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], undefined, { subject }))).id);
      expect((await s.api(`/api/v1/envelopes/${voided.id}?reason=x`, { method: "DELETE" })).status).toBe(200);
      const running = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
      (s.clock as FakeClock).advance(29 * 86400_000);
      await s.running.app.jobs.drain();
      expect((await s.api(`/api/v1/envelopes/${voided.id}`)).status).toBe(200);
      (s.clock as FakeClock).advance(2 * 86400_000);
      await s.running.app.jobs.drain();
      expect((await s.api(`/api/v1/envelopes/${voided.id}`)).status).toBe(410);
      const tombstone = await s.deps.db.select({ reason: envelopeTombstones.reason, actor: envelopeTombstones.actor, status: envelopeTombstones.status })
        .from(envelopeTombstones).where(eq(envelopeTombstones.envelopeId, voided.id));
      expect(tombstone).toEqual([{ reason: "retention", actor: "system", status: "VOIDED" }]);
      // SQLite: neither the database file nor its log keeps the subject (the batch emptied the log).
      if (!postgres) {
        const file = s.deps.db.$client.filename;
        expect(Buffer.concat([readFileSync(file), readFileSync(`${file}-wal`)]).includes(subject)).toBe(false);
      }
      // A sent envelope has not ended: retention leaves it.
      expect((await getEnvelope(s, running.id)).status).toBe("SENT");
    } finally {
      await s.stop();
    }
  });
});

// Drawn signatures are stored by their bytes: an integration that sends one image for every signer
// shares one file between envelopes. A purge that found no row needing it, and a signer completing
// with the same image meanwhile (the file there, so not written again), lost the new signer's image.
describe.each([false, ...(havePostgres ? [true] : [])])("a purge and a signature drawn with the same image at once (on PostgreSQL: %p)", (postgres) => {
  test("the new signature keeps its image: the purge's removal and the signer's completion do not interleave", async () => {
    const s = await startTestServer({ postgres, env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
    const { remove } = s.deps.files;
    try {
      const doc = await uploadDoc(s);
      const ended = await completed(s, doc.id);
      const image = (await s.deps.db.select({ sha: recipients.signatureImageSha256 }).from(recipients).where(eq(recipients.envelopeId, ended.id)))[0]!.sha!;
      const next = await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id], [{ email: "rui@example.com", name: "Rui Costa" }]))).id);
      // The purge is held once it has decided to remove the image, as if the signer came at that moment.
      const removing = Promise.withResolvers<void>();
      const gate = Promise.withResolvers<void>();
      s.deps.files.remove = async (sha) => {
        if (sha === image) {
          removing.resolve();
          await gate.promise;
        }
        return remove(sha);
      };
      const purging = s.api(`/api/v1/envelopes/${ended.id}?purge=true`, { method: "DELETE" });
      await removing.promise;
      const signingNow = complete(s, tokenOf(next.recipients[0].signUrl), { signature: { type: "drawn", value: pngDataUrl() }, consent: true });
      await Bun.sleep(100);
      gate.resolve();
      expect((await purging).status).toBe(200);
      expect((await signingNow).status).toBe(200);
      expect(await s.deps.files.exists(image)).toBe(true);
      // And the envelope it completed seals, with the image on its page.
      await s.running.app.jobs.drain();
      expect((await getEnvelope(s, next.id)).sealStatus).toBe("SEALED");
    } finally {
      s.deps.files.remove = remove;
      await s.stop();
    }
  });
});

// A download reads its record, then opens the file; a purge may erase both in between. The
// store's open is wrapped to let the purge happen at the chosen moment.
describe("downloads that a purge overtakes", () => {
  test("purged before the file is opened, or after it was opened and before it is sent: 404 in words, never a 500", async () => {
    const s = await startEnvelopeServer();
    const { open } = s.deps.files;
    try {
      const purgeAt = (moment: "before open" | "before send", env: { id: string }) => {
        s.deps.files.open = async (sha, size) => {
          s.deps.files.open = open;
          const purge = () => s.api(`/api/v1/envelopes/${env.id}?purge=true`, { method: "DELETE" }).then((r) => expect(r.status).toBe(200));
          if (moment === "before open") await purge();
          const body = await open(sha, size);
          if (moment === "before send") await purge();
          return body;
        };
      };
      for (const moment of ["before open", "before send"] as const) {
        for (const path of ["signed-document", "content"] as const) {
          const doc = await uploadDoc(s);
          const env = await completed(s, doc.id);
          purgeAt(moment, env);
          const res = await s.api(path === "content" ? `/api/v1/documents/${doc.id}/content` : `/api/v1/envelopes/${env.id}/signed-document`);
          const body = await res.json();
          expect([moment, path, res.status, body.code]).toEqual([moment, path, 404, "not_found"]);
        }
      }
      // The signer's link: the download's audit event finds the link gone and answers as it now is.
      const doc = await uploadDoc(s);
      const env = await completed(s, doc.id);
      purgeAt("before open", env);
      const signer = await signing(s, tokenOf(env.recipients[0].signUrl), "/signed-document");
      expect(signer.status).toBe(404);
      expect(s.logs.filter((l) => l.level === "error")).toEqual([]);
      expect(s.logs.filter((l) => l.msg === "a stored file was removed while it was being sent (erased or deleted meanwhile)")).toHaveLength(2);
    } finally {
      s.deps.files.open = open;
      await s.stop();
    }
  });
});

describe("an audit trail that an erasure overtakes", () => {
  test("the envelope erased after its events were read: 404, not a trail without its documents and people", async () => {
    // An erasure deletes the envelope with its parts in one statement, then its events: here the
    // first delete lands just before the trail reads the documents, its events read already.
    // Statements are wrapped as they are prepared (their methods are their own, not the class's).
    let erase: (() => void) | undefined;
    const { prepare } = Database.prototype;
    Database.prototype.prepare = function (this: Database, ...args: Parameters<typeof prepare>) {
      const statement = prepare.apply(this, args);
      if (String(args[0]).includes('from "envelope_documents"'))
        for (const method of ["all", "values"] as const) {
          const run = statement[method].bind(statement);
          statement[method] = ((...params: any[]) => {
            erase?.();
            erase = undefined;
            return run(...params);
          }) as any;
        }
      return statement;
    } as typeof prepare;
    const s = await startEnvelopeServer();
    try {
      const env = await completed(s, (await uploadDoc(s)).id);
      let erased = false;
      erase = () => {
        s.deps.db.$client.query("DELETE FROM envelopes WHERE id = ?").run(env.id);
        erased = true;
      };
      const trail = await s.api(`/api/v1/envelopes/${env.id}/audit-trail`);
      expect(erased).toBe(true);
      expect([trail.status, (await trail.json()).code]).toEqual([404, "not_found"]);
      expect(count(s, "SELECT count(*) AS n FROM audit_events WHERE envelope_id = ?", env.id)).toBeGreaterThan(0);
    } finally {
      Database.prototype.prepare = prepare;
      await s.stop();
    }
  });
});
