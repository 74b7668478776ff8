import { TwilioError } from "../../../../core/errors.js";
import { utcDay } from "./model.js";

/**
 * The list subresources of Usage/Records
 * (https://www.twilio.com/docs/usage/api/usage-record#list-subresources): the root and AllTime
 * give one record per category over the requested dates, Daily/Monthly/Yearly one per day, month
 * or year of them, and Today, Yesterday, ThisMonth and LastMonth one over that fixed period.
 * `key` names it in a record's `subresource_uris`.
 */
export const SUBRESOURCES = [
  { path: "", key: null },
  { path: "AllTime", key: "all_time" },
  { path: "Daily", key: "daily" },
  { path: "LastMonth", key: "last_month" },
  { path: "Monthly", key: "monthly" },
  { path: "ThisMonth", key: "this_month" },
  { path: "Today", key: "today" },
  { path: "Yearly", key: "yearly" },
  { path: "Yesterday", key: "yesterday" },
] as const;

export type Subresource = (typeof SUBRESOURCES)[number]["path"];

/** A span of whole UTC days, both ends included (YYYY-MM-DD, which sorts as dates do). */
export interface Period {
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;
const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`);
const addDays = (day: string, n: number) => utcDay(msOf(day) + n * DAY_MS);
const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const monthEnd = (day: string) => {
  const d = new Date(msOf(monthStart(day)));
  return utcDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - DAY_MS);
};
const yearEnd = (day: string) => `${day.slice(0, 4)}-12-31`;

/** StartDate/EndDate: a GMT date (YYYY-MM-DD) or an offset from today, such as `-30days` or `+30days`. */
export function parseDay(name: string, raw: string, today: string): string {
  const offset = /^([+-]\d{1,5})days?$/i.exec(raw.trim());
  if (offset) return addDays(today, Number(offset[1]));
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? msOf(raw) : Number.NaN;
  if (Number.isNaN(ms) || utcDay(ms) !== raw)
    throw new TwilioError(20001, 400, `Invalid ${name}: ${raw} (YYYY-MM-DD, or an offset such as -30days)`);
  return raw;
}

/** Cuts [start, end] at the ends of `chunkEnd`'s spans (days, months, years). */
function chunks(start: string, end: string, chunkEnd: (day: string) => string): Period[] {
  const out: Period[] = [];
  for (let day = start; day <= end; ) {
    const last = chunkEnd(day) < end ? chunkEnd(day) : end;
    out.push({ start: day, end: last });
    day = addDays(last, 1);
  }
  return out;
}

/**
 * The periods a subresource answers for, oldest first. The fixed ones (Today, Yesterday,
 * ThisMonth up to today, LastMonth) ignore StartDate and EndDate.
 */
export function periodsOf(sub: Subresource, start: string, end: string, today: string): Period[] {
  switch (sub) {
    case "Today":
      return [{ start: today, end: today }];
    case "Yesterday": {
      const yesterday = addDays(today, -1);
      return [{ start: yesterday, end: yesterday }];
    }
    case "ThisMonth":
      return [{ start: monthStart(today), end: today }];
    case "LastMonth": {
      const last = addDays(monthStart(today), -1);
      return [{ start: monthStart(last), end: last }];
    }
    case "Daily":
      return chunks(start, end, (day) => day);
    case "Monthly":
      return chunks(start, end, monthEnd);
    case "Yearly":
      return chunks(start, end, yearEnd);
    default:
      return start <= end ? [{ start, end }] : [];
  }
}

/** The index of the period holding `day` (periods sorted and disjoint), or -1. */
export function periodIndex(periods: Period[], day: string): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (day < periods[mid].start) hi = mid - 1;
    else if (day > periods[mid].end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
