import type { Queryable } from "../db/db.js";
import { newId } from "../db/ids.js";
import type { StaffRole } from "./roles.js";

export interface StaffUserRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  tenant_id: string | null;
  password_hash: string;
  totp_secret_id: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: number | null;
  disabled_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function insertStaffUser(
  q: Queryable,
  u: {
    email: string;
    name: string;
    role: StaffRole;
    tenantId: string | null;
    passwordHash: string;
    now: Date;
  },
): Promise<StaffUserRow> {
  return q.one<StaffUserRow>(
    `INSERT INTO staff_users (id, email, name, role, tenant_id, password_hash, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
    [newId("stf"), normalizeEmail(u.email), u.name, u.role, u.tenantId, u.passwordHash, u.now],
  );
}

export function findStaffUser(q: Queryable, id: string): Promise<StaffUserRow | null> {
  return q.maybeOne<StaffUserRow>("SELECT * FROM staff_users WHERE id = $1", [id]);
}

export function findStaffUserByEmail(q: Queryable, email: string): Promise<StaffUserRow | null> {
  return q.maybeOne<StaffUserRow>("SELECT * FROM staff_users WHERE email = $1", [normalizeEmail(email)]);
}

export async function countStaffUsers(q: Queryable): Promise<number> {
  return (await q.one<{ n: number }>("SELECT count(*)::int AS n FROM staff_users")).n;
}

export async function listStaffUsers(q: Queryable, tenantId?: string): Promise<StaffUserRow[]> {
  const { rows } = await q.query<StaffUserRow>(
    "SELECT * FROM staff_users WHERE ($1::text IS NULL OR tenant_id = $1) ORDER BY id",
    [tenantId ?? null],
  );
  return rows;
}

export async function countActiveOwners(q: Queryable): Promise<number> {
  const row = await q.one<{ n: number }>(
    "SELECT count(*)::int AS n FROM staff_users WHERE role = 'owner' AND disabled_at IS NULL",
  );
  return row.n;
}

export interface StaffUserChange {
  name?: string;
  role?: StaffRole;
  passwordHash?: string;
  disabled?: boolean;
  resetTotp?: boolean;
}

export function updateStaffUser(
  q: Queryable,
  id: string,
  c: StaffUserChange,
  now: Date,
): Promise<StaffUserRow> {
  return q.one<StaffUserRow>(
    `UPDATE staff_users SET
       name = COALESCE($2, name),
       role = COALESCE($3, role),
       password_hash = COALESCE($4, password_hash),
       disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at WHEN $5 THEN COALESCE(disabled_at, $7) ELSE NULL END,
       totp_secret_id = CASE WHEN $6 THEN NULL ELSE totp_secret_id END,
       totp_enabled_at = CASE WHEN $6 THEN NULL ELSE totp_enabled_at END,
       totp_last_step = CASE WHEN $6 THEN NULL ELSE totp_last_step END,
       updated_at = $7
     WHERE id = $1 RETURNING *`,
    [
      id,
      c.name ?? null,
      c.role ?? null,
      c.passwordHash ?? null,
      c.disabled ?? null,
      c.resetTotp ?? false,
      now,
    ],
  );
}

export async function recordTotpSecret(q: Queryable, id: string, secretId: string, now: Date): Promise<void> {
  await q.query("UPDATE staff_users SET totp_secret_id = $2, updated_at = $3 WHERE id = $1", [
    id,
    secretId,
    now,
  ]);
}

/**
 * A code was accepted at `step`: a later sign-in cannot reuse it. False when another request
 * (any process) has already used this step or a later one, so a code is never accepted twice.
 */
export async function recordTotpSuccess(q: Queryable, id: string, step: number, now: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE staff_users SET totp_last_step = $2, totp_enabled_at = COALESCE(totp_enabled_at, $3),
       last_login_at = $3, updated_at = $3
     WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
    [id, step, now],
  );
  return rowCount > 0;
}

export async function deleteStaffUser(q: Queryable, id: string): Promise<boolean> {
  await q.query("DELETE FROM staff_sessions WHERE user_id = $1", [id]);
  const { rowCount } = await q.query("DELETE FROM staff_users WHERE id = $1", [id]);
  return rowCount > 0;
}
