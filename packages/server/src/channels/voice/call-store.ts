import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";

export interface CallRow {
  id: string;
  tenant_id: string;
  direction: "inbound" | "outbound";
  twilio_sid: string | null;
  from_number: string;
  to_number: string;
  flow_id: string | null;
  say: string | null;
  status: string;
  duration_seconds: number | null;
  price: string | null;
  error_code: number | null;
  error_message: string | null;
  answered_at: Date | null;
  ended_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

// ── calls ──

export function findCall(q: Queryable, tenantId: string, id: string): Promise<CallRow | null> {
  return q.maybeOne<CallRow>("SELECT * FROM calls WHERE id = $1 AND tenant_id = $2", [id, tenantId]);
}

export function callBySid(q: Queryable, tenantId: string, sid: string): Promise<CallRow | null> {
  return q.maybeOne<CallRow>("SELECT * FROM calls WHERE twilio_sid = $1 AND tenant_id = $2", [sid, tenantId]);
}

export async function listCalls(
  q: Queryable,
  tenantId: string,
  f: { status?: string; direction?: string; cursor?: string; limit: number },
) {
  const { rows } = await q.query<CallRow>(
    `SELECT * FROM calls WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR direction = $3) AND ($4::text IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [tenantId, f.status ?? null, f.direction ?? null, f.cursor ?? null, f.limit + 1],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

export function insertCall(
  q: Queryable,
  c: Pick<
    CallRow,
    "id" | "tenant_id" | "direction" | "from_number" | "to_number" | "flow_id" | "say" | "status"
  > & {
    twilio_sid?: string | null;
    now: Date;
  },
): Promise<CallRow | null> {
  return q.maybeOne<CallRow>(
    `INSERT INTO calls (id, tenant_id, direction, twilio_sid, from_number, to_number, flow_id, say, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
     ON CONFLICT (twilio_sid) DO NOTHING RETURNING *`,
    [
      c.id,
      c.tenant_id,
      c.direction,
      c.twilio_sid ?? null,
      c.from_number,
      c.to_number,
      c.flow_id,
      c.say,
      c.status,
      c.now,
    ],
  );
}

export function updateCall(
  q: Queryable,
  id: string,
  change: {
    twilio_sid?: string;
    status?: string;
    error_code?: number | null;
    error_message?: string | null;
    now: Date;
  },
): Promise<CallRow> {
  return q.one<CallRow>(
    `UPDATE calls SET twilio_sid = COALESCE($2, twilio_sid), status = COALESCE($3, status),
       error_code = COALESCE($4, error_code), error_message = COALESCE($5, error_message), updated_at = $6
     WHERE id = $1 RETURNING *`,
    [
      id,
      change.twilio_sid ?? null,
      change.status ?? null,
      change.error_code ?? null,
      change.error_message ?? null,
      change.now,
    ],
  );
}

export async function addCallEvent(
  q: Queryable,
  callId: string,
  e: { kind: string; node?: string | null; data?: Record<string, unknown>; at: Date },
): Promise<void> {
  await q.query(
    "INSERT INTO call_events (id, call_id, kind, node, data, at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
    [newId("cev"), callId, e.kind, e.node ?? null, JSON.stringify(e.data ?? {}), e.at],
  );
}

export interface CallEventRow {
  id: string;
  kind: string;
  node: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export interface RecordingRow {
  id: string;
  call_id: string;
  twilio_sid: string;
  node: string | null;
  url: string;
  duration_seconds: number;
  created_at: Date;
}

export interface TranscriptionRow {
  id: string;
  call_id: string;
  recording_sid: string;
  twilio_sid: string;
  status: string;
  text: string | null;
  created_at: Date;
}

export async function callDetails(q: Queryable, callId: string) {
  const [events, recordings, transcriptions] = await Promise.all([
    q.query<CallEventRow>("SELECT * FROM call_events WHERE call_id = $1 ORDER BY id", [callId]),
    q.query<RecordingRow>("SELECT * FROM call_recordings WHERE call_id = $1 ORDER BY id", [callId]),
    q.query<TranscriptionRow>("SELECT * FROM call_transcriptions WHERE call_id = $1 ORDER BY id", [callId]),
  ]);
  return { events: events.rows, recordings: recordings.rows, transcriptions: transcriptions.rows };
}

export function insertRecording(
  q: Queryable,
  r: {
    tenantId: string;
    callId: string;
    sid: string;
    node: string | null;
    url: string;
    duration: number;
    now: Date;
  },
): Promise<RecordingRow | null> {
  return q.maybeOne<RecordingRow>(
    `INSERT INTO call_recordings (id, tenant_id, call_id, twilio_sid, node, url, duration_seconds, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (twilio_sid) DO NOTHING RETURNING *`,
    [newId("rec"), r.tenantId, r.callId, r.sid, r.node, r.url, r.duration, r.now],
  );
}

export function insertTranscription(
  q: Queryable,
  t: {
    tenantId: string;
    callId: string;
    sid: string;
    recordingSid: string;
    status: string;
    text: string | null;
    now: Date;
  },
): Promise<TranscriptionRow | null> {
  return q.maybeOne<TranscriptionRow>(
    `INSERT INTO call_transcriptions (id, tenant_id, call_id, recording_sid, twilio_sid, status, text, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (twilio_sid) DO NOTHING RETURNING *`,
    [newId("trn"), t.tenantId, t.callId, t.recordingSid, t.sid, t.status, t.text, t.now],
  );
}
