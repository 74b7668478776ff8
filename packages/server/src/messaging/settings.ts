import type { Queryable } from "../db/db.js";
import type { QuietHours } from "./quiet-hours.js";

/**
 * A tenant's messaging settings: how long message bodies are kept (null = kept), optional
 * quiet hours in the recipient's local time, and whether recipients' carriers are looked up
 * (Twilio Lookup, billed) so T-Mobile's daily cap can be counted.
 */
export interface MessagingSettings {
  retention_days: number | null;
  quiet_hours: QuietHours | null;
  carrier_lookup: boolean;
}

export const DEFAULT_SETTINGS: MessagingSettings = {
  retention_days: null,
  quiet_hours: null,
  carrier_lookup: false,
};

export async function getSettings(q: Queryable, tenantId: string): Promise<MessagingSettings> {
  const row = await q.maybeOne<MessagingSettings>(
    "SELECT retention_days, quiet_hours, carrier_lookup FROM messaging_settings WHERE tenant_id = $1",
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
    `INSERT INTO messaging_settings (tenant_id, retention_days, quiet_hours, carrier_lookup, updated_at)
     VALUES ($1, $2, $3::jsonb, $4, now())
     ON CONFLICT (tenant_id) DO UPDATE SET retention_days = EXCLUDED.retention_days,
       quiet_hours = EXCLUDED.quiet_hours, carrier_lookup = EXCLUDED.carrier_lookup, updated_at = now()`,
    [
      tenantId,
      next.retention_days,
      next.quiet_hours === null ? null : JSON.stringify(next.quiet_hours),
      next.carrier_lookup,
    ],
  );
  cache.delete(tenantId);
  return next;
}

// The dispatcher reads settings for every lane it serves: a short in-process cache.
const cache = new Map<string, { settings: MessagingSettings; at: number }>();
const TTL_MS = 5_000;

export async function cachedSettings(q: Queryable, tenantId: string): Promise<MessagingSettings> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.settings;
  const settings = await getSettings(q, tenantId);
  if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
  cache.set(tenantId, { settings, at: Date.now() });
  return settings;
}
