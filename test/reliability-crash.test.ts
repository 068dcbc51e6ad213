/**
 * Crash proof: the real server process takes concurrent uploads, envelope creations, sends and
 * signings and is SIGKILLed at random moments (seeded: the same run each time). After each
 * restart every write it acknowledged (2xx) is there, every stored file matches its SHA-256,
 * no temp file remains; at the end every completed envelope is sealed within seconds and no
 * e-mail was written twice. Figures: docs/reliability.md (CERTYNEO_CRASH_ROUNDS for more kills).
 */
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makePdf } from "./helpers/pdf";
import { random } from "./helpers/hostile-pdf";
import { BUN, freePort, ROOT, run, tempDir, waitForHealth } from "./helpers/spawn";

const ROUNDS = Number(process.env.CERTYNEO_CRASH_ROUNDS ?? 10);
const CLIENTS = 3;
const sha256 = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");

interface Acked {
  documents: Map<string, string>;
  envelopes: Set<string>;
  sent: Map<string, string>;
  signed: Set<string>;
}

test(`${ROUNDS} SIGKILLs under concurrent writes: no acknowledged write lost, no debris, every seal, no duplicate e-mail`, async () => {
  const dir = tempDir("certyneo-crash-");
  const env = { CERTYNEO_DATA_DIR: dir, CERTYNEO_RATE_LIMIT_ENABLED: "false", CERTYNEO_JOBS_POLL_MS: "100", CERTYNEO_LOG_LEVEL: "warn" };
  const created = run([BUN, "src/main.ts", "keys", "create", "--env", "test", "--name", "crash", "--json"], { env });
  expect(created.code, created.stderr).toBe(0);
  const key = JSON.parse(created.stdout).key as string;
  const rnd = random(20261130);
  const acked: Acked = { documents: new Map(), envelopes: new Set(), sent: new Map(), signed: new Set() };
  const pdfs = await Promise.all(Array.from({ length: 8 }, (_, i) => makePdf(1 + (i % 3), `crash test ${i}`)));
  let writes = 0;
  let refused = 0;

  const api = (url: string, path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetch(url + path, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.json !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });

  async function start() {
    const port = await freePort();
    const proc = Bun.spawn([BUN, "src/main.ts", "serve"], {
      cwd: ROOT, env: { ...process.env, ...env, CERTYNEO_PORT: String(port) }, stdout: Bun.file(join(dir, `server-${port}.log`)), stderr: Bun.file(join(dir, `server-${port}.err`)),
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, 30_000);
    // The server loads its PDF threads once listening: load starts once one upload went through.
    const first = await api(url, "/api/v1/documents", { method: "POST", json: { name: "warm.pdf", contentBase64: Buffer.from(pdfs[0]!).toString("base64") } });
    expect(first.status).toBe(201);
    acked.documents.set((await first.json()).id, sha256(pdfs[0]!));
    writes++;
    return { proc, url };
  }


  /** One client: upload → create → send → sign, again and again, recording what was acknowledged. */
  async function client(url: string, id: number, stop: { now: boolean }) {
    for (let n = 0; !stop.now; n++) {
      try {
        const pdf = pdfs[(id + n) % pdfs.length]!;
        const up = await api(url, "/api/v1/documents", { method: "POST", json: { name: `c${id}-${n}.pdf`, contentBase64: Buffer.from(pdf).toString("base64") } });
        if (up.status !== 201) { refused++; continue; }
        const doc = await up.json();
        acked.documents.set(doc.id, sha256(pdf));
        writes++;
        const email = `c${id}.${n}.${crypto.randomUUID().slice(0, 6)}@example.com`;
        const cr = await api(url, "/api/v1/envelopes", { method: "POST", json: { subject: `Crash ${email}`, documentIds: [doc.id], recipients: [{ email, name: "Crash Test" }] } });
        if (cr.status !== 201) { refused++; continue; }
        const envelope = await cr.json();
        acked.envelopes.add(envelope.id);
        writes++;
        const sent = await api(url, `/api/v1/envelopes/${envelope.id}/send`, { method: "POST" });
        if (sent.status !== 200) { refused++; continue; }
        const token = new URL((await sent.json()).recipients[0].signUrl).pathname.split("/").pop()!;
        acked.sent.set(envelope.id, token);
        writes++;
        const signed = await fetch(`${url}/api/v1/signing/${token}/complete`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signature: { type: "typed", value: "Crash Test" }, consent: true }),
        });
        if (signed.status !== 200) { refused++; continue; }
        acked.signed.add(envelope.id);
        writes++;
      } catch {
        return; // the server died mid-request: that write was never acknowledged
      }
    }
  }

  /**
   * Everything acknowledged so far is there, files intact, no temp file left by a killed server.
   * The running server's own are writes in flight (files are written asynchronously, so a seal
   * after the restart may be mid-write while the directory is read), not debris.
   */
  async function verify(url: string, livePid: number) {
    let lost = 0;
    for (const [id, hash] of acked.documents) {
      const res = await api(url, `/api/v1/documents/${id}`);
      if (res.status !== 200 || (await res.json()).sha256 !== hash) lost++;
    }
    for (const id of acked.envelopes) {
      const res = await api(url, `/api/v1/envelopes/${id}`);
      if (res.status !== 200) { lost++; continue; }
      const e = await res.json();
      if (acked.sent.has(id) && e.status === "DRAFT") lost++;
      if (acked.signed.has(id) && e.status !== "COMPLETED") lost++;
    }
    const files = join(dir, "files");
    const stored = existsSync(files) ? readdirSync(files, { recursive: true }).map(String).filter((f) => f.includes("/")) : [];
    const temps = stored.filter((f) => f.endsWith(".tmp") && !f.includes(`.${livePid}.`));
    const corrupt = stored.filter((f) => !f.endsWith(".tmp") && sha256(readFileSync(join(files, f))) !== f.split("/")[1]);
    return { lost, temps, corrupt };
  }

  for (let round = 0; round < ROUNDS; round++) {
    const { proc, url } = await start();
    const check = await verify(url, proc.pid);
    expect(check, `after restart ${round}`).toEqual({ lost: 0, temps: [], corrupt: [] });
    const stop = { now: false };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(url, round * CLIENTS + i, stop));
    await Bun.sleep(300 + Math.floor(rnd() * 2200));
    proc.kill("SIGKILL");
    await proc.exited;
    stop.now = true;
    await Promise.all(clients);
  }

  // The last restart: everything there, and every completed envelope sealed within seconds.
  const { proc, url } = await start();
  try {
    expect(await verify(url, proc.pid)).toEqual({ lost: 0, temps: [], corrupt: [] });
    const startedAt = performance.now();
    const pending = new Set(acked.signed);
    while (pending.size && performance.now() - startedAt < 60_000) {
      for (const id of pending) {
        const e = await (await api(url, `/api/v1/envelopes/${id}`)).json();
        if (e.sealStatus === "SEALED") pending.delete(id);
        else expect(e.sealStatus).toBe("PENDING");
      }
      if (pending.size) await Bun.sleep(250);
    }
    const sealSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
    expect([...pending]).toEqual([]);
    // Let the e-mails of the last completions go out, then look for any message written twice.
    await Bun.sleep(1500);
    const outbox = join(dir, "outbox");
    const mails = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith(".eml")).map((f) => readFileSync(join(outbox, f), "latin1")) : [];
    const keys = mails.map((m) => `${/^To: (.*)$/m.exec(m)?.[1]}|${/^Subject: (.*)$/m.exec(m)?.[1]}`);
    const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(duplicates).toEqual([]);
    console.log(JSON.stringify({
      crashTest: { kills: ROUNDS, acknowledgedWrites: writes, refusedWrites: refused, lost: 0, documents: acked.documents.size, completed: acked.signed.size, sealedWithinSeconds: sealSeconds, emails: mails.length, duplicateEmails: duplicates.length },
    }));
    expect(acked.signed.size).toBeGreaterThan(0);
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}, 240_000);
