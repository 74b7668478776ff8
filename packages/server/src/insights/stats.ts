import type { Queryable } from "../db/db.js";
import { type Histogram, addTo } from "./latency.js";
import { ORIGIN, type WindowPart, windowSelect } from "./windows.js";

/**
 * Message statistics over [from, to) in buckets, for one tenant or all: the hourly rollups up
 * to rolled_until plus a live count of the tail after it. Buckets under an hour (short ranges)
 * are counted live only.
 */
export interface Counts {
  accepted: number;
  segments: number;
  delivered: number;
  undelivered: number;
  failed: number;
  received: number;
}

export interface BucketStats extends Counts {
  latency: Histogram;
}

export interface Stats {
  buckets: Map<number, BucketStats>;
  errors: Map<number, number>;
  /** Where the rollups end (null: counted live only). */
  rolledUntil: Date | null;
}

type Row = {
  kind: WindowPart;
  t: Date;
  key: number;
  a: string | number;
  b: string | number;
  c: string | number;
  d: string | number;
};

export const emptyCounts = (): Counts => ({
  accepted: 0,
  segments: 0,
  delivered: 0,
  undelivered: 0,
  failed: 0,
  received: 0,
});

export async function messageStats(
  q: Queryable,
  r: { from: Date; to: Date; bucketSeconds: number; tenantId: string | null },
): Promise<Stats> {
  const stats: Stats = { buckets: new Map(), errors: new Map(), rolledUntil: null };
  let liveFrom = r.from;
  if (r.bucketSeconds >= 3600 && r.bucketSeconds % 3600 === 0) {
    const rolled = await rolledRows(q, r);
    for (const row of rolled.rows) add(stats, row);
    if (rolled.rolledUntil) {
      stats.rolledUntil = rolled.rolledUntil;
      if (rolled.rolledUntil > liveFrom) liveFrom = rolled.rolledUntil;
    }
  }
  if (liveFrom < r.to) for (const row of await liveRows(q, { ...r, from: liveFrom })) add(stats, row);
  return stats;
}

function add(stats: Stats, row: Row): void {
  if (row.kind === "errors") {
    stats.errors.set(row.key, (stats.errors.get(row.key) ?? 0) + Number(row.a));
    return;
  }
  const t = row.t.getTime();
  let b = stats.buckets.get(t);
  if (!b) {
    b = { ...emptyCounts(), latency: new Map() };
    stats.buckets.set(t, b);
  }
  if (row.kind === "counts") {
    b.accepted += Number(row.a);
    b.segments += Number(row.b);
  } else if (row.kind === "outcomes") {
    b.delivered += Number(row.a);
    b.undelivered += Number(row.b);
    b.failed += Number(row.c);
    b.received += Number(row.d);
  } else {
    addTo(b.latency, row.key, Number(row.a));
  }
}

const interval = "make_interval(secs => $3)";

async function liveRows(
  q: Queryable,
  r: { from: Date; to: Date; bucketSeconds: number; tenantId: string | null },
) {
  const filter = "($4::text IS NULL OR tenant_id = $4)";
  const parts = (["counts", "outcomes", "errors", "latency"] as const).map(
    (part) =>
      `SELECT '${part}' AS kind, t, key, sum(a) AS a, sum(b) AS b, sum(c) AS c, sum(d) AS d
       FROM (${windowSelect(part, interval, "$1", "$2", filter)}) w GROUP BY t, key`,
  );
  const { rows } = await q.query<Row>(parts.join(" UNION ALL "), [r.from, r.to, r.bucketSeconds, r.tenantId]);
  return rows;
}

/**
 * The rollup rows and the state's rolled_until in ONE statement, so both come from one
 * snapshot: a rollup committed in between cannot be counted twice (once here, once live).
 */
async function rolledRows(
  q: Queryable,
  r: { from: Date; to: Date; bucketSeconds: number; tenantId: string | null },
) {
  const bin = `date_bin(${interval}, hour, ${ORIGIN})`;
  // The platform has its own tables: summing every tenant's rows would read as much as the messages.
  const [counts, errors, latency, scope] = r.tenantId
    ? ["insights_hourly", "insights_hourly_errors", "insights_hourly_latency", "tenant_id = $4"]
    : [
        "insights_platform_hourly",
        "insights_platform_errors",
        "insights_platform_latency",
        "$4::text IS NULL",
      ];
  const where = `hour >= $1 AND hour < LEAST($2, COALESCE((SELECT rolled_until FROM s), '-infinity')) AND ${scope}`;
  const sql = `WITH s AS (SELECT rolled_until FROM insights_rollup_state)
    SELECT 'counts' AS kind, ${bin} AS t, 0 AS key, sum(accepted) AS a, sum(segments) AS b, 0 AS c, 0 AS d
      FROM ${counts} WHERE ${where} GROUP BY 2
    UNION ALL
    SELECT 'outcomes', ${bin}, 0, sum(delivered), sum(undelivered), sum(failed), sum(received)
      FROM ${counts} WHERE ${where} GROUP BY 2
    UNION ALL
    SELECT 'errors', ${bin}, error_code, sum(count), 0, 0, 0 FROM ${errors} WHERE ${where} GROUP BY 2, 3
    UNION ALL
    SELECT 'latency', ${bin}, bucket, sum(count), 0, 0, 0 FROM ${latency} WHERE ${where} GROUP BY 2, 3
    UNION ALL
    SELECT 'state', rolled_until, 0, 0, 0, 0, 0 FROM s`;
  const { rows } = await q.query<Row | (Omit<Row, "kind"> & { kind: "state" })>(sql, [
    r.from,
    r.to,
    r.bucketSeconds,
    r.tenantId,
  ]);
  const state = rows.find((row) => row.kind === "state");
  return {
    rows: rows.filter((row): row is Row => row.kind !== "state"),
    rolledUntil: state ? state.t : null,
  };
}
