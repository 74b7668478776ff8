/** The `usage_drift` table: open and resolved differences between Subtext's usage and Twilio's. */
import type { Queryable } from "../db/db.js";
import type { DriftReason } from "./drift-compare.js";
import { decimal } from "./report.js";

export interface DriftRow {
  id: string;
  tenant_id: string;
  day: string;
  category: string;
  unit: "segments" | "messages";
  subtext_count: number;
  twilio_count: number;
  subtext_cost: string;
  twilio_price: string;
  reasons: DriftReason[];
  state: "open" | "resolved";
  detected_at: Date;
  checked_at: Date;
  resolved_at: Date | null;
  event_id: string | null;
}

const COLUMNS = `id, tenant_id, day::text AS day, category, unit, subtext_count::int8 AS subtext_count,
  twilio_count::int8 AS twilio_count, subtext_cost::text AS subtext_cost, twilio_price::text AS twilio_price,
  reasons, state, detected_at, checked_at, resolved_at, event_id`;

/** Rows as read: counts as numbers (bigint comes back as text on PostgreSQL), amounts canonical. */
function normalize(r: DriftRow): DriftRow {
  return {
    ...r,
    subtext_count: Number(r.subtext_count),
    twilio_count: Number(r.twilio_count),
    subtext_cost: decimal(r.subtext_cost),
    twilio_price: decimal(r.twilio_price),
  };
}

/** The open rows of a tenant over days, locked: the check decides which stay, change or go. */
export async function openDrift(
  q: Queryable,
  tenantId: string,
  from: string,
  to: string,
): Promise<DriftRow[]> {
  const { rows } = await q.query<DriftRow>(
    `SELECT ${COLUMNS} FROM usage_drift
     WHERE tenant_id = $1 AND state = 'open' AND day BETWEEN $2::date AND $3::date
     ORDER BY day, category FOR UPDATE`,
    [tenantId, from, to],
  );
  return rows.map(normalize);
}

export interface DriftValues {
  subtext_count: number;
  twilio_count: number;
  subtext_cost: string;
  twilio_price: string;
  reasons: DriftReason[];
}

export async function insertDrift(
  q: Queryable,
  d: DriftValues & {
    id: string;
    tenantId: string;
    day: string;
    category: string;
    unit: string;
    at: Date;
    eventId: string;
  },
): Promise<DriftRow> {
  const row = await q.one<DriftRow>(
    `INSERT INTO usage_drift (id, tenant_id, day, category, unit, subtext_count, twilio_count, subtext_cost,
       twilio_price, reasons, state, detected_at, checked_at, event_id)
     VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8::numeric, $9::numeric, $10::text[], 'open', $11, $11, $12)
     RETURNING ${COLUMNS}`,
    [
      d.id,
      d.tenantId,
      d.day,
      d.category,
      d.unit,
      d.subtext_count,
      d.twilio_count,
      d.subtext_cost,
      d.twilio_price,
      d.reasons,
      d.at,
      d.eventId,
    ],
  );
  return normalize(row);
}

/** A difference that persists: its latest figures (no new event). */
export async function updateDrift(q: Queryable, id: string, d: DriftValues, at: Date): Promise<void> {
  await q.query(
    `UPDATE usage_drift SET subtext_count = $2, twilio_count = $3, subtext_cost = $4::numeric,
       twilio_price = $5::numeric, reasons = $6::text[], checked_at = $7
     WHERE id = $1`,
    [id, d.subtext_count, d.twilio_count, d.subtext_cost, d.twilio_price, d.reasons, at],
  );
}

/** The two sides agree again: the row keeps the figures of the last check that found them apart. */
export async function resolveDrift(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query(
    "UPDATE usage_drift SET state = 'resolved', resolved_at = $2, checked_at = $2 WHERE id = $1",
    [id, at],
  );
}

export interface DriftFilter {
  tenantId: string | null;
  state?: "open" | "resolved";
  category?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** Newest first (by detection). */
export async function listDrift(
  q: Queryable,
  f: DriftFilter,
): Promise<{ items: DriftRow[]; hasMore: boolean }> {
  const { rows } = await q.query<DriftRow>(
    `SELECT ${COLUMNS} FROM usage_drift
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR state = $2)
       AND ($3::text IS NULL OR category = $3) AND ($4::date IS NULL OR day >= $4::date)
       AND ($5::date IS NULL OR day <= $5::date) AND ($6::text IS NULL OR id < $6)
     ORDER BY id DESC LIMIT $7`,
    [
      f.tenantId,
      f.state ?? null,
      f.category ?? null,
      f.from ?? null,
      f.to ?? null,
      f.cursor ?? null,
      f.limit + 1,
    ],
  );
  return { items: rows.slice(0, f.limit).map(normalize), hasMore: rows.length > f.limit };
}
