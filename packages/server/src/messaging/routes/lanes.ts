import type { FastifyRequest } from "fastify";
import { actingTenant, assertOwnedBy, isOperator } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { notFound } from "../../kernel/errors.js";
import { Nullable, OpenObject, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { dailyWindow } from "@subtext/telecom/lanes";
import { profileLanes, sendingProfile } from "../send/gate.js";
import {
  LaneOverridesChange,
  type LaneRow,
  ensureLane,
  findLane,
  laneHistory,
  listLanes,
  updateLaneOverrides,
} from "../store/lanes.js";

const LaneSchema = Type.Object({
  id: Type.String(),
  tenant_id: Type.String(),
  kind: Type.Enum(["10dlc_campaign", "toll_free_number", "whatsapp_sender", "intl_sender", "short_code"], {
    type: "string",
  }),
  rate_kind: Type.Optional(
    Type.String({ description: "The row of the brand-type table the limits come from" }),
  ),
  brand_id: Type.Optional(Nullable(Type.String())),
  trust_score: Type.Optional(Nullable(Type.Integer())),
  messaging_service_sid: Type.Optional(Nullable(Type.String())),
  sender: Type.Optional(Nullable(Type.String())),
  mps: Type.Number({ description: "Segments per second" }),
  burst: Type.Optional(Type.Integer({ description: "Segments that may go at once after an idle moment" })),
  daily_cap: Type.Optional(Nullable(Type.Integer({ description: "Segments per Pacific day for the brand" }))),
  tmobile_daily_cap: Type.Optional(
    Nullable(Type.Integer({ description: "Segments per Pacific day to T-Mobile for the brand" })),
  ),
  overrides: Type.Optional(OpenObject()),
  held_until: Type.Optional(Nullable(Type.String({ format: "date-time" }))),
  held_reason: Type.Optional(Nullable(Type.String())),
  today: Type.Optional(
    Type.Object({
      day: Type.Optional(Type.String()),
      segments: Type.Optional(Type.Integer()),
      tmobile_segments: Type.Optional(Type.Integer()),
      resets_at: Type.Optional(Type.String({ format: "date-time" })),
    }),
  ),
  queued: Type.Optional(Type.Integer()),
  history: Type.Optional(
    Type.Array(
      Type.Object({
        at: Type.String({ format: "date-time" }),
        reason: Type.Enum(["created", "registration", "overrides"], {
          type: "string",
          description:
            "created: the lane's first limits; registration: the brand type or trust score changed (a vetting); overrides: an operator's PATCH",
        }),
        rate_kind: Type.String(),
        trust_score: Nullable(Type.Integer()),
        mps: Type.Number(),
        burst: Type.Integer(),
        daily_cap: Nullable(Type.Integer()),
        tmobile_daily_cap: Nullable(Type.Integer()),
        previous: Nullable(OpenObject({ description: "The same limits before the change" })),
      }),
      { description: "The latest changes of the lane's limits, newest first (at most 20)" },
    ),
  ),
});

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
    history: await laneHistory(services.db, l.id),
  };
}

async function visibleLane(services: Services, req: FastifyRequest, id: string): Promise<LaneRow> {
  const lane = await findLane(services.db, id);
  if (!lane) throw notFound("lane", id);
  assertOwnedBy(req, lane.tenant_id, "lane", id);
  return lane;
}

const idParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

export function laneRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/lanes",
      {
        schema: {
          tags: ["lanes"],
          summary: "Throughput lanes (a tenant sees its own; the admin all, or one tenant's)",
          security: [{ bearer: [] }],
          querystring: Type.Object(
            { tenant_id: Type.Optional(Type.String({ maxLength: 64 })) },
            { additionalProperties: false },
          ),
          response: responses({
            200: Type.Object({ data: Type.Optional(Type.Array(LaneSchema)) }),
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

    app.get(
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

    app.patch(
      "/v1/lanes/:id",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["lanes"],
          summary: "Override a lane's limits (e.g. Twilio's reported rate_limits); null clears an override",
          security: [{ bearer: [] }],
          params: idParams,
          body: LaneOverridesChange,
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
