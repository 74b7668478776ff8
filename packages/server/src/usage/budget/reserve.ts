/**
 * The send path's half of budgets: whether a tenant has a limit (cached, so a tenant without one
 * pays nothing), and the reservation of accepted messages against its limits, in the
 * transaction that stores them.
 */
import type { Queryable } from "../../db/db.js";
import { emitEvent } from "../../events/emit.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { fromMicros, toMicros } from "../prices.js";
import {
  type BudgetCounters,
  type BudgetLimit,
  type BudgetLimits,
  admit,
  hasLimits,
  limitState,
  periodOf,
  rolled,
} from "./rules.js";

export interface BudgetRow extends BudgetLimits {
  tenant_id: string;
  day: string;
  day_messages: number;
  day_spend: string;
  day_reached: BudgetLimit[];
  month: string;
  month_messages: number;
  month_spend: string;
  month_reached: BudgetLimit[];
  updated_at: Date;
}

export const BUDGET_COLUMNS = `tenant_id, daily_messages, daily_spend::text AS daily_spend, monthly_messages,
  monthly_spend::text AS monthly_spend, day::text AS day, day_messages, day_spend::text AS day_spend, day_reached,
  month::text AS month, month_messages, month_spend::text AS month_spend, month_reached, updated_at`;

export function countersOf(row: BudgetRow): BudgetCounters {
  return {
    day: {
      start: row.day,
      messages: row.day_messages,
      spend: toMicros(row.day_spend),
      reached: row.day_reached,
    },
    month: {
      start: row.month,
      messages: row.month_messages,
      spend: toMicros(row.month_spend),
      reached: row.month_reached,
    },
  };
}

export function limitsOf(row: BudgetLimits): BudgetLimits {
  return {
    daily_messages: row.daily_messages,
    daily_spend: row.daily_spend,
    monthly_messages: row.monthly_messages,
    monthly_spend: row.monthly_spend,
  };
}

/** How long a process may keep believing a tenant has (or has no) budget without hearing of a change. */
export const BUDGET_CACHE_MS = 60_000;

/**
 * Whether sends of `tenantId` are counted against a budget. Cached per process: a change of a
 * limit is announced by the table's trigger (the change feed), and applied at once in the
 * process that made it (`caches.changed("budget", id)`).
 */
export function budgetApplies(deps: Pick<Services, "db" | "caches">, tenantId: string): Promise<boolean> {
  const space = deps.caches.space<boolean>("budgets", { ttlMs: BUDGET_CACHE_MS }, (s, on) =>
    on("budget", (id) => (id === undefined ? s.clear() : s.delete(id))),
  );
  return space.through(tenantId, async () => {
    const row = await deps.db.maybeOne<BudgetLimits>(
      `SELECT daily_messages, daily_spend::text AS daily_spend, monthly_messages, monthly_spend::text AS monthly_spend
       FROM tenant_budgets WHERE tenant_id = $1`,
      [tenantId],
    );
    return row !== null && hasLimits(row);
  });
}

/**
 * Reserves `prices` (one estimated price per message, USD decimal strings, in order) against the
 * tenant's limits, in the caller's transaction; answers, per message, null (reserved) or the
 * `budget_exceeded` error that refuses it. The first statement both checks and counts when
 * everything fits (the common case); otherwise the row is locked and the messages are taken one
 * by one. Concurrent reservations queue on the row's lock until the first commits, so two sends
 * at the limit cannot both pass. A limit reached sends `usage.budget_reached`, once a period.
 */
export async function reserveBudget(
  q: Queryable,
  tenantId: string,
  prices: string[],
  now: Date,
): Promise<(SubtextError | null)[]> {
  const micros = prices.map(toMicros);
  const total = micros.reduce((a, b) => a + b, 0n);
  const day = periodOf("day", now).start;
  const month = periodOf("month", now).start;
  const day0 = "(CASE WHEN $2::date > b.day THEN 0 ELSE b.day_messages END)";
  const daySpend0 = "(CASE WHEN $2::date > b.day THEN 0 ELSE b.day_spend END)";
  const month0 = "(CASE WHEN $3::date > b.month THEN 0 ELSE b.month_messages END)";
  const monthSpend0 = "(CASE WHEN $3::date > b.month THEN 0 ELSE b.month_spend END)";
  const fitted = await q.maybeOne<BudgetRow>(
    `UPDATE tenant_budgets b SET
       day_messages = ${day0} + $4, day_spend = ${daySpend0} + $5::numeric,
       month_messages = ${month0} + $4, month_spend = ${monthSpend0} + $5::numeric,
       day_reached = CASE WHEN $2::date > b.day THEN '{}'::text[] ELSE b.day_reached END,
       month_reached = CASE WHEN $3::date > b.month THEN '{}'::text[] ELSE b.month_reached END,
       day = GREATEST(b.day, $2::date), month = GREATEST(b.month, $3::date), updated_at = $6
     WHERE b.tenant_id = $1
       AND (b.daily_messages IS NULL OR ${day0} + $4 <= b.daily_messages)
       AND (b.daily_spend IS NULL OR ${daySpend0} + $5::numeric <= b.daily_spend)
       AND (b.monthly_messages IS NULL OR ${month0} + $4 <= b.monthly_messages)
       AND (b.monthly_spend IS NULL OR ${monthSpend0} + $5::numeric <= b.monthly_spend)
     RETURNING ${BUDGET_COLUMNS}`,
    [tenantId, day, month, prices.length, fromMicros(total), now],
  );
  if (fitted) {
    // Everything fitted: a limit is reached only if this filled it exactly.
    const limits = limitsOf(fitted);
    const { newlyReached, after } = admit(limits, countersOf(fitted), []);
    if (newlyReached.length > 0) {
      await saveReached(q, tenantId, after);
      await announceReached(q, tenantId, limits, after, newlyReached, now);
    }
    return prices.map(() => null);
  }
  const row = await q.maybeOne<BudgetRow>(
    `SELECT ${BUDGET_COLUMNS} FROM tenant_budgets WHERE tenant_id = $1 FOR UPDATE`,
    [tenantId],
  );
  // No budget (removed since this process cached that there was one): nothing to count.
  if (!row) return prices.map(() => null);
  const limits = limitsOf(row);
  const { refusedBy, after, newlyReached } = admit(limits, rolled(countersOf(row), now), micros);
  await q.query(
    `UPDATE tenant_budgets SET day = $2::date, day_messages = $3, day_spend = $4::numeric, day_reached = $5::text[],
       month = $6::date, month_messages = $7, month_spend = $8::numeric, month_reached = $9::text[], updated_at = $10
     WHERE tenant_id = $1`,
    [
      tenantId,
      after.day.start,
      after.day.messages,
      fromMicros(after.day.spend),
      after.day.reached,
      after.month.start,
      after.month.messages,
      fromMicros(after.month.spend),
      after.month.reached,
      now,
    ],
  );
  await announceReached(q, tenantId, limits, after, newlyReached, now);
  return refusedBy.map((limit, i) =>
    limit === null ? null : budgetExceeded(tenantId, limits, after, limit, prices[i], now),
  );
}

/** Gives back what was reserved for messages that were not stored after all (a raced idempotency key). */
export async function refundBudget(
  q: Queryable,
  tenantId: string,
  prices: string[],
  now: Date,
): Promise<void> {
  const total = fromMicros(prices.map(toMicros).reduce((a, b) => a + b, 0n));
  await q.query(
    `UPDATE tenant_budgets SET
       day_messages = CASE WHEN day = $2::date THEN GREATEST(0, day_messages - $4) ELSE day_messages END,
       day_spend = CASE WHEN day = $2::date THEN GREATEST(0, day_spend - $5::numeric) ELSE day_spend END,
       month_messages = CASE WHEN month = $3::date THEN GREATEST(0, month_messages - $4) ELSE month_messages END,
       month_spend = CASE WHEN month = $3::date THEN GREATEST(0, month_spend - $5::numeric) ELSE month_spend END
     WHERE tenant_id = $1`,
    [tenantId, periodOf("day", now).start, periodOf("month", now).start, prices.length, total],
  );
}

function saveReached(q: Queryable, tenantId: string, after: BudgetCounters) {
  return q.query(
    "UPDATE tenant_budgets SET day_reached = $2::text[], month_reached = $3::text[] WHERE tenant_id = $1",
    [tenantId, after.day.reached, after.month.reached],
  );
}

/** `usage.budget_reached`, in the transaction that reached the limits. */
async function announceReached(
  q: Queryable,
  tenantId: string,
  limits: BudgetLimits,
  after: BudgetCounters,
  reached: BudgetLimit[],
  now: Date,
): Promise<void> {
  for (const limit of reached) {
    const state = limitState(limit, limits, after);
    await emitEvent(q, {
      tenantId,
      type: "usage.budget_reached",
      data: {
        ...state,
        currency: "USD",
        period_start: state.period === "day" ? after.day.start : after.month.start,
        resets_at: periodOf(state.period, now).resetsAt.toISOString(),
        reached_at: now.toISOString(),
      },
      orderingKey: `budget:${tenantId}`,
    });
  }
}

const PERIOD_WORDS = { day: "today (UTC)", month: "this month (UTC)" } as const;

export function budgetExceeded(
  tenantId: string,
  limits: BudgetLimits,
  counters: BudgetCounters,
  limit: BudgetLimit,
  price: string,
  now: Date,
): SubtextError {
  const state = limitState(limit, limits, counters);
  const resetsAt = periodOf(state.period, now).resetsAt.toISOString();
  const messages = limit.endsWith("messages");
  const message = messages
    ? `The tenant's ${limit} budget of ${state.maximum} messages is used up: ${state.used} accepted ${PERIOD_WORDS[state.period]}.`
    : `This message (estimated at $${fromMicros(toMicros(price))}) would pass the tenant's ${limit} budget of $${state.maximum}: $${state.used} accepted ${PERIOD_WORDS[state.period]}.`;
  return new SubtextError("budget_exceeded", 403, message, {
    hint:
      `Sends are refused until ${resetsAt}, when the ${state.period === "day" ? "UTC day" : "UTC month"} starts over, ` +
      `or until an operator raises or removes the limit (PUT /v1/tenants/${tenantId}/budget). ` +
      `GET /v1/tenants/${tenantId}/budget shows the limits and their use.`,
    details: [
      {
        path: "/",
        code: "budget_exceeded",
        ...state,
        currency: "USD",
        price_estimate: fromMicros(toMicros(price)),
        resets_at: resetsAt,
      },
    ],
  });
}
