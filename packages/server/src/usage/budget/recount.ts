/**
 * A new budget's counters start from the tenant's messages (store.ts). A send another process
 * accepted in the moments before it heard of the new budget (its cache said "no budget") was not
 * counted and may have committed after that count: once no process can still hold the old answer
 * (the cache's lifetime), the counters are counted again from the messages, under the budget's
 * lock, so every reservation made meanwhile has committed and is in the count.
 */
import type { Queryable } from "../../db/db.js";
import { enqueue } from "../../jobs/queue.js";
import type { Services } from "../../kernel/services.js";
import { fromMicros } from "../prices.js";
import { BUDGET_CACHE_MS, BUDGET_COLUMNS, type BudgetRow, countersOf } from "./reserve.js";
import { hasLimits, rolled } from "./rules.js";
import { acceptedSoFar } from "./accepted.js";

export const RECOUNT_BUDGET = "usage.budget_recount";

declare module "../../jobs/kinds.js" {
  interface JobPayloads {
    "usage.budget_recount": { tenant_id: string };
  }
}

export function scheduleRecount(q: Queryable, tenantId: string, now: Date) {
  return enqueue(
    q,
    RECOUNT_BUDGET,
    { tenant_id: tenantId },
    {
      key: `${RECOUNT_BUDGET}:${tenantId}`,
      // A little after the last cached "no budget" has expired everywhere.
      runAt: new Date(now.getTime() + BUDGET_CACHE_MS + 5_000),
      onConflict: "replace",
    },
  );
}

export async function recountBudget(
  deps: Pick<Services, "db" | "clock">,
  payload: { tenant_id: string },
): Promise<void> {
  await deps.db.tx(async (tx) => {
    const row = await tx.maybeOne<BudgetRow>(
      `SELECT ${BUDGET_COLUMNS} FROM tenant_budgets WHERE tenant_id = $1 FOR UPDATE`,
      [payload.tenant_id],
    );
    if (!row || !hasLimits(row)) return;
    const now = deps.clock.now();
    const before = rolled(countersOf(row), now);
    const counted = await acceptedSoFar(tx, payload.tenant_id, now);
    await tx.query(
      `UPDATE tenant_budgets SET day = $2::date, day_messages = $3, day_spend = $4::numeric, day_reached = $5::text[],
         month = $6::date, month_messages = $7, month_spend = $8::numeric, month_reached = $9::text[]
       WHERE tenant_id = $1`,
      [
        payload.tenant_id,
        counted.day.start,
        counted.day.messages,
        fromMicros(counted.day.spend),
        before.day.reached,
        counted.month.start,
        counted.month.messages,
        fromMicros(counted.month.spend),
        before.month.reached,
      ],
    );
  });
}
