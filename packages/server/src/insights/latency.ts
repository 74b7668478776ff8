/**
 * Latency histograms: bucket b holds durations in [2^(b/4), 2^((b+1)/4)) milliseconds, four
 * buckets per doubling (±9% around the bucket's geometric middle), 0–99 covers 1 ms to ~8 days.
 * Histograms add across hours and tenants, so p50/p95 over any range come from the rollups.
 */
export const BUCKETS_PER_DOUBLING = 4;
export const MAX_BUCKET = 99;

/** The same formula in SQL, for a duration in milliseconds `ms` (a SQL expression). */
export function bucketSql(ms: string): string {
  // float8 ln: numeric log() is ~30x slower and this runs per delivered message.
  return `LEAST(${MAX_BUCKET}, GREATEST(0, floor(${BUCKETS_PER_DOUBLING} * ln(GREATEST(${ms}, 1)::float8) / ln(2::float8))))::smallint`;
}

export function bucketOf(ms: number): number {
  return Math.min(MAX_BUCKET, Math.max(0, Math.floor(BUCKETS_PER_DOUBLING * Math.log2(Math.max(ms, 1)))));
}

/** The representative duration of a bucket: its geometric middle. */
export function bucketMiddleMs(bucket: number): number {
  return 2 ** ((bucket + 0.5) / BUCKETS_PER_DOUBLING);
}

export type Histogram = Map<number, number>;

export function addTo(h: Histogram, bucket: number, count: number): void {
  h.set(bucket, (h.get(bucket) ?? 0) + count);
}

/** The q-quantile (0–1) of a histogram in milliseconds, or null when it is empty. */
export function quantileMs(h: Histogram, q: number): number | null {
  let total = 0;
  for (const n of h.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...h.keys()].sort((a, b) => a - b)) {
    seen += h.get(bucket)!;
    if (seen >= rank) return Math.round(bucketMiddleMs(bucket));
  }
  return null;
}
