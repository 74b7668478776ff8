/**
 * Status callbacks for onboarding resources (`POST /twilio/onboarding/:tenantId/:kind`), signed with the tenant's subaccount auth token and verified by the
 * Twilio webhook intake (http/twilio-webhooks.ts). A callback is a hint: it wakes the
 * registration's current step, which reads the truth from Twilio (polling stays the fallback
 * when callbacks are lost). A bundle rejection is recorded at once, because its
 * detailed reason is only given in the callback (sole proprietor walkthrough, step 1.2, in
 * docs/twilio-facts.md).
 */
import { twilioParam } from "../http/twilio-webhooks.js";
import type { TenantRow } from "../tenancy/tenants.js";
import { bundleFailure } from "./flows/trusthub-review.js";
import type { FlowDeps } from "./flows/step.js";
import { failRegistration, wakeRegistration } from "./runner.js";
import { isOpen } from "./states.js";
import { findRegistrationBySid, lockRegistration } from "./store.js";

export const CALLBACK_KINDS = ["bundle", "brand", "campaign", "tollfree", "toll-free"] as const;

const SID_PARAMS = [
  "BundleSid",
  "BrandRegistrationSid",
  "BrandSid",
  "TollfreeVerificationSid",
  "VerificationSid",
  "ResourceSid",
  "MessagingServiceSid",
  "Sid",
];

/** `params`: the callback's verified form; `tenant`: whose subaccount signed it. */
export async function receiveOnboardingCallback(
  deps: FlowDeps,
  tenant: TenantRow,
  kind: string,
  params: unknown,
): Promise<{ registrationId: string | null }> {
  const param = (name: string) => twilioParam(params, name);
  const sid = SID_PARAMS.map(param).find(Boolean);
  if (!sid) return { registrationId: null };
  return deps.db.tx(async (tx) => {
    const found = await findRegistrationBySid(tx, tenant.id, sid);
    if (!found) return { registrationId: null };
    const reg = (await lockRegistration(tx, found.id))!;
    const status = param("Status") ?? param("status");
    if (kind === "bundle" && status === "twilio-rejected" && isOpen(reg.state)) {
      const stage = sid === reg.customer_profile_sid ? "customer_profile" : "trust_product";
      const code = Number(param("ErrorCode"));
      const reason = param("FailureReason") || "The bundle was rejected by Trust Hub review.";
      const failure = bundleFailure(reg.kind, stage, {
        sid,
        status,
        failureReason: reason,
        // FailureReason joins every reason with "; " (one per field that failed); ErrorCode is the first's.
        errors: [...new Set(reason.split("; "))].map((message, i) => ({
          code: i === 0 && Number.isFinite(code) && code > 0 ? code : undefined,
          message,
        })),
      });
      await failRegistration(tx, deps, reg, failure);
    } else {
      await wakeRegistration(tx, deps, reg);
    }
    return { registrationId: reg.id };
  });
}
