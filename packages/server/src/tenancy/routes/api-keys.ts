import { SubtextError, notFound } from "../../kernel/errors.js";
import { Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { type ApiKeyRow, createApiKey, listApiKeys, revokeApiKey } from "../api-keys.js";
import { tenantInScope } from "../../http/auth.js";
import { type Routes, dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";

export const ApiKeySchema = Type.Object(
  {
    id: Type.String({ examples: ["key_01JC0000000000000000000000"] }),
    tenant_id: Type.String(),
    name: Type.Optional(Nullable(Type.String())),
    prefix: Type.String({
      description: "The key's first characters, to recognise it",
      examples: ["sk_test_Ab3x"],
    }),
    created_at: dateTime,
    last_used_at: Type.Optional(nullableDateTime),
    revoked_at: Type.Optional(nullableDateTime),
  },
  { $id: "ApiKey" },
);

/** An ApiKey plus the key itself; the create answer has always required only id, prefix and key. */
const CreatedKeySchema = Type.Object({
  ...ApiKeySchema.properties,
  tenant_id: Type.Optional(ApiKeySchema.properties.tenant_id),
  created_at: Type.Optional(ApiKeySchema.properties.created_at),
  key: Type.String({ description: "Shown once; store it now" }),
});

function keyView(k: ApiKeyRow) {
  return {
    id: k.id,
    tenant_id: k.tenant_id,
    name: k.name,
    prefix: k.prefix,
    created_at: k.created_at.toISOString(),
    last_used_at: k.last_used_at?.toISOString() ?? null,
    revoked_at: k.revoked_at?.toISOString() ?? null,
  };
}

const params = Type.Object({ id: idParam("ten_") }, { additionalProperties: false });

export function apiKeyRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/tenants/:id/api-keys",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["api keys"],
          summary: "Create a tenant API key (the key is in this response only)",
          security: [{ bearer: [] }],
          params,
          body: Nullable(
            Type.Object(
              { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 201: CreatedKeySchema }, [400, 401, 403, 404, 409]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        if (tenant.status === "closed") {
          throw new SubtextError("tenant_closed", 409, "A closed tenant cannot get new API keys.");
        }
        const { row, key } = await createApiKey(
          services.db,
          services.config.mode,
          tenant,
          req.body?.name ?? null,
        );
        return reply.code(201).send({ ...keyView(row), key });
      },
    );

    app.get(
      "/v1/tenants/:id/api-keys",
      {
        schema: {
          tags: ["api keys"],
          summary: "List a tenant's API keys (admin, or the tenant's own key)",
          security: [{ bearer: [] }],
          params,
          response: responses(
            { 200: Type.Object({ data: Type.Array(Ref("ApiKey")) }) },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return { data: (await listApiKeys(services.db, tenant.id)).map(keyView) };
      },
    );

    app.delete(
      "/v1/tenants/:id/api-keys/:key_id",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["api keys"],
          summary: "Revoke an API key (idempotent); requests with it then get 401 invalid_api_key",
          security: [{ bearer: [] }],
          params: Type.Object(
            { id: idParam("ten_"), key_id: idParam("key_") },
            { additionalProperties: false },
          ),
          response: responses({ 200: Ref("ApiKey") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const revoked = await revokeApiKey(services.db, tenant.id, req.params.key_id);
        if (!revoked) throw notFound("API key", req.params.key_id);
        // Every process hears it from the change feed; this one acts on the very next request.
        services.caches.changed("api-key", revoked.id);
        return keyView(revoked);
      },
    );
  };
}
