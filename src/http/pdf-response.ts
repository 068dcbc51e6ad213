import type { StoredBody } from "../store/files";

/**
 * A Content-Disposition header for a download: `filename` stripped to printable ASCII without
 * quotes or backslashes (for old clients), the exact name as RFC 6266 / 8187 `filename*`
 * (percent-encoded UTF-8; `'()*` too, which encodeURIComponent keeps but attr-char excludes).
 */
const contentDisposition = (filename: string, disposition: "attachment" | "inline" = "attachment") =>
  `${disposition}; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; ` +
  `filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())}`;

/**
 * A PDF answer: bytes made for it (an audit trail), or a stored blob sent from the store without
 * being read into memory (FileStore.open). API downloads are attachments; the signer page shows its
 * PDFs inline. Either way no cache keeps them: they are personal documents. An attachment on disk
 * says it takes Range requests (Bun answers them on a file, If-Range against the ETag, which is the
 * blob's SHA-256), so a download manager resumes a large file; an inline PDF does not, or the
 * signer page's viewer would fetch it in pieces, each an audited download.
 */
export function pdfResponse(
  content: Uint8Array | StoredBody,
  filename: string,
  opts: { disposition?: "attachment" | "inline"; cacheControl?: string; headers?: Record<string, string> } = {},
): Response {
  const stored = content instanceof Uint8Array ? null : content;
  const ranges: Record<string, string> = stored?.ranges && (opts.disposition ?? "attachment") === "attachment" ? { "accept-ranges": "bytes", etag: `"${stored.sha256}"` } : {};
  return new Response((stored?.body ?? content) as BodyInit, {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": contentDisposition(filename, opts.disposition),
      "cache-control": opts.cacheControl ?? "private, no-store",
      ...ranges,
      ...opts.headers,
    },
  });
}
