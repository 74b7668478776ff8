/**
 * Status callback intake: find our message (by the `m` marker in the URL, else by its SID),
 * adopt the SID if the create answer never reached us, and apply the status forward-only.
 * Replays and reordered callbacks change nothing they should not (status.ts ranks).
 *
 * Final and carrier statuses (sent, delivered, undelivered, failed) go through a group commit
 * (status-batch.ts); Twilio's intermediate ones (accepted, queued, sending) cost nothing unless
 * they bring a SID we did not have.
 */
import { newId } from "../../db/ids.js";
import type { Services } from "../../kernel/services.js";
import type { GroupCommit } from "../send/group-commit.js";
import { fromTwilioStatus } from "../status.js";
import { sidIsKnown } from "../store/known-sids.js";
import { isTwilioErrorCode } from "@subtext/telecom/twilio-codes";
import { type TwilioParams, twilioParam } from "../../http/twilio-webhooks.js";
import { type StatusIntake, type StatusReport, applyStatusReports } from "./status-batch.js";

export type { StatusIntake } from "./status-batch.js";

export function statusReportOf(
  tenantId: string,
  marker: string | undefined,
  params: TwilioParams,
  at: Date,
): StatusReport | null {
  const sid = twilioParam(params, "MessageSid") ?? twilioParam(params, "SmsSid");
  const twilioStatus = twilioParam(params, "MessageStatus") ?? twilioParam(params, "SmsStatus");
  const status = twilioStatus ? fromTwilioStatus(twilioStatus) : null;
  if (!sid || !twilioStatus || !status) return null;
  const code = Number(twilioParam(params, "ErrorCode"));
  return {
    tenantId,
    marker,
    sid,
    status,
    twilioStatus,
    // Anything else is not Twilio's, and may not fit the integer column (a 500, retried forever).
    errorCode: isTwilioErrorCode(code) ? code : null,
    errorMessage: twilioParam(params, "ErrorMessage") ?? null,
    at,
    from: twilioParam(params, "From") ?? "",
    to: twilioParam(params, "To") ?? "",
  };
}

export async function intakeStatus(
  deps: Pick<Services, "db" | "clock">,
  messaging: { statusIntake: GroupCommit<StatusReport, StatusIntake>; options: { sendTimeoutMs: number } },
  tenantId: string,
  url: { marker: string | undefined; sentAt: number | undefined },
  params: TwilioParams,
): Promise<StatusIntake> {
  const report = statusReportOf(tenantId, url.marker, params, deps.clock.now());
  if (!report) return "ignored";
  if (report.status === "sending") {
    // The worker that made the create is still waiting for its answer (or has it): that answer
    // stores the SID, and if it never comes the attempt is reconciled with Twilio. Only a
    // callback for a create whose answer is overdue may have news; the final ones adopt anyway.
    const overdueAt = (url.sentAt ?? 0) + messaging.options.sendTimeoutMs + INTERMEDIATE_SLACK_MS;
    if (url.sentAt !== undefined && Date.now() < overdueAt) return "ignored";
    return intermediate(deps, report);
  }
  return messaging.statusIntake.submit(report);
}

/** Wall-clock skew allowed between the worker that sent and the API that hears back. */
const INTERMEDIATE_SLACK_MS = 5_000;

/**
 * A group of reports in one transaction; if that transaction fails (a deadlock, one bad
 * row), each report is applied in its own, so one callback never costs the others theirs.
 */
export async function applyGroup(
  deps: Pick<Services, "db">,
  reports: StatusReport[],
): Promise<StatusIntake[]> {
  try {
    return await deps.db.tx((tx) => applyStatusReports(tx, reports));
  } catch (err) {
    if (reports.length === 1) throw err;
    const out: StatusIntake[] = [];
    for (const r of reports) out.push((await deps.db.tx((tx) => applyStatusReports(tx, [r])))[0]);
    return out;
  }
}

/**
 * Twilio's accepted/queued/sending: we marked the message `sending` when we called Twilio, so
 * these change nothing, except when the create answer was lost and this is the first we hear
 * of the SID. Two of a message's four callbacks, so they cost at most one statement (none
 * when this process stored the SID, or without our marker: then the SID is already known).
 * The sender they name waits for the sent/delivered callbacks, which carry it too.
 */
async function intermediate(deps: Pick<Services, "db">, r: StatusReport): Promise<StatusIntake> {
  if (!r.marker || sidIsKnown(r.marker)) return "ignored";
  const { tenantId, marker, sid, at } = r;
  return deps.db.tx(async (tx) => {
    // The attempt first, then the message: the dispatcher's recordAccepted locks them in that
    // order, and the other order deadlocks with it when the API and a worker race for one message.
    const { rows: found } = await tx.query<{ message_id: string }>(
      `UPDATE message_attempts SET outcome = 'found', finished_at = $4, twilio_sid = $3
       WHERE message_id = $2 AND tenant_id = $1 AND outcome IN ('pending', 'ambiguous')
         AND EXISTS (SELECT 1 FROM messages WHERE id = $2 AND tenant_id = $1 AND twilio_sid IS NULL)
       RETURNING message_id`,
      [tenantId, marker, sid, at],
    );
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE messages SET twilio_sid = $3, from_number = COALESCE(from_number, $4)
       WHERE id = $2 AND tenant_id = $1 AND twilio_sid IS NULL RETURNING id`,
      [tenantId, marker, sid, r.from || null],
    );
    if (rows.length === 0) return "ignored";
    if (found.length > 0) {
      await tx.query(
        `INSERT INTO message_events (id, message_id, kind, name, at, data)
         VALUES ($1, $2, 'note', 'adopted_from_callback', $3, jsonb_build_object('twilio_sid', $4::text))`,
        [newId("mev"), marker, at, sid],
      );
    }
    return "applied";
  });
}
