/**
 * Custom keywords and replies per tenant and messaging service (keywords.ts decides what a body
 * means), in three layers, each laid over the one before:
 *
 * 1. the tenant's registration: its brand, and the keyword replies and lists it declares to
 *    Twilio (given in the document, or derived from the tenant's data at registration:
 *    @subtext/telecom/registration/replies);
 * 2. the tenant-wide configuration (`default` scope) of `PUT /v1/keyword-replies`;
 * 3. a messaging service's own configuration.
 */
import type { Queryable } from "../../db/db.js";
import type { KeywordConfig, KeywordKind } from "@subtext/telecom/keywords";
import {
  type CampaignReplies,
  brandOf,
  campaignReplies,
  declaredExtraKeywords,
  declaredReplies,
  tollFreeReplies,
} from "@subtext/telecom/registration/replies";
import { type RegistrationRow, listRegistrations } from "../../onboarding/store.js";

export const DEFAULT_SCOPE = "default";

export interface KeywordConfigRow {
  tenant_id: string;
  scope: string;
  config: KeywordConfig;
  updated_at: Date;
}

export async function putKeywordConfig(q: Queryable, tenantId: string, scope: string, config: KeywordConfig) {
  return q.one<KeywordConfigRow>(
    `INSERT INTO keyword_configs (tenant_id, scope, config, updated_at) VALUES ($1, $2, $3::jsonb, now())
     ON CONFLICT (tenant_id, scope) DO UPDATE SET config = EXCLUDED.config, updated_at = now() RETURNING *`,
    [tenantId, scope, JSON.stringify(config)],
  );
}

export async function listKeywordConfigs(q: Queryable, tenantId: string): Promise<KeywordConfigRow[]> {
  const { rows } = await q.query<KeywordConfigRow>(
    "SELECT * FROM keyword_configs WHERE tenant_id = $1 ORDER BY scope",
    [tenantId],
  );
  return rows;
}

export async function deleteKeywordConfig(q: Queryable, tenantId: string, scope: string): Promise<boolean> {
  const { rowCount } = await q.query("DELETE FROM keyword_configs WHERE tenant_id = $1 AND scope = $2", [
    tenantId,
    scope,
  ]);
  return rowCount > 0;
}

/** Where an inbound message arrived: its Messaging Service (if any) and the number written to. */
export interface KeywordTarget {
  serviceSid: string | null;
  to?: string | null;
}

/**
 * The registration whose sender received the message: the one of the Messaging Service, else
 * the one of the number, else the tenant's 10DLC registration, else its toll-free one.
 */
export function registrationFor(regs: RegistrationRow[], target: KeywordTarget): RegistrationRow | null {
  return (
    (target.serviceSid ? regs.find((r) => r.messaging_service_sid === target.serviceSid) : undefined) ??
    (target.to ? regs.find((r) => r.phone_number === target.to) : undefined) ??
    regs.find((r) => r.channel === "10dlc") ??
    regs[0] ??
    null
  );
}

/** The layer a registration gives: its brand, declared replies and keywords beyond Twilio's. */
export function registrationLayer(reg: RegistrationRow | null): KeywordConfig {
  if (!reg) return {};
  const brand = brandOf(reg.document);
  return {
    ...(brand ? { brand_name: brand } : {}),
    replies: declaredReplies(reg.document),
    keywords: declaredExtraKeywords(reg.document),
  };
}

/** The registration's declared replies and keyword lists, as Twilio has (or will have) them. */
export function declaredView(reg: RegistrationRow) {
  const campaign: CampaignReplies | null = campaignReplies(reg.document);
  if (campaign) {
    return {
      replies: {
        opt_in: campaign.opt_in_message,
        opt_out: campaign.opt_out_message,
        help: campaign.help_message,
      },
      keywords: {
        opt_in: campaign.opt_in_keywords,
        opt_out: campaign.opt_out_keywords,
        help: campaign.help_keywords,
      },
    };
  }
  const tollFree = tollFreeReplies(reg.document);
  return {
    replies: {
      opt_in: tollFree?.opt_in_confirmation_message ?? null,
      opt_out: null,
      help: tollFree?.help_message_sample ?? null,
    },
    keywords: { opt_in: tollFree?.opt_in_keywords ?? [], opt_out: [], help: [] },
  };
}

export interface KeywordLayers {
  registration: RegistrationRow | null;
  /** Every registration of the tenant. */
  registrations: RegistrationRow[];
  layers: { source: "registration" | "tenant" | "service"; config: KeywordConfig }[];
}

/** The layers in force for where a message arrived, lowest first. */
export async function keywordLayers(
  q: Queryable,
  tenantId: string,
  target: KeywordTarget,
): Promise<KeywordLayers> {
  const { serviceSid } = target;
  const [{ rows }, regs] = await Promise.all([
    q.query<KeywordConfigRow>(
      "SELECT * FROM keyword_configs WHERE tenant_id = $1 AND scope = ANY($2::text[])",
      [tenantId, serviceSid ? [DEFAULT_SCOPE, serviceSid] : [DEFAULT_SCOPE]],
    ),
    listRegistrations(q, tenantId),
  ]);
  const registration = registrationFor(regs, target);
  const tenant = rows.find((r) => r.scope === DEFAULT_SCOPE)?.config;
  const service = rows.find((r) => r.scope !== DEFAULT_SCOPE)?.config;
  return {
    registration,
    registrations: regs,
    layers: [
      { source: "registration" as const, config: registrationLayer(registration) },
      ...(tenant ? [{ source: "tenant" as const, config: tenant }] : []),
      ...(service ? [{ source: "service" as const, config: service }] : []),
    ],
  };
}

/** The configuration in force where a message arrived: the layers merged (see the top). */
export async function keywordConfigFor(
  q: Queryable,
  tenantId: string,
  target: KeywordTarget,
): Promise<KeywordConfig> {
  const { layers } = await keywordLayers(q, tenantId, target);
  return layers.reduce<KeywordConfig>((acc, l) => merge(acc, l.config), {});
}

export function merge(a: KeywordConfig, b: KeywordConfig): KeywordConfig {
  const kinds: KeywordKind[] = ["opt_out", "opt_in", "help"];
  const keywords = Object.fromEntries(
    kinds.map((k) => [k, [...new Set([...(a.keywords?.[k] ?? []), ...(b.keywords?.[k] ?? [])])]]),
  );
  return {
    brand_name: b.brand_name ?? a.brand_name,
    keywords,
    replies: { ...a.replies, ...b.replies },
    languages: { ...a.languages, ...b.languages },
  };
}
