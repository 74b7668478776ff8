/**
 * Per-country SMS prices from Twilio's Pricing API
 * (https://www.twilio.com/docs/messaging/api/pricing, `GET /v1/Messaging/Countries/{IsoCountry}`),
 * for the estimate of a send abroad: the US table (`./prices.ts`) says nothing about what a
 * segment to Germany costs. Cached per country for a day in each process (Twilio changes these
 * prices rarely, with notice); a price change announced as `prices` clears the cache too.
 *
 * The estimate takes the highest current price of any carrier of the country for the sender
 * type (an alphanumeric sender pays the `local` rate, as Twilio bills it), so that a budget
 * reserved from it is never short. A country the API does not answer for has no estimate (null).
 */
import type { Services } from "../kernel/services.js";
import { twilioCall } from "../twilio/errors.js";
import { fromMicros, toMicros } from "./prices.js";

export interface CountryPrices {
  country: string;
  /** USD per outbound SMS segment, by Twilio's number type (`local`, `mobile`, `shortcode`…). */
  outbound: Record<string, string>;
  /** The highest of them, for a sender type the table does not list. */
  highest: string;
}

const DAY_MS = 86_400_000;

/** The SDK's camelCase entry (or the API's snake_case one). */
interface PriceEntry {
  numberType?: string;
  basePrice?: string | number;
  currentPrice?: string | number;
  number_type?: string;
  base_price?: string | number;
  current_price?: string | number;
}

/** The country's price table from Twilio, or null when Twilio has none for it. */
export async function fetchCountryPrices(
  deps: Pick<Services, "twilio">,
  country: string,
): Promise<CountryPrices | null> {
  const client = deps.twilio.parentClient();
  let answer: { outboundSmsPrices?: { prices?: unknown[] }[] };
  try {
    answer = await twilioCall("read the country's messaging prices", () =>
      client.pricing.v1.messaging.countries(country).fetch(),
    );
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
  const outbound: Record<string, bigint> = {};
  for (const carrier of answer.outboundSmsPrices ?? []) {
    for (const entry of carrier.prices ?? []) {
      const p = entry as PriceEntry;
      const raw = String(p.currentPrice ?? p.current_price ?? p.basePrice ?? p.base_price ?? "");
      const numberType = p.numberType ?? p.number_type;
      if (!numberType || !/^\d+(\.\d+)?$/.test(raw)) continue;
      const micros = toMicros(Number(raw).toFixed(6));
      const type = numberType.toLowerCase();
      if (outbound[type] === undefined || micros > outbound[type]) outbound[type] = micros;
    }
  }
  const all = Object.values(outbound);
  if (all.length === 0) return null;
  const [highest] = all.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return {
    country,
    outbound: Object.fromEntries(Object.entries(outbound).map(([k, v]) => [k, fromMicros(v)])),
    highest: fromMicros(highest),
  };
}

/** `fetchCountryPrices` through the runtime's cache (a day). */
export function cachedCountryPrices(
  deps: Pick<Services, "twilio" | "caches">,
  country: string,
): Promise<CountryPrices | null> {
  const space = deps.caches.space<CountryPrices | null>("country-prices", { ttlMs: DAY_MS }, (s, on) =>
    on("prices", () => s.clear()),
  );
  return space.through(country, () => fetchCountryPrices(deps, country));
}

/** What `segments` SMS segments to the country cost from a sender of `numberType`, or null. */
export function estimateCountryPrice(
  prices: CountryPrices | null,
  numberType: "local" | "mobile" | "shortcode" | "toll free",
  segments: number,
): string | null {
  if (!prices) return null;
  const unit = prices.outbound[numberType] ?? prices.highest;
  return fromMicros(toMicros(unit) * BigInt(Math.max(1, segments)));
}
