/**
 * Lane leases: which worker dispatches which lane.
 *
 * Why a lease per lane rather than a shared counter (measured in docs/design/lanes.md): shaping
 * must be exact across workers. With a lease, one worker at a time owns a lane for a few
 * seconds and renews it while the lane has work; only the owner claims its messages, and
 * the token bucket (GCRA `tat_ms`) and the brand's daily counters are read and written in the same
 * transaction as the claim, under the lane's row lock. A new owner (after a crash or a lease
 * expiry) reads the bucket from the row and continues exactly: no burst, no lost budget. A shared
 * counter (every worker taking tokens from one row per send) gives the same exactness but
 * serializes every claim of a busy lane on one row across all workers and costs a round trip per
 * batch per worker; with leases, lanes spread over workers (SKIP LOCKED) and a busy lane costs one
 * short transaction per tick on one worker. The price: one lane's rate cannot exceed what one
 * worker can push (hundreds of requests per second at Twilio's ~100 ms latency, above any 10DLC
 * campaign's MPS), and after a crash a lane waits up to the lease time before another worker takes
 * it over.
 */
import type { Queryable } from "../../db/db.js";
import { addTimeline } from "../store/timeline.js";
import { markLanesDue } from "../store/messages.js";
import type { LaneRow } from "../store/lanes.js";

/**
 * Leases (or renews) up to `limit` lanes that have due work and are free, expired, or already
 * ours: our own first (a lane stays with its worker), then least recently dispatched first, so
 * every lane gets its turn (fair share between tenants: a lane's budget is its own, and no lane
 * waits behind another's backlog).
 *
 * Between workers: each holds at most its share of the lanes with work (those lanes divided by
 * the dispatchers seen alive within a lease time), and hands back what it holds beyond that, so
 * a worker that starts later gets lanes too and the calls to Twilio spread over the processes.
 */
export async function acquireLanes(
  q: Queryable,
  a: { workerId: string; now: Date; leaseUntil: Date; limit: number },
): Promise<LaneRow[]> {
  const leaseMs = a.leaseUntil.getTime() - a.now.getTime();
  const { workers, busy } = await q.one<{ workers: number; busy: number }>(
    `WITH seen AS (
       INSERT INTO dispatch_workers (worker_id, seen_at) VALUES ($1, $2)
       ON CONFLICT (worker_id) DO UPDATE SET seen_at = EXCLUDED.seen_at),
     gone AS (DELETE FROM dispatch_workers WHERE seen_at < $2::timestamptz - interval '1 day')
     SELECT
       (SELECT count(*)::int FROM dispatch_workers
        WHERE worker_id <> $1 AND seen_at > $2::timestamptz - $3 * interval '1 millisecond') + 1 AS workers,
       (SELECT count(*)::int FROM lanes WHERE next_due_at <= $2 AND (held_until IS NULL OR held_until <= $2)) AS busy`,
    [a.workerId, a.now, leaseMs],
  );
  const share = Math.min(a.limit, Math.max(1, Math.ceil(busy / workers)));
  // Beyond our share: give back the lanes we hold with the least work waiting, to whoever comes.
  await q.query(
    `UPDATE lanes SET lease_owner = NULL, lease_until = NULL
     WHERE id IN (
       SELECT id FROM lanes WHERE lease_owner = $1 AND lease_until > $2
       ORDER BY COALESCE(next_due_at <= $2, false) DESC, last_dispatch_at NULLS FIRST, id
       OFFSET $3)`,
    [a.workerId, a.now, share],
  );
  const { rows } = await q.query<LaneRow>(
    `WITH free AS (
       SELECT id FROM lanes
       WHERE next_due_at <= $2
         AND (held_until IS NULL OR held_until <= $2)
         AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until <= $2)
       ORDER BY (lease_owner IS NOT DISTINCT FROM $1) DESC, last_dispatch_at NULLS FIRST, id
       LIMIT $4
       FOR UPDATE SKIP LOCKED)
     UPDATE lanes l SET lease_owner = $1, lease_until = $3 FROM free WHERE l.id = free.id
     RETURNING l.*`,
    [a.workerId, a.now, a.leaseUntil, share],
  );
  return rows;
}

/** Gives up this worker's leases (shutdown), so another worker continues at once. */
export async function releaseLanes(q: Queryable, workerId: string): Promise<void> {
  await q.query("UPDATE lanes SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1", [workerId]);
  await q.query("DELETE FROM dispatch_workers WHERE worker_id = $1", [workerId]);
}

/** Scheduled messages whose time has come become queued (FIFO keeps their original place). */
export async function promoteScheduled(q: Queryable, now: Date, limit = 1000): Promise<number> {
  const { rows } = await q.query<{ id: string; lane_id: string; not_before: Date }>(
    `UPDATE messages m SET status = 'queued', updated_at = $1
     WHERE m.id IN (SELECT id FROM messages WHERE status = 'scheduled' AND not_before <= $1
                    ORDER BY not_before LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING m.id, m.lane_id, m.not_before`,
    [now, limit],
  );
  if (rows.length === 0) return 0;
  await markLanesDue(
    q,
    rows.map((r) => ({ laneId: r.lane_id, at: r.not_before })),
  );
  await addTimeline(
    q,
    rows.map((r) => ({ messageId: r.id, kind: "status" as const, name: "queued", at: now })),
  );
  return rows.length;
}

/**
 * Repairs the next-due hints from the messages themselves (the sweep): a lane whose hint is
 * missing or too late would otherwise wait; one too early only costs an empty claim.
 */
export async function recomputeLaneHints(q: Queryable): Promise<void> {
  await q.query(
    `UPDATE lanes l SET next_due_at = d.due
     FROM (SELECT lane_id, min(not_before) AS due FROM messages WHERE status = 'queued' GROUP BY lane_id) d
     WHERE l.id = d.lane_id AND (l.next_due_at IS NULL OR l.next_due_at > d.due)`,
  );
}

/** How long a lane whose tenant may not send waits before the gate is asked again. */
export const GATE_RECHECK_MS = 60_000;

/** Holds a lane whose tenant may not send any more (its registration suspended, failed…). */
export async function holdLane(q: Queryable, laneId: string, now: Date, reason: string): Promise<Date> {
  const until = new Date(now.getTime() + GATE_RECHECK_MS);
  await q.query(
    `UPDATE lanes SET held_until = GREATEST(COALESCE(held_until, $2), $2), held_reason = $3, updated_at = $4
     WHERE id = $1`,
    [laneId, until, reason, now],
  );
  return until;
}
