/**
 * The SQL that counts messages in a time window, shared by the rollup job (which adds a window
 * to the hourly tables) and by reads (which count the live tail after the rollup). One place,
 * so the rollups and the tail can never count differently.
 *
 * - accepted/segments: outbound messages by created_at (when we accepted them, status queued);
 * - outcomes: by completed_at (final status reached) — delivered, undelivered, failed, received;
 * - errors: Twilio codes of undelivered and failed messages, by completed_at;
 * - latency: queued → delivered (from send_at for scheduled messages), as histogram buckets.
 */
import { bucketSql } from "./latency.js";

/** Buckets align on UTC midnight, so hours and days line up with the rollups. */
export const ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

export type WindowPart = "counts" | "outcomes" | "errors" | "latency";

/**
 * SELECTs over messages in [$from, $to) returning (tenant_id, t, key, a, b, c, d): `t` the
 * bucket (date_bin of `bucket`, a SQL interval expression), `key` the error code or latency
 * bucket. `tenantFilter` is a SQL condition on messages (e.g. "tenant_id = $4") or "true".
 */
export function windowSelect(
  part: WindowPart,
  bucket: string,
  from: string,
  to: string,
  tenantFilter: string,
): string {
  const bin = (col: string) => `date_bin(${bucket}, ${col}, ${ORIGIN})`;
  switch (part) {
    case "counts":
      return `SELECT tenant_id, ${bin("created_at")} AS t, 0 AS key, count(*) AS a, sum(segments) AS b, 0 AS c, 0 AS d
        FROM messages WHERE created_at >= ${from} AND created_at < ${to} AND direction = 'outbound' AND ${tenantFilter}
        GROUP BY 1, 2`;
    case "outcomes":
      return `SELECT tenant_id, ${bin("completed_at")} AS t, 0 AS key,
          count(*) FILTER (WHERE status = 'delivered') AS a, count(*) FILTER (WHERE status = 'undelivered') AS b,
          count(*) FILTER (WHERE status = 'failed') AS c, count(*) FILTER (WHERE status = 'received') AS d
        FROM messages WHERE completed_at >= ${from} AND completed_at < ${to} AND ${tenantFilter}
          AND status IN ('delivered', 'undelivered', 'failed', 'received')
        GROUP BY 1, 2`;
    case "errors":
      return `SELECT tenant_id, ${bin("completed_at")} AS t, error_code AS key, count(*) AS a, 0 AS b, 0 AS c, 0 AS d
        FROM messages WHERE completed_at >= ${from} AND completed_at < ${to} AND ${tenantFilter}
          AND status IN ('undelivered', 'failed') AND error_code IS NOT NULL
        GROUP BY 1, 2, 3`;
    case "latency":
      return `SELECT tenant_id, ${bin("completed_at")} AS t,
          ${bucketSql("extract(epoch FROM completed_at - GREATEST(created_at, COALESCE(send_at, created_at))) * 1000")} AS key,
          count(*) AS a, 0 AS b, 0 AS c, 0 AS d
        FROM messages WHERE completed_at >= ${from} AND completed_at < ${to} AND ${tenantFilter} AND status = 'delivered'
        GROUP BY 1, 2, 3`;
  }
}
