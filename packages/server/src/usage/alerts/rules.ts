/**
 * Alert rules as plain data and the decision whether a measurement fires one. Pure; the
 * measurements come from evaluate.ts.
 */
export const ALERT_KINDS = ["delivery_rate_below", "error_code_spike", "daily_cap_usage"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

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
}

/** What was measured for one tenant over the rule's window. */
export type Measurement =
  | { kind: "delivery_rate_below"; finished: number; delivered: number }
  | { kind: "error_code_spike"; errorCode: number; count: number }
  | { kind: "daily_cap_usage"; percent: number; laneId: string; cap: "total" | "t-mobile" };

export interface Decision {
  firing: boolean;
  value: number;
  message: string;
  details: Record<string, unknown>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

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
  }
}
