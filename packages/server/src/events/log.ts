import type { Queryable } from "../db/db.js";
import type { EventRow } from "./deliver.js";

/** Reading events and the delivery log (for the API and the dashboard). */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export async function listEvents(
  q: Queryable,
  f: { tenantId: string | null; type?: string; after?: Date; cursor?: string; limit: number },
): Promise<Page<EventRow>> {
  const { rows } = await q.query<EventRow>(
    `SELECT * FROM events
     WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR type = $2)
       AND ($3::timestamptz IS NULL OR created_at > $3) AND ($4::text IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [f.tenantId, f.type ?? null, f.after ?? null, f.cursor ?? null, f.limit + 1],
  );
  return { items: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export function findEvent(q: Queryable, id: string): Promise<EventRow | null> {
  return q.maybeOne<EventRow>("SELECT * FROM events WHERE id = $1", [id]);
}

export interface DeliveryLogRow {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  tenant_id: string;
  ordering_key: string | null;
  replay: boolean;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  blocked_by: string | null;
  created_at: Date;
  completed_at: Date | null;
  attempt_log: {
    attempt: number;
    started_at: string;
    status_code: number | null;
    latency_ms: number;
    error: string | null;
    response_excerpt: string | null;
  }[];
}

const DELIVERY_LOG = `
  SELECT d.id, d.event_id, e.type AS event_type, d.endpoint_id, d.tenant_id, d.ordering_key, d.replay, d.status,
    d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status_code, d.last_latency_ms, d.last_error,
    d.blocked_by, d.created_at, d.completed_at,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'started_at', a.started_at,
                'status_code', a.status_code, 'latency_ms', a.latency_ms, 'error', a.error,
                'response_excerpt', a.response_excerpt) ORDER BY a.attempt)
              FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS attempt_log
  FROM webhook_deliveries d JOIN events e ON e.id = d.event_id`;

export async function listDeliveries(
  q: Queryable,
  f: { endpointId: string; status?: string; cursor?: string; limit: number },
): Promise<Page<DeliveryLogRow>> {
  const { rows } = await q.query<DeliveryLogRow>(
    `${DELIVERY_LOG}
     WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::text IS NULL OR d.id < $3)
     ORDER BY d.id DESC LIMIT $4`,
    [f.endpointId, f.status ?? null, f.cursor ?? null, f.limit + 1],
  );
  return { items: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export async function deliveriesOfEvent(q: Queryable, eventId: string): Promise<DeliveryLogRow[]> {
  const { rows } = await q.query<DeliveryLogRow>(`${DELIVERY_LOG} WHERE d.event_id = $1 ORDER BY d.id`, [
    eventId,
  ]);
  return rows;
}
