import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { emitEvent } from "../../events/emit.js";
import type { Snooze } from "../../jobs/runner.js";
import { dailyWindow } from "@subtext/telecom/lanes";
import type { Services } from "../../kernel/services.js";
import { decimal } from "../report.js";
import { countryOf, pumpingFlags } from "@subtext/telecom/countries";
import { type AlertRule, type Measurement, PUMPING_DEFAULTS, decide } from "./rules.js";

export const EVALUATE_ALERTS = "alerts.evaluate";
/** How often rules are checked while any is enabled. */
export const EVALUATION_INTERVAL_MS = 60_000;

type Deps = Pick<Services, "db" | "clock" | "log">;

/** The periodic job: evaluates every rule, then comes back in a minute while rules exist. */
export async function evaluateAlertsJob(deps: Deps): Promise<Snooze | undefined> {
  const { rules } = await evaluateAlerts(deps);
  if (rules > 0) return { retryAt: new Date(deps.clock.now().getTime() + EVALUATION_INTERVAL_MS) };
}

/**
 * Opens an alert (and emits `alert.triggered` to the tenant's webhooks) when a rule's
 * condition starts to hold for a tenant, and resolves it when it stops; a condition that
 * persists stays one open alert.
 */
export async function evaluateAlerts(
  deps: Deps,
): Promise<{ rules: number; triggered: string[]; resolved: string[] }> {
  const { db, clock } = deps;
  const now = clock.now();
  const { rows: rules } = await db.query<AlertRule>(
    `SELECT id, tenant_id, kind, threshold::float8 AS threshold, window_minutes, min_messages, error_code, period,
       baseline_minutes, high_risk_threshold::float8 AS high_risk_threshold, high_risk_min_messages, prefix_digits
     FROM alert_rules WHERE enabled AND deleted_at IS NULL ORDER BY id`,
  );
  const triggered: string[] = [];
  const resolved: string[] = [];
  for (const rule of rules) {
    const measured = await measure(db, rule, now);
    await db.tx(async (tx) => {
      const { rows: open } = await tx.query<{ id: string; tenant_id: string }>(
        "SELECT id, tenant_id FROM alerts WHERE rule_id = $1 AND state = 'open' FOR UPDATE",
        [rule.id],
      );
      const openBy = new Map(open.map((a) => [a.tenant_id, a.id]));
      for (const [tenantId, m] of measured) {
        const d = decide(rule, m);
        if (!d.firing || openBy.has(tenantId)) continue;
        const alertId = newId("alt");
        const event = await emitEvent(tx, {
          tenantId,
          type: "alert.triggered",
          data: {
            alert_id: alertId,
            rule_id: rule.id,
            kind: rule.kind,
            value: d.value,
            threshold: rule.threshold,
            message: d.message,
            details: d.details,
          },
        });
        await tx.query(
          `INSERT INTO alerts (id, rule_id, tenant_id, kind, state, value, threshold, message, details, triggered_at, event_id)
           VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8::jsonb, $9, $10)`,
          [
            alertId,
            rule.id,
            tenantId,
            rule.kind,
            d.value,
            rule.threshold,
            d.message,
            JSON.stringify(d.details),
            now,
            event.id,
          ],
        );
        triggered.push(alertId);
      }
      for (const [tenantId, alertId] of openBy) {
        const m = measured.get(tenantId);
        if (m && decide(rule, m).firing) continue;
        await tx.query("UPDATE alerts SET state = 'resolved', resolved_at = $2 WHERE id = $1", [
          alertId,
          now,
        ]);
        resolved.push(alertId);
      }
    });
  }
  if (triggered.length || resolved.length) {
    deps.log.info(
      { event: "alerts.evaluated", triggered: triggered.length, resolved: resolved.length },
      "alerts evaluated",
    );
  }
  return { rules: rules.length, triggered, resolved };
}

/** One measurement per tenant in the rule's scope that had anything to measure. */
async function measure(q: Queryable, rule: AlertRule, now: Date): Promise<Map<string, Measurement>> {
  const since = new Date(now.getTime() - rule.window_minutes * 60_000);
  const out = new Map<string, Measurement>();
  if (rule.kind === "delivery_rate_below") {
    const { rows } = await q.query<{ tenant_id: string; finished: number; delivered: number }>(
      `SELECT tenant_id, count(*)::int8 AS finished, (count(*) FILTER (WHERE status = 'delivered'))::int8 AS delivered
       FROM messages
       WHERE direction = 'outbound' AND status IN ('delivered', 'undelivered', 'failed')
         AND COALESCE(completed_at, updated_at) > $1 AND COALESCE(completed_at, updated_at) <= $2
         AND ($3::text IS NULL OR tenant_id = $3)
       GROUP BY tenant_id`,
      [since, now, rule.tenant_id],
    );
    for (const r of rows)
      out.set(r.tenant_id, { kind: rule.kind, finished: r.finished, delivered: r.delivered });
  } else if (rule.kind === "error_code_spike") {
    const { rows } = await q.query<{ tenant_id: string; error_code: number; count: number }>(
      `SELECT DISTINCT ON (tenant_id) tenant_id, error_code, count(*)::int8 AS count
       FROM messages
       WHERE direction = 'outbound' AND status IN ('failed', 'undelivered') AND error_code IS NOT NULL
         AND COALESCE(completed_at, updated_at) > $1 AND COALESCE(completed_at, updated_at) <= $2
         AND ($3::text IS NULL OR tenant_id = $3) AND ($4::int IS NULL OR error_code = $4)
       GROUP BY tenant_id, error_code
       ORDER BY tenant_id, count(*) DESC, error_code`,
      [since, now, rule.tenant_id, rule.error_code],
    );
    for (const r of rows) out.set(r.tenant_id, { kind: rule.kind, errorCode: r.error_code, count: r.count });
  } else if (rule.kind === "pumping_suspected") {
    return measurePumping(q, rule, now);
  } else if (rule.kind === "spend_above" || rule.kind === "messages_above") {
    // The metered usage (usage_daily: what Twilio bills, priced when metered) of the UTC day or
    // calendar month so far; messages are the outbound ones of the messaging channels.
    const today = now.toISOString().slice(0, 10);
    const start = rule.period === "month" ? `${today.slice(0, 8)}01` : today;
    const { rows } = await q.query<{ tenant_id: string; cost: string; messages: number }>(
      `SELECT tenant_id, sum(cost)::text AS cost,
         COALESCE(sum(messages) FILTER (WHERE direction = 'outbound' AND channel IN ('sms', 'mms', 'whatsapp')), 0)::int8 AS messages
       FROM usage_daily
       WHERE day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR tenant_id = $3)
       GROUP BY tenant_id`,
      [start, today, rule.tenant_id],
    );
    for (const r of rows) {
      out.set(
        r.tenant_id,
        rule.kind === "spend_above"
          ? { kind: rule.kind, spend: decimal(r.cost), periodStart: start }
          : { kind: rule.kind, messages: r.messages, periodStart: start },
      );
    }
  } else {
    // Brand caps count segments per Pacific day (see @subtext/telecom/lanes).
    const { rows } = await q.query<{
      tenant_id: string;
      lane_id: string;
      total: number | null;
      tmobile: number | null;
    }>(
      `SELECT l.tenant_id, l.id AS lane_id,
         CASE WHEN l.daily_cap > 0 THEN COALESCE(u.segments, 0) * 100.0 / l.daily_cap END::float8 AS total,
         CASE WHEN l.tmobile_daily_cap > 0 THEN COALESCE(u.tmobile_segments, 0) * 100.0 / l.tmobile_daily_cap END::float8 AS tmobile
       FROM lanes l LEFT JOIN brand_daily_usage u ON u.brand_id = l.brand_id AND u.day = $1::date
       WHERE (l.daily_cap > 0 OR l.tmobile_daily_cap > 0) AND ($2::text IS NULL OR l.tenant_id = $2)`,
      [dailyWindow(now).day, rule.tenant_id],
    );
    for (const r of rows) {
      const candidates: Measurement[] = [
        { kind: "daily_cap_usage", percent: r.total ?? 0, laneId: r.lane_id, cap: "total" },
        { kind: "daily_cap_usage", percent: r.tmobile ?? 0, laneId: r.lane_id, cap: "t-mobile" },
      ];
      for (const c of candidates) {
        const best = out.get(r.tenant_id);
        if (
          c.kind === "daily_cap_usage" &&
          (!best || (best.kind === "daily_cap_usage" && c.percent > best.percent))
        ) {
          out.set(r.tenant_id, c);
        }
      }
    }
  }
  return out;
}

/**
 * Outbound traffic per destination prefix: messages created (whatever became of them: a refused
 * or failed attempt still says where the traffic goes) and Verify lifecycles started to a phone
 * number, over the baseline window and the recent window just after it. Only tenants with
 * recent traffic are measured.
 */
async function measurePumping(q: Queryable, rule: AlertRule, now: Date): Promise<Map<string, Measurement>> {
  const recentMinutes = rule.window_minutes;
  const baselineMinutes = rule.baseline_minutes ?? PUMPING_DEFAULTS.baseline_minutes;
  const digits = rule.prefix_digits ?? PUMPING_DEFAULTS.prefix_digits;
  const recentStart = new Date(now.getTime() - recentMinutes * 60_000);
  const baselineStart = new Date(recentStart.getTime() - baselineMinutes * 60_000);
  const { rows } = await q.query<{
    tenant_id: string;
    prefix: string;
    sample: string;
    baseline: number;
    recent: number;
  }>(
    `WITH traffic AS (
       SELECT tenant_id, to_number AS address, created_at FROM messages
       WHERE direction = 'outbound' AND created_at > $1 AND created_at <= $3
         AND ($4::text IS NULL OR tenant_id = $4)
       UNION ALL
       SELECT tenant_id, to_address, created_at FROM verifications
       WHERE channel <> 'email' AND created_at > $1 AND created_at <= $3
         AND ($4::text IS NULL OR tenant_id = $4)
     ), active AS (SELECT DISTINCT tenant_id FROM traffic WHERE created_at > $2)
     SELECT t.tenant_id, '+' || left(regexp_replace(t.address, '\\D', '', 'g'), $5) AS prefix, min(t.address) AS sample,
       (count(*) FILTER (WHERE t.created_at <= $2))::int8 AS baseline,
       (count(*) FILTER (WHERE t.created_at > $2))::int8 AS recent
     FROM traffic t JOIN active a USING (tenant_id)
     GROUP BY 1, 2`,
    [baselineStart, recentStart, now, rule.tenant_id, digits],
  );
  const byTenant = new Map<string, { baseline: Record<string, number>; recent: Record<string, number> }>();
  const samples = new Map<string, string>();
  for (const r of rows) {
    const w = byTenant.get(r.tenant_id) ?? { baseline: {}, recent: {} };
    byTenant.set(r.tenant_id, w);
    if (r.baseline > 0) w.baseline[r.prefix] = Number(r.baseline);
    if (r.recent > 0) w.recent[r.prefix] = Number(r.recent);
    samples.set(r.prefix, r.sample);
  }
  const out = new Map<string, Measurement>();
  for (const [tenantId, w] of byTenant) {
    const flags = pumpingFlags(
      {
        baseline: w.baseline,
        baseline_hours: baselineMinutes / 60,
        recent: w.recent,
        recent_hours: recentMinutes / 60,
      },
      {
        thresholds: {
          spike_ratio: rule.threshold,
          min_recent: rule.min_messages,
          high_risk_spike_ratio: rule.high_risk_threshold ?? PUMPING_DEFAULTS.high_risk_threshold,
          high_risk_min_recent: rule.high_risk_min_messages ?? PUMPING_DEFAULTS.high_risk_min_messages,
        },
      },
    );
    out.set(tenantId, {
      kind: "pumping_suspected",
      flags: flags.map((f) => ({ ...f, country: countryOf(samples.get(f.prefix) ?? f.prefix) })),
      prefixes: Object.keys(w.recent).length,
    });
  }
  return out;
}
