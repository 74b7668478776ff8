import type { Queryable } from "../db/db.js";
import { dailyWindow } from "@subtext/telecom/lanes";

/**
 * Lanes right now: queue depth, limit, recent throughput and today's daily-cap use (caps count
 * segments per brand and Pacific day, @subtext/telecom/lanes). For one tenant all its lanes; for
 * the platform the busiest (deepest queue, then highest cap use).
 */
export interface LaneNow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  kind: string;
  rate_kind: string;
  sender: string | null;
  mps: number;
  queued: number;
  held_reason: string | null;
  held_until: string | null;
  /** Segments per second completed over the last 5 minutes (sent ≈ completed within seconds). */
  recent_mps: number;
  daily_cap: number | null;
  cap_used: number;
  cap_percent: number | null;
  tmobile_daily_cap: number | null;
  tmobile_used: number;
}

const RECENT_SECONDS = 300;

export async function lanesNow(
  q: Queryable,
  r: { tenantId: string | null; now: Date; limit: number },
): Promise<LaneNow[]> {
  const day = dailyWindow(r.now).day;
  const { rows } = await q.query<
    LaneNow & {
      queued: string | number;
      cap_used: string | number;
      tmobile_used: string | number;
      recent: string | number;
    }
  >(
    `WITH depth AS (
       SELECT lane_id, count(*) AS queued FROM messages
       WHERE status = 'queued' AND ($1::text IS NULL OR tenant_id = $1) GROUP BY lane_id
     ), recent AS (
       SELECT lane_id, sum(segments) AS recent FROM messages
       WHERE completed_at >= $3 AND status IN ('delivered', 'undelivered') AND ($1::text IS NULL OR tenant_id = $1)
       GROUP BY lane_id
     ), candidates AS (
       SELECT l.id FROM lanes l WHERE $1::text IS NOT NULL AND l.tenant_id = $1
       UNION
       SELECT l.id FROM lanes l WHERE $1::text IS NULL AND l.id IN (SELECT lane_id FROM depth ORDER BY queued DESC LIMIT $4)
       UNION
       (SELECT l.id FROM lanes l JOIN brand_daily_usage u ON u.brand_id = l.brand_id AND u.day = $2::date
        WHERE $1::text IS NULL AND l.daily_cap > 0 ORDER BY u.segments::float8 / l.daily_cap DESC LIMIT $4)
     )
     SELECT c.id, c.tenant_id, t.name AS tenant_name, c.kind, c.rate_kind, c.sender, c.mps,
       c.held_reason, c.held_until, c.daily_cap, c.tmobile_daily_cap,
       COALESCE(d.queued, 0) AS queued, COALESCE(u.segments, 0) AS cap_used,
       COALESCE(u.tmobile_segments, 0) AS tmobile_used, COALESCE(rc.recent, 0) AS recent
     FROM candidates k
     JOIN lanes c ON c.id = k.id
     JOIN tenants t ON t.id = c.tenant_id
     LEFT JOIN depth d ON d.lane_id = c.id
     LEFT JOIN recent rc ON rc.lane_id = c.id
     LEFT JOIN brand_daily_usage u ON u.brand_id = c.brand_id AND u.day = $2::date
     ORDER BY COALESCE(d.queued, 0) DESC, c.id
     LIMIT $4`,
    [r.tenantId, day, new Date(r.now.getTime() - RECENT_SECONDS * 1000), r.limit],
  );
  return rows.map((row) => {
    const capUsed = Number(row.cap_used);
    return {
      id: row.id,
      tenant_id: row.tenant_id,
      tenant_name: row.tenant_name,
      kind: row.kind,
      rate_kind: row.rate_kind,
      sender: row.sender,
      mps: Number(row.mps),
      queued: Number(row.queued),
      held_reason: row.held_reason,
      held_until: row.held_until ? new Date(row.held_until).toISOString() : null,
      recent_mps: Math.round((Number(row.recent) / RECENT_SECONDS) * 100) / 100,
      daily_cap: row.daily_cap,
      cap_used: capUsed,
      cap_percent: row.daily_cap ? Math.round((capUsed / row.daily_cap) * 1000) / 10 : null,
      tmobile_daily_cap: row.tmobile_daily_cap,
      tmobile_used: Number(row.tmobile_used),
    };
  });
}
