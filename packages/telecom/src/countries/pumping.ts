/**
 * SMS pumping: fraudsters make a sign-up form or an OTP flow text a range of numbers whose
 * operator shares the revenue with them. Twilio's own protection "uses a baseline of expected
 * message data to find outliers" per location
 * (https://www.twilio.com/docs/messaging/features/sms-pumping-protection-programmable-messaging);
 * this is the same idea for one tenant, deterministic, on counts the caller aggregates.
 *
 * The caller gives, per prefix (`pumpingPrefix`), the tenant's message counts over a baseline
 * window and over a recent window, with each window's length. A prefix is flagged when its recent
 * traffic reaches `min_recent` messages and either
 * - it had no baseline traffic at all (`new_prefix`), or
 * - it is at least `spike_ratio` times what the baseline rate predicts for the recent window
 *   (`spike`); the prediction is floored at one message, so a trickle does not divide by ~0.
 * Prefixes on the high-risk list are held to lower thresholds (`high_risk_*`).
 *
 * Defaults (documented in docs/international.md): spike ×5 with at least 20 messages; ×2 with
 * at least 5 for high-risk prefixes.
 */
import type { Sourced } from "./sourced.js";

export type PrefixCounts = Readonly<Record<string, number>>;

export interface TrafficWindows {
  baseline: PrefixCounts;
  baseline_hours: number;
  recent: PrefixCounts;
  recent_hours: number;
}

export interface PumpingThresholds {
  spike_ratio: number;
  min_recent: number;
  high_risk_spike_ratio: number;
  high_risk_min_recent: number;
}

export const DEFAULT_PUMPING_THRESHOLDS: PumpingThresholds = {
  spike_ratio: 5,
  min_recent: 20,
  high_risk_spike_ratio: 2,
  high_risk_min_recent: 5,
};

export interface HighRiskPrefix extends Sourced {
  /** "+" and digits. */
  prefix: string;
  reason: string;
}

/**
 * Ranges with no subscriber a business texts in the ordinary course: international networks,
 * satellite services and international premium rate, from the ITU's list of E.164 codes. Twilio
 * keeps its own list of countries where it sees pumping but does not publish it; tenants extend
 * this list with theirs.
 */
export const HIGH_RISK_PREFIXES: readonly HighRiskPrefix[] = [
  ...["+870", "+8816", "+8817"].map((prefix) => ({
    prefix,
    reason: "satellite service (Inmarsat, Iridium)",
    source: "https://www.itu.int/pub/T-SP-E.164D",
    confidence: "high" as const,
  })),
  ...["+882", "+883"].map((prefix) => ({
    prefix,
    reason: "international networks (shared code, no country)",
    source: "https://www.itu.int/pub/T-SP-E.164D",
    confidence: "high" as const,
  })),
  {
    prefix: "+979",
    reason: "international premium rate service",
    source: "https://www.itu.int/pub/T-SP-E.164D",
    confidence: "high",
  },
];

export type PumpingReason = "new_prefix" | "spike";

export interface PumpingFlag {
  prefix: string;
  reason: PumpingReason;
  recent: number;
  baseline: number;
  /** What the baseline rate predicts for the recent window. */
  expected: number;
  /** recent ÷ max(expected, 1). */
  ratio: number;
  high_risk: boolean;
}

export interface PumpingOptions {
  thresholds?: Partial<PumpingThresholds>;
  high_risk_prefixes?: readonly string[];
}

/** The prefix a number is counted under: "+" and its first `digits` digits (country code included). */
export function pumpingPrefix(e164: string, digits = 6): string {
  return `+${e164
    .replace(/^whatsapp:/, "")
    .replace(/\D/g, "")
    .slice(0, digits)}`;
}

/** The prefixes whose recent traffic is unusual, most messages first (then by prefix). */
export function pumpingFlags(windows: TrafficWindows, options: PumpingOptions = {}): PumpingFlag[] {
  const t = { ...DEFAULT_PUMPING_THRESHOLDS, ...options.thresholds };
  const risky = options.high_risk_prefixes ?? HIGH_RISK_PREFIXES.map((p) => p.prefix);
  if (!(windows.baseline_hours > 0) || !(windows.recent_hours > 0)) {
    throw new RangeError("baseline_hours and recent_hours must be positive");
  }
  const scale = windows.recent_hours / windows.baseline_hours;
  const flags: PumpingFlag[] = [];
  for (const [prefix, recent] of Object.entries(windows.recent)) {
    const high_risk = risky.some((r) => prefix.startsWith(r) || r.startsWith(prefix));
    const minRecent = high_risk ? t.high_risk_min_recent : t.min_recent;
    const spikeRatio = high_risk ? t.high_risk_spike_ratio : t.spike_ratio;
    if (recent < minRecent) continue;
    const baseline = windows.baseline[prefix] ?? 0;
    const expected = baseline * scale;
    const ratio = recent / Math.max(expected, 1);
    const reason: PumpingReason | null = baseline === 0 ? "new_prefix" : ratio >= spikeRatio ? "spike" : null;
    if (reason) flags.push({ prefix, reason, recent, baseline, expected, ratio, high_risk });
  }
  return flags.sort(
    (a, b) => b.recent - a.recent || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0),
  );
}
