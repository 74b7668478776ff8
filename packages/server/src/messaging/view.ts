import type { MessageRow } from "./store/messages.js";
import type { TimelineRow } from "./store/timeline.js";
import { fromMicros, toMicros } from "../usage/prices.js";
import { explainTwilioCode } from "@subtext/telecom/twilio-codes";
import { Nullable, OpenObject, Type } from "../kernel/schema.js";
import { MESSAGE_STATUSES } from "./status.js";

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
    validity_period: m.validity_period ?? null,
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

const dateTime = Type.String({ format: "date-time" });
const nullableDateTime = Nullable(Type.String({ format: "date-time" }));

export const MessageSchema = Type.Object(
  {
    id: Type.String({ examples: ["msg_01JC0000000000000000000000"] }),
    object: Type.Optional(Type.Enum(["message"], { type: "string" })),
    direction: Type.Optional(Type.Enum(["outbound", "inbound"], { type: "string" })),
    channel: Type.Optional(Type.String()),
    status: Type.Enum(MESSAGE_STATUSES, { type: "string" }),
    to: Type.String(),
    from: Type.Optional(Nullable(Type.String())),
    messaging_service_id: Type.Optional(Nullable(Type.String())),
    body: Type.Optional(Nullable(Type.String({ description: "null once redacted (retention)" }))),
    body_redacted: Type.Optional(Type.Boolean()),
    media_urls: Type.Optional(Type.Array(Type.String())),
    segments: Type.Integer({
      description: "What the message costs in segments (GSM-7 160/153, UCS-2 70/67)",
    }),
    encoding: Type.Enum(["GSM-7", "UCS-2"], { type: "string" }),
    smart_encoding: Type.Optional(
      Type.Object({
        applied: Type.Optional(Type.Boolean()),
        segments_saved: Type.Optional(
          Type.Integer({
            description: "Segments smart encoding saves (when applied), or would save (when not)",
          }),
        ),
      }),
    ),
    validity_period: Type.Optional(
      Nullable(
        Type.Integer({
          description: "Seconds Twilio may keep it queued (ValidityPeriod), as asked; null: Twilio's default",
        }),
      ),
    ),
    price_estimate: Type.Optional(
      Nullable(
        Type.Object({
          amount: Type.Optional(
            Type.String({
              description: "USD, a decimal string: two to six decimals, trailing zeros beyond two dropped",
              examples: ["0.0083"],
            }),
          ),
          currency: Type.Optional(Type.String()),
        }),
      ),
    ),
    send_at: Type.Optional(nullableDateTime),
    lane_id: Type.Optional(Nullable(Type.String())),
    held: Type.Optional(
      Nullable(
        Type.Object(
          { reason: Type.Optional(Type.String()), until: Type.Optional(dateTime) },
          {
            description:
              "Why a queued message waits (daily_cap, tmobile_daily_cap, quiet_hours) and until when",
          },
        ),
      ),
    ),
    attempts: Type.Optional(Type.Integer()),
    twilio_sid: Type.Optional(Nullable(Type.String())),
    error: Type.Optional(
      Nullable(
        Type.Object({
          twilio_code: Type.Optional(Nullable(Type.Integer())),
          message: Type.Optional(Nullable(Type.String())),
          explanation: Type.Optional(Nullable(Type.String())),
        }),
      ),
    ),
    metadata: Type.Optional(Nullable(OpenObject())),
    created_at: dateTime,
    updated_at: Type.Optional(dateTime),
    sent_at: Type.Optional(nullableDateTime),
    completed_at: Type.Optional(nullableDateTime),
    events: Type.Optional(
      Type.Array(
        Type.Object({
          type: Type.Optional(Type.String()),
          name: Type.Optional(Type.String()),
          at: Type.Optional(dateTime),
          data: Type.Optional(OpenObject()),
        }),
      ),
    ),
  },
  { $id: "Message" },
);
