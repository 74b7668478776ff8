/**
 * The ISV's primary customer profile: approved in the Console with the business identity "ISV
 * Reseller or Partner", required before any tenant's starter or secondary profile
 * (docs/twilio-facts.md, "Sole proprietor walkthrough"). From SUBTEXT_PRIMARY_PROFILE_SID, or
 * discovered once in the parent account (an approved CustomerProfile with the primary policy). This
 * is the only onboarding call made with the parent's credentials: the profile belongs to the
 * parent.
 */
import { SubtextError } from "../kernel/errors.js";
import type { Services } from "../kernel/services.js";
import { twilioCall } from "../twilio/errors.js";

export const PRIMARY_PROFILE_POLICY = "RN6433641899984f951173ef1738c3bdd0";

const discovered = new WeakMap<object, string>();

export async function primaryProfileSid(deps: Pick<Services, "config" | "twilio">): Promise<string> {
  if (deps.config.primaryProfileSid) return deps.config.primaryProfileSid;
  const known = discovered.get(deps.twilio);
  if (known) return known;
  const profiles = await twilioCall("find the primary customer profile", () =>
    deps.twilio
      .parentClient()
      .trusthub.v1.customerProfiles.list({ policySid: PRIMARY_PROFILE_POLICY, limit: 50 }),
  );
  const approved = profiles.find((p) => p.status === "twilio-approved");
  if (!approved) {
    throw new SubtextError(
      "primary_profile_missing",
      503,
      "The ISV has no approved primary customer profile.",
      {
        hint:
          'Create it in the Twilio Console (Trust Hub, business identity "ISV Reseller or Partner") and wait for ' +
          "approval, or set SUBTEXT_PRIMARY_PROFILE_SID=BU…. Registrations resume automatically.",
        retryable: true,
      },
    );
  }
  discovered.set(deps.twilio, approved.sid);
  return approved.sid;
}
