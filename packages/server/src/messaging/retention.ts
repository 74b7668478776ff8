/**
 * Retention: message bodies (and media URLs) are erased once older than the tenant's
 * `retention_days`; everything else (who, when, status, segments, price, metadata) is kept
 * for reporting and disputes. Messages still on their way are never touched. Runs daily.
 * The copy at Twilio is not redacted here (Twilio keeps its own logs per its retention policy).
 */
import type { Queryable } from "../db/db.js";

export async function redactExpiredBodies(q: Queryable, now: Date, chunk = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await q.query(
      `UPDATE messages SET body = NULL, media_urls = '[]'::jsonb, body_redacted_at = $1
       WHERE id IN (
         SELECT m.id FROM messages m JOIN messaging_settings s ON s.tenant_id = m.tenant_id
         WHERE s.retention_days IS NOT NULL AND m.body_redacted_at IS NULL
           AND m.status IN ('delivered', 'undelivered', 'failed', 'canceled', 'received')
           AND m.created_at < $1::timestamptz - make_interval(days => s.retention_days)
         LIMIT $2)`,
      [now, chunk],
    );
    total += rowCount;
    if (rowCount < chunk) return total;
  }
}
