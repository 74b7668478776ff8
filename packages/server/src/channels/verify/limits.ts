/**
 * Our abuse limits in front of Verify, and the fallback policy. Pure: the settings, their
 * defaults, and the sliding-window arithmetic the database counters feed.
 *
 * Verify has limits of its own (5 sends per lifecycle → 60203, 5 new verifications per number
 * in 10 minutes → 20429), but they protect Twilio, not the tenant's bill: SMS pumping fraud
 * spreads over many numbers and comes from few clients. So we also limit per destination, per
 * tenant and per client IP, before anything reaches Twilio, as Twilio recommends
 * (https://www.twilio.com/docs/verify/api/programmable-rate-limits).
 */
import { Nullable, type Static, Type } from "../../kernel/schema.js";

export interface Limit {
  max: number;
  window_seconds: number;
}

export type LimitScope = "destination" | "tenant" | "ip" | "country";

/**
 * Caps on verifications started per destination country, per tenant, over a sliding window
 * (a day by default): pumping spreads over many numbers of a few countries, so a country the
 * tenant serves gets its declared cap, any other a low one, and numbers on high-risk ranges
 * (satellite, international networks, premium rate: `HIGH_RISK_PREFIXES` of
 * @subtext/telecom/countries) or with no country their own, refused by default.
 */
export interface CountryCaps {
  window_seconds: number;
  /** The countries the tenant serves (ISO 3166-1 alpha-2) and their caps; 0 refuses. */
  countries: Record<string, number>;
  /** The cap for each country not listed. */
  other_countries: number;
  /** The cap for each high-risk prefix or number with no country. */
  high_risk: number;
}

export interface VerifySettings {
  limits: { per_destination: Limit; per_tenant: Limit; per_ip: Limit };
  country_caps: CountryCaps;
  /** SMS first; if the code is not checked within `after_seconds` (or SMS cannot go), a call. */
  fallback: { enabled: boolean; after_seconds: number; channel: "call" };
}

export const DEFAULT_VERIFY_SETTINGS: VerifySettings = Object.freeze({
  limits: {
    per_destination: { max: 5, window_seconds: 600 },
    per_tenant: { max: 1000, window_seconds: 3600 },
    per_ip: { max: 20, window_seconds: 3600 },
  },
  country_caps: {
    window_seconds: 86_400,
    countries: { US: 1000, CA: 1000 },
    other_countries: 20,
    high_risk: 0,
  },
  fallback: { enabled: true, after_seconds: 60, channel: "call" },
}) as VerifySettings;

const limitPatch = Type.Object(
  {
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    window_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 604_800 })),
  },
  { additionalProperties: false },
);

/**
 * A change to the settings (PUT /v1/verify/settings): its body and its type; what is not named
 * keeps its value. The settings are answered in the same shape, every field present.
 */
export const VerifySettingsPatch = Type.Object(
  {
    limits: Type.Optional(
      Type.Object(
        {
          per_destination: Type.Optional(limitPatch),
          per_tenant: Type.Optional(limitPatch),
          per_ip: Type.Optional(limitPatch),
        },
        { additionalProperties: false },
      ),
    ),
    country_caps: Type.Optional(
      Type.Object(
        {
          window_seconds: Type.Optional(Type.Integer({ minimum: 3600, maximum: 604_800 })),
          countries: Type.Optional(
            Type.Record(
              Type.String({ pattern: "^[A-Z]{2}$" }),
              Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
              {
                additionalProperties: false,
                description:
                  "The countries the tenant serves and their caps (0 refuses); in a change, null removes a country",
              },
            ),
          ),
          other_countries: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          high_risk: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    fallback: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          // Verify forgets a code after ten minutes: a later call could only read a dead code.
          after_seconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 540 })),
          channel: Type.Optional(Type.Enum(["call"], { type: "string" })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type VerifySettingsPatch = Static<typeof VerifySettingsPatch>;

/** The effective settings: the defaults with the stored overrides applied field by field. */
export function mergeSettings(
  base: VerifySettings,
  patch: VerifySettingsPatch | null | undefined,
): VerifySettings {
  const limit = (b: Limit, p: Partial<Limit> | undefined): Limit => ({
    max: p?.max ?? b.max,
    window_seconds: p?.window_seconds ?? b.window_seconds,
  });
  return {
    limits: {
      per_destination: limit(base.limits.per_destination, patch?.limits?.per_destination),
      per_tenant: limit(base.limits.per_tenant, patch?.limits?.per_tenant),
      per_ip: limit(base.limits.per_ip, patch?.limits?.per_ip),
    },
    country_caps: mergeCaps(base.country_caps, patch?.country_caps),
    fallback: {
      enabled: patch?.fallback?.enabled ?? base.fallback.enabled,
      after_seconds: patch?.fallback?.after_seconds ?? base.fallback.after_seconds,
      channel: "call",
    },
  };
}

function mergeCaps(base: CountryCaps, patch: VerifySettingsPatch["country_caps"]): CountryCaps {
  const countries = { ...base.countries };
  for (const [iso, cap] of Object.entries(patch?.countries ?? {})) {
    if (cap === null || cap === undefined) delete countries[iso];
    else countries[iso] = cap;
  }
  return {
    window_seconds: patch?.window_seconds ?? base.window_seconds,
    countries: Object.fromEntries(Object.entries(countries).sort(([a], [b]) => (a < b ? -1 : 1))),
    other_countries: patch?.other_countries ?? base.other_countries,
    high_risk: patch?.high_risk ?? base.high_risk,
  };
}

/** The cap that applies to a destination: its country's, or the high-risk one. */
export function countryCapFor(
  caps: CountryCaps,
  destination: { country: string | null; highRiskPrefix: string | null },
): { key: string; cap: number; kind: "declared" | "other" | "high_risk" } {
  if (destination.highRiskPrefix || !destination.country) {
    return { key: destination.highRiskPrefix ?? "unknown", cap: caps.high_risk, kind: "high_risk" };
  }
  const declared = caps.countries[destination.country];
  return declared === undefined
    ? { key: destination.country, cap: caps.other_countries, kind: "other" }
    : { key: destination.country, cap: declared, kind: "declared" };
}

/**
 * Sliding-window estimate over two fixed windows (the approach Cloudflare describes for its
 * rate limiter): the previous window's count weighted by how much of it still overlaps the
 * sliding window, plus the current window's count. Two rows per key instead of one per request.
 * Each window also keeps when its latest request came: once that is a whole window ago, none
 * of its requests is in the sliding window any more, whatever the weighting says.
 */
export function windowStart(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs) * windowMs;
}

/** A fixed window's count, and when its latest counted request came (null: not known). */
export interface WindowCount {
  count: number;
  lastMs: number | null;
}

export function estimate(previous: WindowCount, current: number, nowMs: number, windowMs: number): number {
  if (previous.lastMs !== null && nowMs - previous.lastMs >= windowMs) return current;
  const elapsed = nowMs - windowStart(nowMs, windowMs);
  return previous.count * (1 - elapsed / windowMs) + current;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Whether one more request fits, given the windows BEFORE it; when it does not, how long until
 * it would (whole seconds rounded up, at least 1), assuming nothing else arrives meanwhile.
 * The wait is never more than the window: every request counted so far came at or before now,
 * so a window from now all of them have left it.
 */
export function decide(
  limit: Limit,
  previous: WindowCount,
  current: WindowCount,
  nowMs: number,
): LimitDecision {
  const w = limit.window_seconds * 1000;
  if (estimate(previous, current.count, nowMs, w) + 1 <= limit.max) return { allowed: true };
  const start = windowStart(nowMs, w);
  let until: number;
  if (current.count + 1 <= limit.max) {
    // Within this window, once enough of the previous window has slid out, or all of it has.
    const needElapsed = w * (1 - (limit.max - current.count - 1) / previous.count);
    until = start + needElapsed;
    if (previous.lastMs !== null) until = Math.min(until, previous.lastMs + w);
  } else {
    // Not before the next window, where this window's count becomes the decaying previous
    // one, and is gone a window after its latest request (which came at or before now).
    const needElapsed = w * Math.max(0, 1 - (limit.max - 1) / current.count);
    until = Math.min(start + w + needElapsed, Math.min(current.lastMs ?? nowMs, nowMs) + w);
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - nowMs) / 1000)) };
}
