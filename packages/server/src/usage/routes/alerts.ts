import { page, pageOf } from "../../http/pages.js";
import { listScope } from "../../events/routes/scope.js";
import { assertOwnedBy, isOperator, principalOf } from "../../http/auth.js";
import { type Routes, dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Defaulted, Nullable, OpenObject, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { ALERT_KINDS, ALERT_PERIODS } from "../alerts/rules.js";
import {
  type AlertRow,
  AlertRuleInput,
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

export const AlertRuleSchema = Type.Object(
  {
    id: Type.String({ examples: ["alr_01JC0000000000000000000000"] }),
    tenant_id: Type.Optional(Nullable(Type.String({ description: "null: applies to every tenant" }))),
    kind: Type.Enum(ALERT_KINDS, { type: "string" }),
    threshold: Type.Number(),
    window_minutes: Type.Integer(),
    min_messages: Type.Optional(Type.Integer()),
    error_code: Type.Optional(Nullable(Type.Integer())),
    period: Type.Optional(
      Nullable(
        Type.Enum(ALERT_PERIODS, {
          type: "string",
          description: "spend_above, messages_above: day or month (UTC)",
        }),
      ),
    ),
    baseline_minutes: Type.Optional(
      Nullable(Type.Integer({ description: "pumping_suspected: the baseline window before the recent one" })),
    ),
    high_risk_threshold: Type.Optional(
      Nullable(Type.Number({ description: "pumping_suspected: the spike ratio for high-risk prefixes" })),
    ),
    high_risk_min_messages: Type.Optional(
      Nullable(
        Type.Integer({ description: "pumping_suspected: the least recent traffic a high-risk prefix needs" }),
      ),
    ),
    prefix_digits: Type.Optional(
      Nullable(
        Type.Integer({ description: "pumping_suspected: digits (country code included) in a prefix" }),
      ),
    ),
    description: Type.Optional(Nullable(Type.String())),
    enabled: Type.Boolean(),
    created_at: Type.Optional(dateTime),
  },
  { $id: "AlertRule" },
);

export const AlertSchema = Type.Object(
  {
    id: Type.String({ examples: ["alt_01JC0000000000000000000000"] }),
    rule_id: Type.String(),
    tenant_id: Type.String(),
    kind: Type.String(),
    state: Type.Enum(["open", "resolved"], { type: "string" }),
    value: Type.Number(),
    threshold: Type.Number(),
    message: Type.String(),
    details: Type.Optional(OpenObject()),
    triggered_at: dateTime,
    resolved_at: Type.Optional(nullableDateTime),
    event_id: Type.Optional(Nullable(Type.String({ description: "The alert.triggered event" }))),
  },
  { $id: "Alert" },
);

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
export function alertRoutes(services: Pick<Services, "db" | "clock">): Routes {
  return async (app) => {
    app.post(
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
            "`daily_cap_usage`: percent of a lane's daily cap (total or T-Mobile) used today (Pacific day). " +
            "`spend_above`: metered cost in USD, and `messages_above`: outbound messages metered, over the " +
            "current UTC day or calendar month (`period`). " +
            "`pumping_suspected`: outbound messages and Verify starts per destination prefix (`prefix_digits`, " +
            "default 6) over the last `window_minutes` (default 60) against the `baseline_minutes` before them " +
            "(default 10080); a prefix with at least `min_messages` (default 20) recent messages is flagged when it " +
            "had no baseline traffic or reached `threshold` (the spike ratio, e.g. 5) times what the baseline " +
            "predicts; high-risk prefixes (satellite, international networks, premium rate) use " +
            "`high_risk_threshold` (default 2) and `high_risk_min_messages` (default 5).",
          body: Type.Object(
            {
              tenant_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
              ...AlertRuleInput.properties,
            },
            { additionalProperties: false },
          ),
          response: responses({ 201: Ref("AlertRule") }, [400, 401, 403, 404, 422]),
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

    app.get(
      "/v1/alert-rules",
      {
        schema: {
          tags,
          security,
          summary: "List alert rules (a tenant sees its own and the global ones)",
          querystring: Type.Object(
            { tenant_id: Type.Optional(idParam("ten_")) },
            { additionalProperties: false },
          ),
          response: responses(
            {
              200: Type.Object({ data: Type.Optional(Type.Array(Ref("AlertRule"))) }),
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

    app.delete(
      "/v1/alert-rules/:id",
      {
        schema: {
          tags,
          security,
          summary: "Delete an alert rule (its open alerts are resolved)",
          params: Type.Object({ id: idParam("alr_") }, { additionalProperties: false }),
          response: responses({ 204: Type.Null() }, [400, 401, 403, 404]),
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

    app.get(
      "/v1/alerts",
      {
        schema: {
          tags,
          security,
          summary: "Alerts raised by the rules, newest first",
          querystring: Defaulted(
            Type.Object(
              {
                state: Type.Optional(Type.Enum(["open", "resolved"], { type: "string" })),
                tenant_id: Type.Optional(idParam("ten_")),
                cursor: Type.Optional(Type.String({ maxLength: 64 })),
                limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
              },
              { additionalProperties: false },
            ),
          ),
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
