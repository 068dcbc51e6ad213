/**
 * Fills a data directory with `count` envelopes in one environment, with their documents,
 * recipients, fields and hash-chained audit events in realistic ratios, by direct SQL inserts in
 * big transactions (minutes for a million, where the API would take hours).
 *
 *   node_modules/.bin/bun bench/fill.ts DATA_DIR [count=1000000] [environment=live]
 *
 * Ratios: 1-3 recipients (2 on average), one signature field per signer, 1-2 documents from a
 * pool of 1,000; statuses 10 % DRAFT, 25 % SENT, 52 % COMPLETED, 5 % DECLINED, 5 % VOIDED,
 * 3 % EXPIRED; audit events as the lifecycle writes them (created, sent, invited, viewed, signed,
 * completed, sealed...: 1 for a draft, about 10 for a completed envelope). Every audit hash and
 * signing-token hash is real, so the chains verify and signing links resolve.
 */
import { loadConfig } from "../src/config";
import type { EnvelopeStatus, Environment } from "../src/enums";
import { newId } from "../src/ids";
import { openInstance } from "../src/instance";
import { createLogger } from "../src/log";
import { eventHash, GENESIS_HASH } from "../src/modules/audit/chain";
import { signingToken, tokenHash } from "../src/modules/signing/token";
import { PDFDocument } from "pdf-lib";

const DOCUMENT_POOL = 1000;
const BATCH = 5000;
/** Envelopes are spread over this period before now, oldest first. */
const SPAN_MS = 2 * 365 * 86_400_000;

/** Status of envelope i: a fixed mix, spread evenly. */
function statusOf(i: number): EnvelopeStatus {
  const r = (i * 7919) % 100;
  if (r < 10) return "DRAFT";
  if (r < 35) return "SENT";
  if (r < 87) return "COMPLETED";
  if (r < 92) return "DECLINED";
  if (r < 97) return "VOIDED";
  return "EXPIRED";
}

const RECIPIENT_COUNTS = [1, 2, 2, 3, 2, 1, 2, 3, 2, 2];

export async function fill(dataDir: string, count: number, environment: Environment = "live", progress: (done: number) => void = () => {}) {
  // A raw SQLite bulk load: the fill ignores CERTYNEO_DATABASE_URL.
  const deps = await openInstance(loadConfig({ ...process.env, CERTYNEO_DATA_DIR: dataDir, CERTYNEO_DATABASE_URL: "" }), { log: createLogger("error", () => {}) });
  const db = deps.db.$client;
  // A bulk load into a new file: nothing to protect from a power cut until it has finished.
  db.run("PRAGMA synchronous = OFF");
  db.run("PRAGMA cache_size = -262144");
  try {
    const pdf = await PDFDocument.create();
    for (let p = 0; p < 3; p++) pdf.addPage([595, 842]);
    const bytes = new Uint8Array(await pdf.save());
    const sha = await deps.files.put(bytes);
    const pages = JSON.stringify(Array.from({ length: 3 }, () => ({ width: 595, height: 842 })));
    const start = Date.now() - SPAN_MS;
    const docs: { id: string; name: string }[] = [];
    const insertDoc = db.prepare("INSERT INTO documents (id, environment, name, size, sha256, page_count, pages, created_at) VALUES (?, ?, ?, ?, ?, 3, ?, ?)");
    db.transaction(() => {
      for (let d = 0; d < DOCUMENT_POOL; d++) {
        const doc = { id: newId("doc"), name: `contract-${d}.pdf` };
        insertDoc.run(doc.id, environment, doc.name, bytes.length, sha, pages, start - 1000);
        docs.push(doc);
      }
    })();

    const insertEnvelope = db.prepare(`INSERT INTO envelopes (id, environment, subject, message, status, locale, notify_by_sms, metadata,
      created_at, updated_at, sent_at, completed_at, ended_at, end_reason, seal_status, sealed_sha256, sealed_at, audit_seq, audit_head, revision)
      VALUES (?, ?, ?, NULL, ?, 'en', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`);
    const insertLink = db.prepare("INSERT INTO envelope_documents (envelope_id, document_id, position, sealed_sha256) VALUES (?, ?, ?, ?)");
    const insertRecipient = db.prepare(`INSERT INTO recipients (id, envelope_id, position, email, name, role, routing_order, status, token_hash,
      sent_at, viewed_at, signed_at, declined_at, decline_reason, signature_type, signature_value, ip, user_agent)
      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertField = db.prepare(`INSERT INTO fields (id, envelope_id, recipient_id, document_id, type, page, x, y, width, height, required, value)
      VALUES (?, ?, ?, ?, 'signature', 1, 72, 700, 150, 40, 1, ?)`);
    const insertEvent = db.prepare(`INSERT INTO audit_events (envelope_id, seq, type, at, actor, ip, user_agent, data, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

    const one = (i: number) => {
      const status = statusOf(i);
      const created = start + Math.floor((i / count) * SPAN_MS);
      // Ids start with their creation time, as the server makes them (src/ids.ts).
      const id = newId("env", created);
      let at = created;
      const tick = () => (at += 1000 + ((i * 31) % 60_000));
      const events: { type: string; at: number; actor: string; ip: string | null; userAgent: string | null; data: Record<string, unknown> | null }[] = [];
      const apiActor = "api:key_fill00000000000000000";
      const envDocs = [docs[i % DOCUMENT_POOL]!, ...(i % 3 === 0 ? [docs[(i * 13 + 7) % DOCUMENT_POOL]!] : [])];
      const docHashes = envDocs.map((d) => ({ id: d.id, name: d.name, sha256: sha }));
      const n = RECIPIENT_COUNTS[i % RECIPIENT_COUNTS.length]!;
      const people = Array.from({ length: n }, (_, p) => ({ id: newId("rcp", created), email: `person${i}-${p}@example.com`, name: `Person ${i}.${p}`, role: p === n - 1 && n === 3 ? "CC" : "SIGNER" }));
      events.push({ type: "envelope.created", at, actor: apiActor, ip: "10.1.2.3", userAgent: "hris-sync/4.2", data: {
        subject: `Employment contract ${i}`, documents: docHashes, recipients: people.map((p) => ({ id: p.id, email: p.email, role: p.role, routingOrder: 1 })),
      } });
      const sent = status !== "DRAFT";
      const sentAt = sent ? tick() : null;
      if (sent) {
        events.push({ type: "envelope.sent", at, actor: apiActor, ip: "10.1.2.3", userAgent: "hris-sync/4.2", data: { documents: docHashes } });
        for (const p of people) events.push({ type: "recipient.invited", at, actor: "system", ip: null, userAgent: null, data: { recipientId: p.id, email: p.email, routingOrder: 1, channels: ["email"] } });
      }
      const signers = people.filter((p) => p.role === "SIGNER");
      const signedBy = status === "COMPLETED" ? signers : status === "DECLINED" || status === "SENT" ? signers.slice(0, Math.max(0, signers.length - 1)) : [];
      const recipientState = new Map<string, { status: string; viewedAt: number | null; signedAt: number | null; declinedAt: number | null }>();
      for (const p of people) recipientState.set(p.id, { status: sent ? "SENT" : "PENDING", viewedAt: null, signedAt: null, declinedAt: null });
      for (const p of signedBy) {
        const s = recipientState.get(p.id)!;
        s.viewedAt = tick();
        events.push({ type: "recipient.viewed", at, actor: `recipient:${p.id} <${p.email}>`, ip: "203.0.113.7", userAgent: UA, data: { recipientId: p.id } });
        s.signedAt = tick();
        s.status = "SIGNED";
        events.push({ type: "recipient.signed", at, actor: `recipient:${p.id} <${p.email}>`, ip: "203.0.113.7", userAgent: UA, data: {
          recipientId: p.id, role: "SIGNER", consent: true, signature: { type: "typed", name: p.name }, fields: {}, documents: docHashes,
        } });
      }
      let endedAt: number | null = null;
      let endReason: string | null = null;
      let completedAt: number | null = null;
      if (status === "DECLINED") {
        const p = signers.at(-1)!;
        const s = recipientState.get(p.id)!;
        s.viewedAt = tick();
        s.declinedAt = endedAt = tick();
        s.status = "DECLINED";
        endReason = "The salary is not the one agreed";
        events.push({ type: "recipient.declined", at, actor: `recipient:${p.id} <${p.email}>`, ip: "203.0.113.8", userAgent: UA, data: { recipientId: p.id, reason: endReason } });
      } else if (status === "VOIDED") {
        endedAt = tick();
        endReason = "Sent to the wrong person";
        events.push({ type: "envelope.voided", at, actor: apiActor, ip: "10.1.2.3", userAgent: "hris-sync/4.2", data: { reason: endReason } });
      } else if (status === "EXPIRED") {
        endedAt = tick();
        events.push({ type: "envelope.expired", at, actor: "system", ip: null, userAgent: null, data: null });
      } else if (status === "COMPLETED") {
        completedAt = endedAt = tick();
        events.push({ type: "envelope.completed", at, actor: "system", ip: null, userAgent: null, data: { documents: docHashes } });
        events.push({ type: "envelope.sealed", at: tick(), actor: "system", ip: null, userAgent: null, data: { sealedSha256: sha, documentHashes: Object.fromEntries(envDocs.map((d) => [d.id, sha])), certificate: "CN=Certyneo fill", development: true } });
      }

      let prev = GENESIS_HASH;
      const rows = events.map((e, k) => {
        const body = { envelopeId: id, seq: k + 1, type: e.type, at: new Date(e.at), actor: e.actor, ip: e.ip, userAgent: e.userAgent, data: e.data };
        const hash = eventHash(prev, body);
        const row = [id, k + 1, e.type, e.at, e.actor, e.ip, e.userAgent, e.data === null ? null : JSON.stringify(e.data), prev, hash] as const;
        prev = hash;
        return row;
      });
      const sealed = status === "COMPLETED";
      insertEnvelope.run(id, environment, `Employment contract ${i}`, status, JSON.stringify({ employeeId: `E${i}` }), created, at, sentAt, completedAt, endedAt,
        endReason, sealed ? "SEALED" : null, sealed ? sha : null, sealed ? at : null, rows.length, prev);
      envDocs.forEach((d, position) => insertLink.run(id, d.id, position, sealed ? sha : null));
      people.forEach((p, position) => {
        const s = recipientState.get(p.id)!;
        insertRecipient.run(p.id, id, position, p.email, p.name, p.role, s.status, sent ? tokenHash(signingToken(deps.secret, p.id)) : null,
          sentAt, s.viewedAt, s.signedAt, s.declinedAt, s.declinedAt ? endReason : null, s.signedAt ? "typed" : null, s.signedAt ? p.name : null,
          s.viewedAt ? "203.0.113.7" : null, s.viewedAt ? UA : null);
        if (p.role === "SIGNER") insertField.run(newId("fld", created), id, p.id, envDocs[0]!.id, s.signedAt ? p.name : null);
      });
      // The events last, as a creation writes its first one: the parts before them do not move the revision.
      for (const r of rows) insertEvent.run(...r);
    };

    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) one(i);
    });
    for (let from = 0; from < count; from += BATCH) {
      batch(from, Math.min(count, from + BATCH));
      progress(Math.min(count, from + BATCH));
    }
  } finally {
    deps.db.$client.close();
  }
}

if (import.meta.main) {
  const [dir, n = "1000000", env = "live"] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: bun bench/fill.ts DATA_DIR [count] [environment]");
    process.exit(2);
  }
  const t0 = performance.now();
  await fill(dir, Number(n), env as Environment, (done) => {
    if (done % 50_000 === 0 || done === Number(n)) console.log(`${done} envelopes, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  });
}
