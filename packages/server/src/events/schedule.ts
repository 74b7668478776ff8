/**
 * When to try a failed webhook delivery again, and when to give up on an endpoint. Pure.
 *
 * The schedule is Standard Webhooks' reference one (as Svix runs it): immediately, then after
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h — 8 attempts over about 27.5 hours, so a
 * receiver that is down for a day still gets everything. Each delay is jittered by ±10 % so
 * that deliveries that failed together (a receiver outage) do not all come back at once;
 * even at −10 % the last attempt is more than 24 h after the first.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const JITTER = 0.1;

/** A 2xx answer within this time is a success; anything else is a failed attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Delay before the next attempt after `attempts` attempts have failed (1 = the first), or
 * null when the schedule is exhausted. `random` returns [0, 1).
 */
export function nextRetryDelay(attempts: number, random: () => number = Math.random): number | null {
  if (attempts < 1 || attempts > RETRY_DELAYS_MS.length) return null;
  const base = RETRY_DELAYS_MS[attempts - 1];
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** An endpoint that has answered nothing but failures for this long is switched off. */
export const DISABLE_AFTER_MS = 24 * 3_600_000;

/**
 * Persistent failure: no success for at least 24 h, and at least as many consecutive failed
 * attempts as one delivery's whole schedule (so one slow night with a single event does not
 * count, but a delivery that exhausted its retries on a dead endpoint does).
 */
export function shouldDisableEndpoint(s: {
  consecutiveFailures: number;
  failingSince: Date | null;
  now: Date;
}): boolean {
  if (!s.failingSince) return false;
  return (
    s.consecutiveFailures >= MAX_ATTEMPTS && s.now.getTime() - s.failingSince.getTime() >= DISABLE_AFTER_MS
  );
}
