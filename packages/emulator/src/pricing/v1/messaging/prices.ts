import { COUNTRIES } from "../../../core/countries.js";

/**
 * Messaging prices per country, as data: what Twilio's Pricing API answers
 * (https://www.twilio.com/docs/messaging/api/pricing) and what the emulator charges a message.
 * USD per SMS segment, close to Twilio's public list prices when written
 * (https://www.twilio.com/en-us/sms/pricing/us and the per-country pages); they are the
 * emulator's, not a quote. US prices are the ones the emulator always charged (usage records
 * depend on them). Outbound: per destination carrier and sender number type; inbound: per type
 * of the receiving Twilio number. A destination without a row here costs DEFAULT_OUTBOUND.
 */
export type PriceNumberType = "local" | "mobile" | "toll free" | "shortcode";

export interface Carrier {
  carrier: string;
  mcc: string;
  mnc: string;
}

export interface CountryPrices {
  iso: string;
  carriers: Carrier[];
  outbound: Partial<Record<PriceNumberType, number>>;
  inbound: Partial<Record<PriceNumberType, number>>;
}

export const DEFAULT_OUTBOUND = 0.06;

const carriers = (mcc: string, list: [string, string][]): Carrier[] =>
  list.map(([carrier, mnc]) => ({ carrier, mcc, mnc }));

/** Outside North America a message costs the destination's rate, whatever sends it. */
const flat = (price: number) => ({ local: price, mobile: price, "toll free": price, shortcode: price });

export const MESSAGING_PRICES: Record<string, CountryPrices> = Object.fromEntries(
  (
    [
      {
        iso: "US",
        carriers: carriers("310", [
          ["AT&T Wireless", "410"],
          ["T-Mobile USA, Inc.", "260"],
          ["Verizon Wireless", "480"],
        ]),
        outbound: { local: 0.0079, mobile: 0.0079, "toll free": 0.0083, shortcode: 0.0079 },
        inbound: { local: 0.0079, mobile: 0.0079, "toll free": 0.0083, shortcode: 0.0079 },
      },
      {
        iso: "CA",
        carriers: carriers("302", [
          ["Rogers Wireless", "720"],
          ["Bell Mobility", "610"],
          ["Telus Mobility", "220"],
        ]),
        outbound: { local: 0.0079, mobile: 0.0079, "toll free": 0.0083, shortcode: 0.0079 },
        inbound: { local: 0.0079, "toll free": 0.0083, shortcode: 0.0079 },
      },
      {
        iso: "GB",
        carriers: carriers("234", [
          ["EE", "30"],
          ["Vodafone", "15"],
          ["O2", "10"],
        ]),
        outbound: flat(0.0463),
        inbound: { mobile: 0.0075 },
      },
      {
        iso: "DE",
        carriers: carriers("262", [
          ["Telekom Deutschland", "01"],
          ["Vodafone", "02"],
          ["Telefonica O2", "03"],
        ]),
        outbound: flat(0.0937),
        inbound: {},
      },
      {
        iso: "AU",
        carriers: carriers("505", [
          ["Telstra", "01"],
          ["Optus", "02"],
          ["Vodafone", "03"],
        ]),
        outbound: flat(0.0515),
        inbound: { mobile: 0.0075 },
      },
      {
        iso: "BR",
        carriers: carriers("724", [
          ["Vivo", "06"],
          ["Claro", "05"],
          ["TIM", "04"],
        ]),
        outbound: flat(0.0547),
        inbound: {},
      },
      {
        iso: "IN",
        carriers: [
          { carrier: "Reliance Jio", mcc: "405", mnc: "857" },
          { carrier: "Bharti Airtel", mcc: "404", mnc: "10" },
          { carrier: "Vodafone Idea", mcc: "404", mnc: "20" },
        ],
        outbound: flat(0.0832),
        inbound: {},
      },
    ] satisfies CountryPrices[]
  ).map((c) => [c.iso, c]),
);

export const countryName = (iso: string) => COUNTRIES[iso]?.name ?? iso;

/** USD for one outbound SMS segment to `iso` from a sender of `type`. */
export function outboundSmsPrice(iso: string | null, type: PriceNumberType): number {
  const row = iso ? MESSAGING_PRICES[iso] : undefined;
  if (!row) return DEFAULT_OUTBOUND;
  return row.outbound[type] ?? row.outbound.local ?? DEFAULT_OUTBOUND;
}

/** USD for one inbound SMS segment on a Twilio number of `iso` and `type` (0 where not listed). */
export function inboundSmsPrice(iso: string | null, type: PriceNumberType): number {
  const row = iso ? MESSAGING_PRICES[iso] : undefined;
  return row?.inbound[type] ?? row?.inbound.local ?? 0;
}
