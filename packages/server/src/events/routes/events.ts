import type { FastifyRequest } from "fastify";
import { listQuery, page, pageOf } from "../../http/pages.js";
import { assertOwnedBy } from "../../http/auth.js";
import { type Routes, idParam, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Defaulted, Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import type { EventRow } from "../deliver.js";
import { unknownEventTypes } from "../endpoints.js";
import { deliveriesOfEvent, findEvent, listEvents } from "../log.js";
import { replayEvent } from "../replay.js";
import { isEventType } from "../types.js";
import { EventSchema, deliveryView, eventView } from "./schemas.js";
import { listScope } from "./scope.js";

const security = [{ bearer: [] }];
const tags = ["events"];
const byId = Type.Object({ id: idParam("evt_") }, { additionalProperties: false });

/** Events: list, read (with where each was delivered), replay. */
export function eventRoutes(services: Pick<Services, "db">): Routes {
  async function ownedEvent(req: FastifyRequest, id: string): Promise<EventRow> {
    const event = await findEvent(services.db, id);
    if (!event) throw notFound("event", id);
    assertOwnedBy(req, event.tenant_id, "event", id);
    return event;
  }

  return async (app) => {
    app.get(
      "/v1/events",
      {
        schema: {
          tags,
          security,
          summary: "List events, newest first",
          querystring: Defaulted(
            Type.Object(
              {
                type: Type.Optional(Type.String({ maxLength: 64 })),
                after: Type.Optional(
                  Type.String({ format: "date-time", description: "Only events created after this time" }),
                ),
                ...listQuery,
                tenant_id: Type.Optional(idParam("ten_")),
              },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 200: pageOf("Event") }, [400, 401, 403, 404, 422]),
        },
      },
      async (req) => {
        const { type, after, cursor, limit } = req.query;
        if (type !== undefined && !isEventType(type)) throw unknownEventTypes([type], "querystring:/type");
        const tenantId = await listScope(req, services, req.query.tenant_id);
        const found = await listEvents(services.db, {
          tenantId,
          type,
          after: after ? new Date(after) : undefined,
          cursor,
          limit,
        });
        return page(found.items, found.hasMore, eventView);
      },
    );

    app.get(
      "/v1/events/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read an event with its deliveries",
          params: byId,
          response: responses(
            {
              200: Type.Object({
                ...EventSchema.properties,
                deliveries: Type.Array(Ref("WebhookDelivery")),
              }),
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const event = await ownedEvent(req, req.params.id);
        return {
          ...eventView(event),
          deliveries: (await deliveriesOfEvent(services.db, event.id)).map(deliveryView),
        };
      },
    );

    app.post(
      "/v1/events/:id/replay",
      {
        schema: {
          tags,
          security,
          summary: "Deliver an event again, to one endpoint or to every subscribed one",
          description: "Answers 202 with the new deliveries; the webhook-id stays the event id.",
          params: byId,
          body: Nullable(
            Type.Object({ endpoint_id: Type.Optional(idParam("whe_")) }, { additionalProperties: false }),
          ),
          response: responses(
            {
              202: Type.Object({
                event_id: Type.String(),
                deliveries: Type.Array(Type.String(), { description: "New delivery ids" }),
              }),
            },
            [400, 401, 403, 404, 409],
          ),
        },
      },
      async (req, reply) => {
        const event = await ownedEvent(req, req.params.id);
        const ids = await services.db.tx((tx) => replayEvent(tx, event, req.body?.endpoint_id));
        return reply.code(202).send({ event_id: event.id, deliveries: ids });
      },
    );
  };
}
