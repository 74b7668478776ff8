import { actingTenant } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError } from "../../kernel/errors.js";
import { Nullable, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import { isValidQuietHours } from "@subtext/telecom/quiet-hours";
import { KEYWORDS_ANSWERED_BY, getSettings, updateSettings } from "../settings.js";

const answeredBy = Type.Enum([...KEYWORDS_ANSWERED_BY], {
  type: "string",
  description:
    "Who answers STOP, HELP, START and their synonyms written exactly: `twilio` (its Default or Advanced Opt-Out; the default), or `subtext` once Twilio Support has turned Twilio's keyword handling off for the tenant's subaccount",
});

const SettingsSchema = Type.Object({
  retention_days: Type.Optional(
    Nullable(Type.Integer({ description: "Bodies are erased after this many days; null keeps them" })),
  ),
  quiet_hours: Type.Optional(
    Nullable(
      Type.Object(
        { start: Type.Optional(Type.String()), end: Type.Optional(Type.String()) },
        { description: "No delivery between start and end in the recipient's local time (HH:MM, 24 h)" },
      ),
    ),
  ),
  carrier_lookup: Type.Optional(
    Type.Boolean({ description: "Look up recipients' carriers (billed) to count T-Mobile's daily cap" }),
  ),
  default_keywords_answered_by: Type.Optional(answeredBy),
});

export function settingsRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/messaging/settings",
      {
        schema: {
          tags: ["messaging settings"],
          summary: "The tenant's messaging settings",
          security: [{ bearer: [] }],
          response: responses({ 200: SettingsSchema }),
        },
      },
      async (req) => getSettings(services.db, (await actingTenant(req, services)).id),
    );

    app.patch(
      "/v1/messaging/settings",
      {
        schema: {
          tags: ["messaging settings"],
          summary: "Change retention, quiet hours, carrier lookups or who answers the default keywords",
          security: [{ bearer: [] }],
          body: Type.Object(
            {
              retention_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650 }))),
              quiet_hours: Type.Optional(
                Nullable(
                  Type.Object({ start: Type.String(), end: Type.String() }, { additionalProperties: false }),
                ),
              ),
              carrier_lookup: Type.Optional(Type.Boolean()),
              default_keywords_answered_by: Type.Optional(answeredBy),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: responses({ 200: SettingsSchema }, [400, 401, 403, 422]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const quiet = req.body.quiet_hours;
        if (quiet && !isValidQuietHours(quiet)) {
          throw new SubtextError(
            "invalid_quiet_hours",
            422,
            "quiet_hours needs start and end as HH:MM (24 h), different.",
            {
              details: [{ path: "/quiet_hours", code: "invalid_quiet_hours" }],
            },
          );
        }
        const settings = await updateSettings(services.db, tenant.id, req.body);
        services.caches.changed("messaging-settings", tenant.id);
        return settings;
      },
    );
  };
}
