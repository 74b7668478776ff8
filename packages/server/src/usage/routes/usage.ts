import type { FastifyPluginAsync } from "fastify";
import { idParam, responses } from "../../http/schemas.js";
import type { Services } from "../../kernel/services.js";
import { listScope } from "../../events/routes/scope.js";
import { toCsv } from "../csv.js";
import { USAGE_CSV_COLUMNS, dayRange, parseGroupBy, usageReport } from "../report.js";

const day = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", examples: ["2030-01-31"] } as const;
const counters = {
  messages: { type: "integer" },
  segments: { type: "integer" },
  minutes: { type: "number" },
  cost: { type: "string", description: "USD at cost (what Twilio charges), decimal", examples: ["12.3456"] },
} as const;

export const UsageRowSchema = {
  $id: "UsageRow",
  type: "object",
  required: ["messages", "segments", "minutes", "cost"],
  properties: {
    day: { type: "string" },
    tenant_id: { type: "string" },
    channel: { type: "string", enum: ["sms", "mms", "whatsapp", "voice", "verify", "lookup"] },
    direction: { type: "string", enum: ["outbound", "inbound"] },
    ...counters,
  },
} as const;

/** GET /v1/usage: counters and cost per day, channel and tenant, as JSON or CSV. */
export function usageRoutes(services: Pick<Services, "db" | "clock">): FastifyPluginAsync {
  return async (app) => {
    app.get<{
      Querystring: {
        from?: string;
        to?: string;
        group_by?: string;
        tenant_id?: string;
        format: "json" | "csv";
      };
    }>(
      "/v1/usage",
      {
        schema: {
          tags: ["usage"],
          security: [{ bearer: [] }],
          summary:
            "Usage and cost over a range of UTC days, grouped (admin: all tenants or one; tenant key: its own)",
          description:
            "`group_by` is a comma-separated list of `day`, `channel` (with direction), `direction`, `tenant`. " +
            "`from`/`to` are inclusive days; default: this month so far. `format=csv` answers text/csv.",
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              from: day,
              to: day,
              group_by: { type: "string", maxLength: 64, default: "day" },
              tenant_id: idParam("ten_"),
              format: { type: "string", enum: ["json", "csv"], default: "json" },
            },
          },
          response: responses(
            {
              200: {
                type: "object",
                required: ["from", "to", "group_by", "data", "totals"],
                properties: {
                  from: { type: "string" },
                  to: { type: "string" },
                  group_by: { type: "array", items: { type: "string" } },
                  data: { type: "array", items: { $ref: "UsageRow#" } },
                  totals: { type: "object", properties: counters },
                },
              },
            },
            [400, 401, 403, 404, 422],
          ),
        },
      },
      async (req, reply) => {
        const groupBy = parseGroupBy(req.query.group_by);
        const range = dayRange(req.query.from, req.query.to, services.clock.now());
        const tenantId = await listScope(req, services, req.query.tenant_id);
        const report = await usageReport(services.db, { tenantId, ...range, groupBy });
        if (req.query.format !== "csv") return report;
        const dims = groupBy.map((d) => (d === "tenant" ? "tenant_id" : d));
        const csv = toCsv(
          [...dims, ...USAGE_CSV_COLUMNS],
          report.data.map((r) => [
            ...dims.map((d) => (r as unknown as Record<string, string>)[d]),
            r.messages,
            r.segments,
            r.minutes,
            r.cost,
          ]),
        );
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="usage-${range.from}-${range.to}.csv"`)
          .send(csv);
      },
    );
  };
}
