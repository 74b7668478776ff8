/**
 * A recipient's country and time zone from the number.
 *
 * libphonenumber-js (already a dependency) names the country; it carries no time zones, so the
 * zone comes from data here:
 * - +1 (US, CA): the area-code table of `../quiet-hours.ts`, the one Subtext already uses.
 * - AU, BR, MX, ES: geographic prefixes (area codes, DDDs, Canary Islands ranges) to a zone.
 *   Mobile ranges that carry no geography (AU +614, ES +346/+347) and prefixes not in the table
 *   get every zone of the country, and the caller takes the most restrictive answer.
 * - other countries: one zone (the capital's, from `../quiet-hours.ts`), or none when unknown.
 *
 * Numbers move with their owners (portability, people moving), so this is a best guess, as the
 * module comment of quiet-hours.ts says for +1.
 */
import { parsePhone } from "../phone.js";
import { recipientTimeZone } from "../quiet-hours.js";

/** How the zones were chosen. */
export type ZoneBasis =
  /** a geographic prefix (area code, DDD) names one zone */
  | "prefix"
  /** the country has one zone */
  | "country"
  /** the prefix is not geographic or not in the table: every zone of the country applies */
  | "all_zones"
  /** the country is not in the data: the caller decides (UTC is not a guess about anyone) */
  | "unknown";

export interface RecipientZones {
  country: string | null;
  zones: string[];
  basis: ZoneBasis;
}

interface PrefixZones {
  /** Every zone where the country's subscribers live (most restrictive = all of these). */
  all: readonly string[];
  /** Digits after "+" (country code included) → zones; the longest matching prefix wins. */
  prefixes: Readonly<Record<string, readonly string[]>>;
  /** Zones for a number no prefix matches; `all` when absent. */
  otherwise?: readonly string[];
  source: string;
}

const expand = (zone: string, codes: string) =>
  Object.fromEntries(codes.split(" ").map((code) => [code, [zone]] as const));

/** Zones by prefix for the countries that span several. */
export const PREFIX_ZONES: Readonly<Record<string, PrefixZones>> = {
  AU: {
    all: [
      "Australia/Perth",
      "Australia/Darwin",
      "Australia/Adelaide",
      "Australia/Brisbane",
      "Australia/Sydney",
      "Australia/Melbourne",
      "Australia/Hobart",
    ],
    prefixes: {
      "612": ["Australia/Sydney"],
      "613": ["Australia/Melbourne"],
      "617": ["Australia/Brisbane"],
      "6189": ["Australia/Perth"],
      "6188": ["Australia/Adelaide", "Australia/Darwin"],
    },
    source: "https://en.wikipedia.org/wiki/Telephone_numbers_in_Australia",
  },
  BR: {
    all: [
      "America/Sao_Paulo",
      "America/Manaus",
      "America/Cuiaba",
      "America/Campo_Grande",
      "America/Porto_Velho",
      "America/Boa_Vista",
      "America/Rio_Branco",
      "America/Eirunepe",
    ],
    prefixes: {
      // DDD area codes; mobiles keep their DDD. Every UTC-3 state is America/Sao_Paulo here:
      // Brazil has had no daylight saving time since 2019, so they share the offset.
      ...expand(
        "America/Sao_Paulo",
        "5511 5512 5513 5514 5515 5516 5517 5518 5519 5521 5522 5524 5527 5528 5531 5532 5533 5534 5535 5537 5538 5541 5542 5543 5544 5545 5546 5547 5548 5549 5551 5553 5554 5555 5561 5562 5563 5564 5571 5573 5574 5575 5577 5579 5581 5582 5583 5584 5585 5586 5587 5588 5589 5591 5593 5594 5596 5598 5599",
      ),
      ...expand("America/Cuiaba", "5565 5566"),
      ...expand("America/Campo_Grande", "5567"),
      ...expand("America/Rio_Branco", "5568"),
      ...expand("America/Porto_Velho", "5569"),
      ...expand("America/Manaus", "5592"),
      ...expand("America/Boa_Vista", "5595"),
      "5597": ["America/Manaus", "America/Eirunepe"],
    },
    source: "https://en.wikipedia.org/wiki/Telephone_numbers_in_Brazil",
  },
  MX: {
    all: [
      "America/Mexico_City",
      "America/Cancun",
      "America/Mazatlan",
      "America/Hermosillo",
      "America/Chihuahua",
      "America/Matamoros",
      "America/Tijuana",
    ],
    prefixes: {
      // +52 then the area code (2 digits for the three metropolitan areas, else 3).
      ...expand("America/Mexico_City", "5255 5256 5233 5281 52222 52442 52477 52449 52444 52999"),
      ...expand("America/Tijuana", "52664 52665 52686 52646 52661"),
      ...expand("America/Hermosillo", "52662 52631 52644 52642 52622 52653"),
      ...expand("America/Mazatlan", "52612 52624 52667 52669 52668 52311"),
      ...expand("America/Chihuahua", "52614"),
      ...expand("America/Matamoros", "52868 52899 52867"),
      ...expand("America/Cancun", "52998 52984 52983 52987"),
    },
    source: "https://en.wikipedia.org/wiki/Telephone_numbers_in_Mexico",
  },
  ES: {
    all: ["Europe/Madrid", "Atlantic/Canary"],
    prefixes: {
      // Canary Islands geographic ranges (Las Palmas 928/828, Santa Cruz de Tenerife 922/822);
      // mobiles (6, 7) say nothing about the island or the peninsula.
      ...expand("Atlantic/Canary", "34928 34828 34922 34822"),
      "346": ["Europe/Madrid", "Atlantic/Canary"],
      "347": ["Europe/Madrid", "Atlantic/Canary"],
    },
    otherwise: ["Europe/Madrid"],
    source: "https://en.wikipedia.org/wiki/Telephone_numbers_in_Spain",
  },
};

/** The ISO country of a number in E.164 (or "whatsapp:+…"), or null when it is not valid. */
export function countryOf(e164: string): string | null {
  const parsed = parsePhone(e164.replace(/^whatsapp:/, ""));
  return parsed.ok ? parsed.phone.country : null;
}

function longestPrefix(digits: string, table: PrefixZones["prefixes"]): readonly string[] | null {
  for (let length = Math.min(digits.length, 6); length > 0; length--) {
    const zones = table[digits.slice(0, length)];
    if (zones) return zones;
  }
  return null;
}

/** The zones a recipient may be in; several when the number does not say which. */
export function recipientZones(e164: string): RecipientZones {
  const address = e164.replace(/^whatsapp:/, "");
  const parsed = parsePhone(address);
  if (!parsed.ok) return { country: null, zones: [], basis: "unknown" };
  const { country, e164: normalized } = parsed.phone;
  if (country === "US" || country === "CA") {
    return { country, zones: [recipientTimeZone(normalized)], basis: "prefix" };
  }
  const table = country ? PREFIX_ZONES[country] : undefined;
  if (table) {
    const digits = normalized.slice(1);
    const zones = longestPrefix(digits, table.prefixes) ?? table.otherwise;
    if (zones && zones.length === 1) return { country, zones: [...zones], basis: "prefix" };
    return { country, zones: [...(zones ?? table.all)], basis: "all_zones" };
  }
  const zone = recipientTimeZone(normalized);
  if (zone === "UTC") return { country, zones: [], basis: "unknown" };
  return { country, zones: [zone], basis: "country" };
}
