import { type Routes, idParam, responses } from "../../http/schemas.js";
import { Defaulted, Ref, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { listScope } from "../../events/routes/scope.js";
import { toCsv } from "../csv.js";
import { USAGE_CSV_COLUMNS, dayRange, parseGroupBy, usageReport } from "../report.js";

const day = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", examples: ["2030-01-31"] });
const counters = {
  messages: Type.Integer(),
  segments: Type.Integer(),
  minutes: Type.Number(),
  cost: Type.String({ description: "USD at cost (what Twilio charges), decimal", examples: ["12.3456"] }),
};

export const UsageRowSchema = Type.Object(
  {
    day: Type.Optional(Type.String()),
    tenant_id: Type.Optional(Type.String()),
    channel: Type.Optional(
      Type.Enum(["sms", "mms", "whatsapp", "voice", "verify", "lookup"], { type: "string" }),
    ),
    direction: Type.Optional(Type.Enum(["outbound", "inbound"], { type: "string" })),
    ...counters,
  },
  { $id: "UsageRow" },
);

/** GET /v1/usage: counters and cost per day, channel and tenant, as JSON or CSV. */
export function usageRoutes(services: Pick<Services, "db" | "clock">): Routes {
  return async (app) => {
    app.get(
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
          querystring: Defaulted(
            Type.Object(
              {
                from: Type.Optional(day),
                to: Type.Optional(day),
                group_by: Type.String({ maxLength: 64, default: "day" }),
                tenant_id: Type.Optional(idParam("ten_")),
                format: Type.Enum(["json", "csv"], { type: "string", default: "json" }),
              },
              { additionalProperties: false },
            ),
          ),
          response: responses(
            {
              200: Type.Object({
                from: Type.String(),
                to: Type.String(),
                group_by: Type.Array(Type.String()),
                data: Type.Array(Ref("UsageRow")),
                totals: Type.Partial(Type.Object(counters)),
              }),
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
