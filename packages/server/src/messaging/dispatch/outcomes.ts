/**
 * What happens after the call: accepted → the Twilio SID is stored (`sending`); definite
 * refusal by overload (429) or no connection → retried later with exponential backoff and full
 * jitter, up to `maxAttempts`; possibly created (5xx, timeout, reset) → ambiguous, reconciled
 * with Twilio before anything else; refused for good (4xx) → `failed` with Twilio's code.
 */
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { type BackoffPolicy, backoffDelay } from "../../jobs/backoff.js";
import { enqueue } from "../../jobs/queue.js";
import { rememberSid } from "../store/known-sids.js";
import { markLanesDue } from "../store/messages.js";
import { addTimeline } from "../store/timeline.js";
import { applyStatus, lockMessage } from "../store/transitions.js";
import type { CallResult } from "./call.js";
import { type ClaimedMessage, refundCap } from "./claim.js";

export const RECONCILE_JOB = "messaging.reconcile";

export interface OutcomePolicy {
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** How long after an ambiguous attempt we ask Twilio what became of it. */
  reconcileDelayMs: number;
  /**
   * When a create got no answer at all, how long after the attempt began Twilio could still be
   * landing it: reconciliation declares it absent (and resends) only after this.
   */
  absentAfterMs: number;
  /** ... and only on a second search, at least this long after the first. */
  secondSearchAfterMs: number;
  /** How long a lane pauses after a 429. */
  rateLimitPauseMs: number;
  random: () => number;
}

export interface CallOutcome {
  m: ClaimedMessage;
  result: CallResult;
  at: Date;
}

export type AttemptOutcome = "accepted" | "retry" | "ambiguous" | "failed" | "found" | "absent";

/**
 * Closes an attempt that is still open; false when someone else (reconciliation) closed it.
 * Attempts live in their message's month, so the message id finds the partition.
 */
export async function closeAttempt(
  q: Queryable,
  attempt: { id: string; messageId: string },
  outcome: AttemptOutcome,
  at: Date,
  info: {
    httpStatus?: number | null;
    code?: number | null;
    message?: string | null;
    sid?: string | null;
  } = {},
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE message_attempts SET outcome = $2, finished_at = $3, http_status = $4, error_code = $5,
       error_message = $6, twilio_sid = COALESCE($7, twilio_sid)
     WHERE id = $1 AND message_id = $8 AND outcome IN ('pending', 'ambiguous')`,
    [
      attempt.id,
      outcome,
      at,
      info.httpStatus ?? null,
      info.code ?? null,
      info.message?.slice(0, 500) ?? null,
      info.sid ?? null,
      attempt.messageId,
    ],
  );
  return rowCount > 0;
}

export async function recordOutcomes(
  q: Queryable,
  outcomes: CallOutcome[],
  policy: OutcomePolicy,
): Promise<void> {
  // Every attempt of the group first, in message order, then the messages: the order the
  // callback intake and reconciliation lock them in, so none of them can deadlock with this.
  const ordered = outcomes.toSorted((a, b) => (a.m.id < b.m.id ? -1 : a.m.id > b.m.id ? 1 : 0));
  await q.query(
    `SELECT a.id FROM message_attempts a
     JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS v(id, message_id, i) ON a.id = v.id AND a.message_id = v.message_id
     WHERE a.message_id = ANY($2::text[])
     ORDER BY v.i FOR UPDATE OF a`,
    [ordered.map((o) => o.m.attemptId), ordered.map((o) => o.m.id)],
  );
  await recordAccepted(
    q,
    ordered.filter((o) => o.result.kind === "accepted"),
  );
  for (const o of ordered) if (o.result.kind !== "accepted") await recordOne(q, o, policy);
}

type Accepted = CallOutcome & {
  result: { kind: "accepted"; sid: string; twilioStatus: string; from: string | null };
};

/**
 * The common case, for a whole group in ONE statement: close each open attempt, store the
 * Twilio SID (never replacing one a callback stored first), and put `sending` on the timeline.
 * An attempt already closed (a callback or a reconciliation got there first) changes nothing.
 */
async function recordAccepted(q: Queryable, outcomes: CallOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const accepted = outcomes as Accepted[];
  const { rows } = await q.query<{ id: string; twilio_sid: string; sid: string }>(
    `WITH v AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
         AS v(att, msg, sid, st, frm, ev, at)),
     a AS (
       UPDATE message_attempts t SET outcome = 'accepted', finished_at = v.at, twilio_sid = v.sid
       FROM v WHERE t.id = v.att AND t.message_id = v.msg AND t.message_id = ANY($2::text[])
         AND t.outcome IN ('pending', 'ambiguous') RETURNING t.message_id),
     m AS (
       UPDATE messages x SET twilio_sid = COALESCE(x.twilio_sid, v.sid), twilio_status = COALESCE(x.twilio_status, v.st),
         from_number = COALESCE(x.from_number, v.frm), updated_at = v.at
       FROM v WHERE x.id = v.msg AND x.id = ANY($2::text[]) AND x.id IN (SELECT message_id FROM a)
       RETURNING x.id, x.twilio_sid, v.sid),
     e AS (
       INSERT INTO message_events (id, message_id, kind, name, at, data)
       SELECT v.ev, v.msg, 'status', 'sending', v.at, jsonb_build_object('twilio_sid', v.sid, 'twilio_status', v.st)
       FROM v WHERE v.msg IN (SELECT message_id FROM a)
       ON CONFLICT (message_id, name) WHERE kind = 'status' DO NOTHING)
     SELECT id, twilio_sid, sid FROM m`,
    [
      accepted.map((o) => o.m.attemptId),
      accepted.map((o) => o.m.id),
      accepted.map((o) => o.result.sid),
      accepted.map((o) => o.result.twilioStatus),
      accepted.map((o) => o.result.from),
      accepted.map(() => newId("mev")),
      accepted.map((o) => o.at.toISOString()),
    ],
  );
  for (const r of rows) rememberSid(r.id);
  // Twilio holding two messages for one of ours must never pass silently.
  const doubled = rows.filter((r) => r.twilio_sid !== r.sid);
  await addTimeline(
    q,
    doubled.map((r) => ({
      messageId: r.id,
      kind: "note" as const,
      name: "duplicate_at_twilio",
      at: accepted[0].at,
      data: { twilio_sid: r.sid },
    })),
  );
}

async function recordOne(q: Queryable, { m, result, at }: CallOutcome, policy: OutcomePolicy): Promise<void> {
  if (result.kind === "accepted") return; // recordAccepted did it
  const failure = result.failure;
  const info = { httpStatus: failure.httpStatus, code: failure.code, message: failure.message };
  const attemptEntry = (outcome: string, extra: Record<string, unknown> = {}) =>
    addTimeline(q, [
      {
        messageId: m.id,
        kind: "attempt",
        name: outcome,
        at,
        data: {
          n: m.attempts + 1,
          http_status: failure.httpStatus,
          twilio_code: failure.code,
          error: failure.message,
          ...extra,
        },
      },
    ]);

  if (failure.kind === "ambiguous") {
    if (!(await closeAttempt(q, { id: m.attemptId, messageId: m.id }, "ambiguous", at, info))) return;
    const runAt = new Date(at.getTime() + policy.reconcileDelayMs);
    await enqueue(
      q,
      RECONCILE_JOB,
      { message_id: m.id, tenant_id: m.tenant_id, attempt_id: m.attemptId },
      {
        key: `${RECONCILE_JOB}:${m.attemptId}`,
        runAt,
      },
    );
    await attemptEntry("ambiguous", { reconcile_at: runAt.toISOString() });
    return;
  }

  if (failure.kind === "retry") {
    if (!(await closeAttempt(q, { id: m.attemptId, messageId: m.id }, "retry", at, info))) return;
    await refundCap(q, m);
    if (failure.httpStatus === 429) {
      const until = new Date(at.getTime() + policy.rateLimitPauseMs);
      await q.query(
        `UPDATE lanes SET held_until = GREATEST(COALESCE(held_until, $2), $2), held_reason = 'rate_limited'
         WHERE id = $1`,
        [m.lane_id, until],
      );
    }
    await requeueOrGiveUp(q, m, at, policy, failure.message, failure.code);
    return;
  }

  if (!(await closeAttempt(q, { id: m.attemptId, messageId: m.id }, "failed", at, info))) return;
  await refundCap(q, m);
  await attemptEntry("failed");
  const row = await lockMessage(q, m.tenant_id, m.id);
  if (row) {
    await applyStatus(q, row, {
      status: "failed",
      at,
      errorCode: failure.code,
      errorMessage: failure.message,
      source: "dispatcher",
    });
  }
}

/** After a definite non-send: back in the queue with backoff, or failed once attempts run out. */
export async function requeueOrGiveUp(
  q: Queryable,
  m: Pick<ClaimedMessage, "id" | "tenant_id" | "lane_id" | "attempts">,
  at: Date,
  policy: OutcomePolicy,
  error: string,
  code: number | null,
): Promise<void> {
  const attempt = m.attempts + 1;
  if (attempt >= policy.maxAttempts) {
    const row = await lockMessage(q, m.tenant_id, m.id);
    if (row) {
      await applyStatus(q, row, {
        status: "failed",
        at,
        errorCode: code,
        errorMessage: `Gave up after ${attempt} attempts: ${error}`,
        source: "dispatcher",
      });
    }
    return;
  }
  const retryAt = new Date(at.getTime() + backoffDelay(attempt, policy.backoff, policy.random));
  const { rowCount } = await q.query(
    `UPDATE messages SET status = 'queued', not_before = $2, updated_at = $3 WHERE id = $1 AND status = 'sending'`,
    [m.id, retryAt, at],
  );
  if (rowCount > 0) await markLanesDue(q, [{ laneId: m.lane_id, at: retryAt }]);
  await addTimeline(q, [
    {
      messageId: m.id,
      kind: "attempt",
      name: "retry",
      at,
      data: { n: attempt, error, twilio_code: code, retry_at: retryAt.toISOString() },
    },
  ]);
}
