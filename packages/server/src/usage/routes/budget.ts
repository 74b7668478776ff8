import { tenantInScope } from "../../http/auth.js";
import { type Routes, dateTime, idParam, nullableDateTime, responses } from "../../http/schemas.js";
import { Nullable, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { BUDGET_LIMITS } from "../budget/rules.js";
import { getBudget, setBudget } from "../budget/store.js";

const security = [{ bearer: [] }];
const tags = ["usage"];

/** A count of messages: what a PostgreSQL bigint holds, and far beyond any real period. */
const messagesLimit = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, examples: [10000] });
/** USD, as prices are written: a decimal string, at most six decimals. */
const spendLimit = Type.String({
  pattern: "^\\d{1,8}(\\.\\d{1,6})?$",
  description: "USD at cost (the messages' price estimates), a decimal string",
  examples: ["250.00"],
});

const periodUse = Type.Object({
  start: Type.String({ description: "The period's first day (UTC)", examples: ["2030-01-31"] }),
  resets_at: dateTime,
  messages: Type.Integer({ description: "Messages accepted in the period" }),
  spend: Type.String({ description: "Their price estimates added up, USD", examples: ["12.3456"] }),
  reached: Type.Array(Type.Enum(BUDGET_LIMITS, { type: "string" }), {
    description: "The limits of this period that were reached (usage.budget_reached was sent)",
  }),
});

export const BudgetSchema = Type.Object(
  {
    tenant_id: Type.String(),
    currency: Type.Enum(["USD"], { type: "string" }),
    daily_messages: Nullable(Type.Integer({ description: "Messages per UTC day; null: no limit" })),
    daily_spend: Nullable(Type.String({ description: "USD per UTC day; null: no limit" })),
    monthly_messages: Nullable(
      Type.Integer({ description: "Messages per UTC calendar month; null: no limit" }),
    ),
    monthly_spend: Nullable(Type.String({ description: "USD per UTC calendar month; null: no limit" })),
    day: periodUse,
    month: periodUse,
    updated_at: nullableDateTime,
  },
  { $id: "Budget" },
);

const params = Type.Object({ id: idParam("ten_") }, { additionalProperties: false });

/** A tenant's budget: hard caps on what it sends per UTC day and month (usage/budget/). */
export function budgetRoutes(services: Pick<Services, "db" | "clock" | "caches">): Routes {
  return async (app) => {
    app.get(
      "/v1/tenants/:id/budget",
      {
        schema: {
          tags,
          security,
          summary: "A tenant's budget: its limits, and what it sent this UTC day and month",
          params,
          response: responses({ 200: Ref("Budget") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return getBudget(services.db, tenant.id, services.clock.now());
      },
    );

    app.put(
      "/v1/tenants/:id/budget",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Set a tenant's budget (operator): a limit left out or null is no limit",
          description:
            "Once a limit is reached, POST /v1/messages and each further item of a batch are refused with " +
            "403 `budget_exceeded` until the period starts over (UTC midnight, or the first of the month) or " +
            "the limit is raised or removed here. Counts accepted messages and their price estimates.",
          params,
          body: Type.Object(
            {
              daily_messages: Type.Optional(Nullable(messagesLimit)),
              daily_spend: Type.Optional(Nullable(spendLimit)),
              monthly_messages: Type.Optional(Nullable(messagesLimit)),
              monthly_spend: Type.Optional(Nullable(spendLimit)),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: Ref("Budget") }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const now = services.clock.now();
        await services.db.tx((tx) => setBudget(tx, tenant.id, req.body, now));
        services.caches.changed("budget", tenant.id);
        return getBudget(services.db, tenant.id, now);
      },
    );
  };
}
