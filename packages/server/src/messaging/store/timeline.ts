import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";

/**
 * A message's timeline (`message_events`): each status once, plus attempts and notes. The
 * unique index on (message_id, name) for statuses makes replayed callbacks add nothing.
 */
export interface TimelineEntry {
  messageId: string;
  kind: "status" | "attempt" | "note";
  name: string;
  at: Date;
  data?: Record<string, unknown>;
}

export interface TimelineRow {
  id: string;
  message_id: string;
  kind: "status" | "attempt" | "note";
  name: string;
  at: Date;
  data: Record<string, unknown>;
}

/** Adds entries; returns how many were new (a status already recorded is skipped). */
export async function addTimeline(q: Queryable, entries: TimelineEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { rowCount } = await q.query(
    `INSERT INTO message_events (id, message_id, kind, name, at, data)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
     ON CONFLICT (message_id, name) WHERE kind = 'status' DO NOTHING`,
    [
      entries.map(() => newId("mev")),
      entries.map((e) => e.messageId),
      entries.map((e) => e.kind),
      entries.map((e) => e.name),
      entries.map((e) => e.at.toISOString()),
      entries.map((e) => JSON.stringify(e.data ?? {})),
    ],
  );
  return rowCount;
}

export async function timelineOf(q: Queryable, messageId: string): Promise<TimelineRow[]> {
  const { rows } = await q.query<TimelineRow>(
    "SELECT * FROM message_events WHERE message_id = $1 ORDER BY at, id",
    [messageId],
  );
  return rows;
}
