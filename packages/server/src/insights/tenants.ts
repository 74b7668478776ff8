import type { Queryable } from "../db/db.js";
import { type LaneKind, laneRate } from "@subtext/telecom/lanes";
import { businessDaysBetween, calendarDate } from "@subtext/telecom/registration/eta";
import { registrationEta } from "../onboarding/timeline.js";
import type { RegistrationRow } from "../onboarding/store.js";
import { Defaulted, type Static, Type } from "../kernel/schema.js";
import { deliveryRate } from "./overview.js";
import { startOfDay } from "./ranges.js";

/**
 * The Tenants page: one row per tenant with its registration, ETA, throughput tier, messages
 * today and delivery rate (7 days), searched, filtered, sorted and paged on the server. The
 * page's figures come from the rollups plus the live tail (as in stats.ts), for the page's
 * tenants only — except when sorting by a figure, which needs it for every tenant.
 */
export const TENANT_SORTS = ["newest", "name", "messages_today", "delivery_rate"] as const;
export type TenantSort = (typeof TENANT_SORTS)[number];

/** What the table is asked for: GET /v1/insights/tenants's query, and its type. */
export const TenantQuery = Defaulted(
  Type.Object(
    {
      q: Type.Optional(
        Type.String({ maxLength: 200, description: "Name contains, or an exact tenant id / subaccount SID" }),
      ),
      environment: Type.Optional(Type.Enum(["production", "staging", "development"], { type: "string" })),
      status: Type.Optional(Type.Enum(["provisioning", "active", "suspended", "closed"], { type: "string" })),
      /** A registration state, "none" (no registration) or "attention" (failed, suspended, awaiting OTP). */
      registration: Type.Optional(
        Type.Enum(
          [
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
          { type: "string" },
        ),
      ),
      kind: Type.Optional(
        Type.Enum(["standard", "low_volume_standard", "sole_proprietor", "toll_free"], { type: "string" }),
      ),
      sort: Type.Enum(TENANT_SORTS, { type: "string", default: "newest" }),
      limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
      offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
    },
    { additionalProperties: false },
  ),
);
export type TenantQuery = Static<typeof TenantQuery>;

const WEEK_MS = 7 * 86_400_000;
const ROLLED =
  "(SELECT COALESCE((SELECT rolled_until FROM insights_rollup_state), '-infinity'::timestamptz))";

/** Per tenant: accepted since $1 (today) and outcomes since $2 (7 days ago), daily rollups + tail. */
const FIGURES = (tenantFilter: string) => `
  SELECT tenant_id, sum(today) AS today, sum(delivered) AS delivered, sum(undelivered) AS undelivered, sum(failed) AS failed
  FROM (
    SELECT tenant_id, CASE WHEN day >= $1 THEN accepted ELSE 0 END AS today, delivered, undelivered, failed
      FROM insights_daily WHERE day >= $2 AND day < ${ROLLED} AND ${tenantFilter}
    UNION ALL
    SELECT tenant_id, count(*), 0, 0, 0 FROM messages
      WHERE created_at >= GREATEST($1, ${ROLLED}) AND direction = 'outbound' AND ${tenantFilter} GROUP BY tenant_id
    UNION ALL
    SELECT tenant_id, 0, count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'undelivered'),
        count(*) FILTER (WHERE status = 'failed')
      FROM messages WHERE completed_at >= GREATEST($2, ${ROLLED}) AND ${tenantFilter}
        AND status IN ('delivered', 'undelivered', 'failed') GROUP BY tenant_id
  ) x GROUP BY tenant_id`;

/** Only what sorting by messages today needs, for every tenant. */
const TODAY_ONLY = `
  SELECT tenant_id, sum(today) AS today, 0 AS delivered, 0 AS undelivered, 0 AS failed
  FROM (
    SELECT tenant_id, accepted AS today FROM insights_daily WHERE day >= $1 AND day < ${ROLLED} AND $2::timestamptz IS NOT NULL
    UNION ALL
    SELECT tenant_id, count(*) FROM messages
      WHERE created_at >= GREATEST($1, ${ROLLED}) AND direction = 'outbound' GROUP BY tenant_id
  ) x GROUP BY tenant_id`;

type Row = { id: string; name: string; environment: string; status: string; created_at: Date };

type RegistrationBrief = Pick<RegistrationRow, "id" | "kind" | "state" | "failure" | "trust_score"> &
  Pick<RegistrationRow, "created_at" | "brand_submitted_at" | "campaign_submitted_at" | "review_started_at">;

export async function tenantTable(q: Queryable, query: TenantQuery, now: Date) {
  const today = startOfDay(now);
  // Today and the 6 days before it, in whole UTC days as the daily rollups are.
  const weekAgo = new Date(today.getTime() - WEEK_MS + 86_400_000);
  const bySort = {
    newest: "t.id DESC",
    name: "lower(t.name), t.id",
    messages_today: "COALESCE(f.today, 0) DESC, t.id DESC",
    delivery_rate: `(f.delivered::float8 / NULLIF(f.delivered + f.undelivered + f.failed, 0)) ASC NULLS LAST, t.id DESC`,
  }[query.sort];
  const allFigures = { newest: null, name: null, messages_today: TODAY_ONLY, delivery_rate: FIGURES("true") }[
    query.sort
  ];
  const noFigures =
    "SELECT NULL::text AS tenant_id, 0 AS today, 0 AS delivered, 0 AS undelivered, 0 AS failed WHERE $1::timestamptz IS NULL AND $2::timestamptz IS NULL";
  const filter = matching(query, 3);
  const [{ rows }, total] = await Promise.all([
    q.query<Row>(
      `WITH f AS (${allFigures ?? noFigures})
       SELECT t.id, t.name, t.environment, t.status, t.created_at
       FROM tenants t ${filter.join}
       LEFT JOIN f ON f.tenant_id = t.id
       WHERE ${filter.where}
       ORDER BY ${bySort}
       LIMIT $${3 + filter.params.length} OFFSET $${4 + filter.params.length}`,
      [today, weekAgo, ...filter.params, query.limit, query.offset],
    ),
    countMatching(q, query),
  ]);
  const ids = rows.map((r) => r.id);
  const [figures, lanes, registrations] = await Promise.all([
    pageFigures(q, ids, today, weekAgo),
    pageLanes(q, ids),
    pageRegistrations(q, ids),
  ]);
  return {
    data: rows.map((row) =>
      tenantRowView(row, registrations.get(row.id) ?? null, figures.get(row.id), lanes.get(row.id), now),
    ),
    total,
    limit: query.limit,
    offset: query.offset,
  };
}

/**
 * The registration a tenant row shows: the approved one, else the newest. One pass over the
 * registrations (DISTINCT ON) is cheaper than a lookup per tenant when a filter needs them all.
 */
const PRIMARY_REGISTRATIONS = `SELECT DISTINCT ON (tenant_id) * FROM registrations WHERE parent_id IS NULL
  ORDER BY tenant_id, (state = 'approved') DESC, created_at DESC`;

/**
 * Search and filters as SQL over parameters numbered from `first`. The registration is joined
 * only when a filter needs it: for 10,000 tenants that join is most of the query's time.
 */
function matching(
  query: TenantQuery,
  first: number,
): { join: string; where: string; params: (string | null)[] } {
  const search = query.q?.trim() ? query.q.trim() : null;
  const params: (string | null)[] = [];
  const where: string[] = [];
  const p = (value: string) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  if (search) {
    const like = p(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const exact = p(search);
    where.push(`(t.name ILIKE ${like} OR t.id = ${exact} OR t.subaccount_sid = ${exact})`);
  }
  if (query.environment) where.push(`t.environment = ${p(query.environment)}`);
  if (query.status) where.push(`t.status = ${p(query.status)}`);
  const needsRegistration = Boolean(query.registration || query.kind);
  if (query.registration === "none") where.push("r.id IS NULL");
  else if (query.registration === "attention")
    where.push("r.state IN ('failed', 'suspended', 'awaiting_otp')");
  else if (query.registration) where.push(`r.state = ${p(query.registration)}`);
  if (query.kind) where.push(`r.kind = ${p(query.kind)}`);
  return {
    join: needsRegistration ? `LEFT JOIN (${PRIMARY_REGISTRATIONS}) r ON r.tenant_id = t.id` : "",
    where: where.length ? where.join(" AND ") : "true",
    params,
  };
}

async function countMatching(q: Queryable, query: TenantQuery): Promise<number> {
  const filter = matching(query, 1);
  const sql = `SELECT count(*)::int AS n FROM tenants t ${filter.join} WHERE ${filter.where}`;
  return (await q.one<{ n: number }>(sql, filter.params)).n;
}

async function pageRegistrations(q: Queryable, ids: string[]): Promise<Map<string, RegistrationBrief>> {
  if (!ids.length) return new Map();
  const { rows } = await q.query<RegistrationBrief & { tenant_id: string }>(
    `SELECT DISTINCT ON (tenant_id) tenant_id, id, kind, state, failure, trust_score, created_at,
       brand_submitted_at, campaign_submitted_at, review_started_at
     FROM registrations WHERE tenant_id = ANY($1) AND parent_id IS NULL
     ORDER BY tenant_id, (state = 'approved') DESC, created_at DESC`,
    [ids],
  );
  return new Map(rows.map((r) => [r.tenant_id, r]));
}

type Figures = { today: number; delivered: number; undelivered: number; failed: number };

async function pageFigures(
  q: Queryable,
  ids: string[],
  today: Date,
  weekAgo: Date,
): Promise<Map<string, Figures>> {
  if (!ids.length) return new Map();
  const { rows } = await q.query<{ tenant_id: string } & Record<keyof Figures, string>>(
    FIGURES("tenant_id = ANY($3)"),
    [today, weekAgo, ids],
  );
  return new Map(
    rows.map((r) => [
      r.tenant_id,
      {
        today: Number(r.today),
        delivered: Number(r.delivered),
        undelivered: Number(r.undelivered),
        failed: Number(r.failed),
      },
    ]),
  );
}

type LaneTier = { kind: string; rate_kind: string; mps: number; lanes: number };

async function pageLanes(q: Queryable, ids: string[]): Promise<Map<string, LaneTier>> {
  if (!ids.length) return new Map();
  const { rows } = await q.query<{
    tenant_id: string;
    kind: string;
    rate_kind: string;
    mps: number;
    lanes: number;
  }>(
    `SELECT DISTINCT ON (tenant_id) tenant_id, kind, rate_kind, mps, count(*) OVER (PARTITION BY tenant_id)::int AS lanes
     FROM lanes WHERE tenant_id = ANY($1) ORDER BY tenant_id, mps DESC`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.tenant_id,
      { kind: r.kind, rate_kind: r.rate_kind, mps: Number(r.mps), lanes: r.lanes },
    ]),
  );
}

const KIND_LABELS: Record<string, string> = {
  standard: "Standard",
  low_volume_standard: "Low-volume standard",
  sole_proprietor: "Sole proprietor",
  toll_free: "Toll-free",
  short_code: "Short code",
  whatsapp: "WhatsApp",
};

function tenantRowView(
  row: Row,
  reg: RegistrationBrief | null,
  f: Figures | undefined,
  lane: LaneTier | undefined,
  now: Date,
) {
  const eta = reg ? registrationEta(reg) : null;
  const today = calendarDate(now);
  // A lane exists once the tenant can send; before that, show what its registration will give.
  const expected =
    !lane && reg ? laneRate({ kind: reg.kind as LaneKind, trust_score: reg.trust_score }) : null;
  const figures = f ?? { today: 0, delivered: 0, undelivered: 0, failed: 0 };
  return {
    id: row.id,
    name: row.name,
    environment: row.environment,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    registration: reg
      ? {
          id: reg.id,
          kind: reg.kind,
          state: reg.state,
          failure_stage: reg.failure?.stage ?? null,
          eta: eta
            ? {
                earliest: eta.earliest,
                latest: eta.latest,
                business_days_left: {
                  min: Math.max(0, businessDaysBetween(today, eta.earliest)),
                  max: Math.max(0, businessDaysBetween(today, eta.latest)),
                },
              }
            : null,
        }
      : null,
    throughput: lane
      ? {
          label: `${KIND_LABELS[lane.rate_kind] ?? lane.rate_kind} · ${lane.mps} MPS`,
          mps: lane.mps,
          expected: false,
        }
      : expected
        ? { label: `${KIND_LABELS[expected.kind]} · ${expected.mps} MPS`, mps: expected.mps, expected: true }
        : null,
    messages_today: figures.today,
    delivery_rate_7d: deliveryRate(figures),
  };
}
