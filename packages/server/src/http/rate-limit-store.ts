/**
 * Fixed-window counters for the rate limits (rate-limit.ts). A window is `windowMs` long and
 * aligned to the epoch on the platform's clock, so every process (and a test's ManualClock)
 * agrees on where it starts and ends. `take` admits `weight` hits only if they all fit under
 * `max`; a refused take counts nothing, so a refused batch does not use up the window.
 */
import type { Db } from "../db/db.js";
import type { Clock } from "../jobs/clock.js";

export interface Take {
  admitted: boolean;
  /** Hits counted in the window after this take. */
  count: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
}

export interface WindowCounter {
  take(key: string, weight: number, max: number, windowMs: number): Promise<Take>;
}

const windowStart = (now: number, windowMs: number) => now - (now % windowMs);

/** In this process: PGlite serves one process, so its counters can live in memory. */
export class MemoryCounter implements WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  async take(key: string, weight: number, max: number, windowMs: number): Promise<Take> {
    const now = this.clock.now().getTime();
    const start = windowStart(now, windowMs);
    let w = this.windows.get(key);
    if (!w || w.start < start) {
      if (!w && this.windows.size >= 50_000) this.prune(now, windowMs);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    const admitted = w.count + weight <= max;
    if (admitted) w.count += weight;
    return { admitted, count: w.count, resetAt: w.start + windowMs };
  }

  /** Forgets windows that have ended (the longest window is a minute). */
  private prune(now: number, windowMs: number): void {
    const horizon = now - Math.max(windowMs, 60_000);
    for (const [key, w] of this.windows) if (w.start < horizon) this.windows.delete(key);
  }
}

/**
 * Shared by every API process through PostgreSQL, so a limit holds across processes, without a
 * round trip per request: a process takes a slice of the key's window from the database (one
 * UPSERT on an UNLOGGED table: no WAL, no fsync) and spends it in memory, going back only when
 * the slice is spent. The database never grants more than the limit, so the limit is exact;
 * the price is that a slice left unspent in one process is refused to the others until the
 * window ends (at most one slice, a sixteenth of the limit, per process and key).
 *
 * Not chosen: counting locally and syncing periodically (N processes each admit up to a full
 * window between syncs, so the limit only holds to N×), or a round trip per request (it was:
 * at thousands of requests per second it was the send path's busiest statement).
 * A key refused in this window stays refused until it ends (hits only grow), so repeated
 * refusals are answered here without a round trip — the flood case.
 */
export class PostgresCounter implements WindowCounter {
  private readonly refused = new Map<
    string,
    { resetAt: number; weight: number; max: number; count: number }
  >();
  private readonly slices = new Map<string, { start: number; left: number; hits: number; max: number }>();
  /** A key's take on its way to the database: concurrent requests wait for its slice. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async take(key: string, weight: number, max: number, windowMs: number): Promise<Take> {
    // Without this wait, a burst arriving before the first slice would send one UPSERT per
    // request, each taking a whole slice: sixteen of them spend the window.
    for (let pending = this.inFlight.get(key); pending; pending = this.inFlight.get(key)) {
      await pending.catch(() => {});
    }
    const now = this.clock.now().getTime();
    const start = windowStart(now, windowMs);
    const slice = this.slices.get(key);
    if (slice && slice.start === start && slice.max === max && slice.left >= weight) {
      slice.left -= weight;
      return { admitted: true, count: slice.hits - slice.left, resetAt: start + windowMs };
    }
    const known = this.refused.get(key);
    if (known && now < known.resetAt && weight >= known.weight && max <= known.max) {
      return { admitted: false, count: known.count, resetAt: known.resetAt };
    }
    const want = Math.max(weight, Math.ceil(max / 16));
    const asked = this.grant(key, start, weight, max, want, windowMs);
    this.inFlight.set(key, asked);
    let row: Awaited<typeof asked>;
    try {
      row = await asked;
    } finally {
      this.inFlight.delete(key);
    }
    const windowStarted = Number(row.window_start);
    const resetAt = windowStarted + windowMs;
    const hits = Number(row.hits);
    if (row.admitted) {
      this.refused.delete(key);
      const left = Number(row.granted) - weight;
      if (this.slices.size >= 10_000 && !slice) this.slices.clear();
      this.slices.set(key, { start: windowStarted, left, hits, max });
      return { admitted: true, count: hits - left, resetAt };
    }
    this.slices.delete(key);
    if (this.refused.size >= 10_000) this.refused.clear();
    this.refused.set(key, { resetAt, weight, max, count: hits });
    return { admitted: false, count: hits, resetAt };
  }

  /** One UPSERT on an UNLOGGED table (no WAL, no fsync). */
  private grant(key: string, start: number, weight: number, max: number, want: number, windowMs: number) {
    return this.db.one<{ hits: number; window_start: string; admitted: boolean; granted: number }>(
      `INSERT INTO rate_limit_windows AS w (key, window_start, hits, admitted, granted)
       VALUES ($1, $2::bigint, CASE WHEN $3::bigint <= $4::bigint THEN LEAST($5::bigint, $4::bigint) ELSE 0 END,
               $3::bigint <= $4::bigint, CASE WHEN $3::bigint <= $4::bigint THEN LEAST($5::bigint, $4::bigint) ELSE 0 END)
       ON CONFLICT (key) DO UPDATE SET
         admitted = CASE WHEN ${STALE} THEN EXCLUDED.admitted ELSE w.hits + $3::bigint <= $4::bigint END,
         granted = CASE WHEN ${STALE} THEN EXCLUDED.granted
                        WHEN w.hits + $3::bigint <= $4::bigint THEN LEAST($5::bigint, $4::bigint - w.hits)
                        ELSE 0 END,
         hits = CASE WHEN ${STALE} THEN EXCLUDED.hits
                     WHEN w.hits + $3::bigint <= $4::bigint THEN w.hits + LEAST($5::bigint, $4::bigint - w.hits)
                     ELSE w.hits END,
         window_start = CASE WHEN ${STALE} THEN EXCLUDED.window_start ELSE w.window_start END
       RETURNING hits, window_start::text, admitted, granted`,
      [key, start, weight, max, want, windowMs],
    );
  }
}

/**
 * When a stored window gives way to this process's. An older one has ended. A process whose clock
 * lags by less than a window counts into the newer one (the limit holds across a boundary
 * that processes see a few milliseconds apart); a stored window more than one ahead came from
 * a clock that is wrong, and honouring it would refuse this key until that clock's future.
 */
const STALE =
  "(w.window_start < EXCLUDED.window_start OR w.window_start > EXCLUDED.window_start + $6::bigint)";

export function windowCounter(db: Db, clock: Clock): WindowCounter {
  return db.engine === "postgres" ? new PostgresCounter(db, clock) : new MemoryCounter(clock);
}
