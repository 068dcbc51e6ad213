import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PDFDocument, PDFName } from "pdf-lib";
import { startEnvelopeServer } from "./helpers/envelopes";
import { completeAll, download } from "./helpers/sealing";
import type { TestServer } from "./helpers/server";
import { pdfsig, tempDir } from "./pdf/helpers-seal";

// Sealing's byte work (stamping, incremental update, ByteRange hash, storing, audit-trail rendering)
// runs on the PDF worker threads, so the event loop keeps answering. Timings on a shared 2-core
// machine prove nothing either way: the test checks where the work ran (each task's thread and the
// bytes it handed back to the event loop, logged by the pool) and that the API answered while a
// large file was being sealed.

let s: TestServer;
const work = tempDir("certyneo-seal-worker-");
// The API is polled as fast as it answers while the seal runs: the per-key limit is not what is tested.
beforeAll(async () => { s = await startEnvelopeServer({ CERTYNEO_RATE_LIMIT_ENABLED: "false" }); });
afterAll(() => s.stop());

const FILLER_MB = 24;

/** A one-page PDF made large by an uncompressed stream the catalog points to: deterministic and quick to make. */
async function largePdf(): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create();
  doc.addPage([595.28, 841.89]);
  const filler = new Uint8Array(Buffer.alloc(FILLER_MB * 1024 * 1024, "certyneo filler bytes, deterministic. "));
  doc.catalog.set(PDFName.of("CertyneoFiller"), doc.context.register(doc.context.stream(filler)));
  return new Uint8Array(await doc.save({ useObjectStreams: false }));
}

const tasksDone = (task: string) => s.logs.filter((l) => l.msg === "pdf task done" && l.task === task);

describe("sealing off the main thread", () => {
  test(`a ${FILLER_MB} MB PDF is sealed and stored by a worker thread, its bytes never handed to the event loop, while the API keeps answering; the audit trail is sealed there too`, async () => {
    const form = new FormData();
    form.set("file", new File([await largePdf()], "large.pdf", { type: "application/pdf" }));
    const upload = await s.api("/api/v1/documents", { method: "POST", body: form });
    expect(upload.status).toBe(201);
    const doc = (await upload.json()) as { id: string };
    const id = await completeAll(s, [doc.id], [{ name: "Ana Silva", email: "ana@example.com" }]);
    expect(tasksDone("sealFile")).toHaveLength(0);

    let sealing = true;
    const drained = s.running.app.jobs.drain().finally(() => { sealing = false; });
    let answeredWhileSealing = 0;
    while (sealing) {
      const res = await s.api(`/api/v1/envelopes/${id}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      if (sealing) answeredWhileSealing++;
    }
    await drained;
    expect(answeredWhileSealing).toBeGreaterThan(0);

    // One task per seal, from the stamped document to the stored file: in a data directory the
    // worker reads the original and writes the sealed file itself, and hands back only its SHA-256.
    const sealed = tasksDone("sealFile");
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.ok).toBe(true);
    expect(sealed[0]!.thread).toBeGreaterThan(0); // 0 is the main thread
    expect(sealed[0]!.handedBack).toBe(0);

    const signed = await download(s, `/api/v1/envelopes/${id}/signed-document`);
    expect(signed.status).toBe(200);
    expect(signed.bytes.length).toBeGreaterThan(FILLER_MB * 1024 * 1024);
    const [sig] = pdfsig(work, signed.bytes);
    expect(sig?.valid).toBe(true);

    const trail = await download(s, `/api/v1/envelopes/${id}/audit-trail`);
    expect(trail.status).toBe(200);
    expect(pdfsig(work, trail.bytes)[0]?.valid).toBe(true);
    // Rendered and sealed by a worker; its bytes come back: they are the answer.
    const trailTask = tasksDone("sealFile")[1];
    expect(trailTask?.thread).toBeGreaterThan(0);
    expect(trailTask?.handedBack).toBe(trail.bytes.length);
  });
});
