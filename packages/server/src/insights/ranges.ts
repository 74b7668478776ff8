/**
 * The ranges the dashboard offers and their bucket sizes: short ranges in minutes (counted
 * live), longer ones in whole hours or days (from the rollups). Buckets align on UTC midnight.
 */
export const RANGES = {
  "1h": { seconds: 3600, bucket: 300 },
  "6h": { seconds: 6 * 3600, bucket: 900 },
  "24h": { seconds: 24 * 3600, bucket: 3600 },
  "7d": { seconds: 7 * 86400, bucket: 6 * 3600 },
  "30d": { seconds: 30 * 86400, bucket: 86400 },
} as const;
export type RangeName = keyof typeof RANGES;
export const RANGE_NAMES = Object.keys(RANGES) as RangeName[];

export interface Window {
  from: Date;
  to: Date;
  bucketSeconds: number;
  /** Every bucket start in the window, so charts show empty buckets as zero. */
  starts: number[];
}

export function windowOf(range: RangeName, now: Date): Window {
  const { seconds, bucket } = RANGES[range];
  const bucketMs = bucket * 1000;
  // Exclusive bound just after now: what happened at this very instant counts (a frozen test clock).
  const to = new Date(now.getTime() + 1);
  // The first bucket is the one containing now - range: the chart shows the whole range.
  const from = new Date(Math.floor((now.getTime() - seconds * 1000) / bucketMs) * bucketMs);
  const starts: number[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += bucketMs) starts.push(t);
  return { from, to, bucketSeconds: bucket, starts };
}

/** Start of the UTC day of `now`. */
export function startOfDay(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000);
}
