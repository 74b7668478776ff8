/**
 * Retention of events, run by messaging's retention and partition jobs for messages and events
 * together: the partitioned table, what refers to a month of events from outside (removed
 * before that month is dropped), and the message bodies that events carry.
 */
import type { Queryable } from "../db/db.js";
import type { MonthPartitioned } from "../db/partitions.js";

export const EVENT_TABLES: MonthPartitioned[] = [{ parent: "events", key: "id", prefix: "evt_" }];

/** Deletes the deliveries (and their attempts) of events with ids in [from, to). */
export async function deleteDeliveriesOfEvents(tx: Queryable, [from, to]: string[]): Promise<void> {
  await tx.query(
    `DELETE FROM webhook_attempts WHERE delivery_id IN
       (SELECT id FROM webhook_deliveries WHERE event_id >= $1 AND event_id < $2)`,
    [from, to],
  );
  await tx.query("DELETE FROM webhook_deliveries WHERE event_id >= $1 AND event_id < $2", [from, to]);
}

/**
 * Redacts the message bodies that events carry (GET /v1/events, replays) once retention has
 * erased them from the messages themselves.
 */
export async function redactMessageBodies(q: Queryable, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await q.query(
    `UPDATE events SET data = jsonb_set(jsonb_set(jsonb_set(data,
         '{message,body}', 'null'), '{message,media_urls}', '[]'), '{message,body_redacted}', 'true')
     WHERE data ? 'message' AND (data #>> '{message,id}') = ANY ($1::text[])`,
    [messageIds],
  );
}
