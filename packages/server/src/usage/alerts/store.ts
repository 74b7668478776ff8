import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { enqueue } from "../../jobs/queue.js";
import { SubtextError } from "../../kernel/errors.js";
import { Nullable, type Static, Type } from "../../kernel/schema.js";
import { DUE_NOW } from "../../events/emit.js";
import { TWILIO_ERROR_CODE_RANGE } from "@subtext/telecom/twilio-codes";
import { EVALUATE_ALERTS } from "./evaluate.js";
import {
  ALERT_KINDS,
  ALERT_PERIODS,
  type AlertKind,
  type AlertPeriod,
  MAX_RULE_COUNT,
  PERIOD_KINDS,
  PUMPING_DEFAULTS,
} from "./rules.js";

const RULE_COLUMNS = `id, tenant_id, kind, threshold::text AS threshold, window_minutes, min_messages, error_code,
  period, baseline_minutes, high_risk_threshold::float8 AS high_risk_threshold, high_risk_min_messages, prefix_digits,
  description, enabled, created_at`;

export interface AlertRuleRow {
  id: string;
  tenant_id: string | null;
  kind: AlertKind;
  threshold: string;
  window_minutes: number;
  min_messages: number;
  error_code: number | null;
  period: AlertPeriod | null;
  baseline_minutes: number | null;
  high_risk_threshold: number | null;
  high_risk_min_messages: number | null;
  prefix_digits: number | null;
  description: string | null;
  enabled: boolean;
  created_at: Date;
}

/**
 * A rule's fields as a request may set them (POST /v1/alert-rules), and their type. Every number
 * is bounded by the schema (400 `invalid_request`), so none reaches a column it overflows:
 * threshold is numeric(12,3), window_minutes, min_messages and error_code are PostgreSQL integers.
 */
export const AlertRuleInput = Type.Object({
  kind: Type.Enum(ALERT_KINDS, { type: "string" }),
  threshold: Type.Number({
    minimum: 0,
    maximum: MAX_RULE_COUNT,
    description:
      "A percentage (0–100); for error_code_spike a count of failures; for spend_above USD; for messages_above a count of messages; for pumping_suspected the spike ratio (recent traffic ÷ what the baseline predicts, e.g. 5)",
  }),
  window_minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 10080 })),
  min_messages: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RULE_COUNT })),
  error_code: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: TWILIO_ERROR_CODE_RANGE.min,
        maximum: TWILIO_ERROR_CODE_RANGE.max,
        description: "A Twilio error code (five digits, e.g. 30007); null: any",
      }),
    ),
  ),
  period: Type.Optional(
    Nullable(
      Type.Enum(ALERT_PERIODS, {
        type: "string",
        description: "spend_above, messages_above: the UTC day (default) or the UTC calendar month",
      }),
    ),
  ),
  baseline_minutes: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 60,
        maximum: 43200,
        description: `pumping_suspected: the baseline window, just before the recent one (default ${PUMPING_DEFAULTS.baseline_minutes}, a week)`,
      }),
    ),
  ),
  high_risk_threshold: Type.Optional(
    Nullable(
      Type.Number({
        minimum: 1,
        maximum: MAX_RULE_COUNT,
        description: `pumping_suspected: the spike ratio for high-risk prefixes (default ${PUMPING_DEFAULTS.high_risk_threshold})`,
      }),
    ),
  ),
  high_risk_min_messages: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: MAX_RULE_COUNT,
        description: `pumping_suspected: the least recent traffic a high-risk prefix needs (default ${PUMPING_DEFAULTS.high_risk_min_messages})`,
      }),
    ),
  ),
  prefix_digits: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 2,
        maximum: 8,
        description: `pumping_suspected: digits of a number (country code included) that make its prefix (default ${PUMPING_DEFAULTS.prefix_digits})`,
      }),
    ),
  ),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
});
export type AlertRuleInput = Static<typeof AlertRuleInput>;

const PUMPING_FIELDS = [
  "baseline_minutes",
  "high_risk_threshold",
  "high_risk_min_messages",
  "prefix_digits",
] as const;

export function validateRule(input: AlertRuleInput): void {
  const percent = input.kind === "delivery_rate_below" || input.kind === "daily_cap_usage";
  if (percent && input.threshold > 100) {
    throw new SubtextError("invalid_alert_rule", 422, `A ${input.kind} threshold is a percentage (0–100).`, {
      details: [{ path: "/threshold", code: "out_of_range", message: "Must be between 0 and 100." }],
    });
  }
  if (input.error_code != null && input.kind !== "error_code_spike") {
    throw new SubtextError("invalid_alert_rule", 422, "error_code only applies to error_code_spike rules.", {
      details: [
        { path: "/error_code", code: "not_applicable", message: "Remove it, or use kind error_code_spike." },
      ],
    });
  }
  if (input.kind === "messages_above" && !Number.isInteger(input.threshold)) {
    throw new SubtextError(
      "invalid_alert_rule",
      422,
      "A messages_above threshold is a whole number of messages.",
      {
        details: [{ path: "/threshold", code: "not_an_integer", message: "Use a whole number." }],
      },
    );
  }
  if (input.kind === "pumping_suspected" && input.threshold < 1) {
    throw new SubtextError(
      "invalid_alert_rule",
      422,
      "A pumping_suspected threshold is a spike ratio of at least 1.",
      { details: [{ path: "/threshold", code: "out_of_range", message: "Use 1 or more (default 5)." }] },
    );
  }
  if (input.kind !== "pumping_suspected") {
    for (const field of PUMPING_FIELDS) {
      if (input[field] == null) continue;
      throw new SubtextError("invalid_alert_rule", 422, `${field} only applies to pumping_suspected rules.`, {
        details: [
          { path: `/${field}`, code: "not_applicable", message: "Remove it, or use kind pumping_suspected." },
        ],
      });
    }
  }
  if (input.period != null && !PERIOD_KINDS.includes(input.kind)) {
    throw new SubtextError(
      "invalid_alert_rule",
      422,
      "period only applies to spend_above and messages_above rules.",
      {
        details: [
          {
            path: "/period",
            code: "not_applicable",
            message: "Remove it, or use kind spend_above or messages_above.",
          },
        ],
      },
    );
  }
}

/**
 * Creates a rule and brings the evaluation forward to now (one job, however many rules), so
 * a new rule is checked at once rather than at the next minute.
 */
export async function createRule(
  q: Queryable,
  tenantId: string | null,
  input: AlertRuleInput,
): Promise<AlertRuleRow> {
  const pumping = input.kind === "pumping_suspected";
  const row = await q.one<AlertRuleRow>(
    `INSERT INTO alert_rules (id, tenant_id, kind, threshold, window_minutes, min_messages, error_code, description, period,
       baseline_minutes, high_risk_threshold, high_risk_min_messages, prefix_digits)
     VALUES ($1, $2, $3, $4, COALESCE($5, 60), COALESCE($6, 20), $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${RULE_COLUMNS}`,
    [
      newId("alr"),
      tenantId,
      input.kind,
      input.threshold,
      input.window_minutes ?? null,
      input.min_messages ?? null,
      input.error_code ?? null,
      input.description ?? null,
      PERIOD_KINDS.includes(input.kind) ? (input.period ?? "day") : null,
      pumping ? (input.baseline_minutes ?? PUMPING_DEFAULTS.baseline_minutes) : null,
      pumping ? (input.high_risk_threshold ?? PUMPING_DEFAULTS.high_risk_threshold) : null,
      pumping ? (input.high_risk_min_messages ?? PUMPING_DEFAULTS.high_risk_min_messages) : null,
      pumping ? (input.prefix_digits ?? PUMPING_DEFAULTS.prefix_digits) : null,
    ],
  );
  await enqueue(q, EVALUATE_ALERTS, {}, { key: EVALUATE_ALERTS, runAt: DUE_NOW, onConflict: "replace" });
  return row;
}

/** A tenant sees its own rules and the global ones; the operator sees all (or one tenant's). */
export async function listRules(q: Queryable, tenantId: string | null): Promise<AlertRuleRow[]> {
  const { rows } = await q.query<AlertRuleRow>(
    `SELECT ${RULE_COLUMNS} FROM alert_rules
     WHERE deleted_at IS NULL AND ($1::text IS NULL OR tenant_id = $1 OR tenant_id IS NULL) ORDER BY id`,
    [tenantId],
  );
  return rows;
}

export function findRule(q: Queryable, id: string): Promise<AlertRuleRow | null> {
  return q.maybeOne<AlertRuleRow>(
    `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
}

/** Deleting a rule resolves its open alerts. */
export async function deleteRule(q: Queryable, id: string, now: Date): Promise<void> {
  await q.query("UPDATE alert_rules SET deleted_at = $2, enabled = false WHERE id = $1", [id, now]);
  await q.query(
    "UPDATE alerts SET state = 'resolved', resolved_at = $2 WHERE rule_id = $1 AND state = 'open'",
    [id, now],
  );
}

export interface AlertRow {
  id: string;
  rule_id: string;
  tenant_id: string;
  kind: string;
  state: "open" | "resolved";
  value: number;
  threshold: number;
  message: string;
  details: Record<string, unknown>;
  triggered_at: Date;
  resolved_at: Date | null;
  event_id: string | null;
}

export async function listAlerts(
  q: Queryable,
  f: { tenantId: string | null; state?: "open" | "resolved"; cursor?: string; limit: number },
): Promise<{ items: AlertRow[]; hasMore: boolean }> {
  const { rows } = await q.query<AlertRow>(
    `SELECT id, rule_id, tenant_id, kind, state, value::float8 AS value, threshold::float8 AS threshold, message,
       details, triggered_at, resolved_at, event_id
     FROM alerts
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [f.tenantId, f.state ?? null, f.cursor ?? null, f.limit + 1],
  );
  return { items: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}
