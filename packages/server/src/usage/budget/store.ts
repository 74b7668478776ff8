/**
 * A tenant's budget as the API reads and sets it: its limits, and what was accepted in the
 * current UTC day and month.
 */
import type { Queryable } from "../../db/db.js";
import { fromMicros, toMicros } from "../prices.js";
import { acceptedSoFar } from "./accepted.js";
import { scheduleRecount } from "./recount.js";
import { BUDGET_COLUMNS, type BudgetRow, countersOf, limitsOf } from "./reserve.js";
import {
  BUDGET_LIMITS,
  type BudgetCounters,
  type BudgetLimits,
  type BudgetPeriod,
  NO_LIMITS,
  hasLimits,
  periodOf,
  rolled,
} from "./rules.js";

export interface BudgetView extends BudgetLimits {
  tenant_id: string;
  currency: "USD";
  day: PeriodView;
  month: PeriodView;
  updated_at: string | null;
}

interface PeriodView {
  start: string;
  resets_at: string;
  messages: number;
  spend: string;
  reached: string[];
}

function view(
  tenantId: string,
  limits: BudgetLimits,
  c: BudgetCounters,
  now: Date,
  updatedAt: Date | null,
): BudgetView {
  const period = (p: BudgetPeriod): PeriodView => {
    const use = p === "day" ? c.day : c.month;
    return {
      start: use.start,
      resets_at: periodOf(p, now).resetsAt.toISOString(),
      messages: use.messages,
      spend: fromMicros(use.spend),
      reached: use.reached,
    };
  };
  return {
    tenant_id: tenantId,
    currency: "USD",
    daily_messages: limits.daily_messages,
    daily_spend: limits.daily_spend === null ? null : fromMicros(toMicros(limits.daily_spend)),
    monthly_messages: limits.monthly_messages,
    monthly_spend: limits.monthly_spend === null ? null : fromMicros(toMicros(limits.monthly_spend)),
    day: period("day"),
    month: period("month"),
    updated_at: updatedAt?.toISOString() ?? null,
  };
}

function findBudget(q: Queryable, tenantId: string, lock = false): Promise<BudgetRow | null> {
  return q.maybeOne<BudgetRow>(
    `SELECT ${BUDGET_COLUMNS} FROM tenant_budgets WHERE tenant_id = $1${lock ? " FOR UPDATE" : ""}`,
    [tenantId],
  );
}

export async function getBudget(q: Queryable, tenantId: string, now: Date): Promise<BudgetView> {
  const row = await findBudget(q, tenantId);
  if (!row || !hasLimits(row)) {
    return view(tenantId, NO_LIMITS, await acceptedSoFar(q, tenantId, now), now, row?.updated_at ?? null);
  }
  return view(tenantId, limitsOf(row), rolled(countersOf(row), now), now, row.updated_at);
}

/**
 * Replaces the tenant's limits (a limit left out or null: none). A budget that had no limit
 * starts its counters from what the tenant's messages accepted this day and month (and counts
 * them again a minute later: recount.ts); one that had keeps them. Any change of the limits forgets which were reached, so reaching a raised limit
 * sends `usage.budget_reached` again. Returns whether any limit is set.
 */
export async function setBudget(
  q: Queryable,
  tenantId: string,
  input: Partial<BudgetLimits>,
  now: Date,
): Promise<boolean> {
  const limits: BudgetLimits = { ...NO_LIMITS };
  for (const k of BUDGET_LIMITS) (limits as unknown as Record<string, unknown>)[k] = input[k] ?? null;
  const before = await findBudget(q, tenantId, true);
  const wasLimited = before !== null && hasLimits(before);
  const counters = wasLimited ? rolled(countersOf(before), now) : await acceptedSoFar(q, tenantId, now);
  if (!wasLimited && hasLimits(limits)) await scheduleRecount(q, tenantId, now);
  await q.query(
    `INSERT INTO tenant_budgets AS b (tenant_id, daily_messages, daily_spend, monthly_messages, monthly_spend,
       day, day_messages, day_spend, month, month_messages, month_spend, day_reached, month_reached, updated_at)
     VALUES ($1, $2, $3::numeric, $4, $5::numeric, $6::date, $7, $8::numeric, $9::date, $10, $11::numeric, '{}', '{}', $12)
     ON CONFLICT (tenant_id) DO UPDATE SET
       daily_messages = EXCLUDED.daily_messages, daily_spend = EXCLUDED.daily_spend,
       monthly_messages = EXCLUDED.monthly_messages, monthly_spend = EXCLUDED.monthly_spend,
       day = EXCLUDED.day, day_messages = EXCLUDED.day_messages, day_spend = EXCLUDED.day_spend,
       month = EXCLUDED.month, month_messages = EXCLUDED.month_messages, month_spend = EXCLUDED.month_spend,
       day_reached = '{}', month_reached = '{}', updated_at = EXCLUDED.updated_at`,
    [
      tenantId,
      limits.daily_messages,
      limits.daily_spend,
      limits.monthly_messages,
      limits.monthly_spend,
      counters.day.start,
      counters.day.messages,
      fromMicros(counters.day.spend),
      counters.month.start,
      counters.month.messages,
      fromMicros(counters.month.spend),
      now,
    ],
  );
  return hasLimits(limits);
}
