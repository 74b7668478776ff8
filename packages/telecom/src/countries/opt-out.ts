/**
 * The opt-out wording a message to a country needs (`OPT_OUT_RULES` in `./messaging-rules.ts`).
 */
import { DEFAULT_OPT_OUT, OPT_OUT_RULES, type OptOutRule } from "./messaging-rules.js";
import { type MessagePurpose, normalizeCountry } from "./sourced.js";

export type OptOutWording =
  | (OptOutRule & {
      /** False when the country has no data and the default applies. */
      country_specific: boolean;
    })
  | null;

/**
 * The wording for `purpose` in `countryIso`: the country's rule, the default (recommended, not
 * required) for a country without data, or null when no wording applies to this purpose (a
 * one-time passcode, a receipt). Unknown country codes get the default.
 */
export function optOutWordingFor(countryIso: string, purpose: MessagePurpose): OptOutWording {
  const country = normalizeCountry(countryIso);
  const own = OPT_OUT_RULES.find((r) => r.country === country);
  const rule: OptOutRule = own ?? { country: country ?? countryIso, ...DEFAULT_OPT_OUT };
  if (!rule.purposes.includes(purpose)) return null;
  return { ...rule, country_specific: Boolean(own) };
}

/** The wording with the reply number filled in, for a one-way sender (an alphanumeric ID). */
export function oneWayOptOutText(rule: OptOutRule, replyNumber: string): string {
  return rule.one_way.replaceAll("{number}", replyNumber);
}
