/**
 * The embedded assets that browsers load (the signing page's scripts and pdf.js, the console's, the API docs
 * page), sent gzip-compressed to a client that takes it: pdf.js alone is 1.8 MB as it is and
 * 0.5 MB compressed, which a signer on a mobile network waits for on every first visit.
 */

import { nodeZlib } from "../node-builtins";

/** Where an asset's bytes are: a file embedded in the executable, or a text built in memory. */
export type AssetSource = { path: string } | { text: string };

/** Types gzip makes smaller; the rest (compressed CMaps, Type 1 fonts, colour profiles) go as they are. */
const COMPRESSIBLE = /^(text\/|application\/(wasm|json)|font\/ttf)/;

/** Each asset compressed once, off the event loop (zlib's thread pool), and kept: assets do not change while the server runs. */
const compressed = new WeakMap<AssetSource, Promise<Uint8Array<ArrayBuffer>>>();

function gzipped(source: AssetSource): Promise<Uint8Array<ArrayBuffer>> {
  let bytes = compressed.get(source);
  if (!bytes) {
    bytes = ("path" in source ? Bun.file(source.path).bytes() : Promise.resolve(new TextEncoder().encode(source.text)))
      .then((raw) => new Promise<Uint8Array<ArrayBuffer>>((done, fail) =>
        nodeZlib().gzip(raw, { level: 9 }, (e, out) => (e ? fail(e) : done(new Uint8Array(out))))));
    // A failure is not kept: the next request tries again (and this one is answered uncompressed).
    bytes.catch(() => compressed.delete(source));
    compressed.set(source, bytes);
  }
  return bytes;
}

/**
 * Whether an Accept-Encoding header takes gzip: named with a q above 0, or through `*` when
 * gzip is not named (RFC 9110 §12.5.3).
 */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  let any = false;
  for (const part of header.split(",")) {
    const [coding = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const wanted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === "gzip") return wanted;
    if (coding === "*") any = wanted;
  }
  return any;
}

/** An asset's answer with `headers` (its content-type among them): gzip when the type gains from it and the client takes it. */
export async function assetAnswer(req: Request, source: AssetSource, headers: Record<string, string>): Promise<Response> {
  const body = () => ("path" in source ? Bun.file(source.path) : source.text);
  if (!COMPRESSIBLE.test(headers["content-type"] ?? "")) return new Response(body(), { headers });
  const varying = { ...headers, vary: "accept-encoding" };
  if (!acceptsGzip(req.headers.get("accept-encoding"))) return new Response(body(), { headers: varying });
  try {
    return new Response(await gzipped(source), { headers: { ...varying, "content-encoding": "gzip" } });
  } catch {
    return new Response(body(), { headers: varying });
  }
}
