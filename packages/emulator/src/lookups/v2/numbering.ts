/**
 * Phone-number parsing as Lookups v2 reports it: E.164 form, ISO country, national format and
 * Twilio's validation error names. Pure and table-driven; covers NANP fully and a set of common
 * countries by length (not every national numbering plan: the emulator is not libphonenumber).
 */

export type ValidationError =
  | "TOO_SHORT"
  | "TOO_LONG"
  | "INVALID_BUT_POSSIBLE"
  | "INVALID_COUNTRY_CODE"
  | "INVALID_LENGTH"
  | "NOT_A_NUMBER";

export interface ParsedNumber {
  /** What was asked for, normalised to +digits when possible (Lookups echoes this when invalid). */
  phone_number: string;
  valid: boolean;
  validation_errors: ValidationError[];
  calling_country_code: string | null;
  country_code: string | null;
  national_format: string | null;
}

interface Plan {
  iso: string;
  min: number;
  max: number;
  /** National trunk prefix written in front of the national number ("0" in the UK). */
  trunk?: string;
}

/** Calling code → country and national significant number length (ITU-T E.164 allocations). */
const PLANS: Record<string, Plan> = {
  "1": { iso: "US", min: 10, max: 10 },
  "7": { iso: "RU", min: 10, max: 10, trunk: "8" },
  "27": { iso: "ZA", min: 9, max: 9, trunk: "0" },
  "31": { iso: "NL", min: 9, max: 9, trunk: "0" },
  "33": { iso: "FR", min: 9, max: 9, trunk: "0" },
  "34": { iso: "ES", min: 9, max: 9 },
  "39": { iso: "IT", min: 6, max: 11 },
  "41": { iso: "CH", min: 9, max: 9, trunk: "0" },
  "44": { iso: "GB", min: 10, max: 10, trunk: "0" },
  "46": { iso: "SE", min: 7, max: 13, trunk: "0" },
  "48": { iso: "PL", min: 9, max: 9 },
  "49": { iso: "DE", min: 6, max: 13, trunk: "0" },
  "52": { iso: "MX", min: 10, max: 10 },
  "54": { iso: "AR", min: 10, max: 10, trunk: "0" },
  "55": { iso: "BR", min: 10, max: 11, trunk: "0" },
  "56": { iso: "CL", min: 9, max: 9 },
  "57": { iso: "CO", min: 10, max: 10 },
  "61": { iso: "AU", min: 9, max: 9, trunk: "0" },
  "62": { iso: "ID", min: 9, max: 12, trunk: "0" },
  "63": { iso: "PH", min: 10, max: 10, trunk: "0" },
  "64": { iso: "NZ", min: 8, max: 10, trunk: "0" },
  "65": { iso: "SG", min: 8, max: 8 },
  "81": { iso: "JP", min: 9, max: 10, trunk: "0" },
  "86": { iso: "CN", min: 11, max: 11, trunk: "0" },
  "91": { iso: "IN", min: 10, max: 10, trunk: "0" },
  "234": { iso: "NG", min: 10, max: 10, trunk: "0" },
  "254": { iso: "KE", min: 9, max: 9, trunk: "0" },
  "351": { iso: "PT", min: 9, max: 9 },
  "353": { iso: "IE", min: 7, max: 9, trunk: "0" },
  "971": { iso: "AE", min: 8, max: 9, trunk: "0" },
  "972": { iso: "IL", min: 8, max: 9, trunk: "0" },
};

/** Canadian NANP area codes, so +1 numbers report CA rather than US where they should. */
const CANADA = new Set(
  "204 226 236 249 250 263 289 306 343 354 365 367 368 382 403 416 418 428 431 437 438 450 468 474 506 514 519 548 579 581 584 587 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 867 873 879 902 905".split(
    " ",
  ),
);

/** NANP toll-free area codes. */
export const TOLL_FREE = new Set(["800", "833", "844", "855", "866", "877", "888"]);

/** Splits +<digits> into a known calling code and the national number (longest code first). */
function splitCallingCode(digits: string): { code: string; national: string } | null {
  for (const len of [3, 2, 1]) {
    const code = digits.slice(0, len);
    if (PLANS[code]) return { code, national: digits.slice(len) };
  }
  return null;
}

function countryToCallingCode(iso: string): string | undefined {
  if (iso === "CA") return "1";
  return Object.entries(PLANS).find(([, p]) => p.iso === iso)?.[0];
}

/**
 * Parses a number as Lookups does: "+<E.164>" directly, or a national number with `countryHint`
 * (the `CountryCode` query parameter, default US).
 */
export function parseNumber(input: string, countryHint = "US"): ParsedNumber {
  const raw = input.trim();
  const invalid = (phone: string, error: ValidationError): ParsedNumber => ({
    phone_number: phone,
    valid: false,
    validation_errors: [error],
    calling_country_code: null,
    country_code: null,
    national_format: null,
  });
  const stripped = raw.replace(/[\s().-]/g, "");
  if (!/^\+?\d+$/.test(stripped)) return invalid(raw, "NOT_A_NUMBER");

  let digits: string;
  if (stripped.startsWith("+")) digits = stripped.slice(1);
  else {
    const code = countryToCallingCode(countryHint.toUpperCase());
    if (!code) return invalid(raw, "INVALID_COUNTRY_CODE");
    const plan = PLANS[code];
    const national =
      plan.trunk && stripped.startsWith(plan.trunk) ? stripped.slice(plan.trunk.length) : stripped;
    digits = code + national;
  }
  const e164 = `+${digits}`;
  if (digits.length > 15) return invalid(e164, "TOO_LONG");
  const split = splitCallingCode(digits);
  if (!split) return invalid(e164, "INVALID_COUNTRY_CODE");
  const plan = PLANS[split.code];
  if (split.national.length < plan.min) return invalid(e164, "TOO_SHORT");
  if (split.national.length > plan.max) return invalid(e164, "TOO_LONG");
  let iso = plan.iso;
  if (split.code === "1") {
    // NANP: area code and exchange never start with 0 or 1.
    if (/^[01]/.test(split.national) || /^...[01]/.test(split.national))
      return invalid(e164, "INVALID_BUT_POSSIBLE");
    if (CANADA.has(split.national.slice(0, 3))) iso = "CA";
  }
  return {
    phone_number: e164,
    valid: true,
    validation_errors: [],
    calling_country_code: split.code,
    country_code: iso,
    national_format: nationalFormat(split.code, split.national),
  };
}

function nationalFormat(code: string, national: string): string {
  if (code === "1") return `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`;
  const plan = PLANS[code];
  const full = (plan.trunk ?? "") + national;
  // A readable grouping: the first 4–5 digits, then the rest (the UK writes 07772 000001).
  const head = full.length > 8 ? 5 : 3;
  return `${full.slice(0, head)} ${full.slice(head)}`;
}

/** True for +E.164 strings Twilio would accept as a phone number at all. */
export function isE164(value: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(value);
}
