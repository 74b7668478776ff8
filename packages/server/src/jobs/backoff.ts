/**
 * Exponential backoff with full jitter: a uniform delay in [min, min(cap, base·2^(attempt-1))].
 * Full jitter spreads retries of many failures that happened together (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"), which matters when Twilio answers a burst with 429s.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** Never retry sooner than this (keeps a zero draw from spinning). */
  minMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60 * 60_000, minMs: 100 };

/** `attempt` counts from 1 (the attempt that just failed); `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 40)));
  return Math.max(policy.minMs, Math.floor(random() * ceiling));
}
