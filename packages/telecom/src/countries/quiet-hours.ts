/**
 * Whether a message may go to a number now, under the recipient country's sending hours
 * (`SENDING_HOURS` in `./messaging-rules.ts`), in the recipient's time zone (`./time-zones.ts`).
 * When the number leaves the zone open (an Australian mobile), every zone of the country is
 * checked and the most restrictive answer wins: quiet if quiet in any, open once open in all.
 *
 * Only marketing has hours in the data; transactional messages and OTPs are never held here (a
 * tenant's own quiet hours, `../quiet-hours.ts`, still apply to what it chooses).
 */
import {
  DEFAULT_SENDING_HOURS,
  SENDING_HOURS,
  type SendingHoursRule,
  type SendingWindow,
  type Weekday,
} from "./messaging-rules.js";
import { parsePhone } from "../phone.js";
import type { MessagePurpose } from "./sourced.js";
import { recipientZones, type ZoneBasis } from "./time-zones.js";

export type CountryQuietHours =
  | {
      ok: true;
      country: string | null;
      zones: string[];
      zone_basis: ZoneBasis;
      /** The rule applied, with its source; null when none applies to this purpose. */
      rule: (SendingHoursRule & { default: boolean }) | null;
      /** Inside the quiet hours now. */
      quiet: boolean;
      /** When sending may resume (the end of the quiet hours), or null when not quiet. */
      resumes_at: Date | null;
    }
  | { ok: false; code: "phone_not_e164" | "phone_invalid"; message: string };

/** The sending-hours rule for a country and purpose: its own, the default, or null. */
export function sendingHoursFor(
  country: string | null,
  purpose: MessagePurpose,
): (SendingHoursRule & { default: boolean }) | null {
  const own = SENDING_HOURS.find((r) => r.country === country);
  const rule = own ?? { country: country ?? "", ...DEFAULT_SENDING_HOURS };
  return rule.purposes.includes(purpose) ? { ...rule, default: !own } : null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

interface LocalTime {
  weekday: Weekday;
  /** "MM-DD" */
  date: string;
  second: number;
}

function localTime(instant: Date, timeZone: string): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday) as Weekday;
  return {
    weekday,
    date: `${parts.month}-${parts.day}`,
    second: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

const seconds = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60;

function windowsOn(rule: SendingHoursRule, weekday: Weekday): SendingWindow[] {
  return rule.windows.filter((w) => w.days.includes(weekday));
}

/**
 * Seconds from `instant` until sending is allowed in `timeZone`, 0 when allowed now. Walks day
 * by day (holidays can close several in a row); across a DST change the answer may be off by the
 * change, as in ../quiet-hours.ts.
 */
function secondsUntilOpen(instant: Date, timeZone: string, rule: SendingHoursRule): number {
  const closed = new Set(rule.closed_dates ?? []);
  const now = localTime(instant, timeZone);
  for (let day = 0; day <= 14; day++) {
    const at = day === 0 ? now : localTime(new Date(instant.getTime() + day * 86_400_000), timeZone);
    if (closed.has(at.date)) continue;
    const from = day === 0 ? now.second : 0;
    const opens = windowsOn(rule, at.weekday)
      .filter((w) => seconds(w.end) > from)
      .map((w) => Math.max(seconds(w.start), from))
      .sort((a, b) => a - b)[0];
    if (opens !== undefined) return day * 86_400 - now.second + opens;
  }
  return 0;
}

/** Whether `at` falls in the recipient's quiet hours for `purpose`, and until when. */
export function quietHoursFor(
  e164: string,
  at: Date,
  purpose: MessagePurpose = "marketing",
): CountryQuietHours {
  const parsed = parsePhone(e164.replace(/^whatsapp:/, ""));
  if (!parsed.ok) return { ok: false, code: parsed.code, message: parsed.message };
  const { country, zones, basis } = recipientZones(parsed.phone.e164);
  const rule = sendingHoursFor(country, purpose);
  // A country whose zone we do not know: UTC rather than nothing, and said in zone_basis.
  const checked = zones.length ? zones : ["UTC"];
  if (!rule) return { ok: true, country, zones, zone_basis: basis, rule, quiet: false, resumes_at: null };
  const wait = Math.max(...checked.map((zone) => secondsUntilOpen(at, zone, rule)));
  return {
    ok: true,
    country,
    zones,
    zone_basis: basis,
    rule,
    quiet: wait > 0,
    resumes_at: wait > 0 ? new Date(at.getTime() + wait * 1000 - (at.getTime() % 1000)) : null,
  };
}
