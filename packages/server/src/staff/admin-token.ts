import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/config.js";
import type { Queryable } from "../db/db.js";

/**
 * Admin access: SUBTEXT_ADMIN_TOKEN when set; otherwise a token generated on first start,
 * printed once and stored only as a SHA-256 hash.
 */
const SETTING = "admin_token";

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function newAdminToken(): string {
  return `st_admin_${randomBytes(24).toString("base64url")}`;
}

/** Returns the plain token only when it was generated now (first start). */
export async function ensureAdminToken(
  q: Queryable,
  config: Pick<Config, "adminToken">,
): Promise<string | null> {
  if (config.adminToken) return null;
  const token = newAdminToken();
  const inserted = await q.query(
    `INSERT INTO system_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`,
    [SETTING, JSON.stringify({ sha256: hashToken(token) })],
  );
  return inserted.rowCount > 0 ? token : null;
}

/** Replaces the generated admin token (`subtext admin-token reset`); returns the new one. */
export async function resetAdminToken(q: Queryable): Promise<string> {
  const token = newAdminToken();
  await q.query(
    `INSERT INTO system_settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [SETTING, JSON.stringify({ sha256: hashToken(token) })],
  );
  return token;
}

export async function isAdminToken(
  q: Queryable,
  config: Pick<Config, "adminToken">,
  token: string,
): Promise<boolean> {
  const presented = Buffer.from(hashToken(token), "hex");
  if (config.adminToken) return timingSafeEqual(presented, Buffer.from(hashToken(config.adminToken), "hex"));
  const row = await q.maybeOne<{ value: { sha256: string } }>(
    "SELECT value FROM system_settings WHERE key = $1",
    [SETTING],
  );
  return row !== null && timingSafeEqual(presented, Buffer.from(row.value.sha256, "hex"));
}
