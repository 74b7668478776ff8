/**
 * Message statuses and the only moves between them.
 *
 * Twilio's status callbacks arrive out of order and may be replayed, and a message never moves
 * back from a final status (docs/twilio-facts.md, "Message statuses"), so the rule is a rank: a
 * status applies only when it ranks above the current one, and a final status never changes.
 * `sending` is ours for "handed to Twilio" (Twilio's accepted/queued/sending).
 */
import type { EventType } from "../events/types.js";

export type MessageStatus =
  | "scheduled"
  | "queued"
  | "sending"
  | "sent"
  | "delivered"
  | "undelivered"
  | "failed"
  | "canceled"
  | "received";

export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  "scheduled",
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "canceled",
  "received",
];

const RANK: Record<MessageStatus, number> = {
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  received: 4,
};

export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
  "delivered",
  "undelivered",
  "failed",
  "canceled",
  "received",
]);

export function isFinal(status: MessageStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** Whether a report of `next` moves a message that is `current` (forward only, finals stay). */
export function isForward(current: MessageStatus, next: MessageStatus): boolean {
  if (isFinal(current)) return false;
  return RANK[next] > RANK[current];
}

/** Twilio's message statuses as ours; null for ones that change nothing. */
export function fromTwilioStatus(twilioStatus: string): MessageStatus | null {
  switch (twilioStatus) {
    case "accepted":
    case "queued":
    case "sending":
    case "scheduled":
      return "sending";
    case "sent":
      return "sent";
    case "delivered":
    case "read":
    case "partially_delivered":
      return "delivered";
    case "undelivered":
      return "undelivered";
    case "failed":
      return "failed";
    case "canceled":
      return "canceled";
    case "received":
    case "receiving":
      return "received";
    default:
      return null;
  }
}

/** The outbound webhook each status produces (events helper's types). */
export function eventTypeFor(status: MessageStatus): EventType | null {
  switch (status) {
    case "queued":
      return "message.queued";
    case "sent":
      return "message.sent";
    case "delivered":
      return "message.delivered";
    case "undelivered":
      return "message.undelivered";
    case "failed":
      return "message.failed";
    case "canceled":
      return "message.canceled";
    default:
      return null;
  }
}

/** Whether Twilio has carried the message (the moment we meter it, once). */
export function isBillable(status: MessageStatus): boolean {
  return status === "sent" || status === "delivered" || status === "undelivered";
}
