/**
 * Alert rules as plain data and the decision whether a measurement fires one. Pure; the
 * measurements come from evaluate.ts.
 */
import type { PumpingFlag } from "@subtext/telecom/countries";

export const ALERT_KINDS = [
  "delivery_rate_below",
  "error_code_spike",
  "daily_cap_usage",
  "spend_above",
  "messages_above",
  "pumping_suspected",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Spend and volume rules measure the current UTC day or calendar month. */
export const ALERT_PERIODS = ["day", "month"] as const;
export type AlertPeriod = (typeof ALERT_PERIODS)[number];
export const PERIOD_KINDS: readonly AlertKind[] = ["spend_above", "messages_above"];

/**
 * pumping_suspected: the recent window is `window_minutes`, the baseline the `baseline_minutes`
 * just before it; `threshold` is the spike ratio and `min_messages` the least recent traffic a
 * prefix needs to be flagged, with their own pair for high-risk prefixes. Defaults follow
 * `DEFAULT_PUMPING_THRESHOLDS` of @subtext/telecom/countries.
 */
export const PUMPING_DEFAULTS = {
  window_minutes: 60,
  baseline_minutes: 7 * 24 * 60,
  threshold: 5,
  min_messages: 20,
  high_risk_threshold: 2,
  high_risk_min_messages: 5,
  prefix_digits: 6,
} as const;

/** The largest count a rule takes (a failure threshold, min_messages); far beyond any real window. */
export const MAX_RULE_COUNT = 100_000_000;

export interface AlertRule {
  id: string;
  tenant_id: string | null;
  kind: AlertKind;
  threshold: number;
  window_minutes: number;
  min_messages: number;
  error_code: number | null;
  /** spend_above, messages_above: the period measured (null for the other kinds). */
  period: AlertPeriod | null;
  /** pumping_suspected only (null for the other kinds). */
  baseline_minutes?: number | null;
  high_risk_threshold?: number | null;
  high_risk_min_messages?: number | null;
  prefix_digits?: number | null;
}

/** A flagged prefix, with the country its numbers belong to (null: none, e.g. +882). */
export interface PumpingPrefixFlag extends PumpingFlag {
  country: string | null;
}

/** What was measured for one tenant over the rule's window. */
export type Measurement =
  | { kind: "delivery_rate_below"; finished: number; delivered: number }
  | { kind: "error_code_spike"; errorCode: number; count: number }
  | { kind: "daily_cap_usage"; percent: number; laneId: string; cap: "total" | "t-mobile" }
  /** Metered cost (USD, decimal string) or outbound messages in the period so far. */
  | { kind: "spend_above"; spend: string; periodStart: string }
  | { kind: "messages_above"; messages: number; periodStart: string }
  /** The prefixes whose recent traffic is unusual (empty: none). */
  | { kind: "pumping_suspected"; flags: PumpingPrefixFlag[]; prefixes: number };

export interface Decision {
  firing: boolean;
  value: number;
  message: string;
  details: Record<string, unknown>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const PERIOD_WORDS: Record<AlertPeriod, string> = { day: "today (UTC)", month: "this month (UTC)" };

export function decide(rule: AlertRule, m: Measurement): Decision {
  switch (m.kind) {
    case "delivery_rate_below": {
      const rate = m.finished === 0 ? 100 : round((m.delivered * 100) / m.finished);
      return {
        firing: m.finished >= rule.min_messages && rate < rule.threshold,
        value: rate,
        message: `Delivery rate ${rate}% over the last ${rule.window_minutes} min (${m.delivered} of ${m.finished}) is below ${rule.threshold}%.`,
        details: { delivered: m.delivered, finished: m.finished, window_minutes: rule.window_minutes },
      };
    }
    case "error_code_spike":
      return {
        firing: m.count >= rule.threshold,
        value: m.count,
        message: `${m.count} messages failed with error ${m.errorCode} in the last ${rule.window_minutes} min (threshold ${rule.threshold}).`,
        details: { error_code: m.errorCode, count: m.count, window_minutes: rule.window_minutes },
      };
    case "daily_cap_usage":
      return {
        firing: m.percent >= rule.threshold,
        value: round(m.percent),
        message: `Lane ${m.laneId} has used ${round(m.percent)}% of its ${m.cap === "t-mobile" ? "T-Mobile " : ""}daily cap (threshold ${rule.threshold}%).`,
        details: { lane_id: m.laneId, cap: m.cap },
      };
    case "spend_above": {
      const spend = Number(m.spend);
      return {
        firing: spend >= rule.threshold,
        value: round(spend),
        message: `Spend ${PERIOD_WORDS[rule.period ?? "day"]} is $${m.spend} (threshold $${rule.threshold}).`,
        details: { period: rule.period, period_start: m.periodStart, spend: m.spend, currency: "USD" },
      };
    }
    case "messages_above":
      return {
        firing: m.messages >= rule.threshold,
        value: m.messages,
        message: `${m.messages} messages sent ${PERIOD_WORDS[rule.period ?? "day"]} (threshold ${rule.threshold}).`,
        details: { period: rule.period, period_start: m.periodStart, messages: m.messages },
      };
    case "pumping_suspected": {
      const top = m.flags.slice(0, 20).map((f) => ({
        prefix: f.prefix,
        country: f.country,
        reason: f.reason,
        recent: f.recent,
        baseline: f.baseline,
        expected: round(f.expected),
        ratio: round(f.ratio),
        high_risk: f.high_risk,
      }));
      const named = top
        .slice(0, 3)
        .map(
          (f) =>
            `${f.prefix}${f.country ? ` (${f.country})` : ""}: ${f.recent} messages, ${f.reason === "new_prefix" ? "never seen before" : `${f.ratio}× the baseline`}`,
        )
        .join("; ");
      return {
        firing: m.flags.length > 0,
        value: m.flags.length,
        message:
          m.flags.length > 0
            ? `Possible SMS pumping: unusual traffic to ${m.flags.length} prefix${m.flags.length === 1 ? "" : "es"} over the last ${rule.window_minutes} min — ${named}.`
            : `No unusual prefix over the last ${rule.window_minutes} min (${m.prefixes} prefixes measured).`,
        details: {
          window_minutes: rule.window_minutes,
          baseline_minutes: rule.baseline_minutes ?? PUMPING_DEFAULTS.baseline_minutes,
          prefixes: top,
          flagged: m.flags.length,
        },
      };
    }
  }
}
