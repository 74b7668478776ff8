import { countryOfNumber } from "../../../core/countries.js";
import {
  type PriceNumberType,
  inboundSmsPrice,
  outboundSmsPrice,
} from "../../../pricing/v1/messaging/prices.js";
import { type Channel, bareNumber } from "./channel.js";
import type { NumberType } from "./collections.js";

/**
 * What the emulator charges for a message, in USD. SMS is billed per segment, in either
 * direction, at the per-country prices the Pricing API serves (pricing/v1/messaging/prices.ts):
 * an outbound SMS at the destination country's rate for the kind of sender, a received one at
 * the rate of the receiving number's country and type. MMS and WhatsApp keep US list prices
 * (https://www.twilio.com/en-us/sms/pricing/us), per message.
 */
export const LIST_PRICES = { mms: 0.02, whatsapp: 0.005 };

/** What sent or received a message: a kind of Twilio number, a short code, or an alphanumeric ID. */
export type SenderKind = NumberType | "shortcode" | "alphanumeric";

const PRICE_TYPE: Record<SenderKind, PriceNumberType> = {
  local: "local",
  mobile: "mobile",
  toll_free: "toll free",
  shortcode: "shortcode",
  // An alphanumeric sender pays the destination's standard rate.
  alphanumeric: "local",
};

/** The price of one outbound message to `to` (positive; the 2010 API renders it negated). */
export function outboundPrice(
  m: { channel: Channel; media: unknown[]; segments: number; to: string },
  kind: SenderKind | null,
): number {
  if (m.channel === "whatsapp") return LIST_PRICES.whatsapp;
  if (m.media.length > 0) return LIST_PRICES.mms;
  return outboundSmsPrice(countryOfNumber(bareNumber(m.to)), PRICE_TYPE[kind ?? "local"]) * m.segments;
}

/** The price of one received message on a number of `country` and `type`. */
export function inboundPrice(
  m: { channel: Channel; media: unknown[]; segments: number },
  type: NumberType,
  country: string,
): number {
  if (m.channel === "whatsapp") return LIST_PRICES.whatsapp;
  if (m.media.length > 0) return LIST_PRICES.mms;
  return inboundSmsPrice(country, PRICE_TYPE[type]) * m.segments;
}
