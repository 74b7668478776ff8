import { listScope } from "../../events/routes/scope.js";
import { tenantInScope } from "../../http/auth.js";
import { listQuery, page, pageOf } from "../../http/pages.js";
import { type Routes, idParam, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import { Defaulted, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { checkDrift } from "../drift.js";
import { DRIFT_CATEGORY_NAMES, defaultWindow, isDay } from "../drift-compare.js";
import { listDrift } from "../drift-store.js";
import { driftView } from "../drift-view.js";

const security = [{ bearer: [] }];
const tags = ["usage"];
const day = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", examples: ["2030-01-31"] });
/** A check reads one record per day and category from Twilio: about a quarter at most. */
export const MAX_CHECK_DAYS = 92;

/** The drift report: where Subtext's metered usage and Twilio's bill differ. */
export function driftRoutes(
  services: Pick<Services, "db" | "clock" | "log" | "twilio" | "vault" | "caches">,
): Routes {
  return async (app) => {
    app.get(
      "/v1/usage/drift",
      {
        schema: {
          tags,
          security,
          summary:
            "Differences between Subtext's metered usage and Twilio's usage records, per tenant, UTC day and category, newest first",
          description:
            "A tenant key sees its own; the admin every tenant's, or one with `tenant_id`. " +
            "`state`, `category` and the inclusive days `from`/`to` filter. Empty when the bills agree.",
          querystring: Defaulted(
            Type.Object(
              {
                state: Type.Optional(Type.Enum(["open", "resolved"], { type: "string" })),
                tenant_id: Type.Optional(idParam("ten_")),
                category: Type.Optional(Type.Enum(DRIFT_CATEGORY_NAMES, { type: "string" })),
                from: Type.Optional(day),
                to: Type.Optional(day),
                ...listQuery,
              },
              { additionalProperties: false },
            ),
          ),
          response: responses({ 200: pageOf("UsageDrift") }, [400, 401, 403, 404, 422]),
        },
      },
      async (req) => {
        checkDays(req.query, "querystring");
        const tenantId = await listScope(req, services, req.query.tenant_id);
        const found = await listDrift(services.db, { ...req.query, tenantId });
        return page(found.items, found.hasMore, driftView);
      },
    );

    app.post(
      "/v1/usage/drift/check",
      {
        config: { auth: "admin" },
        schema: {
          tags,
          security,
          summary: "Compare usage with Twilio's now (the daily job does it for the last 7 days)",
          description:
            "For every tenant with a subaccount, or `tenant_id`, over the inclusive UTC days `from`–`to` " +
            `(default: the 7 days before today; at most ${MAX_CHECK_DAYS} days, not after today). ` +
            "New differences are opened (one `usage.drift` event each), gone ones resolved. " +
            "A tenant whose records could not be read is listed in `failed`.",
          body: Type.Optional(
            Type.Object(
              {
                tenant_id: Type.Optional(idParam("ten_")),
                from: Type.Optional(day),
                to: Type.Optional(day),
              },
              { additionalProperties: false },
            ),
          ),
          response: responses(
            {
              200: Type.Object({
                from: Type.String(),
                to: Type.String(),
                tenants: Type.Integer({ description: "Tenants compared" }),
                opened: Type.Array(Type.String(), { description: "Ids of the differences found now" }),
                resolved: Type.Array(Type.String(), { description: "Ids of the differences gone now" }),
                open: Type.Integer({ description: "Open differences in the range after the check" }),
                failed: Type.Array(Type.Object({ tenant_id: Type.String(), error: Type.String() })),
              }),
            },
            [400, 401, 403, 404, 422],
          ),
        },
      },
      async (req) => {
        const body = req.body ?? {};
        const now = services.clock.now();
        const window = defaultWindow(now);
        const range = { from: body.from ?? window.from, to: body.to ?? window.to };
        checkDays(range, "body");
        const today = now.toISOString().slice(0, 10);
        if (range.to > today) {
          throw new SubtextError("invalid_range", 422, "`to` is after today (UTC): there is no usage yet.", {
            details: [{ path: "body:/to", code: "invalid_range", message: `At most ${today}.` }],
          });
        }
        const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 + 1;
        if (days > MAX_CHECK_DAYS) {
          throw new SubtextError("range_too_long", 422, `At most ${MAX_CHECK_DAYS} days per check.`, {
            hint: "Check several shorter ranges.",
          });
        }
        const tenant = body.tenant_id ? await tenantInScope(req, services, body.tenant_id) : null;
        return checkDrift(services, { ...range, tenantId: tenant?.id ?? null });
      },
    );
  };
}

/** Each day given is a real day (422 invalid_date), and `from` is not after `to` (422 invalid_range). */
function checkDays(range: { from?: string; to?: string }, where: "body" | "querystring"): void {
  for (const name of ["from", "to"] as const) {
    const d = range[name];
    if (d !== undefined && !isDay(d))
      throw new SubtextError("invalid_date", 422, `${name} must be a day like 2030-01-31.`, {
        details: [{ path: `${where}:/${name}`, code: "invalid_date", message: "Expected YYYY-MM-DD." }],
      });
  }
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    throw new SubtextError("invalid_range", 422, "`from` is after `to`.");
}
