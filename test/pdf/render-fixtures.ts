// Shared inputs and real-tool probes for the render tests (stamps, certificate, audit trail).
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import type { RenderAuditEvent, RenderEnvelope, RenderRecipient } from "../../src/pdf/render-model.ts";
import { pngChunk } from "../helpers/png.ts";
import { run, tempDir } from "./helpers-seal.ts";

export { run };

/** An RGBA PNG as a data URL: `ink(x, y)` says which pixels are dark, the rest is transparent. */
export function pngDataUrl(width: number, height: number, ink: (x: number, y: number) => boolean): string {
  const stride = 1 + width * 4; // each row starts with filter type 0
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (ink(x, y)) rows.set([20, 30, 90, 255], y * stride + 1 + x * 4);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows)),
    pngChunk("IEND", new Uint8Array()),
  ]);
  return `data:image/png;base64,${png.toString("base64")}`;
}

/** A drawn-signature PNG like the signer page's canvas makes: a dark wavy stroke on transparency. */
export function signaturePngDataUrl(width = 300, height = 100): string {
  const stroke = (x: number) => height / 2 + Math.sin(x / 14) * (height / 4) * Math.cos(x / 53);
  return pngDataUrl(width, height, (x, y) => x >= 20 && x < width - 20 && Math.abs(y - stroke(x)) <= 2.5);
}

export const SIGNED_AT = new Date("2026-03-14T09:26:53Z");

export function recipient(over: Partial<RenderRecipient> & { id: string; name: string }): RenderRecipient {
  return {
    email: `${over.id}@example.com`,
    role: "SIGNER",
    status: "SIGNED",
    signedAt: SIGNED_AT,
    ip: "203.0.113.7",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    authMethod: "e-mail link",
    signature: { type: "typed", value: over.name },
    ...over,
  };
}

/** The names the product promises to render: Greek, Latin with accents, Cyrillic. */
export const UNICODE_SIGNERS: RenderRecipient[] = [
  recipient({ id: "rcp_greek", name: "Γιώργος Παπαδόπουλος", email: "giorgos@example.gr" }),
  recipient({ id: "rcp_nordic", name: "Zoë Ødegård", email: "zoe@example.no", signature: { type: "drawn", value: signaturePngDataUrl() } }),
  recipient({ id: "rcp_cyrillic", name: "Юлия Кузнецова", email: "yulia@example.ru" }),
];

export const ENVELOPE: RenderEnvelope = {
  id: "env_01HZX3K9QW7ABCDEF",
  locale: null,
  subject: "Contrat de prestation — Ωmega GmbH × ООО «Север»",
  status: "COMPLETED",
  createdAt: new Date("2026-03-13T16:02:11Z"),
  sentAt: new Date("2026-03-13T16:05:40Z"),
  completedAt: SIGNED_AT,
};

/** A linked chain of `count` events (hashes are fake but linked, as the trail checks links). */
export function auditEvents(count: number, documentId: string): RenderAuditEvent[] {
  const hex = (n: number) => n.toString(16).padStart(8, "0").repeat(8);
  let prevHash = "0".repeat(64);
  return Array.from({ length: count }, (_, i) => {
    const hash = hex(i + 1);
    const event: RenderAuditEvent = {
      seq: i + 1,
      at: new Date(ENVELOPE.createdAt.getTime() + i * 61_000),
      type: ["envelope.created", "envelope.sent", "recipient.viewed", "document.downloaded", "recipient.signed"][i % 5]!,
      actor: i % 2 ? "Γιώργος Παπαδόπουλος <giorgos@example.gr>" : "API key key_live_7Q",
      ip: "198.51.100.23",
      userAgent: i % 3 ? "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15" : null,
      documentHashes: i % 2 ? { [documentId]: "ab".repeat(32) } : null,
      detail: i % 7 === 3 ? "Reminder e-mail delivered to yulia@example.ru after 48 hours without activity" : null,
      hash,
      prevHash,
    };
    prevHash = hash;
    return event;
  });
}

/** Runs a command on PDF bytes written to a temporary file. */
export function withPdfFile<T>(bytes: Uint8Array, use: (path: string) => T): T {
  const dir = tempDir("certyneo-render-");
  try {
    const path = join(dir, "in.pdf");
    writeFileSync(path, bytes);
    return use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


export function pdftotext(bytes: Uint8Array, ...args: string[]): string {
  return withPdfFile(bytes, (path) => run(["pdftotext", "-enc", "UTF-8", ...args, path, "-"]).out);
}

/** qpdf --check: 0 is clean, 3 is "succeeded with warnings" (which the corpus' originals already have). */
export function qpdfCheck(bytes: Uint8Array): { code: number; out: string } {
  return withPdfFile(bytes, (path) => run(["qpdf", "--check", path]));
}

export interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Words with their boxes as a viewer shows the page (top-left of the CropBox, rotation applied), from pdftotext -bbox. */
export function words(bytes: Uint8Array): Word[] {
  const html = pdftotext(bytes, "-bbox", "-cropbox");
  const found: Word[] = [];
  let page = 0;
  for (const line of html.split("\n")) {
    if (line.includes("<page ")) page++;
    const m = /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*)<\/word>/.exec(line);
    if (m) found.push({ page, text: m[5]!, xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]! });
  }
  return found;
}

export const hasTool = (tool: string) => Bun.which(tool) !== null;

/** Page `page` (1-based) rendered in grey at 72 dpi, so one pixel is one point of the displayed CropBox. */
export function greyPixels(bytes: Uint8Array, page: number): { width: number; height: number; at: (x: number, y: number) => number } {
  const pgm = withPdfFile(bytes, (path) => {
    const result = Bun.spawnSync(["pdftoppm", "-gray", "-cropbox", "-r", "72", "-f", String(page), "-l", String(page), path], { stdout: "pipe" });
    return Buffer.from(result.stdout);
  });
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString("latin1"))!;
  const [width, height, offset] = [Number(header[1]), Number(header[2]), header[0].length];
  return { width, height, at: (x, y) => pgm[offset + y * width + x]! };
}

/** How many pixels darker than mid-grey lie inside (or, with `outside`, outside) a box. */
export function darkPixels(
  image: ReturnType<typeof greyPixels>,
  box: { x: number; y: number; width: number; height: number },
  outside = false,
): number {
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
      if (inside !== outside && image.at(x, y) < 128) count++;
    }
  }
  return count;
}
