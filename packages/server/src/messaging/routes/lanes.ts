import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { actingTenant, assertOwnedBy, isOperator } from "../../http/auth.js";
import { responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { dailyWindow } from "@subtext/telecom/lanes";
import { profileLanes, sendingProfile } from "../send/gate.js";
import {
  type LaneOverridesChange,
  type LaneRow,
  ensureLane,
  findLane,
  listLanes,
  updateLaneOverrides,
} from "../store/lanes.js";

const MAX_DAILY_CAP = 1_000_000_000;

const LaneSchema = {
  type: "object",
  required: ["id", "tenant_id", "kind", "mps"],
  properties: {
    id: { type: "string" },
    tenant_id: { type: "string" },
    kind: { type: "string", enum: ["10dlc_campaign", "toll_free_number", "whatsapp_sender"] },
    rate_kind: { type: "string", description: "The row of the brand-type table the limits come from" },
    brand_id: { type: ["string", "null"] },
    trust_score: { type: ["integer", "null"] },
    messaging_service_sid: { type: ["string", "null"] },
    sender: { type: ["string", "null"] },
    mps: { type: "number", description: "Segments per second" },
    burst: { type: "integer", description: "Segments that may go at once after an idle moment" },
    daily_cap: { type: ["integer", "null"], description: "Segments per Pacific day for the brand" },
    tmobile_daily_cap: {
      type: ["integer", "null"],
      description: "Segments per Pacific day to T-Mobile for the brand",
    },
    overrides: { type: "object", additionalProperties: true },
    held_until: { type: ["string", "null"], format: "date-time" },
    held_reason: { type: ["string", "null"] },
    today: {
      type: "object",
      properties: {
        day: { type: "string" },
        segments: { type: "integer" },
        tmobile_segments: { type: "integer" },
        resets_at: { type: "string", format: "date-time" },
      },
    },
    queued: { type: "integer" },
  },
} as const;

async function laneView(services: Services, l: LaneRow) {
  const window = dailyWindow(services.clock.now());
  const usage = l.brand_id
    ? await services.db.maybeOne<{ segments: number; tmobile_segments: number }>(
        "SELECT segments, tmobile_segments FROM brand_daily_usage WHERE brand_id = $1 AND day = $2::date",
        [l.brand_id, window.day],
      )
    : null;
  const queued = await services.db.one<{ n: number }>(
    "SELECT count(*) AS n FROM messages WHERE lane_id = $1 AND status = 'queued'",
    [l.id],
  );
  return {
    id: l.id,
    tenant_id: l.tenant_id,
    kind: l.kind,
    rate_kind: l.rate_kind,
    brand_id: l.brand_id,
    trust_score: l.trust_score,
    messaging_service_sid: l.messaging_service_sid,
    sender: l.sender,
    mps: l.mps,
    burst: l.burst,
    daily_cap: l.daily_cap,
    tmobile_daily_cap: l.tmobile_daily_cap,
    overrides: l.overrides,
    held_until: l.held_until?.toISOString() ?? null,
    held_reason: l.held_reason,
    today: {
      day: window.day,
      segments: usage?.segments ?? 0,
      tmobile_segments: usage?.tmobile_segments ?? 0,
      resets_at: window.resets_at.toISOString(),
    },
    queued: queued.n,
  };
}

async function visibleLane(services: Services, req: FastifyRequest, id: string): Promise<LaneRow> {
  const lane = await findLane(services.db, id);
  if (!lane) throw notFound("lane", id);
  assertOwnedBy(req, lane.tenant_id, "lane", id);
  return lane;
}

const idParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: { type: "string", maxLength: 64 } },
} as const;

export function laneRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { tenant_id?: string } }>(
      "/v1/lanes",
      {
        schema: {
          tags: ["lanes"],
          summary: "Throughput lanes (a tenant sees its own; the admin all, or one tenant's)",
          security: [{ bearer: [] }],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { tenant_id: { type: "string", maxLength: 64 } },
          },
          response: responses({
            200: { type: "object", properties: { data: { type: "array", items: LaneSchema } } },
          }),
        },
      },
      async (req) => {
        const tenantId =
          isOperator(req) && !req.headers["subtext-tenant"]
            ? (req.query.tenant_id ?? null)
            : (await actingTenant(req, services)).id;
        if (tenantId) {
          // A ready tenant's lanes exist before its first message, so they can be tuned first.
          const profile = await sendingProfile(services, tenantId);
          for (const spec of profileLanes(profile)) await ensureLane(services, spec);
        }
        const lanes = await listLanes(services.db, tenantId);
        return { data: await Promise.all(lanes.map((l) => laneView(services, l))) };
      },
    );

    app.get<{ Params: { id: string } }>(
      "/v1/lanes/:id",
      {
        schema: {
          tags: ["lanes"],
          summary: "A lane with today's usage of its brand's caps",
          security: [{ bearer: [] }],
          params: idParams,
          response: responses({ 200: LaneSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => laneView(services, await visibleLane(services, req, req.params.id)),
    );

    app.patch<{ Params: { id: string }; Body: LaneOverridesChange }>(
      "/v1/lanes/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["lanes"],
          summary: "Override a lane's limits (e.g. Twilio's reported rate_limits); null clears an override",
          security: [{ bearer: [] }],
          params: idParams,
          body: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              mps: { type: ["number", "null"], exclusiveMinimum: 0, maximum: 10_000 },
              burst: { type: ["integer", "null"], minimum: 1, maximum: 100_000 },
              // Integer columns: a huge cap is a 400, not an overflow. A billion is more than
              // a lane at the maximum mps (10,000) can send in a day.
              daily_cap: { type: ["integer", "null"], minimum: 0, maximum: MAX_DAILY_CAP },
              tmobile_daily_cap: { type: ["integer", "null"], minimum: 0, maximum: MAX_DAILY_CAP },
            },
          },
          response: responses({ 200: LaneSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const lane = await services.db.tx((tx) =>
          updateLaneOverrides(tx, req.params.id, req.body, services.clock.now()),
        );
        if (!lane) throw notFound("lane", req.params.id);
        return laneView(services, lane);
      },
    );
  };
}
