import type { Queryable } from "../db/db.js";
import type { Services } from "../kernel/services.js";
import {
  type Channel,
  CHANNELS,
  type Direction,
  DIRECTIONS,
  PRICE_UNITS,
  type PriceUnit,
  billableUnits,
} from "./channels.js";

/**
 * Default unit prices in USD: Twilio's US list prices (pay-as-you-go, before volume
 * discounts and carrier pass-through fees), looked up 2026 (see each line). Operators
 * override them with PUT /v1/prices (table `usage_prices`); a Twilio-reported price given
 * to recordUsage() always wins.
 *
 * - SMS $0.0083/segment in and out, MMS $0.022 out / $0.0165 in (long code): Twilio's US SMS
 *   pricing page "current as of October 2026", as quoted by api-evangelist.com, 2026-11-12
 *   ("Twilio API Pricing: What a Text Message Costs"); same figures on dev.to (2026) and
 *   budgetforge.dev (July 2026). Carrier fees ($0.0025–$0.0062/segment) are not included.
 * - WhatsApp $0.005 per message in or out (Twilio's fee; Meta's per-template fees are
 *   passed through on top): https://www.twilio.com/whatsapp/pricing (read 2026).
 * - Voice $0.013/min outbound, $0.0085/min inbound to a local number: Twilio support,
 *   "How Volume Pricing works at Twilio" (support.twilio.com/hc/en-us/articles/223183328).
 * - Verify $0.05 per successful verification (channel fees extra): Twilio Verify pricing
 *   as cited in github.com/modxcms/twilio/wiki (2022); unchanged on twilio.com/verify/pricing.
 * - Lookup Line Type Intelligence $0.008 per request: twilio.com/en-us/trusted-activation/
 *   pricing/lookup (the basic lookup is free).
 */
export const DEFAULT_PRICES: Readonly<Record<Channel, Readonly<Record<Direction, string>>>> = Object.freeze({
  sms: { outbound: "0.0083", inbound: "0.0083" },
  mms: { outbound: "0.022", inbound: "0.0165" },
  whatsapp: { outbound: "0.005", inbound: "0.005" },
  voice: { outbound: "0.013", inbound: "0.0085" },
  verify: { outbound: "0.05", inbound: "0" },
  lookup: { outbound: "0.008", inbound: "0" },
});

export interface PriceEntry {
  channel: Channel;
  direction: Direction;
  unit: PriceUnit;
  /** USD per unit, decimal string. */
  unit_price: string;
  source: "default" | "custom";
}

/** The effective table: prices per channel and direction. */
export type PriceTable = Record<Channel, Record<Direction, string>>;

export function defaultUnitPrice(channel: Channel, direction: Direction): string {
  return DEFAULT_PRICES[channel][direction];
}

const DECIMAL = /^-?\d{1,12}(\.\d{1,6})?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** Micro-dollars as a bigint: prices are decimal strings and must not pass through floats. */
export function toMicros(value: string): bigint {
  if (!isDecimal(value)) throw new Error(`not a decimal amount: ${value}`);
  const negative = value.startsWith("-");
  const [whole, fraction = ""] = value.replace(/^-/, "").split(".");
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return negative ? -micros : micros;
}

/** "0.024900" → "0.0249": at least two decimals, at most six, no float rounding. */
export function fromMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, "0");
  return `${negative ? "-" : ""}${whole}.${trimFraction(fraction)}`;
}

function trimFraction(fraction: string): string {
  let f = fraction;
  while (f.length > 2 && f.endsWith("0")) f = f.slice(0, -1);
  return f;
}

/**
 * What sending (or receiving) costs at list price, for the send API's estimate: SMS per
 * segment, MMS/WhatsApp per message, voice per started minute. Pass `table` (from
 * `getPriceTable`) to use the operator's prices instead of the defaults.
 */
export function estimatePrice(
  channel: Channel,
  segments: number,
  options: { direction?: Direction; messages?: number; minutes?: number; table?: PriceTable } = {},
): string {
  const direction = options.direction ?? "outbound";
  const unitPrice = options.table?.[channel][direction] ?? defaultUnitPrice(channel, direction);
  const units = billableUnits(channel, {
    segments,
    messages: options.messages ?? 1,
    minutes: options.minutes,
  });
  return fromMicros(toMicros(unitPrice) * BigInt(units));
}

/** The effective prices: operator overrides over the defaults. */
export async function listPrices(q: Queryable): Promise<PriceEntry[]> {
  const { rows } = await q.query<{ channel: Channel; direction: Direction; unit_price: string }>(
    "SELECT channel, direction, unit_price::text AS unit_price FROM usage_prices",
  );
  const custom = new Map(rows.map((r) => [`${r.channel}.${r.direction}`, r.unit_price]));
  return CHANNELS.flatMap((channel) =>
    DIRECTIONS.map((direction): PriceEntry => {
      const override = custom.get(`${channel}.${direction}`);
      return {
        channel,
        direction,
        unit: PRICE_UNITS[channel],
        unit_price:
          override === undefined ? defaultUnitPrice(channel, direction) : fromMicros(toMicros(override)),
        source: override === undefined ? "default" : "custom",
      };
    }),
  );
}

export async function getPriceTable(q: Queryable): Promise<PriceTable> {
  const table = Object.fromEntries(CHANNELS.map((c) => [c, { ...DEFAULT_PRICES[c] }])) as PriceTable;
  for (const p of await listPrices(q)) table[p.channel][p.direction] = p.unit_price;
  return table;
}

/**
 * getPriceTable from the runtime's cache (the send path prices every message). A change to
 * the prices reaches every process through the change feed (system/changes.ts).
 */
export function cachedPriceTable(deps: Pick<Services, "db" | "caches">): Promise<PriceTable> {
  const tables = deps.caches.space<PriceTable>("price-table", { ttlMs: 60_000, max: 1 }, (space, on) =>
    on("prices", () => space.clear()),
  );
  return tables.through("table", () => getPriceTable(deps.db));
}

/**
 * Sets operator prices. `null` for a price removes the override (back to the default).
 * Applies to usage recorded from now on; what was metered keeps the price it had.
 */
export async function setPrices(
  q: Queryable,
  prices: { channel: Channel; direction: Direction; unit_price: string | null }[],
): Promise<void> {
  for (const p of prices) {
    if (p.unit_price === null) {
      await q.query("DELETE FROM usage_prices WHERE channel = $1 AND direction = $2", [
        p.channel,
        p.direction,
      ]);
    } else {
      await q.query(
        `INSERT INTO usage_prices (channel, direction, unit_price) VALUES ($1, $2, $3::numeric)
         ON CONFLICT (channel, direction) DO UPDATE SET unit_price = EXCLUDED.unit_price, updated_at = now()`,
        [p.channel, p.direction, p.unit_price],
      );
    }
  }
}
