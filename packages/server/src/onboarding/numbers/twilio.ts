/**
 * The Twilio calls behind the numbers resource, in the tenant's subaccount: searching what is
 * for sale (AvailablePhoneNumbers), buying and releasing (IncomingPhoneNumbers), and a
 * Messaging Service's sender pool (Services/{MG}/PhoneNumbers).
 * https://www.twilio.com/docs/phone-numbers/api/availablephonenumber-resource
 * https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
 * https://www.twilio.com/docs/messaging/api/phonenumber-resource
 */
import { twilioCall, twilioError } from "../../twilio/errors.js";
import type { TwilioClient } from "../../twilio/gateway.js";
import type { Capabilities, NumberRequest, NumberType } from "./store.js";

/** Twilio spells capabilities `sms` on owned numbers and `SMS` on numbers for sale. */
export function capabilitiesOf(raw: unknown): Capabilities {
  const c = (raw ?? {}) as Record<string, unknown>;
  const flag = (name: string) => Boolean(c[name] ?? c[name.toUpperCase()]);
  return { sms: flag("sms"), mms: flag("mms"), voice: flag("voice") };
}

export interface Available {
  phoneNumber: string;
  locality: string | null;
  region: string | null;
  postalCode: string | null;
  capabilities: Capabilities;
}

const SEGMENT: Record<NumberType, "local" | "tollFree" | "mobile"> = {
  local: "local",
  toll_free: "tollFree",
  mobile: "mobile",
};

/** Numbers for sale that fit the request (Twilio's own filters; capabilities wanted must be true). */
export async function searchAvailable(
  client: TwilioClient,
  country: string,
  type: NumberType,
  request: NumberRequest,
  limit: number,
): Promise<Available[]> {
  const want = request.capabilities ?? {};
  // The three lists take the same filters; their element types differ only in name.
  const list = client.availablePhoneNumbers(country)[SEGMENT[type]] as unknown as {
    list(params: Record<string, unknown>): Promise<
      {
        phoneNumber: string;
        locality?: string | null;
        region?: string | null;
        postalCode?: string | null;
        capabilities: unknown;
      }[]
    >;
  };
  const found = await twilioCall("search numbers for sale", () =>
    list.list({
      ...(request.area_code ? { areaCode: Number(request.area_code) } : {}),
      ...(request.region ? { inRegion: request.region } : {}),
      ...(request.contains ? { contains: request.contains } : {}),
      ...(want.sms ? { smsEnabled: true } : {}),
      ...(want.mms ? { mmsEnabled: true } : {}),
      ...(want.voice ? { voiceEnabled: true } : {}),
      limit,
    }),
  );
  return found.map((n) => ({
    phoneNumber: n.phoneNumber,
    locality: n.locality ?? null,
    region: n.region ?? null,
    postalCode: n.postalCode ?? null,
    capabilities: capabilitiesOf(n.capabilities),
  }));
}

export interface Owned {
  sid: string;
  phoneNumber: string;
  capabilities: Capabilities;
}

const owned = (n: { sid: string; phoneNumber: string; capabilities: unknown }): Owned => ({
  sid: n.sid,
  phoneNumber: n.phoneNumber,
  capabilities: capabilitiesOf(n.capabilities),
});

/** The number bought under this friendly name, if a crashed attempt got that far. */
export async function findBought(client: TwilioClient, friendlyName: string): Promise<Owned | null> {
  const [found] = await twilioCall("find the bought number", () =>
    client.incomingPhoneNumbers.list({ friendlyName, limit: 5 }),
  );
  return found ? owned(found) : null;
}

/**
 * Buys one number; null when someone else bought it first (21422) or it is not for sale (21421).
 * A number abroad carries its regulatory bundle and address (21649 / 21631 without them).
 */
export async function purchase(
  client: TwilioClient,
  phoneNumber: string,
  friendlyName: string,
  compliance: { bundleSid?: string; addressSid?: string } = {},
): Promise<Owned | null> {
  try {
    return owned(
      await client.incomingPhoneNumbers.create({
        phoneNumber,
        friendlyName,
        ...(compliance.bundleSid ? { bundleSid: compliance.bundleSid } : {}),
        ...(compliance.addressSid ? { addressSid: compliance.addressSid } : {}),
      }),
    );
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 21422 || code === 21421) return null;
    throw twilioError(err, `buy ${phoneNumber}`);
  }
}

/** Adds a number to a service's sender pool (already there is fine: a retry got there first). */
export async function attach(client: TwilioClient, serviceSid: string, numberSid: string): Promise<void> {
  try {
    await client.messaging.v1.services(serviceSid).phoneNumbers.create({ phoneNumberSid: numberSid });
  } catch (err) {
    if ((err as { code?: number }).code !== 21710)
      throw twilioError(err, "add the number to the messaging service");
  }
}

const gone = (err: unknown) => (err as { status?: number }).status === 404;

/** Takes a number out of a service's pool (not there is fine). */
export async function detach(client: TwilioClient, serviceSid: string, numberSid: string): Promise<void> {
  try {
    await client.messaging.v1.services(serviceSid).phoneNumbers(numberSid).remove();
  } catch (err) {
    if (!gone(err)) throw twilioError(err, "take the number out of the messaging service");
  }
}

/** Releases a number from the subaccount (already released is fine). */
export async function release(client: TwilioClient, numberSid: string): Promise<void> {
  try {
    await client.incomingPhoneNumbers(numberSid).remove();
  } catch (err) {
    if (!gone(err)) throw twilioError(err, "release the number");
  }
}

export interface PoolSettings {
  sticky_sender: boolean;
  area_code_geomatch: boolean;
}

export async function fetchPoolSettings(client: TwilioClient, serviceSid: string): Promise<PoolSettings> {
  const s = await twilioCall("read the messaging service", () =>
    client.messaging.v1.services(serviceSid).fetch(),
  );
  return { sticky_sender: Boolean(s.stickySender), area_code_geomatch: Boolean(s.areaCodeGeomatch) };
}

export async function updatePoolSettings(
  client: TwilioClient,
  serviceSid: string,
  change: Partial<PoolSettings>,
): Promise<PoolSettings> {
  const s = await twilioCall("update the messaging service", () =>
    client.messaging.v1.services(serviceSid).update({
      ...(change.sticky_sender !== undefined ? { stickySender: change.sticky_sender } : {}),
      ...(change.area_code_geomatch !== undefined ? { areaCodeGeomatch: change.area_code_geomatch } : {}),
    }),
  );
  return { sticky_sender: Boolean(s.stickySender), area_code_geomatch: Boolean(s.areaCodeGeomatch) };
}
