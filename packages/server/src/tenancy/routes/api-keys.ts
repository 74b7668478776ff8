import type { FastifyPluginAsync } from "fastify";
import { SubtextError, notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { type ApiKeyRow, createApiKey, listApiKeys, revokeApiKey } from "../api-keys.js";
import { tenantInScope } from "../../http/auth.js";
import { dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";

export const ApiKeySchema = {
  $id: "ApiKey",
  type: "object",
  required: ["id", "tenant_id", "prefix", "created_at"],
  properties: {
    id: { type: "string", examples: ["key_01JC0000000000000000000000"] },
    tenant_id: { type: "string" },
    name: { type: ["string", "null"] },
    prefix: {
      type: "string",
      description: "The key's first characters, to recognise it",
      examples: ["sk_test_Ab3x"],
    },
    created_at: dateTime,
    last_used_at: nullableDateTime,
    revoked_at: nullableDateTime,
  },
} as const;

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

const params = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: idParam("ten_") },
} as const;

export function apiKeyRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { id: string }; Body: { name?: string } }>(
      "/v1/tenants/:id/api-keys",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["api keys"],
          summary: "Create a tenant API key (the key is in this response only)",
          security: [{ bearer: [] }],
          params,
          body: {
            type: ["object", "null"],
            additionalProperties: false,
            properties: { name: { type: "string", minLength: 1, maxLength: 100 } },
          },
          response: responses(
            {
              201: {
                type: "object",
                required: ["id", "key", "prefix"],
                properties: {
                  ...ApiKeySchema.properties,
                  key: { type: "string", description: "Shown once; store it now" },
                },
              },
            },
            [400, 401, 403, 404, 409],
          ),
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

    app.get<{ Params: { id: string } }>(
      "/v1/tenants/:id/api-keys",
      {
        schema: {
          tags: ["api keys"],
          summary: "List a tenant's API keys (admin, or the tenant's own key)",
          security: [{ bearer: [] }],
          params,
          response: responses(
            {
              200: {
                type: "object",
                required: ["data"],
                properties: { data: { type: "array", items: { $ref: "ApiKey#" } } },
              },
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return { data: (await listApiKeys(services.db, tenant.id)).map(keyView) };
      },
    );

    app.delete<{ Params: { id: string; key_id: string } }>(
      "/v1/tenants/:id/api-keys/:key_id",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["api keys"],
          summary: "Revoke an API key (idempotent); requests with it then get 401 invalid_api_key",
          security: [{ bearer: [] }],
          params: {
            type: "object",
            required: ["id", "key_id"],
            additionalProperties: false,
            properties: { id: idParam("ten_"), key_id: idParam("key_") },
          },
          response: responses({ 200: { $ref: "ApiKey#" } }, [400, 401, 403, 404]),
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
