/**
 * Reconciliation: asking Twilio what became of a message when we could not tell.
 *
 * 1. An ambiguous attempt (timeout, reset, 5xx: Twilio may have created the message) is
 *    resolved BEFORE any retry, so a message is never sent twice. First our own marker: a
 *    status callback carries our message id in its URL, and its arrival already stored the SID.
 *    Otherwise we list the subaccount's messages to that recipient (newest first) and look for
 *    an outbound-api message with the same body whose SID belongs to none of our messages. Found
 *    → adopted. Not found → Twilio never took it → back in the queue; but when no answer came
 *    at all (timeout, reset, a worker that died), only once `absentAfterMs` have passed since the
 *    attempt began, and on a second search at least `secondSearchAfterMs` after the first:
 *    Twilio may have received the request and still be working on it (we abort ours when we
 *    give up, so nothing of ours leaves later), and a resend before it lands would be a second
 *    message.
 *    Limit: two ambiguous sends of the same body to the same number at the same moment are told
 *    apart only by order; the tenant's subaccount is its own, so no other tenant's traffic
 *    is ever a candidate.
 * 2. The sweep finds attempts left pending by a worker that died mid-call (older than the call
 *    timeout plus a margin) and hands them to (1); and fetches the status of messages whose
 *    final callback never came (Twilio advises this) after `staleAfterMs`.
 */
import type { Queryable } from "../../db/db.js";
import { enqueue } from "../../jobs/queue.js";
import type { Snooze } from "../../jobs/runner.js";
import type { Services } from "../../kernel/services.js";
import { tenantTwilio } from "../../tenancy/credentials.js";
import { findTenant } from "../../tenancy/tenants.js";
import { smartEncode } from "@subtext/telecom/smart-encoding";
import { fromTwilioStatus } from "../status.js";
import type { MessageRow } from "../store/messages.js";
import { addTimeline } from "../store/timeline.js";
import { applyStatus, lockMessage } from "../store/transitions.js";
import { refundCap } from "./claim.js";
import { type OutcomePolicy, RECONCILE_JOB, closeAttempt, requeueOrGiveUp } from "./outcomes.js";

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio" | "clock" | "log">;

export interface ReconcilePayload {
  message_id: string;
  tenant_id: string;
  attempt_id: string;
}

interface Listed {
  sid: string;
  status: string;
  body: string;
  direction: string;
  messagingServiceSid: string | null;
  from: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  dateCreated: Date;
}

export async function reconcileAttempt(
  deps: Deps,
  p: ReconcilePayload,
  policy: OutcomePolicy,
): Promise<Snooze | undefined> {
  const attempt = await deps.db.maybeOne<{
    outcome: string;
    n: number;
    started_at: Date;
    http_status: number | null;
    tmobile: boolean;
  }>(
    "SELECT outcome, n, started_at, http_status, tmobile FROM message_attempts WHERE id = $1 AND message_id = $2",
    [p.attempt_id, p.message_id],
  );
  if (!attempt || (attempt.outcome !== "ambiguous" && attempt.outcome !== "pending")) return;
  const message = await deps.db.maybeOne<MessageRow>("SELECT * FROM messages WHERE id = $1", [p.message_id]);
  if (!message) return;
  const now = deps.clock.now();
  if (message.twilio_sid) {
    // A status callback (our marker in its URL) already told us Twilio has it.
    await deps.db.tx(async (tx) => {
      if (
        await closeAttempt(tx, { id: p.attempt_id, messageId: p.message_id }, "found", now, {
          sid: message.twilio_sid,
        })
      ) {
        await note(tx, message.id, "reconciled_found", now, {
          twilio_sid: message.twilio_sid,
          by: "status_callback",
        });
      }
    });
    return;
  }
  const tenant = await findTenant(deps.db, p.tenant_id);
  if (!tenant) return;
  const client = await tenantTwilio(deps, tenant);
  // Errors (Twilio down) throw: the job retries with backoff, and the message stays parked.
  const listed = (await client.messages.list({ to: message.to_number, limit: 100 })) as unknown as Listed[];
  const sids = listed.map((l) => l.sid);
  const { rows: known } = await deps.db.query<{ twilio_sid: string }>(
    `SELECT s.twilio_sid FROM message_sids s JOIN messages m ON m.id = s.message_id
     WHERE s.twilio_sid = ANY($2::text[]) AND m.tenant_id = $1`,
    [p.tenant_id, sids],
  );
  const ours = new Set(known.map((k) => k.twilio_sid));
  const bodies = new Set([message.body ?? "", smartEncode(message.body ?? "")]);
  const match = listed
    .filter((l) => !ours.has(l.sid) && l.direction === "outbound-api" && bodies.has(l.body ?? ""))
    .filter(
      (l) =>
        !message.messaging_service_sid ||
        !l.messagingServiceSid ||
        l.messagingServiceSid === message.messaging_service_sid,
    )
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];

  // No answer came back: the request may still be landing. Absent only on a second search,
  // past the horizon and well after the first (a job that runs late still searches twice).
  if (!match && attempt.http_status === null) {
    const searchedBefore = await deps.db.maybeOne(
      "SELECT 1 FROM message_events WHERE message_id = $1 AND kind = 'note' AND name = 'reconcile_waiting' AND data->>'attempt_id' = $2",
      [message.id, p.attempt_id],
    );
    const landedBy = new Date(new Date(attempt.started_at).getTime() + policy.absentAfterMs);
    if (!searchedBefore || now < landedBy) {
      const again = new Date(Math.max(landedBy.getTime(), now.getTime() + policy.secondSearchAfterMs));
      if (!searchedBefore) {
        await note(deps.db, message.id, "reconcile_waiting", now, {
          attempt_id: p.attempt_id,
          search_again_at: again.toISOString(),
        });
      }
      return { retryAt: again };
    }
  }

  await deps.db.tx(async (tx) => {
    // Attempt before message, the order every other path locks them in.
    await tx.query("SELECT 1 FROM message_attempts WHERE id = $1 AND message_id = $2 FOR UPDATE", [
      p.attempt_id,
      p.message_id,
    ]);
    const row = await lockMessage(tx, p.tenant_id, p.message_id);
    if (row?.status !== "sending") return;
    if (match) {
      if (
        !(await closeAttempt(tx, { id: p.attempt_id, messageId: p.message_id }, "found", now, {
          sid: match.sid,
        }))
      )
        return;
      await tx.query(
        `UPDATE messages SET twilio_sid = $2, twilio_status = $3, updated_at = $4,
           from_number = COALESCE(from_number, $5) WHERE id = $1`,
        [row.id, match.sid, match.status, now, match.from || null],
      );
      await note(tx, row.id, "reconciled_found", now, { twilio_sid: match.sid, by: "list" });
      const status = fromTwilioStatus(match.status);
      if (status) {
        await applyStatus(
          tx,
          { ...row, twilio_sid: match.sid },
          {
            status,
            at: now,
            twilioStatus: match.status,
            errorCode: match.errorCode,
            errorMessage: match.errorMessage,
            source: "reconcile",
          },
        );
      }
      return;
    }
    if (!(await closeAttempt(tx, { id: p.attempt_id, messageId: p.message_id }, "absent", now))) return;
    await note(tx, row.id, "reconciled_absent", now, {});
    const lane = await tx.maybeOne<{ brand_id: string | null }>("SELECT brand_id FROM lanes WHERE id = $1", [
      row.lane_id,
    ]);
    // The cap the claim counted, on the Pacific day of the claim.
    await refundCap(tx, {
      brandId: lane?.brand_id ?? null,
      day: dayOf(new Date(attempt.started_at)),
      segments: row.segments,
      tmobile: attempt.tmobile,
    });
    await requeueOrGiveUp(
      tx,
      { id: row.id, tenant_id: row.tenant_id, lane_id: row.lane_id!, attempts: attempt.n - 1 },
      now,
      policy,
      "not found at Twilio after an ambiguous attempt",
      null,
    );
  });
}

function dayOf(d: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles" }).format(d);
}

function note(q: Queryable, messageId: string, name: string, at: Date, data: Record<string, unknown>) {
  return addTimeline(q, [{ messageId, kind: "note", name, at, data }]);
}

/** Pending attempts whose worker must be gone: reconcile them now. */
export async function recoverOrphans(q: Queryable, now: Date, orphanAfterMs: number): Promise<number> {
  const { rows } = await q.query<{ id: string; message_id: string; tenant_id: string }>(
    `UPDATE message_attempts SET outcome = 'ambiguous', error_message = 'worker stopped during the call'
     WHERE id IN (SELECT id FROM message_attempts WHERE outcome = 'pending' AND started_at < $1 LIMIT 500)
     RETURNING id, message_id, tenant_id`,
    [new Date(now.getTime() - orphanAfterMs)],
  );
  for (const r of rows) {
    await enqueue(
      q,
      RECONCILE_JOB,
      { message_id: r.message_id, tenant_id: r.tenant_id, attempt_id: r.id },
      {
        key: `${RECONCILE_JOB}:${r.id}`,
        runAt: now,
      },
    );
  }
  return rows.length;
}

/** Messages Twilio has but whose final status never came back: ask for it. */
export async function refreshStaleStatuses(
  deps: Deps,
  now: Date,
  staleAfterMs: number,
  limit = 100,
): Promise<number> {
  const before = new Date(now.getTime() - staleAfterMs);
  const { rows } = await deps.db.query<MessageRow>(
    `SELECT * FROM messages WHERE status IN ('sending', 'sent') AND twilio_sid IS NOT NULL AND updated_at < $1
       AND (status_checked_at IS NULL OR status_checked_at < $1)
     ORDER BY updated_at LIMIT $2`,
    [before, limit],
  );
  for (const m of rows) {
    const tenant = await findTenant(deps.db, m.tenant_id);
    if (!tenant?.subaccount_sid) continue;
    try {
      const client = await tenantTwilio(deps, tenant);
      const fetched = await client.messages(m.twilio_sid!).fetch();
      await deps.db.tx(async (tx) => {
        const row = await lockMessage(tx, m.tenant_id, m.id);
        if (!row) return;
        // The sender a Messaging Service chose, if no callback told us (never replacing one).
        await tx.query(
          "UPDATE messages SET status_checked_at = $2, from_number = COALESCE(from_number, $3) WHERE id = $1",
          [m.id, now, fetched.from || null],
        );
        const status = fromTwilioStatus(fetched.status);
        if (status) {
          await applyStatus(tx, row, {
            status,
            at: now,
            twilioStatus: fetched.status,
            errorCode: fetched.errorCode ?? null,
            errorMessage: fetched.errorMessage ?? null,
            source: "reconcile",
          });
        }
      });
    } catch (err) {
      deps.log.warn(
        { event: "message.status_refresh_failed", message_id: m.id, err },
        "could not fetch a message's status",
      );
      await deps.db.query("UPDATE messages SET status_checked_at = $2 WHERE id = $1", [m.id, now]);
    }
  }
  return rows.length;
}
