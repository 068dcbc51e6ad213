/**
 * Requests at once on PostgreSQL: what SQLite's single writer guaranteed holds. Most
 * transactions run serializable (one at a time per node, and run again on a conflict with
 * another node's); creation, sending and the signing ceremony's steps run read committed and
 * lock the envelope's row first, and an Idempotency-Key's claim runs read committed
 * (docs/decisions.md).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { complete, getEnvelope, quickStart, sentEnvelope, signing, typed, uploadDoc } from "./helpers/envelopes";
import { havePostgres, testPostgres, type TestPostgres } from "./helpers/postgres";
import { startTwoNodesOnPostgres, type TestServer, type TwoNodes } from "./helpers/server";
import { systemError } from "../src/http/system-errors";
import { setNotifiedCacheGeneration } from "../src/store/cache-generations";
import { makePdf } from "./helpers/pdf";

describe.skipIf(!havePostgres)("concurrent requests on PostgreSQL", () => {
  let nodes: TwoNodes;
  let a: TestServer;
  let b: TestServer;
  let db: SQL;
  let cluster: TestPostgres;
  /** The serialization failures PostgreSQL has logged so far. */
  const conflicts = () => cluster.serverLog().split("\n").filter((l) => l.includes("could not serialize access")).length;
  /** The deadlocks PostgreSQL has logged so far. */
  const deadlocks = () => cluster.serverLog().split("\n").filter((l) => l.includes("deadlock detected")).length;
  /** How many jobs of `kind` name the envelope, read straight from the database. */
  const jobsFor = async (envelopeId: string, kind: string) =>
    (await db`SELECT count(*)::int AS n FROM jobs WHERE kind = ${kind} AND payload::json->>'envelopeId' = ${envelopeId}`)[0].n as number;
  /** How many audit events of `type` the envelope has, read straight from the database. */
  const events = async (envelopeId: string, type: string) =>
    (await db`SELECT count(*)::int AS n FROM audit_events WHERE envelope_id = ${envelopeId} AND type = ${type}`)[0].n as number;
  beforeAll(async () => {
    cluster = await testPostgres();
    nodes = await startTwoNodesOnPostgres();
    ({ a, b } = nodes);
    db = new SQL(nodes.url, { max: 1 });
  });
  afterAll(async () => {
    await Promise.all([nodes?.stop(), db?.close()]);
  });

  test("envelopes created 12 at a time on two nodes: every one is created, none refused, none run again", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    const draft = quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }, { email: "b@example.com", name: "Bo Li" }]);
    const before = conflicts();
    const statuses = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const out: number[] = [];
      for (let n = 0; n < 8; n++) out.push((await (i % 2 ? a : b).api("/api/v1/envelopes", { method: "POST", key, json: draft })).status);
      return out;
    }));
    expect(statuses.flat().filter((s) => s !== 201)).toEqual([]);
    const listed = await (await a.api("/api/v1/envelopes?limit=100", { key })).json();
    expect(listed.data.length).toBe(96);
    // Creations write only new rows (read committed): they never conflict, so none was run again.
    expect(conflicts() - before).toBe(0);
  });

  test("a document deleted on one node while envelopes are created from it on the other: never both", async () => {
    const key = await a.key();
    const draft = (docId: string) => quickStart([docId], [{ email: "a@example.com", name: "Ana Silva" }]);
    const outcomes = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const doc = await uploadDoc(a, { key, name: `race-${round}.pdf` });
      const [created, deleted] = await Promise.all([
        (round % 2 ? a : b).api("/api/v1/envelopes", { method: "POST", key, json: draft(doc.id) }),
        (round % 2 ? b : a).api(`/api/v1/documents/${doc.id}`, { method: "DELETE", key }),
      ]);
      const got = `${created.status}/${deleted.status}`;
      outcomes.add(got);
      // Either the envelope uses a live document, or the document is gone and no envelope uses it.
      expect(["201/409", "422/200"]).toContain(got);
      expect((await a.api(`/api/v1/documents/${doc.id}`, { key })).status).toBe(created.status === 201 ? 200 : 404);
    }
  });

  test("two signers of one envelope sign at the same moment on two nodes: it completes, once", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    for (let round = 0; round < 5; round++) {
      const { e, tokens } = await sentEnvelope(a, quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }, { email: "b@example.com", name: "Bo Li" }]), key);
      const [first, second] = await Promise.all([complete(a, tokens[0]!, typed("Ana Silva")), complete(b, tokens[1]!, typed("Bo Li"))]);
      expect([first.status, second.status]).toEqual([200, 200]);
      const done = await getEnvelope(a, e.id, key);
      expect(done.status).toBe("COMPLETED");
      expect(await events(e.id, "envelope.completed")).toBe(1);
      expect(done.audit.valid).toBe(true);
    }
  });

  test("an envelope sent twice at once on two nodes is sent once", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    const before = conflicts();
    for (let round = 0; round < 6; round++) {
      const draft = quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }, { email: "b@example.com", name: "Bo Li" }]);
      const { id } = await (await a.api("/api/v1/envelopes", { method: "POST", key, json: draft })).json();
      const sends = await Promise.all([a, b].map((s) => s.api(`/api/v1/envelopes/${id}/send`, { method: "POST", key })));
      expect(sends.map((r) => r.status).sort()).toEqual([200, 409]);
      expect((await sends.find((r) => r.status === 409)!.json()).code).toBe("envelope_already_sent");
      expect(await events(id, "envelope.sent")).toBe(1);
      expect(await events(id, "recipient.invited")).toBe(2);
      expect((await getEnvelope(b, id, key)).audit.valid).toBe(true);
    }
    expect(conflicts() - before).toBe(0);
  });

  test("three signers open, download and sign at the same moment on two nodes: every step recorded once, one completion", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    const people = [{ email: "a@example.com", name: "Ana Silva" }, { email: "b@example.com", name: "Bo Li" }, { email: "c@example.com", name: "Cy Dee" }];
    const [before, deadlocksBefore] = [conflicts(), deadlocks()];
    for (let round = 0; round < 4; round++) {
      const { e, tokens } = await sentEnvelope(a, quickStart([doc.id], people), key);
      const node = (i: number) => (i % 2 ? a : b);
      // Each signer's page twice at once (one on each node): one recipient.viewed each.
      const opened = await Promise.all(tokens.flatMap((t) => [signing(a, t), signing(b, t)]));
      expect(opened.map((r) => r.status)).toEqual(opened.map(() => 200));
      // On the node holding the file (each node has its own data directory here): 9 appends side by side.
      const downloads = await Promise.all(tokens.flatMap((t) => [0, 1, 2].map(() => signing(a, t, `/documents/${doc.id}`))));
      expect(downloads.map((r) => r.status)).toEqual(downloads.map(() => 200));
      const signed = await Promise.all(tokens.map((t, i) => complete(node(i), t, typed(people[i]!.name))));
      expect(signed.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await events(e.id, "recipient.viewed")).toBe(3);
      expect(await events(e.id, "document.downloaded")).toBe(9);
      expect(await events(e.id, "recipient.signed")).toBe(3);
      expect(await events(e.id, "envelope.completed")).toBe(1);
      expect(await jobsFor(e.id, "seal_envelope")).toBe(1);
      const done = await getEnvelope(a, e.id, key);
      expect(done.status).toBe("COMPLETED");
      expect(done.audit.valid).toBe(true);
      // created, sent, 3 invited, 3 viewed, 9 downloads, 3 signed, completed: nothing lost, nothing twice.
      expect(done.audit.count).toBe(21);
    }
    // Read committed with the envelope locked: nothing for PostgreSQL to refuse or undo.
    expect(conflicts() - before).toBe(0);
    expect(deadlocks() - deadlocksBefore).toBe(0);
  });

  test("more signers completing at once than a node's pool has connections: every one answers", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    // 16 per node against a pool of 10: a step whose transaction waited for a second connection
    // (a query outside its transaction) would hold the pool with the others, and none would answer.
    const sent = await Promise.all(Array.from({ length: 32 }, (_, i) => sentEnvelope(i % 2 ? a : b, quickStart([doc.id], [{ email: `s${i}@example.com`, name: "Ana Silva" }]), key)));
    const [opened, signed] = [
      await Promise.all(sent.map(({ tokens }, i) => signing(i % 2 ? a : b, tokens[0]!))),
      await Promise.all(sent.map(({ tokens }, i) => complete(i % 2 ? b : a, tokens[0]!, typed("Ana Silva")))),
    ];
    expect([...opened, ...signed].filter((r) => r.status !== 200)).toEqual([]);
    for (const { e } of sent.slice(0, 4)) expect(await events(e.id, "envelope.completed")).toBe(1);
  });

  test("wrong access codes sent at once on two nodes: each counts, the fifth locks", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    const before = conflicts();
    const { e, tokens } = await sentEnvelope(a, quickStart([doc.id], [{ email: "race@example.com", name: "Rae", authentication: { method: "access_code", accessCode: "RED-1" } }]), key);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signing(i % 2 ? a : b, tokens[0]!, "/auth", { json: { code: "WRONG-2" } })));
    const codes = answers.map((r) => r.body.code);
    expect(codes.filter((c) => c === "auth_code_invalid")).toHaveLength(4);
    expect(codes.filter((c) => c === "auth_locked")).toHaveLength(8);
    expect(await events(e.id, "recipient.auth_failed")).toBe(4);
    expect(await events(e.id, "recipient.auth_locked")).toBe(1);
    expect((await signing(b, tokens[0]!, "/auth", { json: { code: "RED-1" } })).body.code).toBe("auth_locked");
    expect((await getEnvelope(a, e.id, key)).audit.valid).toBe(true);
    expect(conflicts() - before).toBe(0);
  });

  test("one signer submitting twice at once on two nodes signs once", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    const { e, tokens } = await sentEnvelope(a, quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }]), key);
    const results = await Promise.all([complete(a, tokens[0]!, typed("Ana Silva")), complete(b, tokens[0]!, typed("Ana Silva"))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await events(e.id, "recipient.signed")).toBe(1);
    expect((await getEnvelope(b, e.id, key)).status).toBe("COMPLETED");
  });

  test("one Idempotency-Key sent four times at once on two nodes: one envelope; the others wait (409) or get its replay", async () => {
    const key = await a.key();
    const doc = await uploadDoc(a, { key });
    const subject = "Idempotent race";
    const draft = quickStart([doc.id], [{ email: "a@example.com", name: "Ana Silva" }], { subject });
    const before = conflicts();
    for (let round = 0; round < 8; round++) {
      const headers = { "idempotency-key": `race-${round}` };
      const answers = await Promise.all([a, b, a, b].map((s) => s.api("/api/v1/envelopes", { method: "POST", key, json: draft, headers })));
      const bodies = await Promise.all(answers.map((r) => r.json() as Promise<{ id?: string; code?: string }>));
      const made = answers.map((r, i) => ({ status: r.status, replayed: r.headers.get("idempotent-replayed") === "true", body: bodies[i]! }));
      const first = made.filter((m) => m.status === 201 && !m.replayed);
      expect(first).toHaveLength(1);
      for (const m of made.filter((m) => m !== first[0])) {
        if (m.status === 409) expect(m.body.code).toBe("idempotency_in_progress");
        else expect({ status: m.status, replayed: m.replayed, id: m.body.id }).toEqual({ status: 201, replayed: true, id: first[0]!.body.id });
      }
    }
    expect((await db`SELECT count(*)::int AS n FROM envelopes WHERE subject = ${subject}`)[0].n).toBe(8);
    // The claim runs read committed: a node waiting for another's claim never fails to serialize.
    expect(conflicts() - before).toBe(0);
  });
});

describe.skipIf(!havePostgres)("a node that has not yet heard of another node's change", () => {
  // Two nodes sharing one database and one files directory (as a bucket is shared); b's cache
  // notifications are held back, as when b reads before the NOTIFY reaches it.
  let nodes: TwoNodes;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    nodes = await startTwoNodesOnPostgres();
    ({ a, b } = nodes);
    setNotifiedCacheGeneration(b.deps.db, () => 0);
  });
  afterAll(() => nodes?.stop());

  test("a document deleted on one node: its content is not served by the other (404, not a 500 or the deleted file)", async () => {
    const key = await a.key();
    const upload = async (pdf: Uint8Array) => {
      const res = await a.api("/api/v1/documents", { method: "POST", key, json: { name: "c.pdf", contentBase64: Buffer.from(pdf).toString("base64") } });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string };
    };
    // Its bytes alone: deleting it removes the file.
    const alone = await upload(await makePdf(1, "alone"));
    // Bytes another live document has: the file stays.
    const bytes = await makePdf(1, "shared");
    const [shared] = [await upload(bytes), await upload(bytes)];
    for (const doc of [alone, shared]) {
      expect((await b.api(`/api/v1/documents/${doc.id}`, { key })).status).toBe(200);
      expect((await a.api(`/api/v1/documents/${doc.id}`, { method: "DELETE", key })).status).toBe(200);
      const content = await b.api(`/api/v1/documents/${doc.id}/content`, { key });
      expect(content.status).toBe(404);
      expect((await content.json()).code).toBe("not_found");
    }
  });
});

describe.skipIf(!havePostgres)("a delete on one node and an upload of the same bytes on another", () => {
  // Two nodes sharing one database and one files directory (as a bucket is shared).
  let nodes: TwoNodes;
  let a: TestServer;
  let b: TestServer;
  let db: SQL;
  beforeAll(async () => {
    nodes = await startTwoNodesOnPostgres();
    ({ a, b } = nodes);
    db = new SQL(nodes.url, { max: 1 });
  });
  afterAll(async () => {
    await nodes?.stop();
    await db?.close();
  });

  test("the new document keeps its file: the upload waits for the removal's lock, then stores the bytes again", async () => {
    const key = await a.key();
    const pdf = await makePdf(1, "two nodes, one file");
    const upload = async (node: TestServer) => (await node.api("/api/v1/documents", { method: "POST", key, json: { name: "c.pdf", contentBase64: Buffer.from(pdf).toString("base64") } })).json() as Promise<{ id: string; sha256: string }>;
    const first = await upload(a);
    const { remove } = a.deps.files;
    const removing = Promise.withResolvers<void>();
    const gate = Promise.withResolvers<void>();
    // a's removal is held once it has decided, its lock taken: b's upload comes at that moment.
    a.deps.files.remove = async (sha) => (removing.resolve(), await gate.promise, remove(sha));
    try {
      const deleting = a.api(`/api/v1/documents/${first.id}`, { method: "DELETE", key });
      await removing.promise;
      let uploaded = false;
      const uploading = upload(b).finally(() => (uploaded = true));
      // Until b's upload has finished, or waits for the file's lock.
      const waitsForLock = async () => (await db`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)[0].n > 0;
      for (let i = 0; i < 1000 && !uploaded && !(await waitsForLock()); i++) await Bun.sleep(10);
      gate.resolve();
      expect((await deleting).status).toBe(200);
      const second = await uploading;
      const content = await b.api(`/api/v1/documents/${second.id}/content`, { key });
      expect(content.status).toBe(200);
      expect(new Bun.CryptoHasher("sha256").update(new Uint8Array(await content.arrayBuffer())).digest("hex")).toBe(first.sha256);
    } finally {
      a.deps.files.remove = remove;
    }
  });
});

describe.skipIf(!havePostgres)("a conflict PostgreSQL refuses", () => {
  test("is a 503 database_busy with Retry-After once retries are spent, not a 500", async () => {
    const url = await (await testPostgres()).freshDatabase();
    const [x, y] = [new SQL(url, { max: 1 }), new SQL(url, { max: 1 })];
    try {
      await x`CREATE TABLE doctors (name text PRIMARY KEY, on_call boolean NOT NULL)`;
      await x`INSERT INTO doctors VALUES ('ana', true), ('ben', true)`;
      // Write skew: each reads both rows, then takes a different one off call. Serializable lets one commit.
      const leave = (db: SQL, name: string, ready: Promise<unknown>, started: () => void) => db.begin("isolation level serializable", async (tx) => {
        await tx`SELECT count(*) FROM doctors WHERE on_call`;
        started();
        await ready;
        await tx`UPDATE doctors SET on_call = false WHERE name = ${name}`;
      });
      let both!: () => void;
      const ready = new Promise<void>((r) => (both = r));
      let count = 0;
      const started = () => ++count === 2 && both();
      const outcomes = await Promise.allSettled([leave(x, "ana", ready, started), leave(y, "ben", ready, started)]);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
      expect(refused).toBeDefined();
      const answer = systemError(refused!.reason);
      expect(answer?.code).toBe("database_busy");
      expect(answer?.status).toBe(503);
      expect(answer?.extra.headers?.["retry-after"]).toBe("1");
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  });
});
