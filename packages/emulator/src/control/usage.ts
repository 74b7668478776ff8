import { ACCOUNTS } from "../api/2010/accounts/model.js";
import { USAGE_CATEGORIES, usageCategory } from "../api/2010/usage/records/categories.js";
import { USAGE_SKEWS, type UsageSkew } from "../api/2010/usage/records/model.js";
import { iso } from "../core/dates.js";
import { TwilioError } from "../core/errors.js";
import { newSid } from "../core/sid.js";
import type { Router } from "../http/router.js";
import { body } from "./routes.js";

const invalid = (message: string) => new TwilioError(20001, 400, message);

function number(value: unknown, name: string, fallback: number, check: (n: number) => boolean) {
  if (value === undefined || value === null || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw invalid(`${name} is not valid: ${JSON.stringify(value)}`);
  return n;
}

export function renderSkew(s: UsageSkew) {
  return {
    id: s.sid,
    account_sid: s.account_sid,
    date: s.date,
    category: s.category,
    add_count: s.add_count,
    price_multiplier: s.price_multiplier,
    add_price: s.add_price,
    date_created: iso(s.date_created),
  };
}

/**
 * Skews make an account's bill differ from what the emulator did, for tests of a drift report:
 * `POST /_emulator/usage/skews {account_sid, date, category, add_count?, price_multiplier?,
 * add_price?}` changes that account's usage records for that UTC day and category (and the
 * rollups it counts in, so `sms` stays the sum of its parts). `GET` lists them, `DELETE` removes
 * one or all.
 */
export function registerUsageControl(r: Router) {
  const pub = { public: true };

  r.post(
    "/_emulator/usage/skews",
    (req) => {
      const b = body(req);
      const account = String(b.account_sid ?? "");
      if (!req.world.store.get(ACCOUNTS, account))
        throw new TwilioError(20404, 404, `No account ${account || "(account_sid is required)"}`);
      const date = String(b.date ?? "");
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
      if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date)
        throw invalid("date must be a UTC day, YYYY-MM-DD");
      const category = String(b.category ?? "");
      if (!usageCategory(category))
        throw invalid(`category must be one of ${USAGE_CATEGORIES.map((c) => c.name).join(", ")}`);
      const skew: UsageSkew = {
        sid: newSid("UA"),
        account_sid: account,
        date,
        category,
        add_count: number(b.add_count, "add_count", 0, Number.isInteger),
        price_multiplier: number(b.price_multiplier, "price_multiplier", 1, (n) => n >= 0),
        add_price: number(b.add_price, "add_price", 0, () => true),
        date_created: req.world.clock.now(),
      };
      if (skew.add_count === 0 && skew.price_multiplier === 1 && skew.add_price === 0)
        throw invalid("a skew needs add_count, price_multiplier or add_price");
      return { status: 201, body: renderSkew(req.world.store.put(USAGE_SKEWS, skew)) };
    },
    pub,
  );

  r.get(
    "/_emulator/usage/skews",
    ({ world, input }) => {
      const account = input.str("account_sid");
      const skews = world.store.list<UsageSkew>(USAGE_SKEWS, (s) => !account || s.account_sid === account);
      return { status: 200, body: { skews: skews.map(renderSkew) } };
    },
    pub,
  );

  r.delete(
    "/_emulator/usage/skews",
    ({ world }) => {
      for (const s of world.store.list<UsageSkew>(USAGE_SKEWS)) world.store.delete(USAGE_SKEWS, s.sid);
      return { status: 204 };
    },
    pub,
  );

  r.delete(
    "/_emulator/usage/skews/:Id",
    ({ world, params }) => {
      if (!world.store.delete(USAGE_SKEWS, params.Id))
        throw new TwilioError(20404, 404, `No usage skew ${params.Id}`);
      return { status: 204 };
    },
    pub,
  );
}
