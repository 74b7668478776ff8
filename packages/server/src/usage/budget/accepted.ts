import type { Queryable } from "../../db/db.js";
import { monthBound } from "../../db/partitions.js";
import { toMicros } from "../prices.js";
import { type BudgetCounters, periodOf } from "./rules.js";

/**
 * What the tenant's messages accepted in the current day and month add up to, counted from the
 * messages themselves: the starting point of a new budget's counters, and the figures shown
 * while no limit is set (the counters are kept only while one is). Message ids carry the time
 * they were accepted, so the count reads one range of the tenant's index.
 */
export async function acceptedSoFar(q: Queryable, tenantId: string, now: Date): Promise<BudgetCounters> {
  const day = periodOf("day", now);
  const month = periodOf("month", now);
  const bound = (start: string) => monthBound("msg_", new Date(`${start}T00:00:00Z`));
  const r = await q.one<{
    day_messages: number;
    day_spend: string;
    month_messages: number;
    month_spend: string;
  }>(
    `SELECT count(*) FILTER (WHERE id >= $3)::int8 AS day_messages,
       COALESCE(sum(price_estimate) FILTER (WHERE id >= $3), 0)::text AS day_spend,
       count(*)::int8 AS month_messages, COALESCE(sum(price_estimate), 0)::text AS month_spend
     FROM messages
     WHERE tenant_id = $1 AND direction = 'outbound' AND id >= $2 AND id < $4`,
    [tenantId, bound(month.start), bound(day.start), monthBound("msg_", month.resetsAt)],
  );
  return {
    day: { start: day.start, messages: r.day_messages, spend: toMicros(r.day_spend), reached: [] },
    month: { start: month.start, messages: r.month_messages, spend: toMicros(r.month_spend), reached: [] },
  };
}
