/**
 * Quiet hours: a tenant may ask that nothing reaches recipients at night, in the recipient's
 * local time. The time zone comes from the number:
 * - +1 numbers: the area code, through a small table of the western, central and mountain
 *   area codes (US and Canada) plus Alaska, Hawaii and Arizona (no DST); every other +1 area
 *   code is taken as America/New_York. Area codes that straddle zones get their main zone.
 *   This is approximate on purpose: numbers move with their owners (portability), and no
 *   public source maps a mobile number to where its owner sleeps.
 * - other countries: the country from libphonenumber-js, then a representative zone (the
 *   capital's) from a short table; UTC when the country is not listed.
 */
import { parsePhone } from "./phone.js";

export interface QuietHours {
  /** "HH:MM", local time, inclusive. */
  start: string;
  /** "HH:MM", local time, exclusive; may be earlier than start (the window spans midnight). */
  end: string;
}

const AREA_ZONES: Record<string, string> = {
  "America/Los_Angeles":
    "209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 820 831 840 858 909 916 925 949 951 206 253 360 425 509 564 458 503 541 971 702 725 775",
  "America/Vancouver": "236 250 604 672 778",
  "America/Denver": "303 719 720 970 983 385 435 801 505 575 406 307 208 986 915",
  "America/Phoenix": "480 520 602 623 928",
  "America/Edmonton": "368 403 587 780 825",
  "America/Regina": "306 474 639",
  "America/Winnipeg": "204 431",
  "America/Chicago":
    "210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979 217 224 309 312 331 447 464 618 630 708 773 779 815 847 872 218 320 507 612 651 763 952 262 274 414 534 608 715 920 314 417 557 573 636 660 816 319 515 563 641 712 316 620 785 913 308 402 531 405 539 572 580 918 479 501 870 225 318 337 504 985 228 601 662 769 205 251 256 334 659 938 615 629 731 901 931 701 605",
  "America/Halifax": "506 782 902",
  "America/St_Johns": "709",
  "America/Anchorage": "907",
  "Pacific/Honolulu": "808",
  "America/Puerto_Rico": "787 939",
};

const BY_AREA = new Map<string, string>(
  Object.entries(AREA_ZONES).flatMap(([zone, codes]) =>
    codes.split(" ").map((code) => [code, zone] as const),
  ),
);

const COUNTRY_ZONES: Record<string, string> = {
  GB: "Europe/London",
  GG: "Europe/London",
  JE: "Europe/London",
  IM: "Europe/London",
  IE: "Europe/Dublin",
  FR: "Europe/Paris",
  DE: "Europe/Berlin",
  ES: "Europe/Madrid",
  IT: "Europe/Rome",
  NL: "Europe/Amsterdam",
  BE: "Europe/Brussels",
  PT: "Europe/Lisbon",
  CH: "Europe/Zurich",
  AT: "Europe/Vienna",
  SE: "Europe/Stockholm",
  NO: "Europe/Oslo",
  DK: "Europe/Copenhagen",
  FI: "Europe/Helsinki",
  PL: "Europe/Warsaw",
  MX: "America/Mexico_City",
  BR: "America/Sao_Paulo",
  AR: "America/Argentina/Buenos_Aires",
  CO: "America/Bogota",
  CL: "America/Santiago",
  PE: "America/Lima",
  IN: "Asia/Kolkata",
  JP: "Asia/Tokyo",
  KR: "Asia/Seoul",
  CN: "Asia/Shanghai",
  SG: "Asia/Singapore",
  PH: "Asia/Manila",
  ZA: "Africa/Johannesburg",
  NG: "Africa/Lagos",
  KE: "Africa/Nairobi",
  AE: "Asia/Dubai",
  IL: "Asia/Jerusalem",
  AU: "Australia/Sydney",
  NZ: "Pacific/Auckland",
};

/** The IANA zone a recipient most likely lives in (see the module comment for the limits). */
export function recipientTimeZone(address: string): string {
  const e164 = address.replace(/^whatsapp:/, "");
  if (e164.startsWith("+1") && e164.length === 12) return BY_AREA.get(e164.slice(2, 5)) ?? "America/New_York";
  const parsed = parsePhone(e164);
  const country = parsed.ok ? parsed.phone.country : null;
  return (country && COUNTRY_ZONES[country]) || "UTC";
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidQuietHours(q: QuietHours): boolean {
  return HHMM.test(q.start) && HHMM.test(q.end) && q.start !== q.end;
}

function minutes(hhmm: string): number {
  const [, h, m] = HHMM.exec(hhmm)!;
  return Number(h) * 60 + Number(m);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Seconds since local midnight at `instant` in `timeZone`. */
function secondOfDay(instant: Date, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
}

/**
 * When the quiet hours covering `instant` end for a recipient in `timeZone`, or null when
 * `instant` is outside them. (Across a DST change inside the window the end may be off by the
 * change, an hour at most.)
 */
export function quietHoursEnd(instant: Date, timeZone: string, quiet: QuietHours): Date | null {
  const now = secondOfDay(instant, timeZone);
  const start = minutes(quiet.start) * 60;
  const end = minutes(quiet.end) * 60;
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const wait = (end - now + 86_400) % 86_400;
  return new Date(instant.getTime() + wait * 1000 - (instant.getTime() % 1000));
}
