/**
 * Applying a status to a message, from wherever it comes (status callback, reconciliation, a
 * dispatch failure): forward only (status.ts), each status once on the timeline, the tenant's
 * webhook emitted and usage metered in the same transaction as the change.
 */
import type { Queryable } from "../../db/db.js";
import { newId } from "../../db/ids.js";
import { emitEvent } from "../../events/emit.js";
import { recordUsage } from "../../usage/record.js";
import { ALL_SENDERS, optOut } from "../optouts/store.js";
import { type MessageStatus, eventTypeFor, isBillable, isFinal, isForward } from "../status.js";
import { TWILIO_CODES } from "@subtext/telecom/twilio-codes";
import { messageView } from "../view.js";
import type { MessageRow } from "./messages.js";
import { addTimeline } from "./timeline.js";

export interface StatusReport {
  status: MessageStatus;
  at: Date;
  twilioStatus?: string;
  twilioSid?: string;
  errorCode?: number | null;
  errorMessage?: string | null;
  source: "callback" | "dispatcher" | "reconcile";
  data?: Record<string, unknown>;
}

/** Reads a message for update (callbacks for one message are applied one at a time). */
export function lockMessage(q: Queryable, tenantId: string, id: string): Promise<MessageRow | null> {
  return q.maybeOne<MessageRow>("SELECT * FROM messages WHERE id = $1 AND tenant_id = $2 FOR UPDATE", [
    id,
    tenantId,
  ]);
}

/**
 * Records the report on the timeline and, when it moves the message forward, changes it.
 * Returns the message after the report (unchanged when the report was stale or a replay).
 */
export async function applyStatus(q: Queryable, m: MessageRow, r: StatusReport): Promise<MessageRow> {
  const data: Record<string, unknown> = { source: r.source, ...r.data };
  if (r.twilioStatus) data.twilio_status = r.twilioStatus;
  if (r.errorCode) data.error_code = r.errorCode;
  if (!isForward(m.status, r.status)) {
    await addTimeline(q, [{ messageId: m.id, kind: "status", name: r.status, at: r.at, data }]);
    return m;
  }

  const billable = isBillable(r.status) && !m.usage_recorded;
  const errorCode =
    r.errorCode ?? (r.status === "failed" || r.status === "undelivered" ? m.error_code : null);
  // One statement for the timeline entry and the change (the callback path's hot spot).
  const updated = await q.one<MessageRow>(
    `WITH ev AS (
       INSERT INTO message_events (id, message_id, kind, name, at, data)
       VALUES ($10, $1, 'status', $2, $3, $11::jsonb)
       ON CONFLICT (message_id, name) WHERE kind = 'status' DO NOTHING)
     UPDATE messages SET status = $2, updated_at = $3,
       twilio_status = COALESCE($4, twilio_status),
       twilio_sid = COALESCE(twilio_sid, $5),
       error_code = $6, error_message = $7,
       sent_at = CASE WHEN $8::boolean THEN COALESCE(sent_at, $3) ELSE sent_at END,
       completed_at = CASE WHEN $9::boolean THEN $3 ELSE completed_at END,
       usage_recorded = usage_recorded OR $8::boolean
     WHERE id = $1 RETURNING *`,
    [
      m.id,
      r.status,
      r.at,
      r.twilioStatus ?? null,
      r.twilioSid ?? null,
      errorCode ?? null,
      r.errorMessage ?? (errorCode ? (TWILIO_CODES[errorCode]?.explanation ?? null) : null),
      billable,
      isFinal(r.status),
      newId("mev"),
      JSON.stringify(data),
    ],
  );
  const type = eventTypeFor(r.status);
  if (type) {
    await emitEvent(q, {
      tenantId: m.tenant_id,
      type,
      data: { message: messageView(updated) },
      orderingKey: m.id,
    });
  }
  if (billable) {
    await recordUsage(q, {
      tenantId: m.tenant_id,
      channel: meteredChannel(m.channel),
      direction: "outbound",
      messages: 1,
      segments: m.segments,
      at: r.at,
    });
  }
  if (errorCode === 21610) {
    // Twilio refused because the recipient opted out (perhaps with a STOP we never saw):
    // our list must know it too, or the tenant keeps paying for refusals.
    await optOut(q, {
      tenantId: m.tenant_id,
      phone: m.to_number.replace(/^whatsapp:/, ""),
      scope: m.messaging_service_sid ?? m.from_number ?? ALL_SENDERS,
      source: "twilio_21610",
      actor: "twilio",
      reason: "Twilio error 21610: the recipient has unsubscribed from this sender",
      at: r.at,
    });
  }
  return updated;
}

/** The usage channel of a stored message (sms, mms or whatsapp). */
export function meteredChannel(channel: string): "sms" | "mms" | "whatsapp" {
  return channel === "mms" || channel === "whatsapp" ? channel : "sms";
}
