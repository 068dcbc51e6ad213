/**
 * A 200 whose body is JSON text already made (cached views): sent as it is. Elysia's response
 * check is skipped for a Response; the text was made from the same view type the schema
 * describes (test/response-schemas.test.ts checks the answers against the OpenAPI document).
 */
export const jsonResponse = (json: string): Response => new Response(json, { headers: { "content-type": "application/json" } });
