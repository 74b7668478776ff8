import { TwilioError } from "../../../core/errors.js";

/**
 * Twilio's magic test numbers (https://www.twilio.com/docs/iam/test-credentials). Real Twilio
 * honours them with test credentials only; the emulator has no test credentials, so they work for
 * every account. The magic sender +15005550006 is usable without buying it and is never held by the
 * compliance gate.
 */
export const MAGIC_SENDER = "+15005550006";

const FROM: Record<string, [number, string]> = {
  "+15005550001": [21212, "The 'From' number +15005550001 is not a valid phone number"],
  "+15005550007": [
    21606,
    "The 'From' phone number provided is not a valid message-capable Twilio phone number",
  ],
  "+15005550008": [21611, "This 'From' number has exceeded the maximum number of queued messages"],
};

const TO: Record<string, [number, string]> = {
  "+15005550001": [21211, "Invalid 'To' Phone Number: +15005550001"],
  "+15005550002": [21612, "The 'To' phone number is not currently reachable via SMS"],
  "+15005550003": [
    21408,
    "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
  ],
  "+15005550004": [21610, "Attempt to send to unsubscribed recipient"],
  "+15005550009": [21614, "'To' number is not a valid mobile number"],
};

export function magicFromError(e164: string): TwilioError | null {
  const hit = FROM[e164];
  return hit ? new TwilioError(hit[0], 400, hit[1]) : null;
}

export function magicToError(e164: string): TwilioError | null {
  const hit = TO[e164];
  return hit ? new TwilioError(hit[0], 400, hit[1]) : null;
}

/** Buying numbers: +15005550000 is unavailable, +15005550001 invalid, AreaCode 533 has none. */
export const MAGIC_PURCHASE = {
  unavailable: "+15005550000",
  invalid: "+15005550001",
  available: MAGIC_SENDER,
  emptyAreaCode: "533",
  magicAreaCode: "500",
};
