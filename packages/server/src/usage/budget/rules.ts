/**
 * Budgets as plain data: the periods (UTC day, UTC calendar month), and which of the messages a
 * send offers fit under a tenant's limits. Pure; the counters come from and go back to
 * `tenant_budgets` (reserve.ts).
 */
import { fromMicros, toMicros } from "../prices.js";

export const BUDGET_LIMITS = ["daily_messages", "daily_spend", "monthly_messages", "monthly_spend"] as const;
export type BudgetLimit = (typeof BUDGET_LIMITS)[number];
export type BudgetPeriod = "day" | "month";

export const LIMIT_PERIOD: Record<BudgetLimit, BudgetPeriod> = {
  daily_messages: "day",
  daily_spend: "day",
  monthly_messages: "month",
  monthly_spend: "month",
};

/** The limits as set: a count of messages, or USD as a decimal string; null: no limit. */
export interface BudgetLimits {
  daily_messages: number | null;
  daily_spend: string | null;
  monthly_messages: number | null;
  monthly_spend: string | null;
}

export const NO_LIMITS: BudgetLimits = {
  daily_messages: null,
  daily_spend: null,
  monthly_messages: null,
  monthly_spend: null,
};

export function hasLimits(l: BudgetLimits): boolean {
  return BUDGET_LIMITS.some((k) => l[k] !== null);
}

/** What was accepted in one period: messages and their estimated price in micro-dollars. */
export interface PeriodUse {
  /** The period's first day, `yyyy-mm-dd` (UTC). */
  start: string;
  messages: number;
  spend: bigint;
  /** The limits of this period already reached (their event sent). */
  reached: BudgetLimit[];
}

export interface BudgetCounters {
  day: PeriodUse;
  month: PeriodUse;
}

/** The UTC day or calendar month `at` falls in, and when the next one starts. */
export function periodOf(period: BudgetPeriod, at: Date): { start: string; resetsAt: Date } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const startsAt = period === "day" ? Date.UTC(y, m, at.getUTCDate()) : Date.UTC(y, m, 1);
  const resetsAt = period === "day" ? Date.UTC(y, m, at.getUTCDate() + 1) : Date.UTC(y, m + 1, 1);
  return { start: new Date(startsAt).toISOString().slice(0, 10), resetsAt: new Date(resetsAt) };
}

/**
 * The counters as of `at`: a period that has ended starts over at zero. A clock behind the
 * stored period (another process, a moment earlier, around midnight) counts into the newer one.
 */
export function rolled(c: BudgetCounters, at: Date): BudgetCounters {
  const roll = (use: PeriodUse, period: BudgetPeriod): PeriodUse => {
    const start = periodOf(period, at).start;
    return start > use.start ? { start, messages: 0, spend: 0n, reached: [] } : use;
  };
  return { day: roll(c.day, "day"), month: roll(c.month, "month") };
}

export interface Admission {
  /** For each offered message, in order: null when accepted, else the limit that refused it. */
  refusedBy: (BudgetLimit | null)[];
  after: BudgetCounters;
  /** Limits reached by this admission that were not reached before (one event each). */
  newlyReached: BudgetLimit[];
}

/**
 * Takes the offered messages (each its estimated price, in micro-dollars) in order, each one
 * accepted if it fits under every limit given what was accepted before it. A limit is reached
 * when what was accepted equals it or when it refused a message.
 */
export function admit(limits: BudgetLimits, current: BudgetCounters, offered: bigint[]): Admission {
  const day = { ...current.day };
  const month = { ...current.month };
  const useOf = (limit: BudgetLimit) => (LIMIT_PERIOD[limit] === "day" ? day : month);
  const refusing = new Set<BudgetLimit>();
  const refusedBy = offered.map((price): BudgetLimit | null => {
    for (const limit of BUDGET_LIMITS) {
      const max = limits[limit];
      if (max === null) continue;
      const use = useOf(limit);
      const fits = limit.endsWith("messages")
        ? use.messages + 1 <= Number(max)
        : use.spend + price <= toMicros(String(max));
      if (!fits) {
        refusing.add(limit);
        return limit;
      }
    }
    for (const use of [day, month]) {
      use.messages += 1;
      use.spend += price;
    }
    return null;
  });
  const newlyReached = BUDGET_LIMITS.filter((limit) => {
    const max = limits[limit];
    if (max === null) return false;
    const use = useOf(limit);
    if (use.reached.includes(limit)) return false;
    const full = limit.endsWith("messages")
      ? use.messages >= Number(max)
      : use.spend >= toMicros(String(max));
    return full || refusing.has(limit);
  });
  for (const limit of newlyReached) {
    const use = useOf(limit);
    use.reached = [...use.reached, limit];
  }
  return { refusedBy, after: { day, month }, newlyReached };
}

/** A limit's value and its use, as the API and the events show them. */
export function limitState(limit: BudgetLimit, limits: BudgetLimits, c: BudgetCounters) {
  const period = LIMIT_PERIOD[limit];
  const use = period === "day" ? c.day : c.month;
  const messages = limit.endsWith("messages");
  return {
    limit,
    period,
    maximum: messages ? Number(limits[limit]) : fromMicros(toMicros(String(limits[limit]))),
    used: messages ? use.messages : fromMicros(use.spend),
  };
}
