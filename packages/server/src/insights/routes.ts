import type { FastifyPluginAsync } from "fastify";
import { principalOf, tenantInScope } from "../http/auth.js";
import { idParam, responses } from "../http/schemas.js";
import type { Services } from "../kernel/services.js";
import { overview } from "./overview.js";
import { RANGE_NAMES, type RangeName } from "./ranges.js";
import { ensureRollupScheduled } from "./rollup.js";
import { TENANT_SORTS, type TenantSort, tenantTable } from "./tenants.js";

const tags = ["insights"];
const security = [{ bearer: [] }];
const counts = {
  accepted: { type: "integer" },
  segments: { type: "integer" },
  delivered: { type: "integer" },
  undelivered: { type: "integer" },
  failed: { type: "integer" },
  received: { type: "integer" },
  delivery_rate: { type: ["number", "null"] },
  latency_p50_ms: { type: ["number", "null"] },
  latency_p95_ms: { type: ["number", "null"] },
} as const;
const nullableNumber = { type: ["number", "null"] } as const;

const OverviewSchema = {
  type: "object",
  properties: {
    range: { type: "string" },
    tenant_id: { type: ["string", "null"] },
    from: { type: "string" },
    to: { type: "string" },
    bucket_seconds: { type: "integer" },
    totals: { type: "object", properties: counts },
    series: {
      type: "array",
      items: {
        type: "object",
        properties: { t: { type: "string" }, ...counts, throughput_mps: { type: "number" } },
      },
    },
    error_codes: {
      type: "array",
      items: {
        type: "object",
        properties: {
          code: { type: "integer" },
          count: { type: "integer" },
          explanation: { type: ["string", "null"] },
        },
      },
    },
    limit_mps: nullableNumber,
    lanes: { type: "array", items: { type: "object", additionalProperties: true } },
    rolled_until: { type: ["string", "null"] },
  },
} as const;

const TenantRowSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    environment: { type: "string" },
    status: { type: "string" },
    created_at: { type: "string" },
    registration: { type: ["object", "null"], additionalProperties: true },
    throughput: { type: ["object", "null"], additionalProperties: true },
    messages_today: { type: "integer" },
    delivery_rate_7d: nullableNumber,
  },
} as const;

interface TenantsQuery {
  q?: string;
  environment?: string;
  status?: string;
  registration?: string;
  kind?: string;
  sort: TenantSort;
  limit: number;
  offset: number;
}

/** Aggregates for the dashboard's Insights and Tenants pages (server-side, from rollups). */
export function insightsRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { range: RangeName; tenant_id?: string } }>(
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
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              range: { type: "string", enum: RANGE_NAMES, default: "24h" },
              tenant_id: idParam("ten_"),
            },
          },
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

    app.get<{ Querystring: TenantsQuery }>(
      "/v1/insights/tenants",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary:
            "The tenants table: registration, ETA, throughput tier, messages today, delivery rate (7 days)",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              q: {
                type: "string",
                maxLength: 200,
                description: "Name contains, or an exact tenant id / subaccount SID",
              },
              environment: { type: "string", enum: ["production", "staging", "development"] },
              status: { type: "string", enum: ["provisioning", "active", "suspended", "closed"] },
              registration: {
                type: "string",
                enum: [
                  "none",
                  "attention",
                  "submitted",
                  "in_progress",
                  "in_review",
                  "awaiting_otp",
                  "approved",
                  "failed",
                  "suspended",
                ],
              },
              kind: {
                type: "string",
                enum: ["standard", "low_volume_standard", "sole_proprietor", "toll_free"],
              },
              sort: { type: "string", enum: TENANT_SORTS, default: "newest" },
              limit: { type: "integer", minimum: 1, maximum: 100, default: 25 },
              offset: { type: "integer", minimum: 0, maximum: 1_000_000, default: 0 },
            },
          },
          response: responses({
            200: {
              type: "object",
              properties: {
                data: { type: "array", items: TenantRowSchema },
                total: { type: "integer" },
                limit: { type: "integer" },
                offset: { type: "integer" },
              },
            },
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
