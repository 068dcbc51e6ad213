/**
 * Hostile PDFs at upload: zip bombs and stalling files are refused with 422 pdf_too_complex
 * while the server keeps answering; damaged files get messages a user can act on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { describePdfError } from "../src/pdf/errors";
import {
  badCountPdf, cyclicPdf, deepPdf, encryptedPdf, manyObjectsPdf, manyStreamsBomb, objectStreamBomb,
} from "./helpers/hostile-pdf";
import { startTestServer, type TestServer } from "./helpers/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_RATE_LIMIT_ENABLED: "false" } });
});
afterAll(() => s.stop());

async function upload(pdf: Uint8Array, name = "hostile.pdf", to: TestServer = s) {
  const form = new FormData();
  form.set("file", new File([pdf as Uint8Array<ArrayBuffer>], name, { type: "application/pdf" }));
  const res = await to.api("/api/v1/documents", { method: "POST", body: form });
  return { status: res.status, body: (await res.json()) as any };
}

/** /healthz asked while `work` runs: the event loop must answer it before the work ends. */
async function healthDuring<T>(work: Promise<T>): Promise<{ result: T; healthFirst: boolean }> {
  let done = false;
  const tracked = work.then((r) => ((done = true), r));
  await Bun.sleep(50);
  const health = await fetch(s.url + "/healthz");
  expect(health.status).toBe(200);
  const healthFirst = !done;
  return { result: await tracked, healthFirst };
}

describe("bombs and stalls", () => {
  test("an object stream inflating to 2 GiB is refused (per-stream bound), /healthz answering meanwhile", async () => {
    const pdf = objectStreamBomb(2 * 1024 ** 3);
    expect(pdf.length).toBeLessThan(4 * 1024 * 1024);
    const { result, healthFirst } = await healthDuring(upload(pdf));
    expect(result.status).toBe(422);
    expect(result.body.code).toBe("pdf_too_complex");
    expect(result.body.message).toContain("32 MiB");
    expect(healthFirst).toBe(true);
  });

  test("streams each under the bound but 96 MiB together are refused (total bound)", async () => {
    const r = await upload(manyStreamsBomb(6, 16 * 1024 * 1024));
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("pdf_too_complex");
    expect(r.body.message).toContain("64 MiB in all");
  });

  test("a file that takes longer than the time bound is refused, and the next upload works", async () => {
    const quick = await startTestServer({ env: { CERTYNEO_PDF_TIMEOUT_SECONDS: "2" } });
    try {
      const r = await upload(manyObjectsPdf(400_000), "slow.pdf", quick);
      expect(r.status).toBe(422);
      expect(r.body.code).toBe("pdf_too_complex");
      expect(r.body.message).toContain("longer than 2 s");
      expect((await upload(badCountPdf("1"), "next.pdf", quick)).status).toBe(201);
    } finally {
      await quick.stop();
    }
  });
});

describe("damaged files", () => {
  test("each is refused with a code and a message in words, or accepted only if sealing can stamp it", async () => {
    const cases = { countMinus1: badCountPdf("-1"), count0: badCountPdf("0"), count3_5: badCountPdf("3.5"), cycle: cyclicPdf(), deep: deepPdf(100_000), encrypted: encryptedPdf() };
    for (const [name, pdf] of Object.entries(cases)) {
      const r = await upload(pdf, `${name}.pdf`);
      if (r.status === 201) continue;
      expect(r.status, name).toBe(422);
      expect(r.body.code, name).toMatch(/^pdf_/);
      expect(r.body.message, name).not.toMatch(/evaluating|instance of|undefined|is not an object/);
    }
    expect((await upload(encryptedPdf())).body.code).toBe("pdf_encrypted");
  });

  test("parser internals become one actionable sentence", () => {
    expect(describePdfError(new TypeError("undefined is not an object (evaluating 'i.catalog.Pages')"))).toContain("internal structure is broken");
    expect(describePdfError(new Error("Expected instance of t, but got instance of t"))).toContain("internal structure is broken");
    expect(describePdfError(new Error("Failed to parse PDF document: Expected next byte to be 62 but it was actually undefined"))).toContain("truncated");
    expect(describePdfError(new Error("Failed to parse number (line:3 col:5 offset=40): \"x\""))).toBe(
      "The PDF cannot be read: Failed to parse number: \"x\". Save it again with a PDF editor and upload the new file");
  });
});
