/**
 * What Subtext metered against what Twilio billed, for one tenant, UTC day and category: the
 * pure half of the drift report (usage/drift.ts reads both sides and stores the result).
 *
 * Twilio's usage categories (https://www.twilio.com/docs/usage/api/usage-record#usage-categories)
 * nest by name; the report compares the four that match what Subtext meters per channel and
 * direction. SMS are counted in segments, which is what Twilio bills and what `count` is for SMS;
 * MMS in messages.
 */
import type { Channel, Direction } from "./channels.js";
import { fromMicros, toMicros } from "./prices.js";

export interface DriftCategory {
  category: string;
  channel: Extract<Channel, "sms" | "mms">;
  direction: Direction;
  unit: "segments" | "messages";
}

export const DRIFT_CATEGORIES: readonly DriftCategory[] = [
  { category: "sms-outbound", channel: "sms", direction: "outbound", unit: "segments" },
  { category: "sms-inbound", channel: "sms", direction: "inbound", unit: "segments" },
  { category: "mms-outbound", channel: "mms", direction: "outbound", unit: "messages" },
  { category: "mms-inbound", channel: "mms", direction: "inbound", unit: "messages" },
];

export const DRIFT_CATEGORY_NAMES = DRIFT_CATEGORIES.map((c) => c.category);

/**
 * Prices are compared loosely: Subtext prices usage with its price table (list prices, or the
 * operator's), not with what Twilio charged each message, so the two differ by the gap between
 * the table and the account's real rates (a local number's SMS is cheaper than the toll-free
 * list price Subtext uses, MMS rates differ by direction). A price differs when it is off by
 * more than 25 % of the larger of the two AND by more than one cent: a count that matches with
 * a price billed at twice the rate is reported, a rate a few percent off the table is not.
 */
export const PRICE_TOLERANCE = { percent: 25, minUsd: "0.01" } as const;

export type DriftReason = "count" | "price";

export interface Side {
  count: number;
  /** USD, decimal string. */
  amount: string;
}

export interface Comparison {
  reasons: DriftReason[];
  /** Subtext minus Twilio. */
  count_difference: number;
  /** USD, Subtext minus Twilio. */
  price_difference: string;
}

export function compareUsage(subtext: Side, twilio: Side): Comparison {
  const reasons: DriftReason[] = [];
  if (subtext.count !== twilio.count) reasons.push("count");
  const ours = toMicros(subtext.amount);
  const theirs = toMicros(twilio.amount);
  const gap = ours > theirs ? ours - theirs : theirs - ours;
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
  const larger = ours > theirs ? ours : theirs;
  if (gap > toMicros(PRICE_TOLERANCE.minUsd) && gap * 100n > larger * BigInt(PRICE_TOLERANCE.percent))
    reasons.push("price");
  return {
    reasons,
    count_difference: subtext.count - twilio.count,
    price_difference: fromMicros(ours - theirs),
  };
}

/**
 * Twilio's price as our decimal text: a string or a number, with up to 6 decimals kept (Twilio
 * writes 5); a charge written negative counts as the positive amount, as in recordUsage().
 */
export function twilioAmount(price: unknown): string {
  const n = typeof price === "number" ? price : Number.parseFloat(String(price ?? "0"));
  if (!Number.isFinite(n)) return "0.00";
  return fromMicros(BigInt(Math.round(Math.abs(n) * 1_000_000)));
}

/** Twilio's count (a string of an integer in its answers) as a number; 0 when absent. */
export function twilioCount(count: unknown): number {
  const n = Number.parseInt(String(count ?? "0"), 10);
  return Number.isFinite(n) ? n : 0;
}

const DAY_MS = 86_400_000;

/** The UTC days from `from` to `to`, both included (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** A real UTC day written YYYY-MM-DD ("2030-02-31" is not). */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}

/** Days before today the daily check covers: yesterday and the six before it. */
export const LOOKBACK_DAYS = 7;
/** The hour (UTC) of the daily check: Twilio's records of the day before have settled by then. */
export const DRIFT_HOUR_UTC = 4;

/** The daily window: the LOOKBACK_DAYS days before today (UTC), yesterday last. */
export function defaultWindow(now: Date): { from: string; to: string } {
  const today = now.toISOString().slice(0, 10);
  return { from: addDays(today, -LOOKBACK_DAYS), to: addDays(today, -1) };
}

/** The next daily run after `now`. */
export function nextRun(now: Date): Date {
  const at = new Date(now);
  at.setUTCHours(DRIFT_HOUR_UTC, 0, 0, 0);
  if (at <= now) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}
