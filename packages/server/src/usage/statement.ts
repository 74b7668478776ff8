import type { Queryable } from "../db/db.js";
import { SubtextError } from "../kernel/errors.js";
import { type Channel, PRICE_UNITS, type PriceUnit } from "./channels.js";
import { decimal } from "./report.js";

/**
 * A tenant's monthly statement for pass-through billing: one line per channel and direction
 * with what Twilio charged us, the tenant's markup, and the amount to bill. Lines keep six
 * decimals; the totals are rounded to cents once, so subtotal + markup = total exactly.
 */
export interface StatementLine {
  channel: Channel;
  direction: string;
  unit: PriceUnit;
  quantity: number;
  messages: number;
  segments: number;
  minutes: number;
  cost: string;
  amount: string;
}

export interface Statement {
  tenant_id: string;
  month: string;
  period_start: string;
  period_end: string;
  status: "open" | "closed";
  currency: "USD";
  markup_percent: string;
  lines: StatementLine[];
  subtotal: string;
  markup: string;
  total: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(month: string): { start: string; end: string } {
  const m = MONTH.exec(month);
  if (!m) {
    throw new SubtextError("invalid_month", 422, "The month must look like 2030-01.", {
      details: [{ path: "params:/month", code: "invalid_month", message: "Expected YYYY-MM." }],
    });
  }
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

export async function monthlyStatement(
  q: Queryable,
  tenantId: string,
  month: string,
  now: Date,
): Promise<Statement> {
  const { start, end } = parseMonth(month);
  const billing = await q.maybeOne<{ markup_percent: string }>(
    "SELECT markup_percent::text AS markup_percent FROM tenant_billing WHERE tenant_id = $1",
    [tenantId],
  );
  const markup = billing?.markup_percent ?? "0";
  const { rows } = await q.query<{
    channel: Channel;
    direction: string;
    messages: number;
    segments: number;
    minutes: number;
    cost: string;
    amount: string;
  }>(
    `SELECT channel, direction, sum(messages)::int8 AS messages, sum(segments)::int8 AS segments,
       sum(minutes)::float8 AS minutes, sum(cost)::text AS cost,
       round(sum(cost) * (1 + $4::numeric / 100), 6)::text AS amount
     FROM usage_daily WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date
     GROUP BY channel, direction ORDER BY channel, direction`,
    [tenantId, start, end, markup],
  );
  const totals = await q.one<{ subtotal: string; markup: string; total: string }>(
    `SELECT s.subtotal::text, s.markup::text, (s.subtotal + s.markup)::text AS total
     FROM (SELECT round(COALESCE(sum(cost), 0), 2) AS subtotal,
                  round(COALESCE(sum(cost), 0) * $4::numeric / 100, 2) AS markup
           FROM usage_daily WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date) s`,
    [tenantId, start, end, markup],
  );
  const lines = rows.map((r): StatementLine => {
    const unit = PRICE_UNITS[r.channel];
    const quantity = unit === "segment" ? r.segments : unit === "minute" ? r.minutes : r.messages;
    return { ...r, unit, quantity, cost: decimal(r.cost), amount: decimal(r.amount) };
  });
  return {
    tenant_id: tenantId,
    month,
    period_start: start,
    period_end: end,
    status: now.toISOString().slice(0, 10) > end ? "closed" : "open",
    currency: "USD",
    markup_percent: decimal(markup),
    lines,
    subtotal: decimal(totals.subtotal),
    markup: decimal(totals.markup),
    total: decimal(totals.total),
  };
}

export async function setMarkup(q: Queryable, tenantId: string, markupPercent: string): Promise<void> {
  await q.query(
    `INSERT INTO tenant_billing (tenant_id, markup_percent) VALUES ($1, $2::numeric)
     ON CONFLICT (tenant_id) DO UPDATE SET markup_percent = EXCLUDED.markup_percent, updated_at = now()`,
    [tenantId, markupPercent],
  );
}

export async function getMarkup(q: Queryable, tenantId: string): Promise<string> {
  const row = await q.maybeOne<{ m: string }>(
    "SELECT markup_percent::text AS m FROM tenant_billing WHERE tenant_id = $1",
    [tenantId],
  );
  return decimal(row?.m ?? "0");
}
