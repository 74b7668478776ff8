import { page2010 } from "../../../../core/paging.js";
import type { ApiRequest, Router } from "../../../../http/router.js";
import { ACCOUNTS, type Account } from "../../accounts/model.js";
import { USAGE_CATEGORIES, type UsageCategory } from "./categories.js";
import { type Amount, type Ledger, PRICE_SCALE, ledgerOf, utcDay } from "./model.js";
import { type Period, SUBRESOURCES, type Subresource, parseDay, periodIndex, periodsOf } from "./periods.js";

/**
 * Usage Records (https://www.twilio.com/docs/usage/api/usage-record): what the account was
 * billed, derived from the messages the emulator priced (model.ts), per category and period.
 * Every period gets a record for every category, zeros included, as Twilio's do.
 */
export function registerUsageRecords(r: Router) {
  for (const sub of SUBRESOURCES) {
    const path = `/api/2010-04-01/Accounts/:AccountSid/Usage/Records${sub.path ? `/${sub.path}` : ""}.json`;
    r.get(path, (req) => ({ status: 200, body: list(req, sub.path) }));
  }
}

function list({ world, account, input, path }: ApiRequest, sub: Subresource) {
  const now = world.clock.now();
  const today = utcDay(now);
  const start = input.str("StartDate") ? parseDay("StartDate", input.str("StartDate")!, today) : undefined;
  const end = input.str("EndDate") ? parseDay("EndDate", input.str("EndDate")!, today) : undefined;
  const periods = periodsOf(sub, start ?? utcDay(account.date_created), end ?? today, today);
  const filter = input.str("Category") || undefined;
  const categories = filter ? USAGE_CATEGORIES.filter((c) => c.name === filter) : USAGE_CATEGORIES;

  // IncludeSubaccounts defaults to true: a parent's records add up its subaccounts' usage.
  const accounts = new Set([account.sid]);
  if (input.bool("IncludeSubaccounts", true) && account.owner_account_sid === account.sid)
    for (const a of world.store.list<Account>(ACCOUNTS, (a) => a.owner_account_sid === account.sid))
      accounts.add(a.sid);
  const sums = sumByPeriod(ledgerOf(world, accounts), periods);

  // Rows are cheap; only the page is rendered (a Daily list over years is long).
  const rows = periods.flatMap((period, i) => categories.map((category) => ({ period, i, category })));
  const page = page2010(rows, "usage_records", path.replace(/^\/api/, ""), input);
  const context = { account, sub, asOf: asOf(now) };
  return {
    ...page,
    usage_records: (page.usage_records as typeof rows).map(({ period, i, category }) =>
      render(context, category, period, sums[i].get(category.name)),
    ),
  };
}

/** Each period's usage per category. */
function sumByPeriod(ledger: Ledger, periods: Period[]): Map<string, Amount>[] {
  const sums = periods.map(() => new Map<string, Amount>());
  for (const [day, byCategory] of ledger) {
    const i = periodIndex(periods, day);
    if (i < 0) continue;
    for (const [name, amount] of byCategory) {
      const sum = sums[i].get(name);
      if (sum) {
        sum.count += amount.count;
        sum.price += amount.price;
      } else sums[i].set(name, { ...amount });
    }
  }
  return sums;
}

/** `YYYY-MM-DDTHH:MM:SS+00:00`, as Twilio writes `as_of`. */
const asOf = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

function render(
  ctx: { account: Account; sub: Subresource; asOf: string },
  category: UsageCategory,
  period: Period,
  amount: Amount | undefined,
) {
  const base = `/2010-04-01/Accounts/${ctx.account.sid}/Usage/Records`;
  const count = String(Math.max(0, amount?.count ?? 0));
  const q = `Category=${encodeURIComponent(category.name)}`;
  return {
    account_sid: ctx.account.sid,
    api_version: "2010-04-01",
    as_of: ctx.asOf,
    category: category.name,
    count,
    count_unit: "messages",
    description: category.description,
    end_date: period.end,
    price: (Math.max(0, amount?.price ?? 0) / PRICE_SCALE).toFixed(5),
    price_unit: "usd",
    start_date: period.start,
    subresource_uris: Object.fromEntries(
      SUBRESOURCES.filter((s) => s.key !== null).map((s) => [s.key, `${base}/${s.path}.json?${q}`]),
    ),
    uri: `${base}${ctx.sub ? `/${ctx.sub}` : ""}.json?${q}&StartDate=${period.start}&EndDate=${period.end}`,
    usage: count,
    usage_unit: "messages",
  };
}
