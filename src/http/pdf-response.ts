/**
 * A Content-Disposition header for a download: `filename` stripped to printable ASCII without
 * quotes or backslashes (for old clients), the exact name as RFC 6266 / 8187 `filename*`
 * (percent-encoded UTF-8; `'()*` too, which encodeURIComponent keeps but attr-char excludes).
 */
const contentDisposition = (filename: string, disposition: "attachment" | "inline" = "attachment") =>
  `${disposition}; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; ` +
  `filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}`;

/**
 * A PDF answer. API downloads are attachments; the signer page shows its PDFs inline. Either way
 * no cache keeps them: they are personal documents.
 */
export const pdfResponse = (
  bytes: Uint8Array,
  filename: string,
  opts: { disposition?: "attachment" | "inline"; cacheControl?: string; headers?: Record<string, string> } = {},
) =>
  new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": contentDisposition(filename, opts.disposition),
      "cache-control": opts.cacheControl ?? "private, no-store",
      ...opts.headers,
    },
  });
