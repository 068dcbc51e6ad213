/** The public API's path prefix: its answers are never cached, and all but the signing part need an API key. */
export const API_PATH = "/api/v1/";
/** The signing ceremony's part of the API, authorised by the link's token instead of an API key. */
export const SIGNING_API_PATH = "/api/v1/signing/";
