import type { FastifyPluginAsync } from "fastify";
import { page, pageOf } from "../../http/pages.js";
import type { Services } from "../../kernel/services.js";
import { updateTenant } from "../lifecycle.js";
import { createTenant } from "../provision.js";
import { type RateLimitChange, TENANT_ENVIRONMENTS, type TenantRow, listTenants } from "../tenants.js";
import { tenantInScope } from "../../http/auth.js";
import { dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";

export const TenantSchema = {
  $id: "Tenant",
  type: "object",
  required: ["id", "name", "environment", "status", "subaccount_sid", "created_at"],
  properties: {
    id: { type: "string", examples: ["ten_01JC0000000000000000000000"] },
    name: { type: "string" },
    environment: { type: "string", enum: TENANT_ENVIRONMENTS },
    status: {
      type: "string",
      enum: ["provisioning", "active", "suspended", "closed"],
      description: "provisioning until the Twilio subaccount and key exist (retried automatically)",
    },
    subaccount_sid: { type: ["string", "null"], description: "The tenant's Twilio subaccount" },
    twilio_key_sid: {
      type: ["string", "null"],
      description: "The API key (in the subaccount) used for its calls",
    },
    friendly_name: { type: "string", description: "The subaccount's FriendlyName in Twilio" },
    provisioning_error: {
      type: ["object", "null"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        twilio_code: { type: "integer" },
        at: { type: "string" },
      },
    },
    rate_limits: {
      type: "object",
      description:
        "The operator's limits for this tenant; null = the deployment's default (SUBTEXT_RATE_LIMIT_*), 0 = no limit",
      properties: {
        requests_per_second: { type: ["integer", "null"], description: "Requests per second per API key" },
        messages_per_minute: {
          type: ["integer", "null"],
          description: "Messages submitted per minute (a batch counts each item)",
        },
      },
    },
    created_at: dateTime,
    updated_at: dateTime,
    closed_at: nullableDateTime,
  },
} as const;

const rateLimitsBody = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  description: "Set this tenant's own limits (0 = no limit), or null to use the deployment's default",
  properties: {
    requests_per_second: { type: ["integer", "null"], minimum: 0, maximum: 1_000_000 },
    messages_per_minute: { type: ["integer", "null"], minimum: 0, maximum: 100_000_000 },
  },
} as const;

/** The public view of a tenant row (secret ids stay inside). */
export function tenantView(t: TenantRow) {
  return {
    id: t.id,
    name: t.name,
    environment: t.environment,
    status: t.status,
    subaccount_sid: t.subaccount_sid,
    twilio_key_sid: t.twilio_key_sid,
    friendly_name: t.friendly_name,
    provisioning_error: t.provisioning_error,
    rate_limits: {
      requests_per_second: t.rate_limit_requests_per_second,
      messages_per_minute: t.rate_limit_messages_per_minute,
    },
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
    closed_at: t.closed_at?.toISOString() ?? null,
  };
}

const name = { type: "string", minLength: 1, maxLength: 200, pattern: "\\S" } as const;
const tenantIdParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: idParam("ten_") },
} as const;

export function tenantRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { name: string; environment?: (typeof TENANT_ENVIRONMENTS)[number] } }>(
      "/v1/tenants",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["tenants"],
          summary: "Create a tenant: its Twilio subaccount and an API key in it",
          description:
            "Answers 201 with status `active` once the subaccount and key exist. If Twilio fails, the tenant is kept " +
            "with status `provisioning` and `provisioning_error`, and provisioning is retried in the background.",
          security: [{ bearer: [] }],
          body: {
            type: "object",
            required: ["name"],
            additionalProperties: false,
            properties: {
              name,
              environment: { type: "string", enum: TENANT_ENVIRONMENTS, default: "production" },
            },
          },
          response: responses({ 201: { $ref: "Tenant#" } }, [400, 401, 403, 413]),
        },
      },
      async (req, reply) => {
        const tenant = await createTenant(services, {
          name: req.body.name.trim(),
          environment: req.body.environment,
        });
        return reply.code(201).send(tenantView(tenant));
      },
    );

    app.get<{ Querystring: { limit: number; starting_after?: string; status?: TenantRow["status"] } }>(
      "/v1/tenants",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["tenants"],
          summary: "List tenants, newest first",
          security: [{ bearer: [] }],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
              starting_after: {
                type: "string",
                maxLength: 64,
                description: "The last id of the previous page",
              },
              status: { type: "string", enum: ["provisioning", "active", "suspended", "closed"] },
            },
          },
          response: responses({
            200: pageOf("Tenant"),
          }),
        },
      },
      async (req) => {
        const { tenants, hasMore } = await listTenants(services.db, {
          limit: req.query.limit,
          startingAfter: req.query.starting_after,
          status: req.query.status,
        });
        return page(tenants, hasMore, tenantView);
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/tenants/:id",
      {
        schema: {
          tags: ["tenants"],
          summary: "Read a tenant (admin, or the tenant's own key)",
          security: [{ bearer: [] }],
          params: tenantIdParams,
          response: responses({ 200: { $ref: "Tenant#" } }, [400, 401, 403, 404]),
        },
      },
      async (req) => tenantView(await tenantInScope(req, services, req.params.id)),
    );

    app.patch<{
      Params: { id: string };
      Body: { name?: string; status?: "active" | "suspended" | "closed"; rate_limits?: RateLimitChange };
    }>(
      "/v1/tenants/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["tenants"],
          summary:
            "Rename, suspend, reactivate or close a tenant (and its subaccount), or set its rate limits",
          description:
            "Closing is final: Twilio cannot reopen a closed subaccount. Records are kept. New rate limits apply " +
            "from the next request (a key already refused in the current window may wait for that window to end).",
          security: [{ bearer: [] }],
          params: tenantIdParams,
          body: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name,
              status: { type: "string", enum: ["active", "suspended", "closed"] },
              rate_limits: rateLimitsBody,
            },
          },
          response: responses({ 200: { $ref: "Tenant#" } }, [400, 401, 403, 404, 409]),
        },
      },
      async (req) => {
        await tenantInScope(req, services, req.params.id);
        const tenant = await updateTenant(services, req.params.id, {
          name: req.body.name?.trim(),
          status: req.body.status,
          rateLimits: req.body.rate_limits,
        });
        return tenantView(tenant);
      },
    );
  };
}
