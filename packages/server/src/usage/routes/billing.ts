import { tenantInScope } from "../../http/auth.js";
import { type Routes, idParam, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import { Defaulted, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { CHANNELS, DIRECTIONS } from "../channels.js";
import { toCsv } from "../csv.js";
import { isDecimal, listPrices, setPrices } from "../prices.js";
import { getMarkup, monthlyStatement, setMarkup } from "../statement.js";

const security = [{ bearer: [] }];
const MARKUP_PATTERN = /^\d{1,4}(\.\d{1,3})?$/;

/**
 * The markup as the decimal text the database takes. A JSON number is as good as a string
 * (25 or "25"), but must have the same precision: 12.0625 is refused, not rounded.
 */
function markupText(value: string | number): string {
  const text = typeof value === "number" ? String(value) : value;
  if (!MARKUP_PATTERN.test(text)) {
    throw new SubtextError("invalid_request", 400, "The request does not match the API's schema.", {
      hint: "See `details` for each field, and /docs for the expected shape.",
      details: [
        {
          path: "/markup_percent",
          code: "pattern",
          message: 'Expected 0 to 9999.999 with at most three decimals, e.g. 25 or "12.5".',
        },
      ],
    });
  }
  return text;
}
const decimalText = Type.String({ pattern: "^\\d{1,6}(\\.\\d{1,6})?$", examples: ["0.0083"] });
const priceList = Type.Object({
  data: Type.Array(
    Type.Object({
      channel: Type.String(),
      direction: Type.String(),
      unit: Type.Enum(["segment", "message", "minute", "verification", "lookup"], { type: "string" }),
      unit_price: Type.String({ description: "USD per unit" }),
      source: Type.Enum(["default", "custom"], {
        type: "string",
        description: "default = Twilio US list price",
      }),
    }),
  ),
});
const statementLine = Type.Partial(
  Type.Object({
    channel: Type.String(),
    direction: Type.String(),
    unit: Type.String(),
    quantity: Type.Number(),
    messages: Type.Integer(),
    segments: Type.Integer(),
    minutes: Type.Number(),
    cost: Type.String(),
    amount: Type.String({ description: "cost plus the tenant's markup" }),
  }),
);

/** Prices (operator), per-tenant markup and monthly statements for pass-through billing. */
export function billingRoutes(services: Pick<Services, "db" | "clock" | "caches">): Routes {
  return async (app) => {
    app.get(
      "/v1/prices",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["usage"],
          security,
          summary: "The price table (overrides over Twilio US list prices)",
          response: responses({ 200: priceList }),
        },
      },
      async () => ({ data: await listPrices(services.db) }),
    );

    app.put(
      "/v1/prices",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["usage"],
          security,
          summary:
            "Set unit prices; null returns a price to the default. Applies to usage recorded from now on",
          body: Type.Object(
            {
              prices: Type.Array(
                Type.Object(
                  {
                    channel: Type.Enum(CHANNELS, { type: "string" }),
                    direction: Type.Enum(DIRECTIONS, { type: "string" }),
                    unit_price: Type.Union([decimalText, Type.Null()]),
                  },
                  { additionalProperties: false },
                ),
                { minItems: 1, maxItems: 50 },
              ),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: priceList }, [400, 401, 403, 422]),
        },
      },
      async (req) => {
        for (const p of req.body.prices) {
          if (p.unit_price !== null && !isDecimal(p.unit_price)) {
            throw new SubtextError("invalid_price", 422, `${p.unit_price} is not a price.`);
          }
        }
        await services.db.tx((tx) => setPrices(tx, req.body.prices));
        services.caches.changed("prices");
        return { data: await listPrices(services.db) };
      },
    );

    const tenantParams = Type.Object({ id: idParam("ten_") }, { additionalProperties: false });
    const billingView = Type.Object({
      tenant_id: Type.Optional(Type.String()),
      markup_percent: Type.Optional(
        Type.String({
          description: "Percent over cost, a decimal string with at least two decimals",
          examples: ["25.00"],
        }),
      ),
    });

    app.get(
      "/v1/tenants/:id/billing",
      {
        schema: {
          tags: ["usage"],
          security,
          summary: "A tenant's billing settings",
          params: tenantParams,
          response: responses({ 200: billingView }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        return { tenant_id: tenant.id, markup_percent: await getMarkup(services.db, tenant.id) };
      },
    );

    app.put(
      "/v1/tenants/:id/billing",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["usage"],
          security,
          summary: "Set the markup (percent over cost) billed to a tenant",
          params: tenantParams,
          body: Type.Object(
            {
              // One type list rather than a union (which TypeBox writes as anyOf): the pattern holds
              // for strings, the bounds for numbers; markupText() checks a number's decimals (at
              // most three, like the string).
              markup_percent: Type.Unsafe<string | number>({
                type: ["string", "number"],
                pattern: MARKUP_PATTERN.source,
                minimum: 0,
                maximum: 9999.999,
                description:
                  'Percent over cost, 0–9999.999 with at most three decimals: a number (25) or a decimal string ("25"). Answered as a decimal string ("25.00")',
                examples: [15, "12.5"],
              }),
            },
            { additionalProperties: false },
          ),
          response: responses({ 200: billingView }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        await setMarkup(services.db, tenant.id, markupText(req.body.markup_percent));
        return { tenant_id: tenant.id, markup_percent: await getMarkup(services.db, tenant.id) };
      },
    );

    app.get(
      "/v1/tenants/:id/statements/:month",
      {
        schema: {
          tags: ["usage"],
          security,
          summary: "A tenant's monthly statement (UTC month `yyyy-mm`): per-channel lines, markup and totals",
          params: Type.Object(
            {
              id: idParam("ten_"),
              month: Type.String({ maxLength: 7, examples: ["2030-01"] }),
            },
            { additionalProperties: false },
          ),
          querystring: Defaulted(
            Type.Object(
              { format: Type.Enum(["json", "csv"], { type: "string", default: "json" }) },
              { additionalProperties: false },
            ),
          ),
          response: responses(
            {
              200: Type.Partial(
                Type.Object({
                  tenant_id: Type.String(),
                  month: Type.String(),
                  period_start: Type.String(),
                  period_end: Type.String(),
                  status: Type.Enum(["open", "closed"], { type: "string" }),
                  currency: Type.String(),
                  markup_percent: Type.String(),
                  lines: Type.Array(statementLine),
                  subtotal: Type.String(),
                  markup: Type.String(),
                  total: Type.String(),
                }),
              ),
            },
            [400, 401, 403, 404, 422],
          ),
        },
      },
      async (req, reply) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        const s = await monthlyStatement(services.db, tenant.id, req.params.month, services.clock.now());
        if (req.query.format !== "csv") return s;
        const csv = toCsv(
          ["channel", "direction", "unit", "quantity", "cost_usd", "amount_usd"],
          [
            ...s.lines.map((l) => [l.channel, l.direction, l.unit, l.quantity, l.cost, l.amount]),
            ["subtotal", null, null, null, s.subtotal, null],
            [`markup ${s.markup_percent}%`, null, null, null, s.markup, null],
            ["total", null, null, null, null, s.total],
          ],
        );
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="statement-${tenant.id}-${s.month}.csv"`)
          .send(csv);
      },
    );
  };
}
