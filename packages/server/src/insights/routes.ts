import { principalOf, tenantInScope } from "../http/auth.js";
import { type Routes, idParam, responses } from "../http/schemas.js";
import { Defaulted, Nullable, OpenObject, Type } from "../kernel/schema.js";
import type { Services } from "../kernel/services.js";
import { overview } from "./overview.js";
import { RANGE_NAMES } from "./ranges.js";
import { ensureRollupScheduled } from "./rollup.js";
import { TenantQuery, tenantTable } from "./tenants.js";

const tags = ["insights"];
const security = [{ bearer: [] }];
const integer = () => Type.Optional(Type.Integer());
const nullableNumber = () => Type.Optional(Nullable(Type.Number()));
const counts = {
  accepted: integer(),
  segments: integer(),
  delivered: integer(),
  undelivered: integer(),
  failed: integer(),
  received: integer(),
  delivery_rate: nullableNumber(),
  latency_p50_ms: nullableNumber(),
  latency_p95_ms: nullableNumber(),
};
const string = () => Type.Optional(Type.String());
const nullableString = () => Type.Optional(Nullable(Type.String()));

const OverviewSchema = Type.Object({
  range: string(),
  tenant_id: nullableString(),
  from: string(),
  to: string(),
  bucket_seconds: integer(),
  totals: Type.Optional(Type.Object(counts)),
  series: Type.Optional(
    Type.Array(Type.Object({ t: string(), ...counts, throughput_mps: Type.Optional(Type.Number()) })),
  ),
  error_codes: Type.Optional(
    Type.Array(Type.Object({ code: integer(), count: integer(), explanation: nullableString() })),
  ),
  limit_mps: nullableNumber(),
  lanes: Type.Optional(Type.Array(OpenObject())),
  rolled_until: nullableString(),
});

const TenantRowSchema = Type.Object({
  id: string(),
  name: string(),
  environment: string(),
  status: string(),
  created_at: string(),
  registration: Type.Optional(Nullable(OpenObject())),
  throughput: Type.Optional(Nullable(OpenObject())),
  messages_today: integer(),
  delivery_rate_7d: nullableNumber(),
});

/** Aggregates for the dashboard's Insights and Tenants pages (server-side, from rollups). */
export function insightsRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/insights/overview",
      {
        schema: {
          tags,
          security,
          summary:
            "Delivery rate, error codes, latency p50/p95, throughput vs limit, queue depth and cap use",
          description:
            "Over a range, per tenant (`tenant_id`, or the caller's own tenant) or for the whole platform (admin). " +
            "Outcomes are counted when they happen (completion time); volume when accepted.",
          querystring: Defaulted(
            Type.Object(
              {
                range: Type.Enum(RANGE_NAMES, { type: "string", default: "24h" }),
                tenant_id: Type.Optional(idParam("ten_")),
              },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 200: OverviewSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        await ensureRollupScheduled(services);
        const principal = principalOf(req);
        // A tenant naming another tenant gets 404 from tenantInScope, as for any foreign id.
        const named = req.query.tenant_id ?? (principal.kind === "tenant" ? principal.tenant.id : null);
        const tenantId = named ? (await tenantInScope(req, services, named)).id : null;
        return overview(services.db, { range: req.query.range, tenantId, now: services.clock.now() });
      },
    );

    app.get(
      "/v1/insights/tenants",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary:
            "The tenants table: registration, ETA, throughput tier, messages today, delivery rate (7 days)",
          querystring: TenantQuery,
          response: responses({
            200: Type.Object({
              data: Type.Optional(Type.Array(TenantRowSchema)),
              total: integer(),
              limit: integer(),
              offset: integer(),
            }),
          }),
        },
      },
      async (req) => {
        await ensureRollupScheduled(services);
        return tenantTable(services.db, req.query, services.clock.now());
      },
    );
  };
}
