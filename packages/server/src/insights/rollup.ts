import type { Db, Queryable } from "../db/db.js";
import type { Services } from "../kernel/services.js";
import { ORIGIN, windowSelect } from "./windows.js";

/**
 * The rollup job: adds each window [rolled_until, cutoff) of messages to the hourly tables,
 * exactly once (the state row is locked for the run), then snoozes a minute. The cutoff trails
 * the clock by SETTLE_MS because a row's created_at/completed_at is read from the clock before
 * its transaction commits; a row committed later than that would be missed by the rollup.
 * A first run on an existing database backfills a day per run until it has caught up.
 */
export const ROLLUP_JOB = "insights.rollup";
export const SETTLE_MS = 2 * 60_000;
const EVERY_MS = 60_000;
const MAX_WINDOW_MS = 24 * 3600_000;

declare module "../jobs/kinds.js" {
  interface JobPayloads {
    "insights.rollup": Record<string, never>;
  }
}

const HOUR = "interval '1 hour'";
const COUNT_COLUMNS = ["accepted", "segments", "delivered", "undelivered", "failed", "received"] as const;
type CountColumn = (typeof COUNT_COLUMNS)[number];

/** `col = table.col + EXCLUDED.col` for each column: rollups only ever add. */
const adding = (table: string, columns: readonly string[]) =>
  columns.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(", ");

/**
 * One statement per part: the window's per-tenant hourly deltas (w) are added to the tenant
 * hourly table and, summed further, to the tenant daily and platform tables.
 */
function countsUpsert(
  part: "counts" | "outcomes",
  columns: Record<"a" | "b" | "c" | "d", CountColumn | null>,
): string {
  const pairs = Object.entries(columns).filter((e): e is [string, CountColumn] => e[1] !== null);
  const cols = pairs.map(([, c]) => c);
  const sums = pairs.map(([k]) => `sum(${k})`).join(", ");
  return `WITH w AS (${windowSelect(part, HOUR, "$1", "$2", "true")}),
    hourly AS (
      INSERT INTO insights_hourly (tenant_id, hour, ${cols}) SELECT tenant_id, t, ${pairs.map(([k]) => k)} FROM w
      ON CONFLICT (tenant_id, hour) DO UPDATE SET ${adding("insights_hourly", cols)}),
    daily AS (
      INSERT INTO insights_daily (tenant_id, day, ${cols})
      SELECT tenant_id, date_bin(interval '1 day', t, ${ORIGIN}), ${sums} FROM w GROUP BY 1, 2
      ON CONFLICT (tenant_id, day) DO UPDATE SET ${adding("insights_daily", cols)})
    INSERT INTO insights_platform_hourly (hour, ${cols}) SELECT t, ${sums} FROM w GROUP BY 1
    ON CONFLICT (hour) DO UPDATE SET ${adding("insights_platform_hourly", cols)}`;
}

function keyedUpsert(part: "errors" | "latency", table: string, platform: string, key: string): string {
  return `WITH w AS (${windowSelect(part, HOUR, "$1", "$2", "true")}),
    per_tenant AS (
      INSERT INTO ${table} (tenant_id, hour, ${key}, count) SELECT tenant_id, t, key, a FROM w
      ON CONFLICT (tenant_id, hour, ${key}) DO UPDATE SET ${adding(table, ["count"])})
    INSERT INTO ${platform} (hour, ${key}, count) SELECT t, key, sum(a) FROM w GROUP BY 1, 2
    ON CONFLICT (hour, ${key}) DO UPDATE SET ${adding(platform, ["count"])}`;
}

const UPSERTS = [
  countsUpsert("counts", { a: "accepted", b: "segments", c: null, d: null }),
  countsUpsert("outcomes", { a: "delivered", b: "undelivered", c: "failed", d: "received" }),
  keyedUpsert("errors", "insights_hourly_errors", "insights_platform_errors", "error_code"),
  keyedUpsert("latency", "insights_hourly_latency", "insights_platform_latency", "bucket"),
];

export interface RollupRun {
  from: Date;
  to: Date;
  caughtUp: boolean;
}

/** Rolls up the next window; null when there was nothing to do yet. */
export async function rollUp(db: Db, now: Date): Promise<RollupRun | null> {
  const cutoff = new Date(now.getTime() - SETTLE_MS);
  return db.tx(async (tx) => {
    const from = await lockState(tx, cutoff);
    if (from >= cutoff) return null;
    const to = new Date(Math.min(cutoff.getTime(), from.getTime() + MAX_WINDOW_MS));
    for (const sql of UPSERTS) await tx.query(sql, [from, to]);
    await tx.query("UPDATE insights_rollup_state SET rolled_until = $1", [to]);
    return { from, to, caughtUp: to.getTime() === cutoff.getTime() };
  });
}

/** Locks the state row and returns rolled_until, creating it on first use. */
async function lockState(tx: Queryable, cutoff: Date): Promise<Date> {
  const row = await tx.maybeOne<{ rolled_until: Date }>(
    "SELECT rolled_until FROM insights_rollup_state FOR UPDATE",
  );
  if (row) return row.rolled_until;
  // Start at the first message ever (whole hour), or at the cutoff on an empty database.
  const first = await tx.one<{ t: Date | null }>(
    "SELECT date_trunc('hour', min(created_at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS t FROM messages",
  );
  const start = first.t && first.t < cutoff ? first.t : cutoff;
  await tx.query("INSERT INTO insights_rollup_state (rolled_until) VALUES ($1) ON CONFLICT DO NOTHING", [
    start,
  ]);
  return (await tx.one<{ rolled_until: Date }>("SELECT rolled_until FROM insights_rollup_state FOR UPDATE"))
    .rolled_until;
}

export function registerInsightsJobs(services: Pick<Services, "jobs" | "clock">): void {
  services.jobs.register(ROLLUP_JOB, {
    handler: async (_job, ctx) => {
      const run = await rollUp(ctx.db, ctx.clock.now());
      // Backfill runs back to back; once caught up, once a minute.
      const delay = run && !run.caughtUp ? 0 : EVERY_MS;
      return { retryAt: new Date(ctx.clock.now().getTime() + delay) };
    },
    leaseMs: 10 * 60_000,
  });
}

const scheduled = new WeakSet<object>();
/** Makes sure the (self-rescheduling) rollup job exists; once per database per process. */
export async function ensureRollupScheduled(services: Pick<Services, "db" | "jobs">): Promise<void> {
  if (scheduled.has(services.db)) return;
  await services.jobs.enqueue(services.db, ROLLUP_JOB, {}, { key: ROLLUP_JOB });
  scheduled.add(services.db);
}
