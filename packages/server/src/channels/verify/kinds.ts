/** Job kinds of the Verify channel (registered in verify/jobs.ts). */
export const VERIFY_FALLBACK = "verify.fallback";
export const VERIFY_EXPIRE = "verify.expire";
/** Deletes old limit counters; one job that snoozes itself hourly. */
export const VERIFY_PRUNE = "verify.prune_counters";
export const PRUNE_EVERY_MS = 3_600_000;
