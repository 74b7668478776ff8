import { actingTenant } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Nullable, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  DEFAULT_SCOPE,
  type KeywordConfigRow,
  deleteKeywordConfig,
  listKeywordConfigs,
  putKeywordConfig,
} from "../optouts/keyword-config.js";
import { isValidQuietHours } from "@subtext/telecom/quiet-hours";
import { getSettings, updateSettings } from "../settings.js";
import { keywordRepliesBody } from "./schemas.js";

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
});

/** A configuration as PUT takes it, with its scope (null: tenant-wide) and when it was set. */
const KeywordRepliesSchema = Type.Object({
  ...keywordRepliesBody.properties,
  ...Type.Required(Type.Pick(keywordRepliesBody, ["messaging_service_id"])).properties,
  updated_at: Type.String({ format: "date-time" }),
});

function keywordView(r: KeywordConfigRow) {
  return {
    messaging_service_id: r.scope === DEFAULT_SCOPE ? null : r.scope,
    ...r.config,
    updated_at: r.updated_at.toISOString(),
  };
}

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
          summary: "Change retention, quiet hours or carrier lookups",
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

    app.get(
      "/v1/keyword-replies",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Custom keywords and replies (tenant-wide and per messaging service)",
          security: [{ bearer: [] }],
          response: responses(
            {
              200: Type.Object({ data: Type.Array(KeywordRepliesSchema) }),
            },
            [401, 403],
          ),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return { data: (await listKeywordConfigs(services.db, tenant.id)).map(keywordView) };
      },
    );

    app.put(
      "/v1/keyword-replies",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Set custom keywords and replies for the tenant or one messaging service",
          description:
            "Custom keywords add to Twilio's defaults (STOP, START, HELP and synonyms), which always work. " +
            "Replies to custom keywords are sent by us; Twilio answers its default keywords itself.",
          security: [{ bearer: [] }],
          body: keywordRepliesBody,
          response: responses({ 200: KeywordRepliesSchema }, [400, 401, 403]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { messaging_service_id, ...config } = req.body;
        return keywordView(
          await putKeywordConfig(services.db, tenant.id, messaging_service_id ?? DEFAULT_SCOPE, config),
        );
      },
    );

    app.delete(
      "/v1/keyword-replies",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Remove the custom keywords of the tenant or one messaging service",
          security: [{ bearer: [] }],
          querystring: Type.Object(
            { messaging_service_id: Type.Optional(Type.String({ pattern: "^MG[0-9a-fA-F]{32}$" })) },
            { additionalProperties: false },
          ),
          response: responses({ 204: Type.Null() }, [400, 401, 403, 404]),
        },
      },
      async (req, reply) => {
        const tenant = await actingTenant(req, services);
        const scope = req.query.messaging_service_id ?? DEFAULT_SCOPE;
        if (!(await deleteKeywordConfig(services.db, tenant.id, scope)))
          throw notFound("keyword configuration for", scope);
        return reply.code(204).send();
      },
    );
  };
}
