import { parseNumber } from "../lookups/v2/numbering.js";

/**
 * What the emulator knows about sending SMS to a country: its name, and whether an alphanumeric
 * sender ID reaches it. Data, not code: a country added here gets its rules from this table.
 *
 * Alphanumeric sender support follows Twilio's country guidelines
 * (https://www.twilio.com/en-us/guidelines/sms and
 * https://help.twilio.com/articles/223133767-International-support-for-Alphanumeric-Sender-ID):
 * `allowed` needs nothing, `registration` needs the sender registered for that country first
 * (the emulator's control route `alpha-senders/registrations`), `unsupported` refuses it (21612).
 */
export type AlphaSupport = "allowed" | "registration" | "unsupported";

export interface Country {
  iso: string;
  name: string;
  alpha: AlphaSupport;
}

export const COUNTRIES: Record<string, Country> = Object.fromEntries(
  (
    [
      ["US", "United States", "unsupported"],
      ["CA", "Canada", "unsupported"],
      ["GB", "United Kingdom", "allowed"],
      ["DE", "Germany", "allowed"],
      // The ACMA SMS Sender ID Register: unregistered IDs arrive as "Unverified" from 1 July 2026.
      ["AU", "Australia", "registration"],
      ["BR", "Brazil", "unsupported"],
      ["IN", "India", "registration"],
      ["FR", "France", "allowed"],
      ["ES", "Spain", "allowed"],
      ["IT", "Italy", "allowed"],
      ["NL", "Netherlands", "allowed"],
      ["IE", "Ireland", "allowed"],
      ["MX", "Mexico", "unsupported"],
      ["JP", "Japan", "allowed"],
      ["SG", "Singapore", "registration"],
      ["NG", "Nigeria", "registration"],
      ["IL", "Israel", "allowed"],
      ["AE", "United Arab Emirates", "registration"],
    ] as const
  ).map(([iso, name, alpha]) => [iso, { iso, name, alpha }]),
);

/**
 * Countries whose messaging geo permission Twilio lets only the Console change, and countries
 * Twilio does not deliver to at all: an API update of either is ignored with error 30649
 * (https://www.twilio.com/docs/api/errors/30649).
 */
export const HIGH_RISK = ["BD", "IL", "NG", "PK", "PS", "LK", "AZ", "TJ", "OM", "TN", "DZ"];
export const NOT_SUPPORTED = ["IR", "SY", "CU"];

/** The ISO country of a phone number, or null when the emulator cannot tell. */
export function countryOfNumber(e164: string): string | null {
  return parseNumber(e164).country_code;
}

/** Twilio's rule for an alphanumeric sender ID: 1–11 of A-Z a-z 0-9 space + - _ &, not only digits. */
export function isAlphaSender(value: string): boolean {
  return /^[A-Za-z0-9 +\-_&]{1,11}$/.test(value) && /[A-Za-z]/.test(value) && !value.startsWith("+");
}
