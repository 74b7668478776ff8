import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "../db/db.js";

/**
 * Staff sign-in tokens. `stc_…` challenges (password accepted, TOTP pending) live 10 minutes;
 * `sts_…` sessions 12 hours, extended while used (idle timeout 2 hours). Only hashes are stored.
 */
export const CHALLENGE_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 3600_000;
export const SESSION_IDLE_MS = 2 * 3600_000;

export type SessionKind = "challenge" | "session";

export interface SessionRow {
  token_hash: string;
  user_id: string;
  kind: SessionKind;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export async function openSession(
  q: Queryable,
  s: { userId: string; kind: SessionKind; now: Date; userAgent?: string; ip?: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = `${s.kind === "session" ? "sts" : "stc"}_${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(s.now.getTime() + (s.kind === "session" ? SESSION_TTL_MS : CHALLENGE_TTL_MS));
  await q.query(
    `INSERT INTO staff_sessions (token_hash, user_id, kind, created_at, expires_at, last_seen_at, user_agent, ip)
     VALUES ($1, $2, $3, $4, $5, $4, $6, $7)`,
    [tokenHash(token), s.userId, s.kind, s.now, expiresAt, s.userAgent?.slice(0, 300) ?? null, s.ip ?? null],
  );
  return { token, expiresAt };
}

/** The live session or challenge for `token`, or null (unknown, expired, idle, revoked). */
export async function findLiveSession(
  q: Queryable,
  token: string,
  kind: SessionKind,
  now: Date,
): Promise<SessionRow | null> {
  const row = await q.maybeOne<SessionRow>(
    "SELECT * FROM staff_sessions WHERE token_hash = $1 AND kind = $2 AND revoked_at IS NULL AND expires_at > $3",
    [tokenHash(token), kind, now],
  );
  if (!row) return null;
  if (kind === "session" && row.last_seen_at && now.getTime() - row.last_seen_at.getTime() > SESSION_IDLE_MS)
    return null;
  return row;
}

/** Marks a session used; written at most once a minute so reads stay reads. */
export async function touchSession(q: Queryable, row: SessionRow, now: Date): Promise<void> {
  if (row.last_seen_at && now.getTime() - row.last_seen_at.getTime() < 60_000) return;
  await q.query("UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1", [row.token_hash, now]);
}

export async function revokeSession(q: Queryable, token: string, now: Date): Promise<void> {
  await q.query("UPDATE staff_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL", [
    tokenHash(token),
    now,
  ]);
}

/** Ends every session of a user (password change, role change, disable), but `keepToken`'s. */
export async function revokeUserSessions(
  q: Queryable,
  userId: string,
  now: Date,
  keepToken?: string,
): Promise<void> {
  await q.query(
    `UPDATE staff_sessions SET revoked_at = $2
     WHERE user_id = $1 AND revoked_at IS NULL AND ($3::text IS NULL OR token_hash <> $3)`,
    [userId, now, keepToken ? tokenHash(keepToken) : null],
  );
}
