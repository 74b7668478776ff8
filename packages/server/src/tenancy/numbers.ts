import type { TenantRow } from "./tenants.js";
import { tenantTwilio } from "./credentials.js";
import { SubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import { twilioCall } from "../twilio/errors.js";

export interface TenantNumber {
  sid: string;
  phoneNumber: string;
}

type Deps = Pick<Services, "db" | "vault" | "caches" | "twilio">;

/**
 * A number of the tenant's own subaccount, looked up in Twilio. Senders and IVR flows only
 * accept numbers the tenant owns; asking Twilio (rather than our tables) also covers numbers
 * bought outside Subtext.
 */
export async function findTenantNumber(
  deps: Deps,
  tenant: TenantRow,
  phoneNumber: string,
): Promise<TenantNumber> {
  const client = await tenantTwilio(deps, tenant);
  const [found] = await twilioCall("look up a phone number", () =>
    client.incomingPhoneNumbers.list({ phoneNumber, limit: 1 }),
  );
  if (!found) {
    throw new SubtextError(
      "unknown_phone_number",
      422,
      `${phoneNumber} is not a number of this tenant's Twilio account.`,
      {
        hint: "Use a number bought in the tenant's subaccount (e.g. the one onboarding attached).",
        details: [{ path: "/phone_number", code: "unknown_phone_number", phone_number: phoneNumber }],
      },
    );
  }
  return { sid: found.sid, phoneNumber: found.phoneNumber };
}

/** Points a number's voice or messaging webhooks at us (only the fields given change). */
export async function configureNumber(
  deps: Deps,
  tenant: TenantRow,
  sid: string,
  change: { voiceUrl?: string; statusCallback?: string; smsUrl?: string },
): Promise<void> {
  const client = await tenantTwilio(deps, tenant);
  await twilioCall("configure a phone number", () =>
    client.incomingPhoneNumbers(sid).update({
      ...(change.voiceUrl !== undefined ? { voiceUrl: change.voiceUrl, voiceMethod: "POST" } : {}),
      ...(change.statusCallback !== undefined
        ? { statusCallback: change.statusCallback, statusCallbackMethod: "POST" }
        : {}),
      ...(change.smsUrl !== undefined ? { smsUrl: change.smsUrl, smsMethod: "POST" } : {}),
    }),
  );
}
