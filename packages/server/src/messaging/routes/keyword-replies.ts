/**
 * The tenant's keywords and keyword replies (docs/messaging.md, "Keywords"): the configurations
 * it sets (tenant-wide and per Messaging Service), and what is in force where a message
 * arrives, laid over what its registration declared to Twilio (optouts/keyword-config.ts).
 */
import { actingTenant } from "../../http/auth.js";
import { type Routes, responses } from "../../http/schemas.js";
import { SubtextError, notFound } from "../../kernel/errors.js";
import { Nullable, Type } from "../../kernel/schema.js";
import type { Services } from "../../kernel/services.js";
import {
  type KeywordConfig,
  type KeywordKind,
  defaultReply,
  keywordsOf,
  matchKeyword,
} from "@subtext/telecom/keywords";
import {
  DEFAULT_SCOPE,
  type KeywordConfigRow,
  declaredView,
  deleteKeywordConfig,
  keywordLayers,
  listKeywordConfigs,
  merge,
  putKeywordConfig,
} from "../optouts/keyword-config.js";
import { KEYWORDS_ANSWERED_BY, getSettings } from "../settings.js";
import { keywordRepliesBody } from "./schemas.js";

const KINDS: readonly KeywordKind[] = ["opt_out", "opt_in", "help"];
const serviceSid = Type.String({ pattern: "^MG[0-9a-fA-F]{32}$" });

/** A configuration as PUT takes it, with its scope (null: tenant-wide) and when it was set. */
const KeywordRepliesSchema = Type.Object({
  ...keywordRepliesBody.properties,
  ...Type.Required(Type.Pick(keywordRepliesBody, ["messaging_service_id"])).properties,
  updated_at: Type.String({ format: "date-time" }),
});

const byKind = <T extends Parameters<typeof Type.Object>[0][string]>(value: T) =>
  Type.Object({ opt_out: value, opt_in: value, help: value });

const InForceSchema = Type.Object({
  messaging_service_id: Nullable(serviceSid),
  brand_name: Nullable(Type.String({ description: "The brand the replies name" })),
  default_keywords_answered_by: Type.Enum([...KEYWORDS_ANSWERED_BY], {
    type: "string",
    description: "Who answers the default keywords written exactly (PATCH /v1/messaging/settings)",
  }),
  replies: byKind(
    Type.Object({
      text: Type.String(),
      source: Type.Enum(["registration", "tenant", "service", "default"], {
        type: "string",
        description:
          "Where the text comes from: the registration (given or derived at registration), the tenant-wide or the service's configuration, or Subtext's default",
      }),
    }),
  ),
  keywords: byKind(
    Type.Array(Type.String(), { description: "Every keyword of the kind, defaults included" }),
  ),
  registration: Nullable(
    Type.Object(
      {
        id: Type.String(),
        kind: Type.String(),
        messaging_service_id: Nullable(Type.String()),
        replies: byKind(Nullable(Type.String())),
        keywords: byKind(Type.Array(Type.String())),
      },
      {
        description:
          "The replies and keyword lists the registration declares to Twilio (fixed once submitted)",
      },
    ),
  ),
  differs_from_registration: Type.Array(Type.Enum([...KINDS], { type: "string" }), {
    description: "The kinds whose reply in force is not the text registered with Twilio",
  }),
});

function keywordView(r: KeywordConfigRow) {
  return {
    messaging_service_id: r.scope === DEFAULT_SCOPE ? null : r.scope,
    ...r.config,
    updated_at: r.updated_at.toISOString(),
  };
}

/**
 * A reply that is itself a keyword (of the configuration being set, defaults included) would
 * make two auto-responders answer each other forever: refused.
 */
function refuseKeywordReplies(config: KeywordConfig): void {
  const replies: { path: string; text: string }[] = [
    ...Object.entries(config.replies ?? {}).map(([kind, text]) => ({ path: `/replies/${kind}`, text })),
    ...Object.entries(config.languages ?? {}).flatMap(([language, l]) =>
      Object.entries(l.replies ?? {}).map(([kind, text]) => ({
        path: `/languages/${language}/replies/${kind}`,
        text,
      })),
    ),
  ];
  const bad = replies.filter((r) => matchKeyword(r.text, config) !== null);
  if (bad.length === 0) return;
  throw new SubtextError("reply_is_keyword", 422, `The reply at ${bad[0].path} is itself a keyword.`, {
    hint: "Write a sentence (who you are, what happened, what to reply next); a reply that is a keyword could answer another auto-reply forever.",
    details: bad.map((b) => ({ path: b.path, code: "reply_is_keyword" })),
  });
}

export function keywordRepliesRoutes(services: Services): Routes {
  return async (app) => {
    app.get(
      "/v1/keyword-replies",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "Custom keywords and replies (tenant-wide and per messaging service)",
          security: [{ bearer: [] }],
          response: responses({ 200: Type.Object({ data: Type.Array(KeywordRepliesSchema) }) }, [401, 403]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        return { data: (await listKeywordConfigs(services.db, tenant.id)).map(keywordView) };
      },
    );

    app.get(
      "/v1/keyword-replies/in-force",
      {
        schema: {
          tags: ["opt-outs"],
          summary: "The keywords and replies in force, and those the registration declared to Twilio",
          description:
            "Tenant-wide, or for one messaging service. Each reply says where it comes from; `registration` shows the texts registered with the campaign (or toll-free verification), which Twilio does not let change after submission.",
          security: [{ bearer: [] }],
          querystring: Type.Object(
            { messaging_service_id: Type.Optional(serviceSid) },
            { additionalProperties: false },
          ),
          response: responses({ 200: InForceSchema }, [400, 401, 403, 404]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const sid = req.query.messaging_service_id ?? null;
        const { registration, layers, registrations } = await keywordLayers(services.db, tenant.id, {
          serviceSid: sid,
        });
        const known =
          sid === null ||
          registrations.some((r) => r.messaging_service_sid === sid) ||
          layers.some((l) => l.source === "service");
        if (!known) throw notFound("messaging service", sid!);
        const merged = layers.reduce<KeywordConfig>((acc, l) => merge(acc, l.config), {});
        const replies = Object.fromEntries(
          KINDS.map((kind) => {
            const top = [...layers].reverse().find((l) => l.config.replies?.[kind]);
            return [
              kind,
              top
                ? { text: top.config.replies![kind]!, source: top.source }
                : { text: defaultReply(kind, merged.brand_name), source: "default" as const },
            ];
          }),
        ) as Record<KeywordKind, { text: string; source: "registration" | "tenant" | "service" | "default" }>;
        const declared = registration ? declaredView(registration) : null;
        return {
          messaging_service_id: sid,
          brand_name: merged.brand_name ?? null,
          default_keywords_answered_by: (await getSettings(services.db, tenant.id))
            .default_keywords_answered_by,
          replies,
          keywords: Object.fromEntries(KINDS.map((k) => [k, keywordsOf(k, merged)])) as Record<
            KeywordKind,
            string[]
          >,
          registration:
            registration && declared
              ? {
                  id: registration.id,
                  kind: registration.kind,
                  messaging_service_id: registration.messaging_service_sid,
                  ...declared,
                }
              : null,
          differs_from_registration: declared
            ? KINDS.filter((k) => declared.replies[k] !== null && declared.replies[k] !== replies[k].text)
            : [],
        };
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
            "Subtext sends the replies to what Twilio leaves unanswered: custom keywords, and keywords Twilio does not take as written (STOP!, stop please). " +
            "They override the texts derived at registration; what was registered with Twilio does not change. A reply that is itself a keyword is refused (422 reply_is_keyword).",
          security: [{ bearer: [] }],
          body: keywordRepliesBody,
          response: responses({ 200: KeywordRepliesSchema }, [400, 401, 403, 422]),
        },
      },
      async (req) => {
        const tenant = await actingTenant(req, services);
        const { messaging_service_id, ...config } = req.body;
        refuseKeywordReplies(config);
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
            { messaging_service_id: Type.Optional(serviceSid) },
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
