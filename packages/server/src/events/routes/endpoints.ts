import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { page, pageOf } from "../../http/pages.js";
import { actingTenant, assertOwnedBy } from "../../http/auth.js";
import { idParam, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import {
  type EndpointInput,
  type EndpointRow,
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateSecret,
  updateEndpoint,
  validateEndpointInput,
} from "../endpoints.js";
import { listDeliveries } from "../log.js";
import { WebhookEndpointSchema, deliveryView, endpointView } from "./schemas.js";
import { listScope } from "./scope.js";
import { webhookUrlPolicy } from "../url-policy.js";

const security = [{ bearer: [] }];
const tags = ["webhooks"];
const byId = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: idParam("whe_") },
} as const;
const eventTypes = {
  type: ["array", "null"],
  maxItems: 50,
  items: { type: "string", minLength: 1, maxLength: 64 },
  description: "Event types to receive; omit or null for all",
} as const;
const secret = {
  type: "string",
  description: "The whsec_… signing secret: shown in this response only",
} as const;
const withSecret = {
  type: "object",
  required: [...WebhookEndpointSchema.required, "secret"],
  properties: { ...WebhookEndpointSchema.properties, secret },
} as const;
const maybeWithSecret = {
  type: "object",
  required: WebhookEndpointSchema.required,
  properties: { ...WebhookEndpointSchema.properties, secret },
} as const;

type Deps = Pick<Services, "db" | "vault" | "clock" | "config" | "urls">;

/** Tenant webhook endpoints: create (secret shown once), list, read, change, rotate, delete, log. */
export function endpointRoutes(services: Deps): FastifyPluginAsync {
  async function ownedEndpoint(req: FastifyRequest, id: string): Promise<EndpointRow> {
    const endpoint = await findEndpoint(services.db, id);
    if (!endpoint) throw notFound("webhook endpoint", id);
    assertOwnedBy(req, endpoint.tenant_id, "webhook endpoint", id);
    return endpoint;
  }
  const view = (e: EndpointRow) => endpointView(e, services.clock.now());

  return async (app) => {
    app.post<{ Body: { url: string; event_types?: string[] | null; description?: string | null } }>(
      "/v1/webhook-endpoints",
      {
        schema: {
          tags,
          security,
          summary: "Create a webhook endpoint; the signing secret is in this response only",
          description: "Tenant key, or the admin token with `Subtext-Tenant: ten_…`.",
          body: {
            type: "object",
            required: ["url"],
            additionalProperties: false,
            properties: {
              url: { type: "string", minLength: 1, maxLength: 2048 },
              event_types: eventTypes,
              description: { type: ["string", "null"], maxLength: 500 },
            },
          },
          response: responses({ 201: withSecret }, [400, 401, 403, 404, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        validateEndpointInput(req.body, webhookUrlPolicy(services));
        const { endpoint, secret } = await services.db.tx((tx) =>
          createEndpoint(tx, services.vault, tenant.id, req.body),
        );
        return reply.code(201).send({ ...view(endpoint), secret });
      },
    );

    app.get<{ Querystring: { tenant_id?: string } }>(
      "/v1/webhook-endpoints",
      {
        schema: {
          tags,
          security,
          summary: "List webhook endpoints (a tenant's own; admin: all or `tenant_id=`)",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { tenant_id: idParam("ten_") },
          },
          response: responses(
            {
              200: {
                type: "object",
                required: ["data"],
                properties: { data: { type: "array", items: { $ref: "WebhookEndpoint#" } } },
              },
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenantId = await listScope(req, services, req.query.tenant_id);
        return { data: (await listEndpoints(services.db, tenantId)).map(view) };
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/webhook-endpoints/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a webhook endpoint",
          params: byId,
          response: responses({ 200: { $ref: "WebhookEndpoint#" } }, [400, 401, 403, 404]),
        },
      },
      async (req) => view(await ownedEndpoint(req, req.params.id)),
    );

    app.patch<{ Params: { id: string }; Body: EndpointInput & { rotate_secret?: boolean } }>(
      "/v1/webhook-endpoints/:id",
      {
        schema: {
          tags,
          security,
          summary: "Change a webhook endpoint: URL, filters, enable/disable, rotate the secret",
          description:
            "`rotate_secret: true` answers with the new `secret` (shown once); the previous secret keeps " +
            "signing too for 24 hours. Re-enabling clears the failure streak.",
          params: byId,
          body: {
            type: "object",
            additionalProperties: false,
            properties: {
              url: { type: "string", minLength: 1, maxLength: 2048 },
              event_types: eventTypes,
              description: { type: ["string", "null"], maxLength: 500 },
              enabled: { type: "boolean" },
              rotate_secret: { type: "boolean" },
            },
          },
          response: responses({ 200: maybeWithSecret }, [400, 401, 403, 404, 422]),
        },
      },
      async (req) => {
        const { rotate_secret, ...changes } = req.body;
        await ownedEndpoint(req, req.params.id);
        validateEndpointInput(changes, webhookUrlPolicy(services));
        const now = services.clock.now();
        return services.db.tx(async (tx) => {
          let endpoint = await updateEndpoint(tx, req.params.id, changes, now);
          let newSecret: string | undefined;
          if (rotate_secret)
            ({ endpoint, secret: newSecret } = await rotateSecret(tx, services.vault, req.params.id, now));
          return newSecret ? { ...view(endpoint), secret: newSecret } : view(endpoint);
        });
      },
    );

    app.delete<{ Params: { id: string } }>(
      "/v1/webhook-endpoints/:id",
      {
        schema: {
          tags,
          security,
          summary: "Delete a webhook endpoint (its pending deliveries are abandoned; the log stays)",
          params: byId,
          response: responses({ 204: { type: "null" } }, [400, 401, 403, 404]),
        },
      },
      async (req, reply) => {
        await ownedEndpoint(req, req.params.id);
        const now = services.clock.now();
        const deleted = await services.db.tx((tx) => deleteEndpoint(tx, req.params.id, now));
        if (!deleted) throw notFound("webhook endpoint", req.params.id);
        return reply.code(204).send();
      },
    );

    app.get<{ Params: { id: string }; Querystring: { status?: string; cursor?: string; limit: number } }>(
      "/v1/webhook-endpoints/:id/deliveries",
      {
        schema: {
          tags,
          security,
          summary: "The delivery log: each delivery with its attempts, status codes, latency and next retry",
          params: byId,
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              status: { type: "string", enum: ["pending", "retrying", "succeeded", "failed"] },
              cursor: { type: "string", maxLength: 64, description: "next_cursor of the previous page" },
              limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            },
          },
          response: responses({ 200: pageOf("WebhookDelivery") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const endpoint = await ownedEndpoint(req, req.params.id);
        const found = await listDeliveries(services.db, { endpointId: endpoint.id, ...req.query });
        return page(found.items, found.hasMore, deliveryView);
      },
    );
  };
}
