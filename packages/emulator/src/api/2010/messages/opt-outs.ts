import type { World } from "../../../world.js";
import { OPT_OUTS, type OptOutDoc, optOutSid } from "./collections.js";
import { serviceOfNumber } from "./state.js";

/**
 * Opt-outs apply to the sender/recipient pair, or to the whole Messaging Service when the number is
 * in one (docs/twilio-facts.md, "Opt-out keywords"): the scope is the MG sid, else the sender's
 * number.
 */
export function optOutScope(world: World, sender: { sid: string; phone_number: string }): string {
  return serviceOfNumber(world, sender.sid) ?? sender.phone_number;
}

export function isOptedOut(
  world: World,
  accountSid: string,
  scopes: (string | null)[],
  e164: string,
): boolean {
  return scopes.some((scope) => scope && world.store.get(OPT_OUTS, optOutSid(accountSid, scope, e164)));
}

export function optOut(world: World, accountSid: string, scope: string, e164: string, keyword: string) {
  world.store.put<OptOutDoc>(OPT_OUTS, {
    sid: optOutSid(accountSid, scope, e164),
    account_sid: accountSid,
    scope,
    phone_number: e164,
    keyword,
    date_created: world.clock.now(),
  });
}

export function optIn(world: World, accountSid: string, scope: string, e164: string) {
  world.store.delete(OPT_OUTS, optOutSid(accountSid, scope, e164));
}
