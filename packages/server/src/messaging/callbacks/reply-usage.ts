/**
 * The replies Twilio sends to an inbound message without Subtext's send path, metered so that
 * Subtext's usage is what Twilio bills (Twilio bills them as outbound messages from the number):
 *
 * - Twilio's own keyword auto-reply: Twilio says it handled a STOP, START or HELP keyword by
 *   setting `OptOutType` on the inbound webhook
 *   (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out), and then answers it.
 *   Its default replies are single GSM-7 segments (a custom Advanced Opt-Out reply Subtext does
 *   not know; a longer one shows in the drift report, usage/drift.ts);
 * - the TwiML `<Message>` Subtext answers the webhook with (a custom keyword's reply): Twilio
 *   sends it, with the Messaging Service's smart encoding (on by default for a service).
 *
 * A reply Subtext sends through its send path is a message of its own, metered when it is sent,
 * never here.
 */
import type { Queryable } from "../../db/db.js";
import { recordUsage } from "../../usage/record.js";
import { countSegments } from "@subtext/telecom/segments";
import { smartEncode } from "@subtext/telecom/smart-encoding";

/** Segments of one of Twilio's default STOP/START/HELP replies (each under 160 GSM-7 characters). */
export const TWILIO_AUTO_REPLY_SEGMENTS = 1;

export interface InboundReplies {
  tenantId: string;
  /** The inbound webhook's `OptOutType` (STOP, START, HELP), if Twilio handled a keyword. */
  optOutType: string | null;
  /** The text of the TwiML `<Message>` Subtext answers with, if any. */
  twimlReply: string | null;
  /** The inbound message came through a Messaging Service (its smart encoding applies). */
  viaService: boolean;
  whatsapp: boolean;
  at: Date;
}

/** What Twilio sends back on its own for this inbound message: segments per reply. */
export function repliesBilled(r: Omit<InboundReplies, "tenantId" | "at">): number[] {
  if (r.whatsapp) return [];
  const out: number[] = [];
  if (r.optOutType) out.push(TWILIO_AUTO_REPLY_SEGMENTS);
  if (r.twimlReply) {
    out.push(countSegments(r.viaService ? smartEncode(r.twimlReply) : r.twimlReply).segments);
  }
  return out;
}

/** Meters those replies as outbound SMS, in the transaction that stores the inbound message. */
export async function meterInboundReplies(q: Queryable, r: InboundReplies): Promise<void> {
  if (r.whatsapp && r.twimlReply) {
    // A WhatsApp reply is one message, billed per message.
    await recordUsage(q, {
      tenantId: r.tenantId,
      channel: "whatsapp",
      direction: "outbound",
      messages: 1,
      segments: 1,
      at: r.at,
    });
    return;
  }
  const segments = repliesBilled(r);
  if (segments.length === 0) return;
  await recordUsage(q, {
    tenantId: r.tenantId,
    channel: "sms",
    direction: "outbound",
    messages: segments.length,
    segments: segments.reduce((a, b) => a + b, 0),
    at: r.at,
  });
}
