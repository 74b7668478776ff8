/**
 * Short code applications over HTTP (docs/international.md, "Short codes"): apply, read, and
 * the operator's review (in carrier review, rejected, or approved with the short code's SID).
 */
import { isOperator, tenantInScope } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import { Nullable, OpenObject, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  ShortCodeApplication,
  ShortCodeReview,
  applyForShortCode,
  listShortCodes,
  requireShortCode,
  reviewShortCode,
  shortCodeView,
} from "../shortcodes/short-codes.js";

const pathId = Type.String({ minLength: 1, maxLength: 64 });
const tenantParams = Type.Object({ id: pathId }, { additionalProperties: false });
const shortCodeParams = Type.Object({ id: pathId, scid: pathId }, { additionalProperties: false });
const security = [{ bearer: [] }];
const tags = ["short codes"];
const dateTime = Type.String({ format: "date-time" });

const ShortCodeSchema = Type.Object(
  {
    id: Type.String({ examples: ["shc_01JC0000000000000000000000"] }),
    tenant_id: Type.String(),
    state: Type.Enum(["submitted", "in_carrier_review", "live", "rejected"], { type: "string" }),
    country: Type.String(),
    application: OpenObject(),
    messaging_service_id: Type.String({
      description: "The Messaging Service it joins (has joined, once live)",
    }),
    short_code: Nullable(Type.String({ description: "The short code's digits, once provisioned" })),
    short_code_sid: Nullable(Type.String()),
    failure: Nullable(OpenObject()),
    created_at: dateTime,
    review_started_at: Nullable(dateTime),
    live_at: Nullable(dateTime),
  },
  { $id: "ShortCode" },
);

export const SHORT_CODE_SCHEMAS = [ShortCodeSchema];

export function shortCodeRoutes(services: Services): Routes {
  return async (app) => {
    app.post(
      "/v1/tenants/:id/short-codes",
      {
        schema: {
          tags,
          summary: "Apply for a short code (tracked through carrier review until it is live)",
          description:
            "Twilio has no API to apply: the application is kept here (`submitted`) and followed until the " +
            "approved short code appears in the tenant's subaccount, which then joins the Messaging Service; GET /v1/lanes shows its lane (kind short_code).",
          security,
          params: tenantParams,
          body: ShortCodeApplication,
          response: responses({ 201: Ref("ShortCode") }, [400, 401, 403, 404, 422]),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const row = await applyForShortCode(services, tenant, req.body);
        return reply.code(201).send(shortCodeView(row));
      },
    );

    app.get(
      "/v1/tenants/:id/short-codes",
      {
        schema: {
          tags,
          summary: "The tenant's short code applications",
          security,
          params: tenantParams,
          response: responses(
            { 200: Type.Object({ data: Type.Optional(Type.Array(Ref("ShortCode"))) }) },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return { data: (await listShortCodes(services.db, tenant.id)).map(shortCodeView) };
      },
    );

    app.get(
      "/v1/tenants/:id/short-codes/:scid",
      {
        schema: {
          tags,
          summary: "A short code application",
          security,
          params: shortCodeParams,
          response: responses({ 200: Ref("ShortCode") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return shortCodeView(await requireShortCode(services.db, tenant.id, req.params.scid));
      },
    );

    app.post(
      "/v1/tenants/:id/short-codes/:scid/review",
      {
        schema: {
          tags,
          summary:
            "The operator records the carriers' review: in review, rejected, or live with the short code's SID",
          security,
          params: shortCodeParams,
          body: ShortCodeReview,
          response: responses({ 200: Ref("ShortCode") }, [400, 401, 403, 404, 409, 422]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const row = await requireShortCode(services.db, tenant.id, req.params.scid);
        if (!isOperator(req)) {
          throw new SubtextError("admin_required", 403, "The carriers' review is recorded by the operator.");
        }
        return shortCodeView(await reviewShortCode(services, tenant, row, req.body));
      },
    );
  };
}
