/** The public API's path prefix: API answers are authenticated by key and never cached. */
export const API_PATH = "/api/v1/";
/** The signing ceremony's part of the API, authorised by the link's token instead of an API key. */
export const SIGNING_API_PATH = "/api/v1/signing/";
