import { t } from "elysia";
import { ENVIRONMENTS, literalUnion } from "../../enums";
import { nullable } from "../../http/schemas";
import { SCOPES } from "./scopes";

export const EnvironmentSchema = literalUnion(ENVIRONMENTS, { description: "test or live" });

export const ScopeSchema = t.UnionEnum(SCOPES, {
  description: "envelopes: documents, envelopes and verification; webhooks: manage webhook endpoints; keys: create and revoke API keys",
});

export const ApiKeySchema = t.Object(
  {
    id: t.String({ examples: ["key_8m4k2r9x7q1c5v3b6n0z"] }),
    name: t.String({ examples: ["HRIS integration"] }),
    environment: EnvironmentSchema,
    prefix: t.String({ description: "First characters of the key, to recognise it", examples: ["sk_test_Qx3v"] }),
    scopes: t.Array(ScopeSchema, { description: "What the key may do; a route needing another scope answers 403 forbidden" }),
    createdAt: t.String({ format: "date-time" }),
    lastUsedAt: nullable(t.String({ format: "date-time" })),
    revokedAt: nullable(t.String({ format: "date-time" })),
  },
  { $id: "#/components/schemas/ApiKey", title: "ApiKey" },
);

export const CreatedApiKeySchema = t.Composite(
  [ApiKeySchema, t.Object({ key: t.String({ description: "The secret key. Shown once: store it now.", examples: ["sk_test_…"] })})],
  { title: "CreatedApiKey" },
);

export const CreateKeyBody = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 100, examples: ["CRM integration"] }),
    environment: t.Optional(EnvironmentSchema),
    scopes: t.Optional(t.Array(ScopeSchema, {
      uniqueItems: true,
      description: "At most the scopes of the key that creates it. Default: the creator's scopes except keys.",
    })),
  },
  { additionalProperties: false },
);
