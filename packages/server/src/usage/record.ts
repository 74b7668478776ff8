import type { Queryable } from "../db/db.js";
import { type Channel, CHANNELS, type Direction, billableUnits, countersFor } from "./channels.js";
import { defaultUnitPrice, isDecimal } from "./prices.js";

export type { Channel, Direction } from "./channels.js";

export interface UsageRecord {
  tenantId: string;
  channel: Channel;
  direction: Direction;
  /** Default 1: one record is one message, call, verification or lookup. */
  messages?: number;
  /** Default: `messages` for sms/mms/whatsapp, else 0. SMS is priced per segment. */
  segments?: number;
  /** Voice: call duration in minutes (priced per started minute). */
  minutes?: number;
  /** Price in USD as a decimal string; when absent the price table decides. */
  price?: string;
  at: Date;
}

/**
 * Counter rows are spread over a few shards per (tenant, day, channel, direction) so that
 * concurrent transactions metering the same tenant do not queue on one row lock until they
 * commit; readers sum the shards.
 */
export const USAGE_SHARDS = 8;

/**
 * Adds a record to the tenant's daily counters, priced with the tenant-independent price
 * table (an override in `usage_prices`, else our default list price) unless `price` is given.
 * Call it in the transaction that records the message, call or verification.
 */
export async function recordUsage(q: Queryable, u: UsageRecord): Promise<void> {
  if (!(CHANNELS as readonly string[]).includes(u.channel))
    throw new Error(`recordUsage: unknown channel ${u.channel}`);
  if (u.direction !== "outbound" && u.direction !== "inbound") {
    throw new Error(`recordUsage: unknown direction ${u.direction}`);
  }
  if (u.price !== undefined && !isDecimal(u.price))
    throw new Error(`recordUsage: price ${u.price} is not a decimal`);
  const counters = countersFor(u.channel, u);
  const day = u.at.toISOString().slice(0, 10);
  const shard = Math.floor(Math.random() * USAGE_SHARDS);
  // Twilio reports prices as negative numbers (a charge); we store charges as positive.
  const price = u.price === undefined ? null : u.price.replace(/^-/, "");
  await q.query(
    `INSERT INTO usage_daily AS u (tenant_id, day, channel, direction, shard, messages, segments, minutes, cost)
     VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8::numeric,
       COALESCE($9::numeric,
         $10::numeric * COALESCE((SELECT p.unit_price FROM usage_prices p WHERE p.channel = $3 AND p.direction = $4),
                                 $11::numeric)))
     ON CONFLICT (tenant_id, day, channel, direction, shard) DO UPDATE SET
       messages = u.messages + EXCLUDED.messages,
       segments = u.segments + EXCLUDED.segments,
       minutes = u.minutes + EXCLUDED.minutes,
       cost = u.cost + EXCLUDED.cost,
       updated_at = now()`,
    [
      u.tenantId,
      day,
      u.channel,
      u.direction,
      shard,
      counters.messages,
      counters.segments,
      String(counters.minutes),
      price,
      billableUnits(u.channel, u),
      defaultUnitPrice(u.channel, u.direction),
    ],
  );
}
