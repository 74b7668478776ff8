import type { Channel } from "./channel.js";
import type { NumberType } from "./collections.js";

/**
 * What the emulator charges for a message, in USD: US list prices, close enough for metering
 * tests. SMS is billed per segment, in either direction, as Twilio bills it
 * (https://www.twilio.com/en-us/sms/pricing/us); an MMS and a WhatsApp message per message.
 */
export const LIST_PRICES = {
  /** Per segment, by the kind of Twilio number that sends or receives it. */
  sms: { local: 0.0079, mobile: 0.0079, toll_free: 0.0083 } satisfies Record<NumberType, number>,
  mms: 0.02,
  whatsapp: 0.005,
};

/** The price of one message (positive; the 2010 API renders it negated). */
export function messagePrice(
  m: { channel: Channel; media: unknown[]; segments: number },
  numberType: NumberType | null,
): number {
  if (m.channel === "whatsapp") return LIST_PRICES.whatsapp;
  if (m.media.length > 0) return LIST_PRICES.mms;
  return LIST_PRICES.sms[numberType ?? "local"] * m.segments;
}
