import type { FastifyRequest } from "fastify";
import type { Routes } from "../../http/schemas.js";
import { type TwilioParams, twilioTenant, twilioWebhooks } from "../../http/twilio-webhooks.js";
import { Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { intakeInbound } from "../callbacks/inbound.js";
import { intakeStatus } from "../callbacks/status.js";
import { messagingMetrics } from "../metrics.js";
import { messagingOf } from "../module.js";

const tenantParams = Type.Object({ tenantId: Type.String({ maxLength: 64 }) });

/**
 * The form Twilio posted (no schema: the plugin's signature check has already refused any body
 * that is not a flat form).
 */
const twilioForm = (body: unknown) => (body ?? {}) as TwilioParams;

/** Twilio's calls to us: message status callbacks and inbound messages, both signed. */
export function twilioMessagingRoutes(services: Services): Routes {
  const metrics = messagingMetrics(services.metrics);
  const messaging = messagingOf(services);
  const refused = (req: FastifyRequest) =>
    metrics.callbacks.inc({
      kind: req.routeOptions.url?.startsWith("/twilio/messages/status/") ? "status" : "inbound",
      result: "refused",
    });
  return twilioWebhooks(
    services,
    (app) => {
      app.post(
        "/twilio/messages/status/:tenantId",
        {
          config: { auth: "twilio" },
          schema: {
            tags: ["twilio webhooks"],
            summary: "Message status callbacks (signed by Twilio with the tenant's subaccount token)",
            params: tenantParams,
            querystring: Type.Object({
              m: Type.Optional(Type.String({ maxLength: 64 })),
              t: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })),
            }),
          },
        },
        async (req, reply) => {
          const tenant = twilioTenant(req);
          const result = await intakeStatus(
            services,
            messaging,
            tenant.id,
            { marker: req.query.m, sentAt: req.query.t === undefined ? undefined : Number(req.query.t) },
            twilioForm(req.body),
          );
          metrics.callbacks.inc({ kind: "status", result });
          return reply.code(204).send();
        },
      );

      app.post(
        "/twilio/messages/inbound/:tenantId",
        {
          config: { auth: "twilio" },
          schema: {
            tags: ["twilio webhooks"],
            summary: "Inbound messages (signed); answers TwiML",
            params: tenantParams,
          },
        },
        async (req, reply) => {
          const tenant = twilioTenant(req);
          const result = await intakeInbound(services, tenant.id, twilioForm(req.body));
          metrics.callbacks.inc({ kind: "inbound", result: result.message ? "stored" : "duplicate" });
          return reply.code(200).type("text/xml").send(result.twiml);
        },
      );
    },
    { onRefused: refused },
  );
}
