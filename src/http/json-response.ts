/**
 * A 200 whose body is JSON already made (cached views and list pages, UTF-8): sent as it is.
 * Elysia's response check is skipped for a Response; the text was made from the same view type
 * the schema describes (test/response-schemas.test.ts checks the answers against the OpenAPI
 * document).
 */
export const jsonResponse = (json: Uint8Array | Blob): Response => new Response(json as Uint8Array<ArrayBuffer> | Blob, { headers: { "content-type": "application/json" } });
