/**
 * Custom keywords and replies per tenant and messaging service (keywords.ts decides what a body
 * means). A tenant-wide configuration (`default`) applies to every service; a service's own
 * configuration is laid over it.
 */
import type { Queryable } from "../../db/db.js";
import {
  DEFAULT_KEYWORDS,
  type KeywordConfig,
  type KeywordKind,
  normalizeKeywordBody,
} from "@subtext/telecom/keywords";

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

/** The configuration in force for a service: the tenant's default with the service's on top. */
export async function keywordConfigFor(
  q: Queryable,
  tenantId: string,
  serviceSid: string | null,
): Promise<KeywordConfig> {
  const { rows } = await q.query<KeywordConfigRow>(
    "SELECT * FROM keyword_configs WHERE tenant_id = $1 AND scope = ANY($2::text[])",
    [tenantId, serviceSid ? [DEFAULT_SCOPE, serviceSid] : [DEFAULT_SCOPE]],
  );
  const base = rows.find((r) => r.scope === DEFAULT_SCOPE)?.config ?? {};
  const own = rows.find((r) => r.scope !== DEFAULT_SCOPE)?.config ?? {};
  return merge(base, own);
}

function merge(a: KeywordConfig, b: KeywordConfig): KeywordConfig {
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

/**
 * Twilio answers its own default keywords on US long codes and toll-free numbers
 * (docs/twilio-facts.md, "Opt-out keywords").
 */
export function twilioHandles(keyword: string): boolean {
  const word = normalizeKeywordBody(keyword);
  return Object.values(DEFAULT_KEYWORDS).some((list) => list.includes(word));
}
