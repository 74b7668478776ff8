import type { Queryable } from "../db/db.js";
import { SubtextError } from "../kernel/errors.js";
import { fromMicros, toMicros } from "./prices.js";

/** Aggregates over the daily counters for GET /v1/usage and the dashboard. */
export const USAGE_DIMENSIONS = ["day", "tenant", "channel", "direction"] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export interface UsageRow {
  day?: string;
  tenant_id?: string;
  channel?: string;
  direction?: string;
  messages: number;
  segments: number;
  minutes: number;
  /** USD, decimal string. */
  cost: string;
}

export interface UsageReport {
  from: string;
  to: string;
  group_by: UsageDimension[];
  data: UsageRow[];
  totals: Omit<UsageRow, UsageDimension | "tenant_id">;
}

const COLUMN: Record<UsageDimension, { select: string; alias: string }> = {
  day: { select: "day::text", alias: "day" },
  tenant: { select: "tenant_id", alias: "tenant_id" },
  channel: { select: "channel", alias: "channel" },
  direction: { select: "direction", alias: "direction" },
};

const MAX_DAYS = 400;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses `group_by=day,channel`; `channel` alone also splits by direction (in/out price differently). */
export function parseGroupBy(raw: string | undefined): UsageDimension[] {
  const parts = (raw ?? "day")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = parts.filter((p) => !(USAGE_DIMENSIONS as readonly string[]).includes(p));
  if (unknown.length > 0 || parts.length === 0) {
    throw new SubtextError(
      "invalid_group_by",
      422,
      `Cannot group usage by ${unknown.join(", ") || "nothing"}.`,
      {
        hint: `group_by is a comma-separated list of: ${USAGE_DIMENSIONS.join(", ")}.`,
        details: unknown.map((u) => ({
          path: "querystring:/group_by",
          code: "not_allowed",
          message: `"${u}" is not a dimension.`,
        })),
      },
    );
  }
  const dims = new Set(parts as UsageDimension[]);
  if (dims.has("channel")) dims.add("direction");
  return USAGE_DIMENSIONS.filter((d) => dims.has(d));
}

/** Validates an inclusive UTC day range; defaults to the current month up to today. */
export function dayRange(
  from: string | undefined,
  to: string | undefined,
  today: Date,
): { from: string; to: string } {
  const todayText = today.toISOString().slice(0, 10);
  const range = { from: from ?? `${todayText.slice(0, 8)}01`, to: to ?? todayText };
  for (const [name, value] of Object.entries(range)) {
    if (!isCalendarDay(value)) {
      throw new SubtextError("invalid_date", 422, `${name} must be a day like 2030-01-31.`, {
        details: [{ path: `querystring:/${name}`, code: "invalid_date", message: "Expected YYYY-MM-DD." }],
      });
    }
  }
  const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000;
  if (days < 0) throw new SubtextError("invalid_range", 422, "`from` is after `to`.");
  if (days > MAX_DAYS) {
    throw new SubtextError("range_too_long", 422, `At most ${MAX_DAYS} days per request.`, {
      hint: "Ask for several shorter ranges.",
    });
  }
  return range;
}

/** "2030-02-31" matches the pattern but is no day (Date.parse would roll it over to March). */
function isCalendarDay(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export async function usageReport(
  q: Queryable,
  f: { tenantId: string | null; from: string; to: string; groupBy: UsageDimension[] },
): Promise<UsageReport> {
  const cols = f.groupBy.map((d) => COLUMN[d]);
  const select = cols.map((c) => `${c.select} AS ${c.alias}`).join(", ");
  const groupBy = cols.map((_, i) => String(i + 1)).join(", ");
  const { rows } = await q.query<Record<string, string>>(
    `SELECT ${select}, sum(messages)::int8 AS messages, sum(segments)::int8 AS segments,
       sum(minutes)::float8 AS minutes, sum(cost)::text AS cost
     FROM usage_daily
     WHERE day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR tenant_id = $3)
     GROUP BY ${groupBy} ORDER BY ${groupBy}`,
    [f.from, f.to, f.tenantId],
  );
  const data = rows.map((r) => ({ ...r, cost: decimal(r.cost) }) as unknown as UsageRow);
  const totals = {
    messages: data.reduce((n, r) => n + Number(r.messages), 0),
    segments: data.reduce((n, r) => n + Number(r.segments), 0),
    minutes: Math.round(data.reduce((n, r) => n + Number(r.minutes), 0) * 1000) / 1000,
    cost: fromMicros(data.reduce((n, r) => n + toMicros(r.cost), 0n)),
  };
  return { from: f.from, to: f.to, group_by: f.groupBy, data, totals };
}

/** A numeric from the database as our decimal text ("0.041500" → "0.0415"). */
export function decimal(value: string | null): string {
  return fromMicros(toMicros(value ?? "0"));
}

export const USAGE_CSV_COLUMNS = ["messages", "segments", "minutes", "cost"] as const;
