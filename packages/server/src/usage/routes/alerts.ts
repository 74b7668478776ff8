import type { FastifyPluginAsync } from "fastify";
import { page, pageOf } from "../../http/pages.js";
import { listScope } from "../../events/routes/scope.js";
import { assertOwnedBy, isOperator, principalOf } from "../../http/auth.js";
import { dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { TWILIO_ERROR_CODE_RANGE } from "@subtext/telecom/twilio-codes";
import { ALERT_KINDS, MAX_RULE_COUNT } from "../alerts/rules.js";
import {
  type AlertRow,
  type AlertRuleInput,
  type AlertRuleRow,
  createRule,
  deleteRule,
  findRule,
  listAlerts,
  listRules,
  validateRule,
} from "../alerts/store.js";

const security = [{ bearer: [] }];
const tags = ["alerts"];

export const AlertRuleSchema = {
  $id: "AlertRule",
  type: "object",
  required: ["id", "kind", "threshold", "window_minutes", "enabled"],
  properties: {
    id: { type: "string", examples: ["alr_01JC0000000000000000000000"] },
    tenant_id: { type: ["string", "null"], description: "null: applies to every tenant" },
    kind: { type: "string", enum: [...ALERT_KINDS] },
    threshold: { type: "number" },
    window_minutes: { type: "integer" },
    min_messages: { type: "integer" },
    error_code: { type: ["integer", "null"] },
    description: { type: ["string", "null"] },
    enabled: { type: "boolean" },
    created_at: dateTime,
  },
} as const;

export const AlertSchema = {
  $id: "Alert",
  type: "object",
  required: ["id", "rule_id", "tenant_id", "kind", "state", "value", "threshold", "message", "triggered_at"],
  properties: {
    id: { type: "string", examples: ["alt_01JC0000000000000000000000"] },
    rule_id: { type: "string" },
    tenant_id: { type: "string" },
    kind: { type: "string" },
    state: { type: "string", enum: ["open", "resolved"] },
    value: { type: "number" },
    threshold: { type: "number" },
    message: { type: "string" },
    details: { type: "object", additionalProperties: true },
    triggered_at: dateTime,
    resolved_at: nullableDateTime,
    event_id: { type: ["string", "null"], description: "The alert.triggered event" },
  },
} as const;

/**
 * A rule's fields as a request may set them. Every number is bounded by the schema (400
 * `invalid_request`), so none reaches a column it overflows: threshold is numeric(12,3),
 * window_minutes, min_messages and error_code are PostgreSQL integers.
 */
const ruleFields = {
  kind: { type: "string", enum: [...ALERT_KINDS] },
  threshold: {
    type: "number",
    minimum: 0,
    maximum: MAX_RULE_COUNT,
    description: "A percentage (0–100), or for error_code_spike a count of failures",
  },
  window_minutes: { type: "integer", minimum: 5, maximum: 10080 },
  min_messages: { type: "integer", minimum: 1, maximum: MAX_RULE_COUNT },
  error_code: {
    type: ["integer", "null"],
    minimum: TWILIO_ERROR_CODE_RANGE.min,
    maximum: TWILIO_ERROR_CODE_RANGE.max,
    description: "A Twilio error code (five digits, e.g. 30007); null: any",
  },
  description: { type: ["string", "null"], maxLength: 500 },
} as const;

const ruleView = (r: AlertRuleRow) => ({
  ...r,
  threshold: Number(r.threshold),
  created_at: r.created_at.toISOString(),
});
const alertView = (a: AlertRow) => ({
  ...a,
  triggered_at: a.triggered_at.toISOString(),
  resolved_at: a.resolved_at?.toISOString() ?? null,
});

/** Alert rules (per tenant or global) and the alerts they raised. */
export function alertRoutes(services: Pick<Services, "db" | "clock">): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: AlertRuleInput & { tenant_id?: string | null } }>(
      "/v1/alert-rules",
      {
        schema: {
          tags,
          security,
          summary:
            "Create an alert rule (tenant key: for itself; admin: for one tenant, or global with no tenant_id)",
          description:
            "`delivery_rate_below`: delivered/finished outbound messages over the window, in percent. " +
            "`error_code_spike`: failed messages with one error code (or any) over the window. " +
            "`daily_cap_usage`: percent of a lane's daily cap (total or T-Mobile) used today (Pacific day).",
          body: {
            type: "object",
            required: ["kind", "threshold"],
            additionalProperties: false,
            properties: { tenant_id: { type: ["string", "null"], maxLength: 64 }, ...ruleFields },
          },
          response: responses({ 201: { $ref: "AlertRule#" } }, [400, 401, 403, 404, 422]),
        },
      },
      async (req, reply) => {
        const { tenant_id, ...input } = req.body;
        validateRule(input);
        const principal = principalOf(req);
        let tenantId: string | null;
        if (principal.kind === "tenant") {
          if (tenant_id && tenant_id !== principal.tenant.id) throw notFound("tenant", tenant_id);
          tenantId = principal.tenant.id;
        } else {
          tenantId = tenant_id ? await listScope(req, services, tenant_id) : null;
        }
        const rule = await services.db.tx((tx) => createRule(tx, tenantId, input));
        return reply.code(201).send(ruleView(rule));
      },
    );

    app.get<{ Querystring: { tenant_id?: string } }>(
      "/v1/alert-rules",
      {
        schema: {
          tags,
          security,
          summary: "List alert rules (a tenant sees its own and the global ones)",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { tenant_id: idParam("ten_") },
          },
          response: responses(
            {
              200: { type: "object", properties: { data: { type: "array", items: { $ref: "AlertRule#" } } } },
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => ({
        data: (await listRules(services.db, await listScope(req, services, req.query.tenant_id))).map(
          ruleView,
        ),
      }),
    );

    app.delete<{ Params: { id: string } }>(
      "/v1/alert-rules/:id",
      {
        schema: {
          tags,
          security,
          summary: "Delete an alert rule (its open alerts are resolved)",
          params: {
            type: "object",
            required: ["id"],
            additionalProperties: false,
            properties: { id: idParam("alr_") },
          },
          response: responses({ 204: { type: "null" } }, [400, 401, 403, 404]),
        },
      },
      async (req, reply) => {
        const rule = await findRule(services.db, req.params.id);
        if (!rule) throw notFound("alert rule", req.params.id);
        if (rule.tenant_id === null && !isOperator(req)) {
          throw new SubtextError("admin_required", 403, "Global alert rules belong to the operator.");
        }
        if (rule.tenant_id) assertOwnedBy(req, rule.tenant_id, "alert rule", rule.id);
        await services.db.tx((tx) => deleteRule(tx, rule.id, services.clock.now()));
        return reply.code(204).send();
      },
    );

    app.get<{
      Querystring: { state?: "open" | "resolved"; tenant_id?: string; cursor?: string; limit: number };
    }>(
      "/v1/alerts",
      {
        schema: {
          tags,
          security,
          summary: "Alerts raised by the rules, newest first",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              state: { type: "string", enum: ["open", "resolved"] },
              tenant_id: idParam("ten_"),
              cursor: { type: "string", maxLength: 64 },
              limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            },
          },
          response: responses(
            {
              200: pageOf("Alert"),
            },
            [400, 401, 403, 404],
          ),
        },
      },
      async (req) => {
        const tenantId = await listScope(req, services, req.query.tenant_id);
        const found = await listAlerts(services.db, { ...req.query, tenantId });
        return page(found.items, found.hasMore, alertView);
      },
    );
  };
}
