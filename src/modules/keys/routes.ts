import { Elysia, t } from "elysia";
import type { Deps } from "../../deps";
import { auth } from "../../http/auth";
import { AUTH_ERRORS, IdParams, problemResponses } from "../../http/schemas";
import { ApiKeySchema, CreatedApiKeySchema, CreateKeyBody } from "./model";
import { createKeyAs, listKeys, publicKey, revokeKey, type KeyVerifier } from "./service";

export const keyRoutes = (deps: Deps, verifier: KeyVerifier) =>
  new Elysia({ prefix: "/api/v1/keys", detail: { tags: ["Keys"] } })
    .use(auth)
    .get("", async ({ principal }) => ({ data: (await listKeys(deps.db, principal.environment)).map(publicKey) }), {
      auth: "keys",
      response: { 200: t.Object({ data: t.Array(ApiKeySchema) }, { title: "ApiKeyList" }), ...problemResponses(...AUTH_ERRORS) },
      detail: { operationId: "listApiKeys", summary: "List the API keys of this environment" },
    })
    .post("", async ({ principal, body, set }) => {
      const { key, secret } = await createKeyAs(deps.db, deps.clock, principal, body);
      set.status = 201;
      return { ...publicKey(key), key: secret };
    }, {
      auth: "keys",
      body: CreateKeyBody,
      parse: "json",
      response: { 201: CreatedApiKeySchema, ...problemResponses(...AUTH_ERRORS, 422) },
      detail: { operationId: "createApiKey", summary: "Create an API key (the secret is returned once)" },
    })
    .delete("/:id", async ({ principal, params }) => {
      const key = await revokeKey(deps.db, deps.clock, params.id, principal.environment);
      verifier.invalidate();
      return publicKey(key);
    }, {
      auth: "keys",
      params: IdParams,
      response: { 200: ApiKeySchema, ...problemResponses(...AUTH_ERRORS, 404) },
      detail: { operationId: "revokeApiKey", summary: "Revoke an API key (effective on its next request)" },
    });
