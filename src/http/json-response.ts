/**
 * A 200 whose body is JSON already made (cached views, UTF-8): sent as it is. Elysia's response
 * check is skipped for a Response; the text was made from the same view type the schema
 * describes (test/response-schemas.test.ts checks the answers against the OpenAPI document).
 */
export const jsonResponse = (json: Uint8Array): Response => new Response(json as Uint8Array<ArrayBuffer>, { headers: { "content-type": "application/json" } });
