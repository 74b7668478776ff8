import type { World } from "../../../../world.js";
import type { MessageDoc, NumberType } from "../../messages/collections.js";
import { ancestry, leafCategory } from "./categories.js";

/**
 * What Twilio billed, kept apart from the messages so that deleting or redacting a message does
 * not change a bill (as on Twilio): one tally per account, UTC day and leaf category, added to
 * when a message is priced. Skews (the control API's `usage/skews`) then make the bill differ
 * from what happened, for tests of a drift report.
 */
export const USAGE_TALLIES = "usage_tallies";
export const USAGE_SKEWS = "usage_skews";

/** Prices are summed in 1/100000 USD, the precision Twilio writes prices in, so sums are exact. */
export const PRICE_SCALE = 100_000;

export interface UsageTally {
  /** `<account_sid>|<YYYY-MM-DD>|<leaf category>` */
  sid: string;
  account_sid: string;
  day: string;
  category: string;
  /** Segments for SMS, messages for MMS. */
  count: number;
  /** In 1/PRICE_SCALE USD. */
  price: number;
}

export interface UsageSkew {
  sid: string;
  account_sid: string;
  /** The UTC day it changes, YYYY-MM-DD. */
  date: string;
  category: string;
  /** Added to `count` and `usage` of the category (and of the rollups it counts in). */
  add_count: number;
  /** The day's price in that category is multiplied by this, then `add_price` is added. */
  price_multiplier: number;
  /** USD. */
  add_price: number;
  date_created: number;
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Meters a message Twilio bills, once, when the emulator prices it: an outbound message when
 * the carrier takes it (`sent`), an inbound one when it arrives. Its day is the UTC day it was
 * sent or received.
 */
export function meterMessage(world: World, msg: MessageDoc, numberType: NumberType | null) {
  const category = leafCategory(msg, numberType);
  if (!category || msg.price === null) return;
  const day = utcDay(msg.date_sent ?? world.clock.now());
  const sid = `${msg.account_sid}|${day}|${category}`;
  const count = msg.media.length > 0 ? 1 : msg.segments;
  const price = Math.round(msg.price * PRICE_SCALE);
  const tally = world.store.get<UsageTally>(USAGE_TALLIES, sid);
  if (tally)
    world.store.patch<UsageTally>(USAGE_TALLIES, sid, {
      count: tally.count + count,
      price: tally.price + price,
    });
  else
    world.store.put<UsageTally>(USAGE_TALLIES, {
      sid,
      account_sid: msg.account_sid,
      day,
      category,
      count,
      price,
    });
}

export interface Amount {
  count: number;
  /** In 1/PRICE_SCALE USD. */
  price: number;
}

/** Usage per UTC day, then per category (rollups included). */
export type Ledger = Map<string, Map<string, Amount>>;

function add(ledger: Ledger, day: string, category: string, count: number, price: number) {
  let byCategory = ledger.get(day);
  if (!byCategory) {
    byCategory = new Map();
    ledger.set(day, byCategory);
  }
  for (const name of ancestry(category)) {
    const amount = byCategory.get(name);
    if (amount) {
      amount.count += count;
      amount.price += price;
    } else byCategory.set(name, { count, price });
  }
}

/**
 * The usage of these accounts together, day by day: each account's tallies with its own skews
 * applied (in the order they were added), then summed.
 */
export function ledgerOf(world: World, accountSids: ReadonlySet<string>): Ledger {
  const perAccount = new Map<string, Ledger>();
  const ledgerFor = (sid: string) => {
    let ledger = perAccount.get(sid);
    if (!ledger) {
      ledger = new Map();
      perAccount.set(sid, ledger);
    }
    return ledger;
  };
  for (const t of world.store.list<UsageTally>(USAGE_TALLIES, (t) => accountSids.has(t.account_sid)))
    add(ledgerFor(t.account_sid), t.day, t.category, t.count, t.price);
  for (const s of world.store.list<UsageSkew>(USAGE_SKEWS, (s) => accountSids.has(s.account_sid))) {
    const ledger = ledgerFor(s.account_sid);
    const current = ledger.get(s.date)?.get(s.category)?.price ?? 0;
    const extra = Math.round(current * (s.price_multiplier - 1) + s.add_price * PRICE_SCALE);
    add(ledger, s.date, s.category, s.add_count, extra);
  }
  if (perAccount.size <= 1) return [...perAccount.values()][0] ?? new Map();
  const total: Ledger = new Map();
  for (const ledger of perAccount.values()) {
    for (const [day, byCategory] of ledger) {
      let into = total.get(day);
      if (!into) {
        into = new Map();
        total.set(day, into);
      }
      for (const [name, amount] of byCategory) {
        const sum = into.get(name);
        if (sum) {
          sum.count += amount.count;
          sum.price += amount.price;
        } else into.set(name, { ...amount });
      }
    }
  }
  return total;
}
