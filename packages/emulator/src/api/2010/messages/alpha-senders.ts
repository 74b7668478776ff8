import { COUNTRIES, countryOfNumber, isAlphaSender } from "../../../core/countries.js";
import { TwilioError } from "../../../core/errors.js";
import type { World } from "../../../world.js";
import { ACCOUNTS, type Account } from "../accounts/model.js";
import {
  ALPHA_REGISTRATIONS,
  type AlphaRegistrationDoc,
  SERVICE_ALPHA_SENDERS,
  type ServiceAlphaSenderDoc,
} from "./collections.js";

/**
 * Alphanumeric sender IDs (https://www.twilio.com/docs/glossary/what-alphanumeric-sender-id):
 * one-way senders such as "Sleepwell" that reach only countries that accept them
 * (core/countries.ts). A country that `allowed`s them takes any; one that needs `registration`
 * takes those registered for it (the control route `alpha-senders/registrations`, for the
 * account or its parent); elsewhere the send is refused with 21612
 * (https://www.twilio.com/docs/api/errors/21612). No one can reply to an alphanumeric sender.
 */
export const registrationSid = (accountSid: string, iso: string, alpha: string) =>
  `${accountSid}|${iso}|${alpha.toUpperCase()}`;

/** Whether `alpha` may send to `to` for this account. */
export function alphaReaches(world: World, accountSid: string, alpha: string, to: string): boolean {
  const iso = countryOfNumber(to);
  const support = iso ? (COUNTRIES[iso]?.alpha ?? "unsupported") : "unsupported";
  if (support === "allowed") return true;
  if (support === "unsupported") return false;
  const owner = world.store.get<Account>(ACCOUNTS, accountSid)?.owner_account_sid;
  return [accountSid, owner].some(
    (sid) =>
      sid && world.store.get<AlphaRegistrationDoc>(ALPHA_REGISTRATIONS, registrationSid(sid, iso!, alpha)),
  );
}

/** A `From` that is an alphanumeric sender ID, checked against the destination (21612). */
export function alphaFrom(world: World, accountSid: string, from: string, to: string): string | null {
  if (!isAlphaSender(from)) return null;
  if (!alphaReaches(world, accountSid, from, to))
    throw new TwilioError(
      21612,
      400,
      `The 'To' phone number: ${to}, is not currently reachable using the 'From' alphanumeric sender ID: ${from}. Alphanumeric sender IDs are not supported, or not registered, in the destination country.`,
    );
  return from;
}

/** The service's alphanumeric sender, when it may send to `to`. */
export function serviceAlpha(
  world: World,
  serviceSid: string,
  accountSid: string,
  to: string,
): string | null {
  const alpha = world.store.find<ServiceAlphaSenderDoc>(
    SERVICE_ALPHA_SENDERS,
    (a) => a.service_sid === serviceSid,
  );
  return alpha && alphaReaches(world, accountSid, alpha.alpha_sender, to) ? alpha.alpha_sender : null;
}

export function serviceHasAlpha(world: World, serviceSid: string): boolean {
  return !!world.store.find<ServiceAlphaSenderDoc>(
    SERVICE_ALPHA_SENDERS,
    (a) => a.service_sid === serviceSid,
  );
}
