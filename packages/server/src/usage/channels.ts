/** What we meter: one row per tenant, UTC day, channel and direction. */
export const CHANNELS = ["sms", "mms", "whatsapp", "voice", "verify", "lookup"] as const;
export type Channel = (typeof CHANNELS)[number];

export const DIRECTIONS = ["outbound", "inbound"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** What one unit of a price is. */
export type PriceUnit = "segment" | "message" | "minute" | "verification" | "lookup";

export const PRICE_UNITS: Record<Channel, PriceUnit> = {
  sms: "segment",
  mms: "message",
  whatsapp: "message",
  voice: "minute",
  verify: "verification",
  lookup: "lookup",
};

export interface Quantities {
  messages?: number;
  segments?: number;
  minutes?: number;
}

/** Counters as stored: a record is one message (call, verification, lookup) unless told otherwise. */
export function countersFor(
  channel: Channel,
  q: Quantities,
): { messages: number; segments: number; minutes: number } {
  const messages = q.messages ?? 1;
  const segments =
    q.segments ?? (channel === "sms" || channel === "mms" || channel === "whatsapp" ? messages : 0);
  return { messages, segments, minutes: q.minutes ?? 0 };
}

/**
 * How many priced units a record is. SMS is billed per segment; voice per started minute,
 * rounded up per call as Twilio bills it; everything else per message/verification/lookup.
 */
export function billableUnits(channel: Channel, q: Quantities): number {
  const c = countersFor(channel, q);
  switch (PRICE_UNITS[channel]) {
    case "segment":
      return c.segments;
    case "minute":
      return Math.ceil(c.minutes);
    default:
      return c.messages;
  }
}
