import type { Db, Queryable } from "../../db/db.js";
import { SubtextError } from "../../kernel/errors.js";
import { type Limit, type LimitScope, decide, windowStart } from "./limits.js";

export interface LimitCheck {
  scope: LimitScope;
  key: string;
  limit: Limit;
  /** scope "country": the country (or high-risk prefix) capped. */
  country?: string;
}

/**
 * Counts one request against every limit, or none of them: each key's current window is
 * incremented with an upsert (its row lock makes concurrent API processes queue, so the count
 * is exact), the decision is taken on the windows before this request, and a refusal rolls the
 * whole transaction back — refused requests do not extend a block. Once every limit lets the
 * request through, its windows record it as their latest request.
 */
export async function consumeLimits(db: Db, checks: LimitCheck[], now: Date): Promise<void> {
  const nowMs = now.getTime();
  await db.tx(async (tx) => {
    const counted: { key: string; start: number }[] = [];
    for (const check of checks) {
      const w = check.limit.window_seconds * 1000;
      const start = windowStart(nowMs, w);
      // last_ms is left alone here, so the row still says when the latest request before this one came.
      const current = await tx.one<{ count: number; last_ms: number | null }>(
        `INSERT INTO verify_rate_counters AS c (key, window_start, window_ms, count) VALUES ($1, $2, $3, 1)
         ON CONFLICT (key, window_start) DO UPDATE SET count = c.count + 1 RETURNING count, last_ms`,
        [check.key, start, w],
      );
      const previous = await tx.maybeOne<{ count: number; last_ms: number | null }>(
        "SELECT count, last_ms FROM verify_rate_counters WHERE key = $1 AND window_start = $2",
        [check.key, start - w],
      );
      const decision = decide(
        check.limit,
        { count: previous?.count ?? 0, lastMs: previous?.last_ms ?? null },
        { count: current.count - 1, lastMs: current.last_ms },
        nowMs,
      );
      if (!decision.allowed) throw limitError(check, decision.retryAfterSeconds);
      counted.push({ key: check.key, start });
    }
    if (counted.length === 0) return;
    await tx.query(
      `UPDATE verify_rate_counters c SET last_ms = GREATEST(c.last_ms, $3)
       FROM unnest($1::text[], $2::int8[]) AS v(key, window_start)
       WHERE c.key = v.key AND c.window_start = v.window_start`,
      [counted.map((c) => c.key), counted.map((c) => c.start), nowMs],
    );
  });
}

const WHAT: Record<LimitScope, string> = {
  destination: "this destination",
  tenant: "this tenant",
  ip: "this client IP",
  country: "this country",
};

/**
 * A country's cap reached (or 0: the country refused). Tenants raise it, or declare the country,
 * with PUT /v1/verify/settings.
 */
export function countryCapError(country: string, limit: Limit, retryAfter: number | null): SubtextError {
  const { max, window_seconds } = limit;
  const iso = /^[A-Z]{2}$/.test(country);
  const change = iso
    ? `{"country_caps": {"countries": {"${country}": <cap>}}}`
    : `{"country_caps": {"high_risk": <cap>}}`;
  return new SubtextError(
    "verify_country_cap",
    429,
    max === 0
      ? `Verifications to ${country} are switched off for this tenant.`
      : `Too many verifications to ${country}: at most ${max} per ${window_seconds} seconds.`,
    {
      hint:
        (retryAfter === null ? "" : `Retry after ${retryAfter} seconds, or raise the cap. `) +
        `A sudden flow of verifications to one country is how SMS pumping shows; if this traffic is yours, set the cap with PUT /v1/verify/settings ${change}.`,
      ...(retryAfter === null ? {} : { headers: { "retry-after": String(retryAfter) } }),
      details: [
        {
          scope: "country",
          country,
          max,
          window_seconds,
          ...(retryAfter === null ? {} : { retry_after_seconds: retryAfter }),
        },
      ],
      retryable: retryAfter !== null,
    },
  );
}

function limitError(check: LimitCheck, retryAfter: number): SubtextError {
  if (check.scope === "country") return countryCapError(check.country ?? "?", check.limit, retryAfter);
  const { max, window_seconds } = check.limit;
  return new SubtextError(
    "verification_rate_limited",
    429,
    `Too many verifications for ${WHAT[check.scope]}: at most ${max} per ${window_seconds} seconds.`,
    {
      hint: `Retry after ${retryAfter} seconds. Tenants change these limits with PUT /v1/verify/settings.`,
      headers: { "retry-after": String(retryAfter) },
      details: [{ scope: check.scope, max, window_seconds, retry_after_seconds: retryAfter }],
      retryable: true,
    },
  );
}

/** Drops windows too old to matter to any limit (the longest window is a week). */
export async function pruneCounters(q: Queryable, now: Date): Promise<number> {
  const { rowCount } = await q.query(
    "DELETE FROM verify_rate_counters WHERE window_start + 2 * window_ms < $1",
    [now.getTime()],
  );
  return rowCount;
}
