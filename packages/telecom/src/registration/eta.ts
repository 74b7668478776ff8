/**
 * Business-day arithmetic for the ETAs shown during onboarding ("brand review: 3–5 business
 * days"). Calendar dates, not instants: an ETA is a day. Weekends are skipped; public holidays
 * are the caller's to pass (the reviewers are in several countries, so we do not guess them).
 */

/** "YYYY-MM-DD". */
export type CalendarDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtcDays(date: CalendarDate): number {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const back = new Date(ms).toISOString().slice(0, 10);
  if (back !== date) throw new RangeError(`"${date}" is not a real calendar date`);
  return ms / 86_400_000;
}

function fromUtcDays(days: number): CalendarDate {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

function isWeekend(days: number): boolean {
  const weekday = new Date(days * 86_400_000).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** The calendar day of an instant in a time zone (default UTC). */
export function calendarDate(instant: Date, timeZone = "UTC"): CalendarDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

export function isBusinessDay(date: CalendarDate, holidays: readonly CalendarDate[] = []): boolean {
  return !isWeekend(toUtcDays(date)) && !holidays.includes(date);
}

/**
 * The date `count` business days after `date` (before it when negative), like a spreadsheet's
 * WORKDAY: Friday + 1 = Monday, Saturday + 1 = Monday, and + 0 returns the date unchanged.
 */
export function addBusinessDays(
  date: CalendarDate,
  count: number,
  holidays: readonly CalendarDate[] = [],
): CalendarDate {
  if (!Number.isInteger(count)) throw new RangeError(`business days must be a whole number, got ${count}`);
  let days = toUtcDays(date);
  const step = count < 0 ? -1 : 1;
  for (let left = Math.abs(count); left > 0; ) {
    days += step;
    if (!isWeekend(days) && !holidays.includes(fromUtcDays(days))) left -= 1;
  }
  return fromUtcDays(days);
}

/** Business days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier. */
export function businessDaysBetween(
  from: CalendarDate,
  to: CalendarDate,
  holidays: readonly CalendarDate[] = [],
): number {
  const start = toUtcDays(from);
  const end = toUtcDays(to);
  const [low, high, sign] = start <= end ? [start, end, 1] : [end, start, -1];
  let count = 0;
  for (let d = low + 1; d <= high; d++) if (!isWeekend(d) && !holidays.includes(fromUtcDays(d))) count += 1;
  return sign * count;
}

export interface Eta {
  earliest: CalendarDate;
  latest: CalendarDate;
}

/** The window in which a step that takes `min`–`max` business days should finish. */
export function etaWindow(
  start: CalendarDate,
  range: { min: number; max: number },
  holidays: readonly CalendarDate[] = [],
): Eta {
  return {
    earliest: addBusinessDays(start, range.min, holidays),
    latest: addBusinessDays(start, range.max, holidays),
  };
}
