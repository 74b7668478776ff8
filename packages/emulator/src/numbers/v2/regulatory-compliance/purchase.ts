import { TwilioError } from "../../../core/errors.js";
import type { World } from "../../../world.js";
import { type NumberType, regulated, regulationBySid } from "./catalog.js";
import { usableAddress } from "./bundles/evaluations.js";
import { RC_BUNDLES, type RcBundle } from "./model.js";

/**
 * What buying a regulated number needs (IncomingPhoneNumbers create): an approved bundle of the
 * account for the number's country and type (`BundleSid`, else 21649, as Twilio announced in
 * https://www.twilio.com/en-us/changelog/regulated-number-bundle-provisioning-requirement), and an
 * address where the regulation says (`AddressSid`, else 21631,
 * https://www.twilio.com/docs/api/errors/21631): any address, one in the number's country, or
 * one in the number's locality (its city). Numbers without a regulation need neither.
 */
export function requireCompliance(
  world: World,
  accountSid: string,
  number: { e164: string; iso_country: string; type: "local" | "mobile" | "toll_free"; locality?: string },
  bundleSid: string | undefined,
  addressSid: string | undefined,
) {
  const type: NumberType = number.type === "toll_free" ? "toll-free" : number.type;
  const regulations = regulated(number.iso_country, type);
  if (regulations.length === 0) return;
  const what = `${number.iso_country} ${type} number ${number.e164}`;
  if (!bundleSid)
    throw new TwilioError(
      21649,
      400,
      `Phone Number Requires a Bundle: buying the ${what} needs an approved regulatory BundleSid`,
    );
  const bundle = world.store.get<RcBundle>(RC_BUNDLES, bundleSid);
  if (!bundle || bundle.account_sid !== accountSid)
    throw new TwilioError(
      21649,
      400,
      `Phone Number Requires a Bundle: bundle ${bundleSid} does not exist in this account`,
    );
  if (!regulations.some((r) => r.sid === bundle.regulation_sid))
    throw new TwilioError(
      21649,
      400,
      `Phone Number Requires a Bundle: bundle ${bundleSid} does not follow a regulation for the ${what}`,
    );
  if (bundle.status !== "twilio-approved")
    throw new TwilioError(
      21649,
      400,
      `Phone Number Requires a Bundle: bundle ${bundleSid} is ${bundle.status}, not twilio-approved`,
    );
  const rule = regulationBySid(bundle.regulation_sid)!.address;
  if (rule === "none") return;
  if (!addressSid)
    throw new TwilioError(
      21631,
      400,
      `Phone Number Requires an Address: buying the ${what} needs an AddressSid`,
    );
  const address = usableAddress(world, accountSid, addressSid);
  if (!address)
    throw new TwilioError(21631, 400, `Phone Number Requires an Address: address ${addressSid} not found`);
  if ((rule === "local" || rule === "locality") && address.iso_country !== number.iso_country)
    throw new TwilioError(
      21631,
      400,
      `Phone Number Requires an Address: the ${what} needs an address in ${number.iso_country}`,
    );
  if (rule === "locality" && number.locality && address.city.toLowerCase() !== number.locality.toLowerCase())
    throw new TwilioError(
      21631,
      400,
      `Phone Number Requires an Address: the ${what} needs an address in ${number.locality}`,
    );
}
