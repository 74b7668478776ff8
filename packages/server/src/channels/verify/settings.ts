import type { Queryable } from "../../db/db.js";
import {
  DEFAULT_VERIFY_SETTINGS,
  type VerifySettings,
  type VerifySettingsPatch,
  mergeSettings,
} from "./limits.js";

/** The tenant's effective Verify settings (defaults plus its overrides). */
export async function verifySettings(q: Queryable, tenantId: string): Promise<VerifySettings> {
  const row = await q.maybeOne<{ settings: VerifySettingsPatch }>(
    "SELECT settings FROM verify_settings WHERE tenant_id = $1",
    [tenantId],
  );
  return mergeSettings(DEFAULT_VERIFY_SETTINGS, row?.settings);
}

/** Applies a partial change; what is not named keeps its current value. */
export async function updateVerifySettings(
  q: Queryable,
  tenantId: string,
  patch: VerifySettingsPatch,
  now: Date,
): Promise<VerifySettings> {
  const merged = mergeSettings(await verifySettings(q, tenantId), patch);
  await q.query(
    `INSERT INTO verify_settings (tenant_id, settings, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
    [tenantId, JSON.stringify(merged), now],
  );
  return merged;
}
