import type { Db, Queryable } from "../../db/db.js";
import { emitEvent } from "../../events/emit.js";
import type { MessageStatus } from "../status.js";
import { messageView } from "../view.js";
import { addTimeline } from "./timeline.js";

/** One row of `messages` (outbound and inbound). */
export interface MessageRow {
  id: string;
  tenant_id: string;
  direction: "outbound" | "inbound";
  channel: string;
  status: MessageStatus;
  lane_id: string | null;
  to_number: string;
  from_number: string | null;
  messaging_service_sid: string | null;
  body: string | null;
  media_urls: string[];
  content_sid: string | null;
  content_variables: Record<string, string> | null;
  segments: number;
  encoding: string;
  smart_encoded: boolean;
  segments_saved: number;
  /** Twilio's ValidityPeriod asked for (seconds); null: Twilio's default. */
  validity_period: number | null;
  price_estimate: string | null;
  metadata: Record<string, unknown> | null;
  idempotency_key: string | null;
  request_hash: string | null;
  send_at: Date | null;
  not_before: Date;
  held_reason: string | null;
  attempts: number;
  twilio_sid: string | null;
  twilio_status: string | null;
  error_code: number | null;
  error_message: string | null;
  usage_recorded: boolean;
  status_checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  completed_at: Date | null;
  body_redacted_at: Date | null;
}

/** A new outbound message, ready to insert. */
export interface NewMessage {
  id: string;
  tenantId: string;
  laneId: string;
  channel: string;
  status: "queued" | "scheduled";
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  segments: number;
  encoding: string;
  smartEncoded: boolean;
  segmentsSaved: number;
  validityPeriod: number | null;
  priceEstimate: string | null;
  metadata: Record<string, unknown> | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  sendAt: Date | null;
  notBefore: Date;
  createdAt: Date;
}

/**
 * Inserts many messages with ONE statement (one array parameter per column, `unnest`), whatever
 * their number: the send path's group commit and the batch endpoint both come through here.
 * A message whose idempotency key already exists is skipped; the ids actually inserted return.
 * The key is claimed in message_idempotency_keys in the same statement (the unique index that
 * used to do it cannot exist on the partitioned table): a key another transaction holds waits
 * for it, then is skipped if it committed, as ON CONFLICT did.
 */
export async function insertMessages(q: Queryable, rows: NewMessage[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const col = <T>(f: (r: NewMessage) => T) => rows.map(f);
  const { rows: inserted } = await q.query<{ id: string }>(
    `WITH u AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::int[], $12::text[], $13::boolean[], $14::int[],
         $15::text[], $16::text[], $17::text[], $18::text[], $19::timestamptz[], $20::timestamptz[],
         $21::timestamptz[], $22::text[], $23::text[], $24::int[])
         AS u(id, tenant_id, lane_id, channel, status, to_number, from_number, mg, body, media, segments,
           encoding, smart, saved, price, metadata, ikey, rhash, send_at, not_before, created_at,
           content_sid, content_variables, validity)),
     claimed AS (
       INSERT INTO message_idempotency_keys (tenant_id, idempotency_key, message_id)
       SELECT tenant_id, ikey, id FROM u WHERE ikey IS NOT NULL
       ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
       RETURNING message_id)
     INSERT INTO messages (id, tenant_id, lane_id, direction, channel, status, to_number, from_number,
       messaging_service_sid, body, media_urls, segments, encoding, smart_encoded, segments_saved,
       price_estimate, metadata, idempotency_key, request_hash, send_at, not_before, created_at, updated_at,
       content_sid, content_variables, validity_period)
     SELECT u.id, u.tenant_id, u.lane_id, 'outbound', u.channel, u.status, u.to_number, u.from_number,
       u.mg, u.body, u.media::jsonb, u.segments, u.encoding, u.smart, u.saved,
       u.price::numeric, u.metadata::jsonb, u.ikey, u.rhash, u.send_at, u.not_before, u.created_at, u.created_at,
       u.content_sid, u.content_variables::jsonb, u.validity
     FROM u WHERE u.ikey IS NULL OR u.id IN (SELECT message_id FROM claimed)
     RETURNING id`,
    [
      col((r) => r.id),
      col((r) => r.tenantId),
      col((r) => r.laneId),
      col((r) => r.channel),
      col((r) => r.status),
      col((r) => r.to),
      col((r) => r.from),
      col((r) => r.messagingServiceSid),
      col((r) => r.body),
      col((r) => JSON.stringify(r.mediaUrls)),
      col((r) => r.segments),
      col((r) => r.encoding),
      col((r) => r.smartEncoded),
      col((r) => r.segmentsSaved),
      col((r) => r.priceEstimate),
      col((r) => (r.metadata === null ? null : JSON.stringify(r.metadata))),
      col((r) => r.idempotencyKey),
      col((r) => r.requestHash),
      col((r) => r.sendAt?.toISOString() ?? null),
      col((r) => r.notBefore.toISOString()),
      col((r) => r.createdAt.toISOString()),
      col((r) => r.contentSid),
      col((r) => (r.contentVariables === null ? null : JSON.stringify(r.contentVariables))),
      col((r) => r.validityPeriod),
    ],
  );
  return new Set(inserted.map((r) => r.id));
}

export async function findByIdempotencyKeys(
  q: Queryable,
  keys: { tenantId: string; key: string }[],
): Promise<MessageRow[]> {
  if (keys.length === 0) return [];
  // The keys first (usually none are found: new sends), then their messages by id, which prunes
  // to the months they were made in.
  const { rows: found } = await q.query<{ message_id: string }>(
    `SELECT i.message_id FROM message_idempotency_keys i
     JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, ikey) ON i.tenant_id = k.tenant_id AND i.idempotency_key = k.ikey`,
    [keys.map((k) => k.tenantId), keys.map((k) => k.key)],
  );
  if (found.length === 0) return [];
  const { rows } = await q.query<MessageRow>("SELECT * FROM messages WHERE id = ANY($1::text[])", [
    found.map((f) => f.message_id),
  ]);
  return rows;
}

export function findMessage(q: Queryable, tenantId: string, id: string): Promise<MessageRow | null> {
  return q.maybeOne<MessageRow>("SELECT * FROM messages WHERE id = $1 AND tenant_id = $2", [id, tenantId]);
}

/** By SID through message_sids, so that one month is read, not every month's index. */
export function findByTwilioSid(q: Queryable, tenantId: string, sid: string): Promise<MessageRow | null> {
  return q.maybeOne<MessageRow>(
    `SELECT * FROM messages
     WHERE id = (SELECT message_id FROM message_sids WHERE twilio_sid = $1) AND tenant_id = $2`,
    [sid, tenantId],
  );
}

export interface MessageFilter {
  status?: MessageStatus;
  to?: string;
  from?: string;
  after?: Date;
  before?: Date;
  /** The last id of the previous page (newest first). */
  cursor?: string;
  limit: number;
}

/** Newest first, paged by id (ids are time-ordered). */
export async function listMessages(
  q: Queryable,
  tenantId: string,
  f: MessageFilter,
): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
  const { rows } = await q.query<MessageRow>(
    `SELECT * FROM messages
     WHERE tenant_id = $1
       AND ($2::text IS NULL OR id < $2)
       AND ($3::text IS NULL OR status = $3)
       AND ($4::text IS NULL OR to_number = $4)
       AND ($5::text IS NULL OR from_number = $5)
       AND ($6::timestamptz IS NULL OR created_at >= $6)
       AND ($7::timestamptz IS NULL OR created_at < $7)
     ORDER BY id DESC LIMIT $8`,
    [
      tenantId,
      f.cursor ?? null,
      f.status ?? null,
      f.to ?? null,
      f.from ?? null,
      f.after ?? null,
      f.before ?? null,
      f.limit + 1,
    ],
  );
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/** Cancels a message that has not been handed to Twilio; null when it is too late (or missing). */
export async function cancelMessage(
  db: Db,
  tenantId: string,
  id: string,
  now: Date,
): Promise<MessageRow | null> {
  return db.tx(async (tx) => {
    const row = await tx.maybeOne<MessageRow>(
      `UPDATE messages SET status = 'canceled', updated_at = $3, completed_at = $3
       WHERE id = $1 AND tenant_id = $2 AND status IN ('queued', 'scheduled') RETURNING *`,
      [id, tenantId, now],
    );
    if (row) {
      await addTimeline(tx, [
        { messageId: id, kind: "status", name: "canceled", at: now, data: { source: "api" } },
      ]);
      await emitEvent(tx, {
        tenantId,
        type: "message.canceled",
        data: { message: messageView(row) },
        orderingKey: id,
      });
    }
    return row;
  });
}

/**
 * Cancels every message still waiting on a lane that will never send again (its campaign was
 * deleted): status `canceled` with the reason in the timeline and in `message.canceled`.
 */
export async function cancelLaneQueue(
  db: Db,
  lane: { id: string; tenant_id: string },
  now: Date,
  reason: string,
): Promise<number> {
  return db.tx(async (tx) => {
    const { rows } = await tx.query<MessageRow>(
      `UPDATE messages SET status = 'canceled', updated_at = $3, completed_at = $3, held_reason = $4
       WHERE lane_id = $1 AND tenant_id = $2 AND status IN ('queued', 'scheduled') RETURNING *`,
      [lane.id, lane.tenant_id, now, reason],
    );
    // Nothing will be due on this lane any more: the dispatcher stops looking at it.
    await tx.query(
      `UPDATE lanes SET next_due_at = (SELECT min(not_before) FROM messages WHERE lane_id = $1 AND status = 'queued')
       WHERE id = $1`,
      [lane.id],
    );
    if (rows.length === 0) return 0;
    await addTimeline(
      tx,
      rows.map((row) => ({
        messageId: row.id,
        kind: "status",
        name: "canceled",
        at: now,
        data: { source: "system", reason },
      })),
    );
    for (const row of rows) {
      await emitEvent(tx, {
        tenantId: row.tenant_id,
        type: "message.canceled",
        data: { message: messageView(row), reason },
        orderingKey: row.id,
      });
    }
    return rows.length;
  });
}

/** Lowers each lane's next-due hint so the dispatcher looks at it again by `due`. */
export async function markLanesDue(q: Queryable, due: { laneId: string; at: Date }[]): Promise<void> {
  if (due.length === 0) return;
  const earliest = new Map<string, Date>();
  for (const d of due) {
    const seen = earliest.get(d.laneId);
    if (!seen || d.at < seen) earliest.set(d.laneId, d.at);
  }
  await q.query(
    `UPDATE lanes l SET next_due_at = v.due
     FROM unnest($1::text[], $2::timestamptz[]) AS v(id, due)
     WHERE l.id = v.id AND (l.next_due_at IS NULL OR l.next_due_at > v.due)`,
    [[...earliest.keys()], [...earliest.values()].map((d) => d.toISOString())],
  );
}
