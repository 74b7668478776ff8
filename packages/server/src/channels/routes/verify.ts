import type { FastifyPluginAsync } from "fastify";
import { actingTenant } from "../../http/auth.js";
import { dateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { byId, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { checkVerification } from "../verify/check.js";
import { normalizeDestination } from "../verify/destination.js";
import type { VerifySettings, VerifySettingsPatch } from "../verify/limits.js";
import { updateVerifySettings, verifySettings } from "../verify/settings.js";
import { startVerification } from "../verify/start.js";
import {
  type VerificationRow,
  type VerificationStatus,
  type VerifyChannel,
  findVerification,
  listVerifications,
} from "../verify/store.js";

const tags = ["verify"];
const CHANNELS = ["sms", "call", "email", "whatsapp"];
const STATUSES = ["pending", "approved", "failed", "expired", "canceled"];

export const VerificationSchema = {
  $id: "Verification",
  type: "object",
  required: ["id", "to", "channel", "status", "sends", "expires_at", "created_at"],
  properties: {
    id: { type: "string", examples: ["vrf_01JC0000000000000000000000"] },
    to: { type: "string" },
    channel: { type: "string", enum: CHANNELS, description: "The channel of the latest send" },
    status: { type: "string", enum: STATUSES },
    sends: {
      type: "array",
      items: {
        type: "object",
        properties: {
          channel: { type: "string" },
          at: dateTime,
          reason: { type: "string", enum: ["requested", "fallback"] },
        },
      },
    },
    fallback: {
      type: ["object", "null"],
      properties: { channel: { type: "string" }, at: dateTime },
      description: "Set once the fallback policy moved this verification to voice",
    },
    failure_reason: { type: ["string", "null"] },
    check_attempts: { type: "integer" },
    twilio_sid: { type: ["string", "null"] },
    expires_at: dateTime,
    created_at: dateTime,
    approved_at: { type: ["string", "null"], format: "date-time" },
  },
} as const;

const limit = {
  type: "object",
  additionalProperties: false,
  properties: {
    max: { type: "integer", minimum: 1, maximum: 1_000_000 },
    window_seconds: { type: "integer", minimum: 1, maximum: 604_800 },
  },
} as const;

const settingsShape = {
  type: "object",
  additionalProperties: false,
  properties: {
    limits: {
      type: "object",
      additionalProperties: false,
      properties: { per_destination: limit, per_tenant: limit, per_ip: limit },
    },
    fallback: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean" },
        // Verify forgets a code after ten minutes: a later call could only read a dead code.
        after_seconds: { type: "integer", minimum: 10, maximum: 540 },
        channel: { type: "string", enum: ["call"] },
      },
    },
  },
} as const;

export function verificationView(v: VerificationRow) {
  return {
    id: v.id,
    to: v.to_address,
    channel: v.channel,
    status: v.status,
    sends: v.sends,
    fallback: v.fallback_at ? { channel: v.fallback_channel, at: v.fallback_at.toISOString() } : null,
    failure_reason: v.failure_code,
    check_attempts: v.check_attempts,
    twilio_sid: v.twilio_sid,
    expires_at: v.expires_at.toISOString(),
    created_at: v.created_at.toISOString(),
    approved_at: iso(v.approved_at),
  };
}

const settingsView = (s: VerifySettings) => s;

export function verifyRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post<{
      Body: { to: string; channel: VerifyChannel; locale?: string; client_ip?: string; fallback?: boolean };
    }>(
      "/v1/verify/verifications",
      {
        schema: {
          tags,
          security,
          summary:
            "Send a one-time code (Twilio Verify); our per-destination, per-tenant and per-IP limits apply first",
          description: `${tenantNote} Codes are made and held by Verify. SMS falls back to a call after the tenant's configured wait (or at once when SMS cannot reach the number).`,
          body: {
            type: "object",
            required: ["to", "channel"],
            additionalProperties: false,
            properties: {
              to: { type: "string", minLength: 3, maxLength: 320 },
              channel: { type: "string", enum: CHANNELS },
              locale: { type: "string", pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$" },
              client_ip: {
                type: "string",
                anyOf: [{ format: "ipv4" }, { format: "ipv6" }],
                description: "The end user's IP as your app saw it (the per-IP limit); default: the caller's",
              },
              fallback: { type: "boolean", description: "false: no voice fallback for this verification" },
            },
          },
          response: responses({ 201: { $ref: "Verification#" } }, [400, 401, 403, 404, 409, 422, 429, 503]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const row = await startVerification(services, tenant, {
          to: req.body.to,
          channel: req.body.channel,
          locale: req.body.locale,
          clientIp: req.body.client_ip ?? req.ip ?? null,
          fallback: req.body.fallback,
        });
        return reply.code(201).send(verificationView(row));
      },
    );

    app.get<{ Querystring: { to?: string; status?: VerificationStatus; cursor?: string; limit: number } }>(
      "/v1/verify/verifications",
      {
        schema: {
          tags,
          security,
          summary: "List verifications, newest first",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              to: { type: "string", maxLength: 320 },
              status: { type: "string", enum: STATUSES },
              ...listQuery,
            },
          },
          response: responses({ 200: pageOf("Verification") }, [400, 401, 403, 404, 422]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const to = req.query.to ? normalizeDestination("any", req.query.to) : undefined;
        const { rows, hasMore } = await listVerifications(services.db, tenant.id, { ...req.query, to });
        return page(rows, hasMore, verificationView);
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/verify/verifications/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a verification",
          params: byId("vrf_"),
          response: responses({ 200: { $ref: "Verification#" } }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const row = await findVerification(services.db, tenant.id, req.params.id);
        if (!row) throw notFound("verification", req.params.id);
        return verificationView(row);
      },
    );

    app.post<{ Body: { to: string; code: string } }>(
      "/v1/verify/checks",
      {
        schema: {
          tags,
          security,
          summary: "Check a code; a wrong code answers 200 with valid=false",
          description: `${tenantNote} Five wrong codes lock the verification (429 verification_max_check_attempts).`,
          body: {
            type: "object",
            required: ["to", "code"],
            additionalProperties: false,
            properties: {
              to: { type: "string", minLength: 3, maxLength: 320 },
              code: { type: "string", pattern: "^[0-9A-Za-z]{4,10}$" },
            },
          },
          response: responses(
            {
              200: {
                type: "object",
                required: ["verification_id", "to", "status", "valid"],
                properties: {
                  verification_id: { type: "string" },
                  to: { type: "string" },
                  channel: { type: "string" },
                  status: { type: "string", enum: STATUSES },
                  valid: { type: "boolean" },
                },
              },
            },
            [400, 401, 403, 404, 409, 422, 429, 503],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { verification, valid } = await checkVerification(services, tenant, req.body);
        return {
          verification_id: verification.id,
          to: verification.to_address,
          channel: verification.channel,
          status: valid ? "approved" : verification.status,
          valid,
        };
      },
    );

    app.get(
      "/v1/verify/settings",
      {
        schema: {
          tags,
          security,
          summary: "The tenant's Verify limits and fallback policy (defaults unless changed)",
          response: responses({ 200: settingsShape }, [400, 401, 403, 404]),
        },
      },
      async (req) => settingsView(await verifySettings(services.db, (await actingTenant(req, services)).id)),
    );

    app.put<{ Body: VerifySettingsPatch }>(
      "/v1/verify/settings",
      {
        schema: {
          tags,
          security,
          summary: "Change the tenant's Verify limits or fallback policy (fields not sent keep their value)",
          body: settingsShape,
          response: responses({ 200: settingsShape }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return settingsView(
          await updateVerifySettings(services.db, tenant.id, req.body, services.clock.now()),
        );
      },
    );
  };
}
