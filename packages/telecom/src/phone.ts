/**
 * Phone numbers: E.164 parsing, number type and whether a number can receive SMS.
 *
 * Uses libphonenumber-js with the "max" metadata: the smaller bundles cannot tell a mobile from
 * a landline. Note that North American numbers (+1) are almost all `fixed_line_or_mobile`:
 * the numbering plan does not separate them, so only a carrier lookup can say more.
 */
import { type NumberType as LibNumberType, parsePhoneNumberFromString } from "libphonenumber-js/max";

export type PhoneNumberType =
  | "mobile"
  | "landline"
  | "fixed_line_or_mobile"
  | "voip"
  | "toll_free"
  | "premium_rate"
  | "shared_cost"
  | "personal_number"
  | "pager"
  | "uan"
  | "voicemail"
  | "unknown";

export interface ParsedPhone {
  e164: string;
  /** ISO 3166-1 alpha-2, or null for non-geographic numbers. */
  country: string | null;
  type: PhoneNumberType;
}

export type PhoneError = "phone_not_e164" | "phone_invalid";

export type PhoneParseResult =
  | { ok: true; phone: ParsedPhone }
  | { ok: false; code: PhoneError; message: string };

const TYPES: Record<NonNullable<LibNumberType>, PhoneNumberType> = {
  MOBILE: "mobile",
  FIXED_LINE: "landline",
  FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
  VOIP: "voip",
  TOLL_FREE: "toll_free",
  PREMIUM_RATE: "premium_rate",
  SHARED_COST: "shared_cost",
  PERSONAL_NUMBER: "personal_number",
  PAGER: "pager",
  UAN: "uan",
  VOICEMAIL: "voicemail",
};

const E164 = /^\+[1-9]\d{1,14}$/;

/** Strict syntax check: "+" then 2 to 15 digits, no spaces or punctuation. */
export function isE164(input: string): boolean {
  return E164.test(input);
}

/**
 * Parses a number given in international form. Spaces, dashes, dots and parentheses are
 * tolerated ("+1 (415) 555-2671"); a number without "+" is refused rather than guessed.
 */
export function parsePhone(input: string): PhoneParseResult {
  const compact = input.trim().replace(/[\s\-.()\u00A0]/g, "");
  if (!E164.test(compact)) {
    return {
      ok: false,
      code: "phone_not_e164",
      message: `"${input}" is not in E.164 form: a "+", the country code, then the number (e.g. +14155552671).`,
    };
  }
  const parsed = parsePhoneNumberFromString(compact);
  // With full metadata a number is valid exactly when it has a type (isValid() is getType()
  // !== undefined), so a typed number is not matched against its country's patterns twice: on
  // a batch's path, this was a quarter of the API's time.
  const libType = parsed?.getType();
  if (!parsed || (libType === undefined && !parsed.isValid())) {
    return {
      ok: false,
      code: "phone_invalid",
      message: `${compact} is not a valid phone number for its country code.`,
    };
  }
  return {
    ok: true,
    phone: {
      e164: parsed.number,
      country: parsed.country ?? null,
      type: libType ? TYPES[libType] : "unknown",
    },
  };
}

export type SmsReachability = { ok: true } | { ok: false; code: "phone_cannot_receive_sms"; message: string };

// Types that cannot receive a text. Unknown and fixed-line-or-mobile numbers pass: refusing them
// would refuse nearly every US number; the carrier has the last word (Twilio 30006).
const NO_SMS: ReadonlySet<PhoneNumberType> = new Set([
  "landline",
  "premium_rate",
  "shared_cost",
  "pager",
  "voicemail",
  "uan",
]);

export function smsReachability(phone: ParsedPhone): SmsReachability {
  if (!NO_SMS.has(phone.type)) return { ok: true };
  const what = phone.type === "landline" ? "a landline" : `a ${phone.type.replace("_", "-")} number`;
  return {
    ok: false,
    code: "phone_cannot_receive_sms",
    message: `${phone.e164} is ${what} and cannot receive text messages.`,
  };
}

export function canReceiveSms(phone: ParsedPhone): boolean {
  return smsReachability(phone).ok;
}

/** Whether a number is plausibly a mobile phone (what a sole proprietor's OTP number must be). */
export function isMobileCapable(phone: ParsedPhone): boolean {
  return phone.type === "mobile" || phone.type === "fixed_line_or_mobile";
}
