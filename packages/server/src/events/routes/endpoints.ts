import type { FastifyRequest } from "fastify";
import { listQuery, page, pageOf } from "../../http/pages.js";
import { actingTenant, assertOwnedBy } from "../../http/auth.js";
import { type Routes, idParam, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Defaulted, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  EndpointInput,
  type EndpointRow,
  NewEndpointInput,
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
const byId = Type.Object({ id: idParam("whe_") }, { additionalProperties: false });
const secret = Type.String({ description: "The whsec_… signing secret: shown in this response only" });
const withSecret = Type.Object({ ...WebhookEndpointSchema.properties, secret });
const maybeWithSecret = Type.Object({ ...WebhookEndpointSchema.properties, secret: Type.Optional(secret) });

type Deps = Pick<Services, "db" | "vault" | "clock" | "config" | "urls">;

/** Tenant webhook endpoints: create (secret shown once), list, read, change, rotate, delete, log. */
export function endpointRoutes(services: Deps): Routes {
  async function ownedEndpoint(req: FastifyRequest, id: string): Promise<EndpointRow> {
    const endpoint = await findEndpoint(services.db, id);
    if (!endpoint) throw notFound("webhook endpoint", id);
    assertOwnedBy(req, endpoint.tenant_id, "webhook endpoint", id);
    return endpoint;
  }
  const view = (e: EndpointRow) => endpointView(e, services.clock.now());

  return async (app) => {
    app.post(
      "/v1/webhook-endpoints",
      {
        schema: {
          tags,
          security,
          summary: "Create a webhook endpoint; the signing secret is in this response only",
          description: "Tenant key, or the admin token with `Subtext-Tenant: ten_…`.",
          body: NewEndpointInput,
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

    app.get(
      "/v1/webhook-endpoints",
      {
        schema: {
          tags,
          security,
          summary: "List webhook endpoints (a tenant's own; admin: all or `tenant_id=`)",
          querystring: Type.Object(
            { tenant_id: Type.Optional(idParam("ten_")) },
            { additionalProperties: false },
          ),
          response: responses(
            { 200: Type.Object({ data: Type.Array(Ref("WebhookEndpoint")) }) },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenantId = await listScope(req, services, req.query.tenant_id);
        return { data: (await listEndpoints(services.db, tenantId)).map(view) };
      },
    );

    app.get(
      "/v1/webhook-endpoints/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a webhook endpoint",
          params: byId,
          response: responses({ 200: Ref("WebhookEndpoint") }, [400, 401, 403, 404]),
        },
      },
      async (req) => view(await ownedEndpoint(req, req.params.id)),
    );

    app.patch(
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
          body: Type.Object(
            { ...EndpointInput.properties, rotate_secret: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
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

    app.delete(
      "/v1/webhook-endpoints/:id",
      {
        schema: {
          tags,
          security,
          summary: "Delete a webhook endpoint (its pending deliveries are abandoned; the log stays)",
          params: byId,
          response: responses({ 204: Type.Null() }, [400, 401, 403, 404]),
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

    app.get(
      "/v1/webhook-endpoints/:id/deliveries",
      {
        schema: {
          tags,
          security,
          summary: "The delivery log: each delivery with its attempts, status codes, latency and next retry",
          params: byId,
          querystring: Defaulted(
            Type.Object(
              {
                status: Type.Optional(
                  Type.Enum(["pending", "retrying", "succeeded", "failed"], { type: "string" }),
                ),
                ...listQuery,
              },
              { additionalProperties: false },
            ),
          ),
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
