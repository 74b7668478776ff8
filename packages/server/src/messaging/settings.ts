import type { Queryable } from "../db/db.js";
import type { Services } from "../kernel/services.js";
import type { QuietHours } from "@subtext/telecom/quiet-hours";

/**
 * A tenant's messaging settings: how long message bodies are kept (null = kept), optional
 * quiet hours in the recipient's local time, and whether recipients' carriers are looked up
 * (Twilio Lookup, billed) so T-Mobile's daily cap can be counted, and who answers Twilio's
 * default keywords (Twilio, unless Twilio Support turned its keyword handling off for the
 * tenant's subaccount: then Subtext).
 */
export interface MessagingSettings {
  retention_days: number | null;
  quiet_hours: QuietHours | null;
  carrier_lookup: boolean;
  default_keywords_answered_by: KeywordsAnsweredBy;
}

export const KEYWORDS_ANSWERED_BY = ["twilio", "subtext"] as const;
export type KeywordsAnsweredBy = (typeof KEYWORDS_ANSWERED_BY)[number];

export const DEFAULT_SETTINGS: MessagingSettings = {
  retention_days: null,
  quiet_hours: null,
  carrier_lookup: false,
  default_keywords_answered_by: "twilio",
};

export async function getSettings(q: Queryable, tenantId: string): Promise<MessagingSettings> {
  const row = await q.maybeOne<MessagingSettings>(
    `SELECT retention_days, quiet_hours, carrier_lookup, default_keywords_answered_by
     FROM messaging_settings WHERE tenant_id = $1`,
    [tenantId],
  );
  return row ?? { ...DEFAULT_SETTINGS };
}

export async function updateSettings(
  q: Queryable,
  tenantId: string,
  change: Partial<MessagingSettings>,
): Promise<MessagingSettings> {
  const current = await getSettings(q, tenantId);
  const next = { ...current, ...change };
  await q.query(
    `INSERT INTO messaging_settings (tenant_id, retention_days, quiet_hours, carrier_lookup,
       default_keywords_answered_by, updated_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, now())
     ON CONFLICT (tenant_id) DO UPDATE SET retention_days = EXCLUDED.retention_days,
       quiet_hours = EXCLUDED.quiet_hours, carrier_lookup = EXCLUDED.carrier_lookup,
       default_keywords_answered_by = EXCLUDED.default_keywords_answered_by, updated_at = now()`,
    [
      tenantId,
      next.retention_days,
      next.quiet_hours === null ? null : JSON.stringify(next.quiet_hours),
      next.carrier_lookup,
      next.default_keywords_answered_by,
    ],
  );
  return next;
}

/**
 * getSettings from the runtime's cache (the send path and the dispatcher read them for every
 * message and lane). A change reaches every process through the change feed (system/changes.ts).
 */
export function cachedSettings(
  deps: Pick<Services, "db" | "caches">,
  tenantId: string,
): Promise<MessagingSettings> {
  const settings = deps.caches.space<MessagingSettings>(
    "messaging-settings",
    { ttlMs: 60_000 },
    (space, on) => on("messaging-settings", (id) => (id === undefined ? space.clear() : space.delete(id))),
  );
  return settings.through(tenantId, () => getSettings(deps.db, tenantId));
}
