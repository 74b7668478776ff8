import { page, pageOf } from "../../http/pages.js";
import { Defaulted, Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { updateTenant } from "../lifecycle.js";
import { createTenant } from "../provision.js";
import { RateLimitChange, TENANT_ENVIRONMENTS, type TenantRow, listTenants } from "../tenants.js";
import { tenantInScope } from "../../http/auth.js";
import { type Routes, dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";

const TENANT_STATUSES = ["provisioning", "active", "suspended", "closed"] as const;

export const TenantSchema = Type.Object(
  {
    id: Type.String({ examples: ["ten_01JC0000000000000000000000"] }),
    name: Type.String(),
    environment: Type.Enum(TENANT_ENVIRONMENTS, { type: "string" }),
    status: Type.Enum(TENANT_STATUSES, {
      type: "string",
      description: "provisioning until the Twilio subaccount and key exist (retried automatically)",
    }),
    subaccount_sid: Nullable(Type.String({ description: "The tenant's Twilio subaccount" })),
    twilio_key_sid: Type.Optional(
      Nullable(Type.String({ description: "The API key (in the subaccount) used for its calls" })),
    ),
    friendly_name: Type.Optional(Type.String({ description: "The subaccount's FriendlyName in Twilio" })),
    provisioning_error: Type.Optional(
      Nullable(
        Type.Object({
          code: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
          twilio_code: Type.Optional(Type.Integer()),
          at: Type.Optional(Type.String()),
        }),
      ),
    ),
    rate_limits: Type.Optional(
      Type.Object(
        {
          requests_per_second: Type.Optional(
            Nullable(Type.Integer({ description: "Requests per second per API key" })),
          ),
          messages_per_minute: Type.Optional(
            Nullable(
              Type.Integer({ description: "Messages submitted per minute (a batch counts each item)" }),
            ),
          ),
        },
        {
          description:
            "The operator's limits for this tenant; null = the deployment's default (SUBTEXT_RATE_LIMIT_*), 0 = no limit",
        },
      ),
    ),
    created_at: dateTime,
    updated_at: Type.Optional(dateTime),
    closed_at: Type.Optional(nullableDateTime),
  },
  { $id: "Tenant" },
);

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

const name = Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" });
const tenantIdParams = Type.Object({ id: idParam("ten_") }, { additionalProperties: false });

export function tenantRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
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
          body: Defaulted(
            Type.Object(
              {
                name,
                environment: Type.Enum(TENANT_ENVIRONMENTS, { type: "string", default: "production" }),
              },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 201: Ref("Tenant") }, [400, 401, 403, 413]),
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

    app.get(
      "/v1/tenants",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["tenants"],
          summary: "List tenants, newest first",
          security: [{ bearer: [] }],
          querystring: Defaulted(
            Type.Object(
              {
                limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
                starting_after: Type.Optional(
                  Type.String({ maxLength: 64, description: "The last id of the previous page" }),
                ),
                status: Type.Optional(Type.Enum(TENANT_STATUSES, { type: "string" })),
              },
              { additionalProperties: false },
            ),
          ),
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

    app.get(
      "/v1/tenants/:id",
      {
        schema: {
          tags: ["tenants"],
          summary: "Read a tenant (admin, or the tenant's own key)",
          security: [{ bearer: [] }],
          params: tenantIdParams,
          response: responses({ 200: Ref("Tenant") }, [400, 401, 403, 404]),
        },
      },
      async (req) => tenantView(await tenantInScope(req, services, req.params.id)),
    );

    app.patch(
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
          body: Type.Object(
            {
              name: Type.Optional(name),
              status: Type.Optional(Type.Enum(["active", "suspended", "closed"], { type: "string" })),
              rate_limits: Type.Optional(RateLimitChange),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: responses({ 200: Ref("Tenant") }, [400, 401, 403, 404, 409]),
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
