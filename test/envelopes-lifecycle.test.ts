/** The envelope's pure rules: status machine, routing groups, session state, turn checks, draft and completion checks. */
import { describe, expect, test } from "bun:test";
import { AppError } from "../src/errors";
import { isEmail, validateDraft, type EnvelopeDraft } from "../src/modules/envelopes/draft-rules";
import { nextStep, routingOrders, signingOrderOf, type RoutedRecipient } from "../src/modules/envelopes/routing";
import { assertCanAct, checkCompletion, initialsOf, sessionState } from "../src/modules/envelopes/signer-rules";
import { canTransition } from "../src/modules/envelopes/status-machine";
import { isPng, pngProblem } from "../src/pdf/png";
import { signingToken, signUrlOf, tokenHash, TOKEN_FORMAT } from "../src/modules/signing/token";
import { TINY_PNG } from "./helpers/envelopes";
import { deflateSync } from "node:zlib";
import { pngChunk } from "./helpers/png";
import { PDFDocument } from "pdf-lib";

/** A PNG with noisy RGBA pixels (8 bits, colour type 6 unless told), every CRC right; `idat`/`raw` alter the image data. */
function makePng(width: number, height: number, o: {
  interlaced?: boolean; colourType?: number; extra?: string;
  raw?: (raw: Uint8Array) => void; idat?: (deflated: Uint8Array) => Uint8Array;
} = {}): Uint8Array {
  const colourType = o.colourType ?? 6;
  const bytesPerPixel = colourType === 6 ? 4 : 1;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, o.interlaced ? 1 : 0], 8);
  // Scanlines (filter byte 0 each) of every Adam7 pass, or of the whole image.
  const passes = o.interlaced
    ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]
    : [[0, 0, 1, 1]];
  const rows: Uint8Array[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0!) / dx!), h = Math.ceil((height - y0!) / dy!);
    if (w > 0) for (let y = 0; y < h; y++) rows.push(new Uint8Array([0, ...Array.from({ length: w * bytesPerPixel }, (_, i) => (i * 2654435761 + y) >>> 24)]));
  }
  const raw = Buffer.concat(rows);
  o.raw?.(raw);
  const deflated = new Uint8Array(deflateSync(raw));
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    ...(o.extra ? [pngChunk(o.extra, new Uint8Array(8))] : []),
    pngChunk("IDAT", o.idat ? o.idat(deflated) : deflated),
    pngChunk("IEND", new Uint8Array()),
  ]));
}

const r = (id: string, routingOrder: number, status: RoutedRecipient["status"], role: RoutedRecipient["role"] = "SIGNER"): RoutedRecipient => ({ id, role, routingOrder, status });

describe("status machine", () => {
  test("DRAFT → SENT → COMPLETED | DECLINED | VOIDED | EXPIRED, nothing else", () => {
    expect(canTransition("DRAFT", "SENT")).toBe(true);
    for (const to of ["COMPLETED", "DECLINED", "VOIDED", "EXPIRED"] as const) {
      expect(canTransition("SENT", to)).toBe(true);
      expect(canTransition("DRAFT", to)).toBe(false);
      for (const next of ["SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED", "DRAFT"] as const) expect(canTransition(to, next)).toBe(false);
    }
    expect(canTransition("SENT", "DRAFT")).toBe(false);
  });
});

describe("routing", () => {
  test("on send, the lowest group of SIGNERs and APPROVERs is invited; CCs never", () => {
    expect(nextStep([r("a", 2, "PENDING"), r("b", 1, "PENDING"), r("c", 1, "PENDING", "APPROVER"), r("cc", 1, "PENDING", "CC")]))
      .toEqual({ kind: "invite", routingOrder: 1, recipientIds: ["b", "c"] });
  });

  test("a group in progress waits; a finished group lets the next one in; all signed completes", () => {
    expect(nextStep([r("a", 1, "SIGNED"), r("b", 1, "VIEWED"), r("c", 2, "PENDING")])).toEqual({ kind: "wait" });
    expect(nextStep([r("a", 1, "SIGNED"), r("b", 1, "SIGNED"), r("c", 2, "PENDING"), r("d", 3, "PENDING")]))
      .toEqual({ kind: "invite", routingOrder: 2, recipientIds: ["c"] });
    expect(nextStep([r("a", 1, "SIGNED"), r("c", 2, "SENT")])).toEqual({ kind: "wait" });
    expect(nextStep([r("a", 1, "SIGNED"), r("c", 2, "SIGNED"), r("cc", 1, "PENDING", "CC")])).toEqual({ kind: "complete" });
  });

  test("gaps in routing orders are fine", () => {
    expect(nextStep([r("a", 10, "SIGNED"), r("b", 40, "PENDING"), r("c", 40, "PENDING")])).toEqual({ kind: "invite", routingOrder: 40, recipientIds: ["b", "c"] });
  });

  test("routingOrders: shorthand or per recipient; signingOrderOf reports it back", () => {
    const recipients = [{ email: "a@x.io", name: "A" }, { email: "c@x.io", name: "C", role: "CC" as const }, { email: "b@x.io", name: "B" }];
    expect(routingOrders({ recipients })).toEqual([1, 1, 1]);
    expect(routingOrders({ recipients, signingOrder: "parallel" })).toEqual([1, 1, 1]);
    expect(routingOrders({ recipients, signingOrder: "sequential" })).toEqual([1, 1, 2]);
    expect(routingOrders({ recipients: [{ email: "a@x.io", name: "A", routingOrder: 3 }, { email: "b@x.io", name: "B" }] })).toEqual([3, 1]);
    expect(signingOrderOf([{ role: "SIGNER", routingOrder: 1 }, { role: "SIGNER", routingOrder: 1 }])).toBe("parallel");
    expect(signingOrderOf([{ role: "SIGNER", routingOrder: 1 }, { role: "CC", routingOrder: 1 }, { role: "APPROVER", routingOrder: 2 }])).toBe("sequential");
    expect(signingOrderOf([{ role: "SIGNER", routingOrder: 1 }, { role: "SIGNER", routingOrder: 1 }, { role: "SIGNER", routingOrder: 2 }])).toBe("custom");
  });
});

describe("signing session", () => {
  test("state: the envelope's end first, then the recipient's own progress", () => {
    const signer = (status: RoutedRecipient["status"]) => ({ role: "SIGNER" as const, status });
    expect(sessionState("SENT", signer("SENT"))).toBe("ready");
    expect(sessionState("SENT", signer("VIEWED"))).toBe("ready");
    expect(sessionState("SENT", signer("PENDING"))).toBe("waiting");
    expect(sessionState("SENT", signer("SIGNED"))).toBe("signed");
    expect(sessionState("SENT", { role: "CC", status: "PENDING" })).toBe("waiting");
    expect(sessionState("COMPLETED", signer("SIGNED"))).toBe("completed");
    expect(sessionState("DECLINED", signer("SIGNED"))).toBe("declined");
    expect(sessionState("VOIDED", signer("SENT"))).toBe("voided");
    expect(sessionState("EXPIRED", signer("VIEWED"))).toBe("expired");
  });

  test("who may act: done first (409), then ended (410), CC and not-your-turn (409)", () => {
    const code = (f: () => void) => {
      try { f(); return "ok"; } catch (e) { return (e as AppError).code; }
    };
    expect(code(() => assertCanAct("SENT", { role: "SIGNER", status: "VIEWED" }))).toBe("ok");
    expect(code(() => assertCanAct("COMPLETED", { role: "SIGNER", status: "SIGNED" }))).toBe("signing_already_done");
    expect(code(() => assertCanAct("DECLINED", { role: "SIGNER", status: "DECLINED" }))).toBe("signing_already_done");
    expect(code(() => assertCanAct("DECLINED", { role: "SIGNER", status: "SENT" }))).toBe("signing_closed");
    expect(code(() => assertCanAct("EXPIRED", { role: "SIGNER", status: "PENDING" }))).toBe("signing_closed");
    expect(code(() => assertCanAct("SENT", { role: "CC", status: "PENDING" }))).toBe("signing_not_required");
    expect(code(() => assertCanAct("SENT", { role: "SIGNER", status: "PENDING" }))).toBe("signing_not_your_turn");
  });
});

describe("draft validation", () => {
  const docs = new Map([["doc_a", { pageCount: 2, pages: [{ width: 600, height: 800 }, { width: 800, height: 600 }] }]]);
  const now = new Date("2026-01-15T09:00:00Z");
  const base: EnvelopeDraft = { subject: "S", documentIds: ["doc_a"], recipients: [{ email: "a@example.com", name: "A" }] };
  const check = (d: Partial<EnvelopeDraft>) => validateDraft({ ...base, ...d }, docs, now).map((e) => e.pointer);

  test("a valid draft has no errors", () => expect(check({})).toEqual([]));

  test("fields are checked against the size of their own page (landscape page 2)", () => {
    const f = (page: number, x: number, y: number) => ({ documentId: "doc_a", type: "text" as const, page, x, y, width: 100, height: 50 });
    expect(check({ recipients: [{ email: "a@example.com", name: "A", fields: [f(2, 700, 550)] }] })).toEqual([]);
    expect(check({ recipients: [{ email: "a@example.com", name: "A", fields: [f(1, 700, 10)] }] })).toEqual(["/recipients/0/fields/0/x"]);
    expect(check({ recipients: [{ email: "a@example.com", name: "A", fields: [f(2, 10, 700)] }] })).toEqual(["/recipients/0/fields/0/y"]);
  });

  test("e-mail addresses", () => {
    for (const ok of ["a@example.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie"]) expect(isEmail(ok)).toBe(true);
    for (const bad of ["", "a", "a@", "@example.com", "a@example", "a b@example.com", "a@exa mple.com", "a@@example.com", "a@example..com", `${"x".repeat(250)}@example.com`])
      expect(isEmail(bad)).toBe(false);
  });
});

describe("completion", () => {
  const now = new Date("2026-03-01T10:00:00Z");
  const signer = { role: "SIGNER" as const, name: "Jean-Pierre Martin" };

  test("PNG detection looks at the signature and the IHDR chunk", () => {
    expect(isPng(TINY_PNG)).toBe(true);
    expect(isPng(TINY_PNG.slice(0, 8))).toBe(false);
    expect(isPng(new Uint8Array([...TINY_PNG.slice(0, 12), 0, 0, 0, 0, ...TINY_PNG.slice(16)]))).toBe(false);
  });

  test("a PNG must decode: complete chunks with good CRCs, at most 4000 px a side, image data of the announced size", async () => {
    const full = makePng(200, 100);
    expect(pngProblem(full)).toBeNull();
    expect(pngProblem(makePng(200, 100, { interlaced: true }))).toBeNull();
    expect(pngProblem(makePng(4000, 1))).toBeNull();
    expect(pngProblem(new Uint8Array([...full, ...new Uint8Array(1000)]))).toBeNull(); // bytes after IEND are ignored
    // A truncated image: pdf-lib's decoder would never return on this one.
    expect(pngProblem(full.slice(0, full.length >> 1))).toMatch(/^truncated/);
    expect(pngProblem(full.slice(0, full.length - 12))).toBe("truncated (no IEND chunk)");
    expect(pngProblem(makePng(4001, 1))).toBe("4001×1 pixels: at most 4000×4000");
    expect(pngProblem(makePng(1, 5000))).toBe("1×5000 pixels: at most 4000×4000");
    // Chunks with good CRCs around a broken or short deflate stream.
    expect(pngProblem(makePng(200, 100, { idat: (z) => z.subarray(0, z.length >> 1) }))).toBe("corrupt or truncated image data");
    expect(pngProblem(makePng(200, 100, { idat: () => deflateSync(new Uint8Array(10)) }))).toBe("the image data does not match the size in IHDR");
    expect(pngProblem(makePng(2, 2, { raw: (r) => r.fill(9, 0, 1) }))).toBe("unknown scanline filter");
    const bitFlip = Uint8Array.from(full);
    bitFlip[60]! ^= 1;
    expect(pngProblem(bitFlip)).toBe("bad CRC in the IDAT chunk");
    expect(pngProblem(makePng(2, 2, { colourType: 3 }))).toBe("indexed image without PLTE");
    expect(pngProblem(makePng(2, 2, { extra: "acTL" }))).toBe("animated PNG");
    // What passes, pdf-lib (which stamps it when sealing) decodes.
    for (const png of [full, makePng(200, 100, { interlaced: true }), TINY_PNG])
      expect((await (await PDFDocument.create()).embedPng(png)).width).toBeGreaterThan(0);
  });

  test("a drawn signature that is not a valid PNG: 422 on /signature/value, with the reason", () => {
    const png = makePng(200, 100);
    const { errors } = checkCompletion(signer, [], { signature: { type: "drawn", value: "data:image/png;base64," + Buffer.from(png.slice(0, png.length >> 1)).toString("base64") }, consent: true }, now);
    expect(errors).toEqual([{ pointer: "/signature/value", message: "the drawn signature is not a valid PNG image: truncated (in the IDAT chunk)" }]);
  });

  test("initials", () => {
    expect(initialsOf("Jean-Pierre Martin")).toBe("JPM");
    expect(initialsOf("  anne   de la tour ")).toBe("ADLT");
  });

  test("an approver needs only consent; a signer needs a signature", () => {
    expect(checkCompletion({ role: "APPROVER", name: "X" }, [], { consent: true }, now).errors).toEqual([]);
    expect(checkCompletion(signer, [], { consent: true }, now).errors.map((e) => e.pointer)).toEqual(["/signature"]);
    const ok = checkCompletion(signer, [], { signature: { type: "typed", value: " Jean " }, consent: true }, now);
    expect(ok.errors).toEqual([]);
    expect(ok.completion.signature).toEqual({ type: "typed", name: "Jean" });
  });

  test("checkbox values: booleans or their strings", () => {
    const fields = [{ id: "fld_1", type: "checkbox" as const, required: false }];
    const sig = { signature: { type: "typed" as const, value: "J" }, consent: true };
    expect(checkCompletion(signer, fields, { ...sig, fields: { fld_1: "true" } }, now).completion.values.get("fld_1")).toBe("true");
    expect(checkCompletion(signer, fields, { ...sig }, now).completion.values.get("fld_1")).toBe("false");
    expect(checkCompletion(signer, fields, { ...sig, fields: { fld_1: "yes" } }, now).errors.map((e) => e.pointer)).toEqual(["/fields/fld_1"]);
  });
});

describe("tokens", () => {
  test("HMAC of the recipient id under the instance secret: 256 bits, base64url, stable, secret-dependent", () => {
    const k1 = new Uint8Array(32).fill(1);
    const k2 = new Uint8Array(32).fill(2);
    const t = signingToken(k1, "rcp_a");
    expect(t).toMatch(TOKEN_FORMAT);
    expect(Buffer.from(t, "base64url").length).toBe(32);
    expect(signingToken(k1, "rcp_a")).toBe(t);
    expect(signingToken(k1, "rcp_b")).not.toBe(t);
    expect(signingToken(k2, "rcp_a")).not.toBe(t);
    expect(tokenHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(signUrlOf("https://sign.example.com/", k1, "rcp_a")).toBe(`https://sign.example.com/s/${t}`);
  });
});
