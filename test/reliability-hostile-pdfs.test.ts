/**
 * Hostile-input proof, PDFs: the generated corpus (test/helpers/hostile-pdf.ts) uploaded to the
 * real server process, as multipart and as base64 JSON, and a share sent to /verify. Every
 * answer is a success or a 4xx with a code, never a 5xx; /healthz answers throughout; RSS stays
 * bounded; and a damaged PDF that was accepted does seal. Figures: docs/reliability.md.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildPdf, hostileCorpus, random } from "./helpers/hostile-pdf";
import { makePdf } from "./helpers/pdf";
import { codes, histogram, sendAll, startProbeServer, watch, type ProbeServer } from "./helpers/probe";

/** The server's PDF time bound here: the slowest answer may take this, plus queueing. */
const PDF_SECONDS = 5;

let server: ProbeServer;
beforeAll(async () => { server = await startProbeServer({ CERTYNEO_PDF_TIMEOUT_SECONDS: String(PDF_SECONDS) }); });
afterAll(() => server.stop());

const auth = () => ({ authorization: `Bearer ${server.key}` });

function multipart(path: string, name: string, bytes: Uint8Array) {
  const form = new FormData();
  form.set("file", new File([bytes as Uint8Array<ArrayBuffer>], `${name}.pdf`, { type: "application/pdf" }));
  return fetch(server.url + path, { method: "POST", headers: auth(), body: form });
}

const asJson = (name: string, bytes: Uint8Array) =>
  fetch(server.url + "/api/v1/documents", {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({ name: `${name}.pdf`, contentBase64: Buffer.from(bytes).toString("base64") }),
  });

test("a hostile PDF corpus: only 2xx or 4xx with a code, /healthz up, RSS bounded, accepted files seal", async () => {
  const bases = [await makePdf(2, "hostile base"), buildPdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])];
  // Shuffled (seeded): bombs and stalls spread among the rest rather than all in a row.
  const rnd = random(9);
  const corpus = hostileCorpus(9, bases).map((h) => ({ h, k: rnd() })).sort((a, b) => a.k - b.k).map(({ h }) => h);
  const requests = corpus.flatMap((h, i) => [
    { input: `upload ${h.name}`, send: () => (i % 2 ? multipart("/api/v1/documents", h.name, h.bytes) : asJson(h.name, h.bytes)) },
    ...(i % 5 === 0 ? [{ input: `verify ${h.name}`, send: () => multipart("/api/v1/verify", h.name, h.bytes) }] : []),
  ]);
  const stopWatching = watch(server);
  const answers = await sendAll(requests, 4);
  const watched = await stopWatching();

  const serverErrors = answers.filter((a) => a.status >= 500);
  expect(serverErrors.map((a) => `${a.input}: ${a.status} ${a.body?.message}`)).toEqual([]);
  const uncoded = answers.filter((a) => a.status >= 400 && !a.code);
  expect(uncoded.map((a) => a.input)).toEqual([]);
  // No parser internals in what a user reads.
  const leaky = answers.filter((a) => /evaluating|instance of|is not an object|undefined/.test(a.body?.message ?? ""));
  expect(leaky.map((a) => `${a.input}: ${a.body.message}`)).toEqual([]);
  expect(answers.filter((a) => a.input.startsWith("upload ") && a.input.includes("bomb") && a.code !== "pdf_too_complex").map((a) => a.input)).toEqual([]);
  expect(watched.healthFailures).toBe(0);
  const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
  // Bounded by the PDF time bound: its own run, and at worst a turn behind one run per other client (4 clients, 2 threads).
  expect(slowest.ms).toBeLessThan(PDF_SECONDS * 1000 * 4);
  expect(watched.peakRssMb).toBeLessThan(1500);

  // Accepted damaged files must go through sealing: the upload check runs sealing's paths.
  const accepted = answers.filter((a) => a.status === 201 && !a.input.includes("base")).slice(0, 12);
  const envelopes: string[] = [];
  for (const a of accepted) {
    const headers = { ...auth(), "content-type": "application/json" };
    const env = await (await fetch(`${server.url}/api/v1/envelopes`, { method: "POST", headers, body: JSON.stringify({ subject: a.input, documentIds: [a.body.id], recipients: [{ email: "probe@example.com", name: "Probe" }] }) })).json();
    const sent = await (await fetch(`${server.url}/api/v1/envelopes/${env.id}/send`, { method: "POST", headers: auth() })).json();
    const token = new URL(sent.recipients[0].signUrl).pathname.split("/").pop();
    const signed = await fetch(`${server.url}/api/v1/signing/${token}/complete`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signature: { type: "typed", value: "Probe" }, consent: true }) });
    expect(signed.status).toBe(200);
    envelopes.push(env.id);
  }
  const seals: Record<string, string> = {};
  for (let tries = 0; tries < 240 && Object.values(seals).filter((v) => v !== "PENDING").length < envelopes.length; tries++) {
    for (const id of envelopes) seals[id] = (await (await fetch(`${server.url}/api/v1/envelopes/${id}`, { headers: auth() })).json()).sealStatus;
    await Bun.sleep(250);
  }
  expect(Object.values(seals).filter((s) => s !== "SEALED")).toEqual([]);

  console.log(JSON.stringify({
    hostilePdfs: {
      inputs: corpus.length, requests: answers.length, statuses: histogram(answers), codes: codes(answers),
      slowest: { input: slowest.input, ms: Math.round(slowest.ms) }, ...watched, acceptedDamagedSealed: envelopes.length,
    },
  }));
}, 240_000);
