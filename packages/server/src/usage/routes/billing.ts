import type { FastifyPluginAsync } from "fastify";
import { tenantInScope } from "../../http/auth.js";
import { idParam, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import type { Services } from "../../kernel/services.js";
import { CHANNELS, type Channel, DIRECTIONS, type Direction } from "../channels.js";
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
const decimalText = { type: "string", pattern: "^\\d{1,6}(\\.\\d{1,6})?$", examples: ["0.0083"] } as const;
const priceList = {
  type: "object",
  required: ["data"],
  properties: {
    data: {
      type: "array",
      items: {
        type: "object",
        required: ["channel", "direction", "unit", "unit_price", "source"],
        properties: {
          channel: { type: "string" },
          direction: { type: "string" },
          unit: { type: "string", enum: ["segment", "message", "minute", "verification", "lookup"] },
          unit_price: { type: "string", description: "USD per unit" },
          source: {
            type: "string",
            enum: ["default", "custom"],
            description: "default = Twilio US list price",
          },
        },
      },
    },
  },
} as const;
const statementLine = {
  type: "object",
  properties: {
    channel: { type: "string" },
    direction: { type: "string" },
    unit: { type: "string" },
    quantity: { type: "number" },
    messages: { type: "integer" },
    segments: { type: "integer" },
    minutes: { type: "number" },
    cost: { type: "string" },
    amount: { type: "string", description: "cost plus the tenant's markup" },
  },
} as const;

/** Prices (operator), per-tenant markup and monthly statements for pass-through billing. */
export function billingRoutes(services: Pick<Services, "db" | "clock" | "caches">): FastifyPluginAsync {
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

    app.put<{ Body: { prices: { channel: Channel; direction: Direction; unit_price: string | null }[] } }>(
      "/v1/prices",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["usage"],
          security,
          summary:
            "Set unit prices; null returns a price to the default. Applies to usage recorded from now on",
          body: {
            type: "object",
            required: ["prices"],
            additionalProperties: false,
            properties: {
              prices: {
                type: "array",
                minItems: 1,
                maxItems: 50,
                items: {
                  type: "object",
                  required: ["channel", "direction", "unit_price"],
                  additionalProperties: false,
                  properties: {
                    channel: { type: "string", enum: [...CHANNELS] },
                    direction: { type: "string", enum: [...DIRECTIONS] },
                    unit_price: { anyOf: [decimalText, { type: "null" }] },
                  },
                },
              },
            },
          },
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

    const tenantParams = {
      type: "object",
      required: ["id"],
      additionalProperties: false,
      properties: { id: idParam("ten_") },
    } as const;
    const billingView = {
      type: "object",
      properties: {
        tenant_id: { type: "string" },
        markup_percent: {
          type: "string",
          description: "Percent over cost, a decimal string with at least two decimals",
          examples: ["25.00"],
        },
      },
    } as const;

    app.get<{ Params: { id: string } }>(
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

    app.put<{ Params: { id: string }; Body: { markup_percent: string | number } }>(
      "/v1/tenants/:id/billing",
      {
        config: { auth: "admin" },
        schema: {
          tags: ["usage"],
          security,
          summary: "Set the markup (percent over cost) billed to a tenant",
          params: tenantParams,
          body: {
            type: "object",
            required: ["markup_percent"],
            additionalProperties: false,
            properties: {
              markup_percent: {
                type: ["string", "number"],
                // The pattern holds for strings, the bounds for numbers; markupText() checks a
                // number's decimals (at most three, like the string).
                pattern: MARKUP_PATTERN.source,
                minimum: 0,
                maximum: 9999.999,
                description:
                  'Percent over cost, 0–9999.999 with at most three decimals: a number (25) or a decimal string ("25"). Answered as a decimal string ("25.00")',
                examples: [15, "12.5"],
              },
            },
          },
          response: responses({ 200: billingView }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await tenantInScope(req, services, req.params.id);
        await setMarkup(services.db, tenant.id, markupText(req.body.markup_percent));
        return { tenant_id: tenant.id, markup_percent: await getMarkup(services.db, tenant.id) };
      },
    );

    app.get<{ Params: { id: string; month: string }; Querystring: { format: "json" | "csv" } }>(
      "/v1/tenants/:id/statements/:month",
      {
        schema: {
          tags: ["usage"],
          security,
          summary: "A tenant's monthly statement (UTC month `yyyy-mm`): per-channel lines, markup and totals",
          params: {
            type: "object",
            required: ["id", "month"],
            additionalProperties: false,
            properties: {
              id: idParam("ten_"),
              month: { type: "string", maxLength: 7, examples: ["2030-01"] },
            },
          },
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { format: { type: "string", enum: ["json", "csv"], default: "json" } },
          },
          response: responses(
            {
              200: {
                type: "object",
                properties: {
                  tenant_id: { type: "string" },
                  month: { type: "string" },
                  period_start: { type: "string" },
                  period_end: { type: "string" },
                  status: { type: "string", enum: ["open", "closed"] },
                  currency: { type: "string" },
                  markup_percent: { type: "string" },
                  lines: { type: "array", items: statementLine },
                  subtotal: { type: "string" },
                  markup: { type: "string" },
                  total: { type: "string" },
                },
              },
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
