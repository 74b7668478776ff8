import type { Queryable } from "../../db/db.js";

export type VerifyChannel = "sms" | "call" | "email" | "whatsapp";
export type VerificationStatus = "pending" | "approved" | "failed" | "expired" | "canceled";

export interface SendRecord {
  channel: VerifyChannel;
  at: string;
  /** requested: the caller asked; fallback: our policy switched to voice. */
  reason: "requested" | "fallback";
}

export interface VerificationRow {
  id: string;
  tenant_id: string;
  to_address: string;
  channel: VerifyChannel;
  status: VerificationStatus;
  twilio_sid: string | null;
  locale: string | null;
  client_ip: string | null;
  sends: SendRecord[];
  fallback_channel: string | null;
  fallback_at: Date | null;
  failure_code: string | null;
  check_attempts: number;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  approved_at: Date | null;
}

/** Verify's lifetime of a verification: it expires 10 minutes after it was started. */
export const VERIFICATION_LIFETIME_MS = 10 * 60_000;

export function findVerification(
  q: Queryable,
  tenantId: string,
  id: string,
): Promise<VerificationRow | null> {
  return q.maybeOne<VerificationRow>("SELECT * FROM verifications WHERE id = $1 AND tenant_id = $2", [
    id,
    tenantId,
  ]);
}

export function findPending(q: Queryable, tenantId: string, to: string): Promise<VerificationRow | null> {
  return q.maybeOne<VerificationRow>(
    "SELECT * FROM verifications WHERE tenant_id = $1 AND to_address = $2 AND status = 'pending' FOR UPDATE",
    [tenantId, to],
  );
}

export async function listVerifications(
  q: Queryable,
  tenantId: string,
  f: { to?: string; status?: VerificationStatus; cursor?: string; limit: number },
): Promise<{ rows: VerificationRow[]; hasMore: boolean }> {
  const { rows } = await q.query<VerificationRow>(
    `SELECT * FROM verifications WHERE tenant_id = $1
       AND ($2::text IS NULL OR to_address = $2) AND ($3::text IS NULL OR status = $3)
       AND ($4::text IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [tenantId, f.to ?? null, f.status ?? null, f.cursor ?? null, f.limit + 1],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export function insertVerification(
  q: Queryable,
  v: {
    id: string;
    tenantId: string;
    to: string;
    channel: VerifyChannel;
    twilioSid: string;
    locale: string | null;
    clientIp: string | null;
    send: SendRecord;
    now: Date;
  },
): Promise<VerificationRow> {
  return q.one<VerificationRow>(
    `INSERT INTO verifications (id, tenant_id, to_address, channel, status, twilio_sid, locale, client_ip, sends,
       expires_at, created_at, updated_at, fallback_channel, fallback_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8::jsonb, $9, $10, $10,
       CASE WHEN $11::boolean THEN $4 END, CASE WHEN $11::boolean THEN $10::timestamptz END) RETURNING *`,
    [
      v.id,
      v.tenantId,
      v.to,
      v.channel,
      v.twilioSid,
      v.locale,
      v.clientIp,
      JSON.stringify([v.send]),
      new Date(v.now.getTime() + VERIFICATION_LIFETIME_MS),
      v.now,
      v.send.reason === "fallback",
    ],
  );
}

/** One more send within the same lifecycle (a resend, or our fallback to voice). */
export function appendSend(q: Queryable, id: string, send: SendRecord, now: Date): Promise<VerificationRow> {
  const fallback = send.reason === "fallback";
  return q.one<VerificationRow>(
    `UPDATE verifications SET channel = $2, sends = sends || $3::jsonb, updated_at = $4,
       fallback_channel = CASE WHEN $5::boolean THEN $2 ELSE fallback_channel END,
       fallback_at = CASE WHEN $5::boolean THEN $4 ELSE fallback_at END
     WHERE id = $1 RETURNING *`,
    [id, send.channel, JSON.stringify([send]), now, fallback],
  );
}

/** Ends a pending lifecycle; null when it had already ended (so events fire once). */
export function finishVerification(
  q: Queryable,
  id: string,
  status: Exclude<VerificationStatus, "pending">,
  now: Date,
  failureCode: string | null = null,
): Promise<VerificationRow | null> {
  return q.maybeOne<VerificationRow>(
    `UPDATE verifications SET status = $2, failure_code = $3, updated_at = $4,
       approved_at = CASE WHEN $2 = 'approved' THEN $4 ELSE approved_at END
     WHERE id = $1 AND status = 'pending' RETURNING *`,
    [id, status, failureCode, now],
  );
}

export async function countWrongCheck(q: Queryable, id: string, now: Date): Promise<VerificationRow> {
  return q.one<VerificationRow>(
    "UPDATE verifications SET check_attempts = check_attempts + 1, updated_at = $2 WHERE id = $1 RETURNING *",
    [id, now],
  );
}
