import type { MessageRow } from "./store/messages.js";
import type { TimelineRow } from "./store/timeline.js";
import { fromMicros, toMicros } from "../usage/prices.js";
import { explainTwilioCode } from "@subtext/telecom/twilio-codes";

/** The public shape of a message (POST/GET /v1/messages). */
export function messageView(m: MessageRow) {
  return {
    id: m.id,
    object: "message" as const,
    direction: m.direction,
    channel: m.channel,
    status: m.status,
    to: m.to_number,
    from: m.from_number,
    messaging_service_id: m.messaging_service_sid,
    body: m.body_redacted_at ? null : m.body,
    body_redacted: m.body_redacted_at !== null,
    media_urls: m.media_urls,
    segments: m.segments,
    encoding: m.encoding,
    smart_encoding: { applied: m.smart_encoded, segments_saved: m.segments_saved },
    // Canonical text whatever produced the row: the estimate as computed ("0.0083") and as
    // PostgreSQL's numeric(14, 6) reads it back ("0.008300") must not differ.
    price_estimate:
      m.price_estimate === null ? null : { amount: fromMicros(toMicros(m.price_estimate)), currency: "USD" },
    send_at: m.send_at?.toISOString() ?? null,
    lane_id: m.lane_id,
    held:
      m.status === "queued" && m.held_reason
        ? { reason: m.held_reason, until: m.not_before.toISOString() }
        : null,
    attempts: m.attempts,
    twilio_sid: m.twilio_sid,
    error:
      m.error_code === null && m.error_message === null
        ? null
        : {
            twilio_code: m.error_code,
            message: m.error_message,
            explanation: explainTwilioCode(m.error_code, m.error_message),
          },
    metadata: m.metadata,
    created_at: m.created_at.toISOString(),
    updated_at: m.updated_at.toISOString(),
    sent_at: m.sent_at?.toISOString() ?? null,
    completed_at: m.completed_at?.toISOString() ?? null,
  };
}

export type MessageView = ReturnType<typeof messageView>;

/**
 * The timeline: acceptance (from the row itself, so the hot path writes no event row), then
 * every recorded status, attempt and note in time order.
 */
export function timelineView(m: MessageRow, rows: TimelineRow[]) {
  const first =
    m.direction === "inbound"
      ? { type: "status", name: "received", at: m.created_at.toISOString(), data: {} }
      : {
          type: "status",
          name: m.send_at ? "scheduled" : "queued",
          at: m.created_at.toISOString(),
          data: {},
        };
  return [
    first,
    ...rows
      .filter((r) => !(r.kind === "status" && r.name === first.name))
      .map((r) => ({
        type: r.kind,
        name: r.name,
        at: r.at.toISOString(),
        data: r.data,
      })),
  ];
}

export const MessageSchema = {
  $id: "Message",
  type: "object",
  required: ["id", "status", "to", "segments", "encoding", "created_at"],
  properties: {
    id: { type: "string", examples: ["msg_01JC0000000000000000000000"] },
    object: { type: "string", enum: ["message"] },
    direction: { type: "string", enum: ["outbound", "inbound"] },
    channel: { type: "string" },
    status: {
      type: "string",
      enum: [
        "scheduled",
        "queued",
        "sending",
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "canceled",
        "received",
      ],
    },
    to: { type: "string" },
    from: { type: ["string", "null"] },
    messaging_service_id: { type: ["string", "null"] },
    body: { type: ["string", "null"], description: "null once redacted (retention)" },
    body_redacted: { type: "boolean" },
    media_urls: { type: "array", items: { type: "string" } },
    segments: {
      type: "integer",
      description: "What the message costs in segments (GSM-7 160/153, UCS-2 70/67)",
    },
    encoding: { type: "string", enum: ["GSM-7", "UCS-2"] },
    smart_encoding: {
      type: "object",
      properties: {
        applied: { type: "boolean" },
        segments_saved: {
          type: "integer",
          description: "Segments smart encoding saves (when applied), or would save (when not)",
        },
      },
    },
    price_estimate: {
      type: ["object", "null"],
      properties: {
        amount: {
          type: "string",
          description: "USD, a decimal string: two to six decimals, trailing zeros beyond two dropped",
          examples: ["0.0083"],
        },
        currency: { type: "string" },
      },
    },
    send_at: { type: ["string", "null"], format: "date-time" },
    lane_id: { type: ["string", "null"] },
    held: {
      type: ["object", "null"],
      description: "Why a queued message waits (daily_cap, tmobile_daily_cap, quiet_hours) and until when",
      properties: { reason: { type: "string" }, until: { type: "string", format: "date-time" } },
    },
    attempts: { type: "integer" },
    twilio_sid: { type: ["string", "null"] },
    error: {
      type: ["object", "null"],
      properties: {
        twilio_code: { type: ["integer", "null"] },
        message: { type: ["string", "null"] },
        explanation: { type: ["string", "null"] },
      },
    },
    metadata: { type: ["object", "null"], additionalProperties: true },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
    sent_at: { type: ["string", "null"], format: "date-time" },
    completed_at: { type: ["string", "null"], format: "date-time" },
    events: {
      type: "array",
      items: {
        type: "object",
        properties: {
          type: { type: "string" },
          name: { type: "string" },
          at: { type: "string", format: "date-time" },
          data: { type: "object", additionalProperties: true },
        },
      },
    },
  },
} as const;
