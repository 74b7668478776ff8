import { actingTenant } from "../../http/auth.js";
import { type Routes, dateTime, nullableDateTime, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Defaulted, Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { byId, iso, listQuery, page, pageOf, security, tenantNote } from "../../http/pages.js";
import { checkVerification } from "../verify/check.js";
import { normalizeDestination } from "../verify/destination.js";
import { type VerifySettings, VerifySettingsPatch } from "../verify/limits.js";
import { updateVerifySettings, verifySettings } from "../verify/settings.js";
import { startVerification } from "../verify/start.js";
import { type VerificationRow, findVerification, listVerifications } from "../verify/store.js";

const tags = ["verify"];
const CHANNELS = ["sms", "call", "email", "whatsapp"] as const;
const STATUSES = ["pending", "approved", "failed", "expired", "canceled"] as const;

export const VerificationSchema = Type.Object(
  {
    id: Type.String({ examples: ["vrf_01JC0000000000000000000000"] }),
    to: Type.String(),
    channel: Type.Enum(CHANNELS, { type: "string", description: "The channel of the latest send" }),
    status: Type.Enum(STATUSES, { type: "string" }),
    sends: Type.Array(
      Type.Object({
        channel: Type.Optional(Type.String()),
        at: Type.Optional(dateTime),
        reason: Type.Optional(Type.Enum(["requested", "fallback"], { type: "string" })),
      }),
    ),
    fallback: Type.Optional(
      Nullable(
        Type.Object(
          { channel: Type.Optional(Type.String()), at: Type.Optional(dateTime) },
          { description: "Set once the fallback policy moved this verification to voice" },
        ),
      ),
    ),
    failure_reason: Type.Optional(Nullable(Type.String())),
    check_attempts: Type.Optional(Type.Integer()),
    twilio_sid: Type.Optional(Nullable(Type.String())),
    expires_at: dateTime,
    created_at: dateTime,
    approved_at: Type.Optional(nullableDateTime),
  },
  { $id: "Verification" },
);

/** The settings' shape: every field may be left out of a change, every field is in an answer. */
const settingsShape = VerifySettingsPatch;

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

export function verifyRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/verify/verifications",
      {
        schema: {
          tags,
          security,
          summary:
            "Send a one-time code (Twilio Verify); our per-destination, per-tenant and per-IP limits apply first",
          description: `${tenantNote} Codes are made and held by Verify. SMS falls back to a call after the tenant's configured wait (or at once when SMS cannot reach the number).`,
          body: Type.Object(
            {
              to: Type.String({ minLength: 3, maxLength: 320 }),
              channel: Type.Enum(CHANNELS, { type: "string" }),
              locale: Type.Optional(Type.String({ pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$" })),
              client_ip: Type.Optional(
                Type.String({
                  anyOf: [{ format: "ipv4" }, { format: "ipv6" }],
                  description:
                    "The end user's IP as your app saw it (the per-IP limit); default: the caller's",
                }),
              ),
              fallback: Type.Optional(
                Type.Boolean({ description: "false: no voice fallback for this verification" }),
              ),
            },
            { additionalProperties: false },
          ),
          response: responses({ 201: Ref("Verification") }, [400, 401, 403, 404, 409, 422, 429, 503]),
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

    app.get(
      "/v1/verify/verifications",
      {
        schema: {
          tags,
          security,
          summary: "List verifications, newest first",
          querystring: Defaulted(
            Type.Object(
              {
                to: Type.Optional(Type.String({ maxLength: 320 })),
                status: Type.Optional(Type.Enum(STATUSES, { type: "string" })),
                ...listQuery,
              },
              { additionalProperties: false },
            ),
          ),
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

    app.get(
      "/v1/verify/verifications/:id",
      {
        schema: {
          tags,
          security,
          summary: "Read a verification",
          params: byId("vrf_"),
          response: responses({ 200: Ref("Verification") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const row = await findVerification(services.db, tenant.id, req.params.id);
        if (!row) throw notFound("verification", req.params.id);
        return verificationView(row);
      },
    );

    app.post(
      "/v1/verify/checks",
      {
        schema: {
          tags,
          security,
          summary: "Check a code; a wrong code answers 200 with valid=false",
          description: `${tenantNote} Five wrong codes lock the verification (429 verification_max_check_attempts).`,
          body: Type.Object(
            {
              to: Type.String({ minLength: 3, maxLength: 320 }),
              code: Type.String({ pattern: "^[0-9A-Za-z]{4,10}$" }),
            },
            { additionalProperties: false },
          ),
          response: responses(
            {
              200: Type.Object({
                verification_id: Type.String(),
                to: Type.String(),
                channel: Type.Optional(Type.String()),
                status: Type.Enum(STATUSES, { type: "string" }),
                valid: Type.Boolean(),
              }),
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

    app.put(
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
