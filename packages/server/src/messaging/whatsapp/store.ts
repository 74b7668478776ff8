import type { Queryable } from "../../db/db.js";
import type { OptInState, SessionFacts } from "@subtext/telecom/whatsapp/rules";

export interface SenderRow {
  id: string;
  tenant_id: string;
  phone_number: string;
  phone_number_sid: string;
  created_at: Date;
}

export interface SessionRow extends SessionFacts {
  tenant_id: string;
  sender: string;
  contact: string;
}

export interface OptInRow {
  tenant_id: string;
  contact: string;
  source: "api" | "inbound";
  evidence: string | null;
  opted_in_at: Date;
  revoked_at: Date | null;
}

// ── senders ──

export function insertSender(
  q: Queryable,
  s: Omit<SenderRow, "created_at"> & { now: Date },
): Promise<SenderRow> {
  return q.one<SenderRow>(
    `INSERT INTO whatsapp_senders (id, tenant_id, phone_number, phone_number_sid, created_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [s.id, s.tenant_id, s.phone_number, s.phone_number_sid, s.now],
  );
}

export async function listSenders(q: Queryable, tenantId: string): Promise<SenderRow[]> {
  const { rows } = await q.query<SenderRow>(
    "SELECT * FROM whatsapp_senders WHERE tenant_id = $1 ORDER BY id",
    [tenantId],
  );
  return rows;
}

export function findSender(q: Queryable, tenantId: string, id: string): Promise<SenderRow | null> {
  return q.maybeOne<SenderRow>("SELECT * FROM whatsapp_senders WHERE id = $1 AND tenant_id = $2", [
    id,
    tenantId,
  ]);
}

export function senderByNumber(q: Queryable, tenantId: string, phone: string): Promise<SenderRow | null> {
  return q.maybeOne<SenderRow>("SELECT * FROM whatsapp_senders WHERE tenant_id = $1 AND phone_number = $2", [
    tenantId,
    phone,
  ]);
}

// ── sessions ──

/** The contact wrote to `sender`: the window (re)opens from `at` (never moves backwards). */
export async function openSession(q: Queryable, tenantId: string, sender: string, contact: string, at: Date) {
  return q.one<SessionRow>(
    `INSERT INTO whatsapp_sessions AS s (tenant_id, sender, contact, last_inbound_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, sender, contact) DO UPDATE
       SET last_inbound_at = GREATEST(s.last_inbound_at, EXCLUDED.last_inbound_at)
     RETURNING *`,
    [tenantId, sender, contact, at],
  );
}

/** Twilio says the window is closed (63016): believe it until the contact writes again. */
export async function closeSession(
  q: Queryable,
  tenantId: string,
  sender: string,
  contact: string,
  at: Date,
) {
  await q.query(
    `UPDATE whatsapp_sessions SET closed_at = $4
     WHERE tenant_id = $1 AND sender = $2 AND contact = $3 AND last_inbound_at <= $4`,
    [tenantId, sender, contact, at],
  );
}

export function findSession(q: Queryable, tenantId: string, sender: string, contact: string) {
  return q.maybeOne<SessionRow>(
    "SELECT * FROM whatsapp_sessions WHERE tenant_id = $1 AND sender = $2 AND contact = $3",
    [tenantId, sender, contact],
  );
}

/** The sender the contact wrote to most recently (replies go back the way the contact came). */
export function latestSession(q: Queryable, tenantId: string, contact: string) {
  return q.maybeOne<SessionRow>(
    `SELECT s.* FROM whatsapp_sessions s
     JOIN whatsapp_senders w ON w.tenant_id = s.tenant_id AND w.phone_number = s.sender
     WHERE s.tenant_id = $1 AND s.contact = $2 ORDER BY s.last_inbound_at DESC LIMIT 1`,
    [tenantId, contact],
  );
}

export async function listSessions(
  q: Queryable,
  tenantId: string,
  f: { contact?: string; limit: number },
): Promise<SessionRow[]> {
  const { rows } = await q.query<SessionRow>(
    `SELECT * FROM whatsapp_sessions WHERE tenant_id = $1 AND ($2::text IS NULL OR contact = $2)
     ORDER BY last_inbound_at DESC LIMIT $3`,
    [tenantId, f.contact ?? null, f.limit],
  );
  return rows;
}

// ── opt-ins ──

export async function optInState(q: Queryable, tenantId: string, contact: string): Promise<OptInState> {
  const row = await q.maybeOne<OptInRow>(
    "SELECT * FROM whatsapp_opt_ins WHERE tenant_id = $1 AND contact = $2",
    [tenantId, contact],
  );
  if (!row) return "none";
  return row.revoked_at ? "revoked" : "active";
}

/** Records (or restores) an opt-in; keeps the first evidence of an opt-in that is still active. */
export function recordOptIn(
  q: Queryable,
  o: { tenantId: string; contact: string; source: OptInRow["source"]; evidence: string | null; at: Date },
): Promise<OptInRow> {
  return q.one<OptInRow>(
    `INSERT INTO whatsapp_opt_ins AS o (tenant_id, contact, source, evidence, opted_in_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, contact) DO UPDATE SET
       source = CASE WHEN o.revoked_at IS NULL THEN o.source ELSE EXCLUDED.source END,
       evidence = CASE WHEN o.revoked_at IS NULL THEN o.evidence ELSE EXCLUDED.evidence END,
       opted_in_at = CASE WHEN o.revoked_at IS NULL THEN o.opted_in_at ELSE EXCLUDED.opted_in_at END,
       revoked_at = NULL
     RETURNING *`,
    [o.tenantId, o.contact, o.source, o.evidence, o.at],
  );
}

/** Implicit opt-in from a message, unless the contact opted out before (only START or the API undo that). */
export async function implicitOptIn(
  q: Queryable,
  tenantId: string,
  contact: string,
  evidence: string | null,
  at: Date,
) {
  await q.query(
    `INSERT INTO whatsapp_opt_ins (tenant_id, contact, source, evidence, opted_in_at) VALUES ($1, $2, 'inbound', $3, $4)
     ON CONFLICT (tenant_id, contact) DO NOTHING`,
    [tenantId, contact, evidence, at],
  );
}

export function revokeOptIn(
  q: Queryable,
  tenantId: string,
  contact: string,
  at: Date,
): Promise<OptInRow | null> {
  return q.maybeOne<OptInRow>(
    `UPDATE whatsapp_opt_ins SET revoked_at = COALESCE(revoked_at, $3)
     WHERE tenant_id = $1 AND contact = $2 RETURNING *`,
    [tenantId, contact, at],
  );
}

export async function listOptIns(
  q: Queryable,
  tenantId: string,
  f: { cursor?: string; limit: number },
): Promise<{ rows: OptInRow[]; hasMore: boolean }> {
  const { rows } = await q.query<OptInRow>(
    `SELECT * FROM whatsapp_opt_ins WHERE tenant_id = $1 AND ($2::text IS NULL OR contact > $2)
     ORDER BY contact LIMIT $3`,
    [tenantId, f.cursor ?? null, f.limit + 1],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}
