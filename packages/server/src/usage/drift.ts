/**
 * The drift report: does what Subtext metered equal what Twilio billed? For each tenant with a
 * subaccount, Twilio's daily usage records (https://www.twilio.com/docs/usage/api/usage-record,
 * read with the tenant's own key on its subaccount) are compared with Subtext's daily counters,
 * per UTC day and category (drift-compare.ts). A difference is stored as an open `usage_drift`
 * row and announced once with `usage.drift`; a later check that finds the two equal resolves it.
 *
 * The daily `usage.drift` job checks yesterday and the days before it (LOOKBACK_DAYS), so usage
 * billed or metered late is caught; `POST /v1/usage/drift/check` runs it at once.
 */
import { newId } from "../db/ids.js";
import { emitEvent } from "../events/emit.js";
import type { Snooze } from "../jobs/runner.js";
import { enqueue } from "../jobs/queue.js";
import type { Services } from "../kernel/services.js";
import { tenantTwilio } from "../tenancy/credentials.js";
import type { TenantRow } from "../tenancy/tenants.js";
import {
  DRIFT_CATEGORIES,
  type DriftCategory,
  type Side,
  compareUsage,
  daysBetween,
  defaultWindow,
  nextRun,
  twilioAmount,
  twilioCount,
} from "./drift-compare.js";
import {
  type DriftRow,
  type DriftValues,
  insertDrift,
  openDrift,
  resolveDrift,
  updateDrift,
} from "./drift-store.js";
import { driftView } from "./drift-view.js";
import { fromMicros, toMicros } from "./prices.js";
import { decimal } from "./report.js";

export const DRIFT_JOB = "usage.drift";
/** Tenants checked at once (each is four requests to Twilio). */
const CONCURRENCY = 4;

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "usage.drift": Record<string, never>;
  }
}

type Deps = Pick<Services, "db" | "clock" | "log" | "twilio" | "vault" | "caches">;

export interface DriftCheckResult {
  from: string;
  to: string;
  tenants: number;
  /** Differences found for the first time (one usage.drift event each). */
  opened: string[];
  resolved: string[];
  /** Open differences in the range after the check (new and persisting). */
  open: number;
  failed: { tenant_id: string; error: string }[];
}

/** Compares the days from..to (inclusive) for one tenant, or every tenant with a subaccount. */
export async function checkDrift(
  deps: Deps,
  range: { from: string; to: string; tenantId?: string | null },
): Promise<DriftCheckResult> {
  const { rows: tenants } = await deps.db.query<TenantRow>(
    `SELECT * FROM tenants WHERE status IN ('active', 'suspended') AND subaccount_sid IS NOT NULL
       AND twilio_key_sid IS NOT NULL AND ($1::text IS NULL OR id = $1) ORDER BY id`,
    [range.tenantId ?? null],
  );
  const result: DriftCheckResult = {
    from: range.from,
    to: range.to,
    tenants: tenants.length,
    opened: [],
    resolved: [],
    open: 0,
    failed: [],
  };
  let next = 0;
  const worker = async () => {
    while (next < tenants.length) {
      const tenant = tenants[next++];
      try {
        const r = await checkTenant(deps, tenant, range.from, range.to);
        result.opened.push(...r.opened);
        result.resolved.push(...r.resolved);
        result.open += r.open;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        result.failed.push({ tenant_id: tenant.id, error });
        deps.log.warn(
          { event: "usage.drift_check_failed", tenant_id: tenant.id, err },
          "could not compare a tenant's usage with Twilio's",
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tenants.length) }, worker));
  result.failed.sort((a, b) => a.tenant_id.localeCompare(b.tenant_id));
  return result;
}

type Key = string;
const keyOf = (day: string, category: string): Key => `${day}|${category}`;

async function checkTenant(deps: Deps, tenant: TenantRow, from: string, to: string) {
  const twilio = await twilioUsage(deps, tenant, from, to);
  const now = deps.clock.now();
  return deps.db.tx(async (tx) => {
    // One check of a tenant at a time (the daily job and the operator's may meet): the second
    // finds the first's differences open instead of opening them again.
    await tx.query(
      "SELECT pg_advisory_xact_lock(hashtext('subtext.usage-drift.' || current_schema() || $1::text))",
      [tenant.id],
    );
    const ours = await subtextUsage(tx, tenant.id, from, to);
    const open = new Map(
      (await openDrift(tx, tenant.id, from, to)).map((r) => [keyOf(r.day, r.category), r]),
    );
    const opened: string[] = [];
    const resolved: string[] = [];
    let stillOpen = 0;
    for (const day of daysBetween(from, to)) {
      for (const c of DRIFT_CATEGORIES) {
        const key = keyOf(day, c.category);
        const subtext = ours.get(key) ?? { count: 0, amount: "0" };
        const billed = twilio.get(key) ?? { count: 0, amount: "0" };
        const cmp = compareUsage(subtext, billed);
        const values: DriftValues = {
          subtext_count: subtext.count,
          twilio_count: billed.count,
          subtext_cost: subtext.amount,
          twilio_price: billed.amount,
          reasons: cmp.reasons,
        };
        const existing = open.get(key);
        if (cmp.reasons.length === 0) {
          if (existing) {
            await resolveDrift(tx, existing.id, now);
            resolved.push(existing.id);
          }
          continue;
        }
        stillOpen++;
        if (existing) {
          await updateDrift(tx, existing.id, values, now);
          continue;
        }
        opened.push(await openNew(tx, tenant.id, day, c, values, now));
      }
    }
    return { opened, resolved, open: stillOpen };
  });
}

async function openNew(
  tx: Parameters<typeof insertDrift>[0],
  tenantId: string,
  day: string,
  c: DriftCategory,
  values: DriftValues,
  now: Date,
): Promise<string> {
  const id = newId("udr", now);
  const draft: DriftRow = {
    id,
    tenant_id: tenantId,
    day,
    category: c.category,
    unit: c.unit,
    ...values,
    subtext_cost: decimal(values.subtext_cost),
    twilio_price: decimal(values.twilio_price),
    state: "open",
    detected_at: now,
    checked_at: now,
    resolved_at: null,
    event_id: null,
  };
  const event = await emitEvent(tx, {
    tenantId,
    type: "usage.drift",
    data: { drift: driftView(draft) },
    orderingKey: `usage-drift:${tenantId}`,
  });
  await insertDrift(tx, {
    ...values,
    id,
    tenantId,
    day,
    category: c.category,
    unit: c.unit,
    at: now,
    eventId: event.id,
  });
  return id;
}

/** Subtext's counters per day and category: segments for SMS, messages for MMS, and the cost. */
async function subtextUsage(
  q: Parameters<typeof openDrift>[0],
  tenantId: string,
  from: string,
  to: string,
): Promise<Map<Key, Side>> {
  const { rows } = await q.query<{
    day: string;
    channel: string;
    direction: string;
    messages: string;
    segments: string;
    cost: string;
  }>(
    `SELECT day::text AS day, channel, direction, sum(messages)::text AS messages,
       sum(segments)::text AS segments, sum(cost)::text AS cost
     FROM usage_daily
     WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date AND channel IN ('sms', 'mms')
     GROUP BY 1, 2, 3`,
    [tenantId, from, to],
  );
  const out = new Map<Key, Side>();
  for (const r of rows) {
    const c = DRIFT_CATEGORIES.find((d) => d.channel === r.channel && d.direction === r.direction);
    if (!c) continue;
    out.set(keyOf(r.day, c.category), {
      count: Number(c.unit === "segments" ? r.segments : r.messages),
      amount: decimal(r.cost),
    });
  }
  return out;
}

/** Twilio's daily records of the tenant's subaccount, one request per category. */
async function twilioUsage(deps: Deps, tenant: TenantRow, from: string, to: string): Promise<Map<Key, Side>> {
  const client = await tenantTwilio(deps, tenant);
  const out = new Map<Key, Side>();
  for (const c of DRIFT_CATEGORIES) {
    const records = await client.usage.records.daily.list({
      category: c.category,
      startDate: new Date(`${from}T00:00:00Z`),
      endDate: new Date(`${to}T00:00:00Z`),
      includeSubaccounts: false,
      pageSize: 1000,
    });
    for (const r of records) {
      // The SDK reads start_date as a UTC day.
      const day = r.startDate instanceof Date ? r.startDate.toISOString().slice(0, 10) : String(r.startDate);
      if (r.category !== c.category || day < from || day > to) continue;
      const key = keyOf(day, c.category);
      const seen = out.get(key);
      // `usage` is the quantity Twilio bills (segments for SMS, messages for MMS); `count` if absent.
      const count = twilioCount(r.usage ?? r.count);
      const amount = twilioAmount(r.price);
      out.set(
        key,
        seen
          ? { count: seen.count + count, amount: fromMicros(toMicros(seen.amount) + toMicros(amount)) }
          : { count, amount },
      );
    }
  }
  return out;
}

/** The daily job: checks the window, then comes back at the next DRIFT_HOUR_UTC. */
export async function driftJob(deps: Deps): Promise<Snooze> {
  const now = deps.clock.now();
  const result = await checkDrift(deps, defaultWindow(now));
  if (result.opened.length > 0 || result.resolved.length > 0 || result.failed.length > 0) {
    deps.log.info(
      {
        event: "usage.drift_checked",
        opened: result.opened.length,
        resolved: result.resolved.length,
        open: result.open,
        failed: result.failed.length,
      },
      "usage compared with Twilio's",
    );
  }
  return { retryAt: nextRun(deps.clock.now()) };
}

/** Makes sure the daily job exists (worker processes, at start). */
export async function ensureDriftJob(deps: Pick<Services, "db" | "clock">): Promise<void> {
  await enqueue(deps.db, DRIFT_JOB, {}, { key: DRIFT_JOB, runAt: nextRun(deps.clock.now()) });
}

export function registerDriftJob(services: Services): void {
  services.jobs.register(DRIFT_JOB, {
    handler: () => driftJob(services),
    leaseMs: 30 * 60_000,
  });
}
