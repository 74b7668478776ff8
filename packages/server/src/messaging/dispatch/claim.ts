/**
 * Claiming a lane's next messages, in one short transaction under the lane's row lock:
 * FIFO (by id) among the due ones, as many SEGMENTS as the lane's token bucket allows, within
 * the brand's daily caps (Pacific day), skipping recipients inside quiet hours. Each claimed
 * message becomes `sending` with a pending attempt row BEFORE Twilio is called, so a crash
 * after the call is detectable (then reconciled, never blindly resent).
 */
import type { Db } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { type GcraState, dailyWindow, gcraAvailable, gcraTake } from "@subtext/telecom/lanes";
import { type QuietHours, quietHoursEnd, recipientTimeZone } from "@subtext/telecom/quiet-hours";
import type { LaneRow } from "../store/lanes.js";

export interface ClaimedMessage {
  id: string;
  tenant_id: string;
  lane_id: string;
  to_number: string;
  from_number: string | null;
  messaging_service_sid: string | null;
  body: string;
  media_urls: string[];
  content_sid: string | null;
  content_variables: Record<string, string> | null;
  channel: string;
  smart_encoded: boolean;
  /** Seconds Twilio may keep the message queued (ValidityPeriod); null: Twilio's default. */
  validity_period: number | null;
  segments: number;
  attempts: number;
  attemptId: string;
  /** Whether the segments counted toward T-Mobile's daily cap (to refund them if not sent). */
  tmobile: boolean;
  day: string;
  brandId: string | null;
}

type Candidate = Omit<ClaimedMessage, "attemptId" | "tmobile" | "day" | "brandId">;

export interface ClaimResult {
  claimed: ClaimedMessage[];
  /** The lane as the claim left it (bucket, hold, next-due hint), for the dispatcher's cache. */
  lane?: LaneRow;
  /** The lane was not ours any more (lease lost): nothing claimed. */
  lost: boolean;
  /**
   * The bucket refused the next message (its segments need more than has refilled): no claim
   * can take it sooner than this many ms from now, so the dispatcher waits instead of asking.
   */
  refillMs?: number;
}

const T_MOBILE = /t-mobile/i;

export async function claimLane(
  db: Db,
  a: {
    laneId: string;
    workerId: string;
    now: Date;
    maxMessages: number;
    quietHours: QuietHours | null;
    /** T-Mobile's cap is counted only for tenants that look carriers up. */
    carrierLookup: boolean;
  },
): Promise<ClaimResult> {
  return db.tx(async (tx) => {
    const { now } = a;
    const lane = await tx.maybeOne<LaneRow>(
      "SELECT * FROM lanes WHERE id = $1 AND lease_owner = $2 AND lease_until > $3 FOR UPDATE",
      [a.laneId, a.workerId, now],
    );
    if (!lane) return { claimed: [], lost: true };
    if (lane.held_until && lane.held_until > now) return { claimed: [], lost: false, lane };

    const throttle = { mps: lane.mps, burst: lane.burst };
    let state: GcraState | null = lane.tat_ms === null ? null : { tat: lane.tat_ms };
    // A message longer than the burst still goes once the bucket is full (gcraTake), so ask for one.
    const room = Math.min(a.maxMessages, Math.max(1, gcraAvailable(state, now.getTime(), throttle)));
    // Messages held back (quiet hours, T-Mobile's cap) must not use up the look-ahead.
    const mayHold = a.quietHours !== null || (a.carrierLookup && lane.tmobile_daily_cap !== null);
    const limit = mayHold ? room + 50 : room;
    const { rows: candidates } = await tx.query<Candidate>(
      `SELECT id, tenant_id, lane_id, to_number, from_number, messaging_service_sid, body, media_urls, content_sid,
         content_variables, channel, smart_encoded, validity_period, segments, attempts
       FROM messages WHERE lane_id = $1 AND status = 'queued' AND not_before <= $2
       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [lane.id, now, limit],
    );

    const window = dailyWindow(now);
    const capped =
      lane.brand_id !== null &&
      (lane.daily_cap !== null || (a.carrierLookup && lane.tmobile_daily_cap !== null));
    const usage = capped
      ? await brandUsage(tx, lane.brand_id!, window.day)
      : { segments: 0, tmobile_segments: 0 };
    const tmobile =
      a.carrierLookup && lane.tmobile_daily_cap !== null
        ? await tmobileRecipients(tx, candidates)
        : new Set<string>();

    const take: ClaimedMessage[] = [];
    const holds: { id: string; until: Date; reason: string }[] = [];
    let capReached = false;
    let refillMs: number | undefined;
    for (const c of candidates) {
      if (a.quietHours) {
        const end = quietHoursEnd(now, recipientTimeZone(c.to_number), a.quietHours);
        if (end) {
          holds.push({ id: c.id, until: end, reason: "quiet_hours" });
          continue;
        }
      }
      if (lane.daily_cap !== null && usage.segments + c.segments > lane.daily_cap) {
        capReached = true; // FIFO: nothing later may overtake the message that hit the cap
        break;
      }
      const toTmobile = tmobile.has(c.to_number);
      if (toTmobile && usage.tmobile_segments + c.segments > lane.tmobile_daily_cap!) {
        holds.push({ id: c.id, until: window.resets_at, reason: "tmobile_daily_cap" });
        continue;
      }
      const decision = take.length < room ? gcraTake(state, now.getTime(), c.segments, throttle) : null;
      if (!decision?.allowed) {
        if (decision) refillMs = decision.retry_after_ms;
        break;
      }
      state = decision.state;
      usage.segments += c.segments;
      if (toTmobile) usage.tmobile_segments += c.segments;
      take.push({
        ...c,
        attemptId: newId("att"),
        tmobile: toTmobile,
        day: window.day,
        brandId: lane.brand_id,
      });
    }

    if (take.length > 0) {
      await tx.query(
        `WITH sending AS (
           UPDATE messages SET status = 'sending', attempts = attempts + 1, held_reason = NULL, updated_at = $5
           WHERE id = ANY($2::text[]))
         INSERT INTO message_attempts (id, message_id, tenant_id, n, worker_id, outcome, started_at, tmobile)
         SELECT u.id, u.message_id, u.tenant_id, u.n, $4, 'pending', $5, u.tmobile
         FROM unnest($1::text[], $2::text[], $3::text[], $6::int[], $7::boolean[])
           AS u(id, message_id, tenant_id, n, tmobile)`,
        [
          take.map((t) => t.attemptId),
          take.map((t) => t.id),
          take.map((t) => t.tenant_id),
          a.workerId,
          now,
          take.map((t) => t.attempts + 1),
          take.map((t) => t.tmobile),
        ],
      );
    }
    if (holds.length > 0) {
      await tx.query(
        `UPDATE messages m SET not_before = h.until, held_reason = h.reason, updated_at = $4
         FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS h(id, until, reason)
         WHERE m.id = h.id AND m.id = ANY($1::text[])`,
        [holds.map((h) => h.id), holds.map((h) => h.until.toISOString()), holds.map((h) => h.reason), now],
      );
    }
    if (capReached) {
      // Over the brand's daily cap: the rest waits for the next Pacific day instead of failing.
      await tx.query(
        `UPDATE messages SET held_reason = 'daily_cap', not_before = GREATEST(not_before, $3), updated_at = $2
         WHERE lane_id = $1 AND status = 'queued' AND not_before < $3`,
        [lane.id, now, window.resets_at],
      );
    }
    // The bucket, the brand's counters and the lane's next-due hint, in one statement.
    const after = await tx.one<{ next_due_at: Date | null }>(
      `WITH counted AS (
         UPDATE brand_daily_usage SET segments = $7, tmobile_segments = $8
         WHERE $9::boolean AND brand_id = $6 AND day = $10::date)
       UPDATE lanes SET tat_ms = $2, last_dispatch_at = $3, held_until = $4, held_reason = $5,
         next_due_at = COALESCE($4, (SELECT min(not_before) FROM messages WHERE lane_id = $1 AND status = 'queued'))
       WHERE id = $1 RETURNING next_due_at`,
      [
        lane.id,
        state?.tat ?? null,
        now,
        capReached ? window.resets_at : null,
        capReached ? "daily_cap" : null,
        lane.brand_id,
        usage.segments,
        usage.tmobile_segments,
        capped && take.length > 0,
        window.day,
      ],
    );
    lane.tat_ms = state?.tat ?? null;
    lane.held_until = capReached ? window.resets_at : null;
    lane.held_reason = capReached ? "daily_cap" : null;
    lane.next_due_at = after.next_due_at;
    return { claimed: take, lost: false, lane, refillMs };
  });
}

async function brandUsage(
  tx: Pick<Db, "one">,
  brandId: string,
  day: string,
): Promise<{ segments: number; tmobile_segments: number }> {
  // An upsert that changes nothing still locks the row: one statement to create, lock and read.
  return tx.one(
    `INSERT INTO brand_daily_usage (brand_id, day) VALUES ($1, $2::date)
     ON CONFLICT (brand_id, day) DO UPDATE SET segments = brand_daily_usage.segments
     RETURNING segments, tmobile_segments`,
    [brandId, day],
  );
}

/** Recipients whose carrier (from Lookup, when the tenant enabled it) is T-Mobile. */
async function tmobileRecipients(tx: Pick<Db, "query">, candidates: Candidate[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const { rows } = await tx.query<{ phone: string; carrier: string | null }>(
    "SELECT phone, carrier FROM phone_lookups WHERE phone = ANY($1::text[])",
    [candidates.map((c) => c.to_number)],
  );
  return new Set(rows.filter((r) => r.carrier && T_MOBILE.test(r.carrier)).map((r) => r.phone));
}

/** Gives back the cap a claimed message consumed when Twilio never took it. */
export async function refundCap(
  q: Pick<Db, "query">,
  m: { brandId: string | null; day: string; segments: number; tmobile: boolean },
): Promise<void> {
  if (!m.brandId) return;
  await q.query(
    `UPDATE brand_daily_usage SET segments = GREATEST(0, segments - $3),
       tmobile_segments = GREATEST(0, tmobile_segments - CASE WHEN $4::boolean THEN $3 ELSE 0 END)
     WHERE brand_id = $1 AND day = $2::date`,
    [m.brandId, m.day, m.segments, m.tmobile],
  );
}
