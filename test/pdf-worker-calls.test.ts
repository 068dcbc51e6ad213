import { afterAll, describe, expect, test } from "bun:test";
import { PDFDocument } from "pdf-lib";
import { loadConfig } from "../src/config";
import { AppError } from "../src/errors";
import { createLogger } from "../src/log";
import { createPdfWorkers, type MainCalls, type TaskCalls } from "../src/pdf-worker/pool";
import type { SealPlan } from "../src/pdf-worker/seal-file";
import { isLongSeal } from "../src/modules/sealing/off-thread";
import { tempDir } from "./helpers/spawn";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";

async function onePage(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  return doc.save();
}
const text = (parts: Uint8Array[]) => Buffer.concat(parts).toString("latin1");
/** The answers of a seal whose calls may wait on the network (a time-stamp authority). */
const waitingOn = (answers: MainCalls): TaskCalls => ({ answers, long: true });
const plan = async (): Promise<SealPlan> => ({
  source: { sealed: { bytes: await onePage() } },
  seal: { layout: { type: "Sig", subFilter: "ETSI.CAdES.detached", hash: "SHA-256" }, room: 64 },
  directory: null,
});

/**
 * A seal runs on a PDF thread and calls the main thread for its CMS (pool.ts handOverCalling):
 * the answer's bytes land in the file, a call's error is the task's error as thrown, the time
 * bound counts the thread's work and not the answer's wait, and a call outliving its task is dropped.
 */
describe("a PDF task's calls to the main thread", () => {
  const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-calls-"), CERTYNEO_PDF_TIMEOUT_SECONDS: "1" });
  const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
  afterAll(() => pdf.close());

  const noCalls = { material: async () => ({ certs: [], ocsps: [], crls: [] }), timestampRoom: async () => 0, timestamp: async () => new Uint8Array() };

  test("the thread asks for the contents with the digest of the ByteRange, and writes the answer into /Contents", async () => {
    const digests: Uint8Array[] = [];
    const calls: MainCalls = { ...noCalls, contents: async (digest: Uint8Array) => (digests.push(digest), Uint8Array.of(0xca, 0xfe, 0xf0, 0x0d)) };
    const sealed = await pdf.handOverCalling(waitingOn(calls), "sealFile", await plan());
    expect(digests).toHaveLength(1);
    expect(digests[0]!.length).toBe(32);
    const file = text(sealed!.parts!);
    expect(file).toMatch(/\/Contents <CAFEF00D0+>/);
    const [a, b, c, d] = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(file)!.slice(1).map(Number) as [number, number, number, number];
    const bytes = Buffer.from(file, "latin1");
    const hashed = new Bun.CryptoHasher("sha256").update(bytes.subarray(a, a + b)).update(bytes.subarray(c, c + d)).digest();
    expect(Buffer.from(hashed).toString("hex")).toBe(Buffer.from(digests[0]!).toString("hex"));
  });

  test("an error a call throws is the task's error, as thrown (its class kept, so a seal is retried or not as for a seal on the main thread)", async () => {
    class KeyGone extends Error {}
    const thrown = new KeyGone("the HSM is gone");
    const error = await pdf.handOverCalling(waitingOn({ ...noCalls, contents: async () => { throw thrown; } }), "sealFile", await plan()).catch((e) => e);
    expect(error).toBe(thrown);
  });

  test("the time bound pauses while the main thread answers: an answer slower than the bound does not stop the task", async () => {
    const slow = async () => {
      await Bun.sleep(2_500);
      return Uint8Array.of(1);
    };
    const sealed = await pdf.handOverCalling(waitingOn({ ...noCalls, contents: slow }), "sealFile", await plan());
    expect(text(sealed!.parts!)).toMatch(/\/Contents <010+>/);
  });

  test("a call still being answered when the pool stops: the task is refused, the late answer dropped, the pool usable again", async () => {
    let called!: () => void;
    const calling = new Promise<void>((resolve) => (called = resolve));
    const late = async () => {
      called();
      await Bun.sleep(300);
      return Uint8Array.of(2);
    };
    const task = pdf.handOverCalling(waitingOn({ ...noCalls, contents: late }), "sealFile", await plan()).catch((e) => e);
    await calling;
    pdf.close();
    const error = await task;
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("unavailable");
    await Bun.sleep(400); // the late answer arrives and is dropped
    const again = await pdf.handOverCalling(waitingOn({ ...noCalls, contents: async () => Uint8Array.of(3) }), "sealFile", await plan());
    expect(text(again!.parts!)).toMatch(/\/Contents <030+>/);
  });
});

describe("seals waiting on the main thread's answers", () => {
  test("hold every PDF thread but one: an upload's check runs while two seals wait for a slow authority", async () => {
    const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-calls-"), CERTYNEO_PDF_WORKERS: "2" });
    const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
    try {
      let release!: () => void;
      const authority = new Promise<void>((resolve) => (release = resolve));
      let firstCalled!: () => void;
      const firstWaits = new Promise<void>((resolve) => (firstCalled = resolve));
      const started: string[] = [];
      const waiting = (name: string): MainCalls => ({
        contents: async () => {
          started.push(name);
          firstCalled();
          await authority;
          return Uint8Array.of(1);
        },
      });
      const seals = Promise.allSettled([pdf.handOverCalling(waitingOn(waiting("first")), "sealFile", await plan()), pdf.handOverCalling(waitingOn(waiting("second")), "sealFile", await plan())]);
      await firstWaits;
      const check = await pdf.handOver("checkAndHashUpload", await onePage());
      // The check ran on the thread left while the first seal waits; the second seal has not started.
      expect(check.facts.pageCount).toBe(1);
      expect(started).toEqual(["first"]);
      release();
      expect((await seals).map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      expect(started).toEqual(["first", "second"]);
    } finally {
      pdf.close();
    }
  });

  test("seals whose answers do not wait (a key's signature alone) take every thread: two run side by side", async () => {
    const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-calls-"), CERTYNEO_PDF_WORKERS: "2" });
    const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
    try {
      // Each seal's call answers once both seals have called: only two seals running at once get there.
      const started: string[] = [];
      const bothStarted = Promise.withResolvers<void>();
      const signing = (name: string): TaskCalls => ({
        long: false,
        answers: {
          contents: async () => {
            if (started.push(name) === 2) bothStarted.resolve();
            await bothStarted.promise;
            return Uint8Array.of(1);
          },
        },
      });
      const seals = Promise.all([pdf.handOverCalling(signing("first"), "sealFile", await plan()), pdf.handOverCalling(signing("second"), "sealFile", await plan())]);
      const timedOut = Bun.sleep(10_000).then(() => "one seal at a time");
      expect(await Promise.race([bothStarted.promise.then(() => "side by side"), timedOut])).toBe("side by side");
      expect((await seals).map((sealed) => text(sealed!.parts!).includes("/Contents <01"))).toEqual([true, true]);
    } finally {
      pdf.close();
    }
  });
});

describe("which queued task a free thread takes", () => {
  test("a seal goes before work queued ahead of it (an upload's check, a message); the rest in order", async () => {
    const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-calls-"), CERTYNEO_PDF_WORKERS: "1" });
    const pdf = createPdfWorkers(config.pdf, createLogger("warn", () => {}));
    try {
      const order: string[] = [];
      const held = Promise.withResolvers<void>();
      const holding = Promise.withResolvers<void>();
      const sealing = (name: string, wait?: Promise<void>): TaskCalls => ({
        long: false,
        answers: {
          contents: async () => {
            order.push(name);
            holding.resolve();
            await wait;
            return Uint8Array.of(1);
          },
        },
      });
      // The one thread is held by a first seal while the others queue behind it.
      const first = pdf.handOverCalling(sealing("seal 1", held.promise), "sealFile", await plan());
      await holding.promise;
      const check = pdf.handOver("checkAndHashUpload", await onePage()).then(() => order.push("check"));
      const mail = pdf.run("composeMail", { from: "a@example.com", to: "b@example.com", subject: "s", text: "t", html: "<p>t</p>", date: 0 }).then(() => order.push("mail"));
      const second = pdf.handOverCalling(sealing("seal 2"), "sealFile", await plan());
      held.resolve();
      await Promise.all([first, check, mail, second]);
      expect(order).toEqual(["seal 1", "seal 2", "check", "mail"]);
    } finally {
      pdf.close();
    }
  });
});

describe("which seals are long tasks (keep a thread free)", () => {
  test("a seal that fetches (a time-stamp, validation data, a renewal) or starts from 10 MB of PDF or more; not a small B-B seal", () => {
    const dir = tempDir("certyneo-long-");
    const file = (name: string, mb: number) => {
      const path = join(dir, name);
      writeFileSync(path, "");
      truncateSync(path, mb * 1024 * 1024); // sparse: only its size is read
      return path;
    };
    const small = { sealed: { bytes: new Uint8Array(50_000) } };
    const bb = { seal: { signer: {} as any, signingTime: new Date() } };
    expect(isLongSeal(small, bb)).toBe(false);
    expect(isLongSeal(small, { seal: { ...bb.seal, timestamper: {} as any } })).toBe(true);
    expect(isLongSeal(small, { ...bb, extend: { level: "B-LT" } })).toBe(true);
    expect(isLongSeal(small, { extend: { renewBefore: new Date() } })).toBe(true);
    expect(isLongSeal({ sealed: { file: file("big.pdf", 10) } }, bb)).toBe(true);
    expect(isLongSeal({ sealed: { file: file("nine.pdf", 9) } }, bb)).toBe(false);
    const doc = (name: string, mb: number) => ({ id: name, name, sha256: "", file: file(name, mb) });
    // An envelope's documents count together; the one being stamped alone.
    expect(isLongSeal({ build: [[doc("a.pdf", 6), doc("b.pdf", 6)], [], [], {} as any] }, bb)).toBe(true);
    expect(isLongSeal({ stamp: [doc("c.pdf", 6), [], [], {} as any] }, bb)).toBe(false);
    expect(isLongSeal({ render: {} as any }, bb)).toBe(false);
    // A file gone is the PDF thread's to report: not an error here.
    expect(isLongSeal({ sealed: { file: join(dir, "gone.pdf") } }, bb)).toBe(false);
  });
});
