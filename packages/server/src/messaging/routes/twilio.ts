import type { FastifyPluginAsync } from "fastify";
import type { Services } from "../../system/services.js";
import { intakeInbound } from "../callbacks/inbound.js";
import { type FormParams, parseForm, verifiedTenant } from "../callbacks/signed.js";
import { intakeStatus } from "../callbacks/status.js";
import { messagingMetrics } from "../metrics.js";
import { messagingOf } from "../module.js";

const tenantParams = {
  type: "object",
  required: ["tenantId"],
  properties: { tenantId: { type: "string", maxLength: 64 } },
} as const;

/** Twilio's calls to us: message status callbacks and inbound messages, both signed. */
export function twilioMessagingRoutes(services: Services): FastifyPluginAsync {
  const metrics = messagingMetrics(services.metrics);
  const messaging = messagingOf(services);
  return async (app) => {
    // Twilio posts forms. Registered in this plugin only (Fastify encapsulation).
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 256 * 1024 },
      (_req, body, done) => done(null, parseForm(body as string)),
    );

    app.post<{ Params: { tenantId: string }; Querystring: { m?: string; t?: string }; Body: FormParams }>(
      "/twilio/messages/status/:tenantId",
      {
        config: { auth: "twilio" },
        schema: {
          tags: ["twilio webhooks"],
          summary: "Message status callbacks (signed by Twilio with the tenant's subaccount token)",
          params: tenantParams,
          querystring: {
            type: "object",
            properties: {
              m: { type: "string", maxLength: 64 },
              t: { type: "string", pattern: "^[0-9]{1,15}$" },
            },
          },
        },
      },
      async (req, reply) => {
        const tenant = await verifiedTenant(services, req, req.params.tenantId).catch((err) => {
          metrics.callbacks.inc({ kind: "status", result: "refused" });
          throw err;
        });
        const result = await intakeStatus(
          services,
          messaging,
          tenant.id,
          { marker: req.query.m, sentAt: req.query.t === undefined ? undefined : Number(req.query.t) },
          req.body ?? {},
        );
        metrics.callbacks.inc({ kind: "status", result });
        return reply.code(204).send();
      },
    );

    app.post<{ Params: { tenantId: string }; Body: FormParams }>(
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
        const tenant = await verifiedTenant(services, req, req.params.tenantId).catch((err) => {
          metrics.callbacks.inc({ kind: "inbound", result: "refused" });
          throw err;
        });
        const result = await intakeInbound(services, tenant.id, req.body ?? {});
        metrics.callbacks.inc({ kind: "inbound", result: result.message ? "stored" : "duplicate" });
        return reply.code(200).type("text/xml").send(result.twiml);
      },
    );
  };
}
