import type { Queryable } from "../db/db.js";
import { TWILIO_CODES } from "@subtext/telecom/twilio-codes";
import { type Histogram, addTo, quantileMs } from "./latency.js";
import { type LaneNow, lanesNow } from "./lanes.js";
import { type RangeName, windowOf } from "./ranges.js";
import { type Counts, emptyCounts, messageStats } from "./stats.js";

/** The Insights page in one answer: series over the range, totals, error codes and lanes now. */
export interface Overview {
  range: RangeName;
  tenant_id: string | null;
  from: string;
  to: string;
  bucket_seconds: number;
  totals: Counts & {
    delivery_rate: number | null;
    latency_p50_ms: number | null;
    latency_p95_ms: number | null;
  };
  series: (Counts & {
    t: string;
    delivery_rate: number | null;
    latency_p50_ms: number | null;
    latency_p95_ms: number | null;
    /** Accepted segments per second, averaged over the bucket. */
    throughput_mps: number;
  })[];
  error_codes: { code: number; count: number; explanation: string | null }[];
  /** Sum of the lanes' limits (segments per second) for one tenant; null for the platform. */
  limit_mps: number | null;
  lanes: LaneNow[];
  rolled_until: string | null;
}

/** Delivered among messages that reached a final outcome; null when none did. */
export function deliveryRate(c: Pick<Counts, "delivered" | "undelivered" | "failed">): number | null {
  const finished = c.delivered + c.undelivered + c.failed;
  return finished === 0 ? null : Math.round((c.delivered / finished) * 10000) / 10000;
}

export async function overview(
  q: Queryable,
  r: { range: RangeName; tenantId: string | null; now: Date },
): Promise<Overview> {
  const w = windowOf(r.range, r.now);
  const [stats, lanes] = await Promise.all([
    messageStats(q, { from: w.from, to: w.to, bucketSeconds: w.bucketSeconds, tenantId: r.tenantId }),
    lanesNow(q, { tenantId: r.tenantId, now: r.now, limit: 20 }),
  ]);
  const totals = emptyCounts();
  const allLatency: Histogram = new Map();
  const series = w.starts.map((t) => {
    const b = stats.buckets.get(t);
    const counts = b ? { ...b } : { ...emptyCounts(), latency: new Map() as Histogram };
    for (const key of Object.keys(totals) as (keyof Counts)[]) totals[key] += counts[key];
    for (const [bucket, n] of counts.latency) addTo(allLatency, bucket, n);
    const { latency, ...rest } = counts;
    return {
      t: new Date(t).toISOString(),
      ...rest,
      delivery_rate: deliveryRate(rest),
      latency_p50_ms: quantileMs(latency, 0.5),
      latency_p95_ms: quantileMs(latency, 0.95),
      throughput_mps: Math.round((rest.segments / w.bucketSeconds) * 1000) / 1000,
    };
  });
  const error_codes = [...stats.errors.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => ({ code, count, explanation: TWILIO_CODES[code]?.explanation ?? null }));
  return {
    range: r.range,
    tenant_id: r.tenantId,
    from: w.from.toISOString(),
    to: w.to.toISOString(),
    bucket_seconds: w.bucketSeconds,
    totals: {
      ...totals,
      delivery_rate: deliveryRate(totals),
      latency_p50_ms: quantileMs(allLatency, 0.5),
      latency_p95_ms: quantileMs(allLatency, 0.95),
    },
    series,
    error_codes,
    limit_mps: r.tenantId ? lanes.reduce((sum, l) => sum + l.mps, 0) : null,
    lanes,
    rolled_until: stats.rolledUntil?.toISOString() ?? null,
  };
}
