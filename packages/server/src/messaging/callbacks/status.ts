/**
 * Status callback intake: find our message (by the `m` marker in the URL, else by its SID),
 * adopt the SID if the create answer never reached us, and apply the status forward-only.
 * Replays and reordered callbacks change nothing they should not (status.ts ranks).
 */
import { recordWhatsAppDeliveryError } from "../../channels/whatsapp/index.js";
import { newId } from "../../db/ids.js";
import type { Services } from "../../system/services.js";
import { fromTwilioStatus } from "../status.js";
import type { MessageRow } from "../store/messages.js";
import { sidIsKnown } from "../store/known-sids.js";
import { addTimeline } from "../store/timeline.js";
import { applyStatus, lockMessage, lockMessageBySid } from "../store/transitions.js";
import { type FormParams, one } from "./signed.js";

export type StatusIntake = "applied" | "unknown_message" | "ignored";

export async function intakeStatus(
  deps: Pick<Services, "db" | "clock" | "log">,
  tenantId: string,
  marker: string | undefined,
  params: FormParams,
): Promise<StatusIntake> {
  const sid = one(params, "MessageSid") ?? one(params, "SmsSid");
  const twilioStatus = one(params, "MessageStatus") ?? one(params, "SmsStatus");
  const status = twilioStatus ? fromTwilioStatus(twilioStatus) : null;
  if (!sid || !status) return "ignored";
  const code = Number(one(params, "ErrorCode"));
  const now = deps.clock.now();
  if (status === "sending") return intermediate(deps, tenantId, marker, sid, now);
  return deps.db.tx(async (tx) => {
    let row: MessageRow | null = marker ? await lockMessage(tx, tenantId, marker) : null;
    row ??= await lockMessageBySid(tx, tenantId, sid);
    if (!row) return "unknown_message";
    if (row.twilio_sid && row.twilio_sid !== sid) {
      // Twilio has two messages for one of ours: never silently; the timeline says so.
      deps.log.error(
        { event: "message.duplicate_at_twilio", message_id: row.id, twilio_sid: sid },
        "duplicate send detected",
      );
      await addTimeline(tx, [
        { messageId: row.id, kind: "note", name: "duplicate_at_twilio", at: now, data: { twilio_sid: sid } },
      ]);
      return "ignored";
    }
    if (!row.twilio_sid) {
      // The create answer was lost (timeout) but Twilio has the message: this settles the attempt.
      await tx.query("UPDATE messages SET twilio_sid = $2 WHERE id = $1", [row.id, sid]);
      const settled = await tx.query(
        `UPDATE message_attempts SET outcome = 'found', finished_at = $2, twilio_sid = $3
         WHERE message_id = $1 AND outcome IN ('pending', 'ambiguous')`,
        [row.id, now, sid],
      );
      if (settled.rowCount > 0) {
        await addTimeline(tx, [
          {
            messageId: row.id,
            kind: "note",
            name: "adopted_from_callback",
            at: now,
            data: { twilio_sid: sid },
          },
        ]);
      }
      row = { ...row, twilio_sid: sid };
    }
    await recordWhatsAppDeliveryError(tx, {
      tenantId,
      from: one(params, "From") ?? "",
      to: one(params, "To") ?? "",
      errorCode: code,
      at: now,
    });
    await applyStatus(tx, row, {
      status,
      at: now,
      twilioStatus,
      twilioSid: sid,
      errorCode: Number.isInteger(code) && code > 0 ? code : null,
      errorMessage: one(params, "ErrorMessage") ?? null,
      source: "callback",
    });
    return "applied";
  });
}

/**
 * Twilio's accepted/queued/sending: we marked the message `sending` when we called Twilio, so
 * these change nothing, except when the create answer was lost and this is the first we hear
 * of the SID. Two of a message's four callbacks, so they cost at most one statement (none
 * without our marker: then we already know the SID).
 */
async function intermediate(
  deps: Pick<Services, "db">,
  tenantId: string,
  marker: string | undefined,
  sid: string,
  now: Date,
): Promise<StatusIntake> {
  if (!marker || sidIsKnown(marker)) return "ignored";
  const { rows } = await deps.db.query<{ message_id: string }>(
    `WITH m AS (
       UPDATE messages SET twilio_sid = $3 WHERE id = $2 AND tenant_id = $1 AND twilio_sid IS NULL RETURNING id),
     a AS (
       UPDATE message_attempts SET outcome = 'found', finished_at = $4, twilio_sid = $3
       WHERE message_id IN (SELECT id FROM m) AND outcome IN ('pending', 'ambiguous') RETURNING message_id),
     e AS (
       INSERT INTO message_events (id, message_id, kind, name, at, data)
       SELECT $5, message_id, 'note', 'adopted_from_callback', $4, jsonb_build_object('twilio_sid', $3::text)
       FROM a LIMIT 1)
     SELECT id AS message_id FROM m`,
    [tenantId, marker, sid, now, newId("mev")],
  );
  return rows.length > 0 ? "applied" : "ignored";
}
