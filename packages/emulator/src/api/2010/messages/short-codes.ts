import { countryOfNumber } from "../../../core/countries.js";
import { TwilioError } from "../../../core/errors.js";
import type { World } from "../../../world.js";
import {
  SERVICE_SHORT_CODES,
  SHORT_CODES,
  type ServiceShortCodeDoc,
  type ShortCodeDoc,
} from "./collections.js";

/**
 * Short codes as senders: 5–6 digit codes that reach only their own country's handsets
 * (https://www.twilio.com/docs/api/errors/21606: "For Short Codes, the From number must be in
 * the same country as the To number").
 */
export const isShortCode = (value: string) => /^\d{3,8}$/.test(value);

/** A `From` that is one of the account's short codes, checked against the destination (21606). */
export function shortCodeFrom(
  world: World,
  accountSid: string,
  from: string,
  to: string,
): ShortCodeDoc | null {
  if (!isShortCode(from)) return null;
  const code = world.store.find<ShortCodeDoc>(
    SHORT_CODES,
    (c) => c.account_sid === accountSid && c.short_code === from,
  );
  if (!code || code.iso_country !== countryOfNumber(to))
    throw new TwilioError(
      21606,
      400,
      `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination/account`,
    );
  return code;
}

/** A short code of the service in the destination's country, if it has one. */
export function serviceShortCode(world: World, serviceSid: string, to: string): ShortCodeDoc | null {
  const iso = countryOfNumber(to);
  for (const entry of world.store.list<ServiceShortCodeDoc>(
    SERVICE_SHORT_CODES,
    (e) => e.service_sid === serviceSid,
  )) {
    const code = world.store.get<ShortCodeDoc>(SHORT_CODES, entry.sid);
    if (code && code.iso_country === iso) return code;
  }
  return null;
}

export function serviceHasShortCodes(world: World, serviceSid: string): boolean {
  return !!world.store.find<ServiceShortCodeDoc>(SERVICE_SHORT_CODES, (e) => e.service_sid === serviceSid);
}
