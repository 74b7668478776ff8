import twilio from "twilio";

/**
 * X-Twilio-Signature checks for callbacks (status, inbound, voice). Twilio signs with the
 * auth token of the account that owns the resource, i.e. the tenant's subaccount, over the
 * exact public URL it called (SUBTEXT_PUBLIC_URL + path + query) and the form parameters.
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
export function verifyTwilioSignature(args: {
  authToken: string;
  signature: string | undefined;
  url: string;
  params: Record<string, unknown>;
}): boolean {
  if (!args.signature) return false;
  return twilio.validateRequest(args.authToken, args.signature, args.url, args.params);
}
