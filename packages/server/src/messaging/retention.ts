/**
 * Retention: message bodies (and media URLs) are erased once older than the tenant's
 * `retention_days`; everything else (who, when, status, segments, price, metadata) is kept
 * for reporting and disputes, and the copies in the tenant's events are redacted alike. Messages
 * still on their way are never touched. Runs daily.
 * The copy at Twilio is not redacted here (Twilio keeps its own logs per its retention policy).
 */
import type { Queryable } from "../db/db.js";
import { redactMessageBodies } from "../events/retention.js";

export async function redactExpiredBodies(q: Queryable, now: Date, chunk = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await q.query<{ id: string }>(
      `UPDATE messages SET body = NULL, media_urls = '[]'::jsonb, body_redacted_at = $1
       WHERE id IN (
         SELECT m.id FROM messages m JOIN messaging_settings s ON s.tenant_id = m.tenant_id
         WHERE s.retention_days IS NOT NULL AND m.body_redacted_at IS NULL
           AND m.status IN ('delivered', 'undelivered', 'failed', 'canceled', 'received')
           AND m.created_at < $1::timestamptz - make_interval(days => s.retention_days)
         LIMIT $2)
       RETURNING id`,
      [now, chunk],
    );
    // The events about those messages carry the body too (GET /v1/events, replays): same fate.
    await redactMessageBodies(
      q,
      rows.map((r) => r.id),
    );
    total += rows.length;
    if (rows.length < chunk) return total;
  }
}
