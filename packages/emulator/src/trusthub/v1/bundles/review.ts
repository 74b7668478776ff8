import { ACCOUNTS, type Account } from "../../../api/2010/accounts/model.js";
import { iso } from "../../../core/dates.js";
import { TwilioError } from "../../../core/errors.js";
import { type BundleFacts, type Failure, bundleFailures } from "../../../reviews/rules.js";
import type { World } from "../../../world.js";
import { assignedItems, documentAddressSids, evaluateBundle, findAddress } from "./evaluations.js";
import { BUNDLES, type Bundle, type BundleStatus, latestEvaluation } from "../model.js";
import { policyOf } from "../policy-catalog.js";
import { scheduleReview } from "../../../reviews/timing.js";

export const BUNDLE_REVIEW = "trusthub.bundle.review";
/** Scheduled (due now) whenever a bundle is approved or rejected, for brands waiting on it. */
export const BUNDLE_RESOLVED = "trusthub.bundle.resolved";
const BRANDS = "brand_registrations";

/**
 * The bundle's status callback. Twilio does not document the payload; ours is a
 * signed form POST with AccountSid, BundleSid, PolicySid, Status, and on rejection FailureReason
 * and ErrorCode (the first 186xx code).
 */
function notify(world: World, b: Bundle) {
  if (!b.status_callback) return;
  const token = world.store.get<Account>(ACCOUNTS, b.account_sid)?.auth_token;
  if (!token) return;
  const params: Record<string, string> = {
    AccountSid: b.account_sid,
    BundleSid: b.sid,
    PolicySid: b.policy_sid,
    Status: b.status,
  };
  if (b.status === "twilio-rejected") {
    params.FailureReason = b.failure_reason ?? "";
    if (b.errors?.[0]) params.ErrorCode = String(b.errors[0].code);
  }
  if (b.valid_until) params.ValidUntil = iso(b.valid_until) ?? "";
  world.callbacks.send(b.status_callback, params, token);
}

export function setBundleStatus(
  world: World,
  b: Bundle,
  status: BundleStatus,
  changes: Partial<Bundle> = {},
) {
  const updated = world.store.patch<Bundle>(BUNDLES, b.sid, {
    ...changes,
    status,
    date_updated: world.clock.now(),
  })!;
  notify(world, updated);
  if (status === "twilio-approved" || status === "twilio-rejected")
    world.scheduler.at(world.clock.now(), BUNDLE_RESOLVED, { sid: b.sid });
  return updated;
}

/**
 * Submitting (Status=pending-review): refused unless the latest evaluation is compliant and the
 * bundle still is, as Twilio refuses non-compliant bundles. The answer is already in-review.
 */
export function submitBundle(world: World, b: Bundle): Bundle {
  if (b.status === "pending-review" || b.status === "in-review" || b.status === "twilio-approved") return b;
  const latest = latestEvaluation(world, b.sid);
  if (!latest)
    throw new TwilioError(
      20001,
      400,
      `Bundle ${b.sid} has no evaluation: evaluate it against policy ${b.policy_sid} before submitting it`,
    );
  if (latest.status !== "compliant" || evaluateBundle(world, b).status !== "compliant")
    throw new TwilioError(
      20001,
      400,
      `Bundle ${b.sid} is noncompliant with policy ${b.policy_sid}: fix the failed requirements and evaluate it again`,
    );
  const pending = setBundleStatus(world, b, "pending-review", {
    errors: null,
    failure_reason: null,
    review_passed: false,
  });
  const inReview = setBundleStatus(world, pending, "in-review");
  scheduleReview(world, BUNDLE_REVIEW, "bundle", b.sid);
  return inReview;
}

/** The data the bundle rules look at: every email, website and address it carries. */
export function bundleFacts(world: World, b: Bundle): BundleFacts {
  const policy = policyOf(b.policy_sid);
  const items = assignedItems(world, b);
  const emails = [{ field: "email", value: b.email }];
  const websites: string[] = [];
  for (const e of items.endUsers) {
    for (const key of ["email", "brand_contact_email"]) {
      const v = e.attributes[key];
      if (typeof v === "string" && v) emails.push({ field: `${e.type}.${key}`, value: v });
    }
    if (typeof e.attributes.website_url === "string" && e.attributes.website_url)
      websites.push(e.attributes.website_url);
  }
  const addresses = documentAddressSids(world, b).map((sid) => {
    const a = findAddress(world, b.account_sid, sid);
    return { sid, found: !!a, iso_country: a?.iso_country, region: a?.region, postal_code: a?.postal_code };
  });
  const usOrCanadaOnly = !!policy?.waitsForBrandOtp && b.kind === "customer_profile";
  return { usOrCanadaOnly, emails, websites, addresses };
}

export function rejectBundle(world: World, b: Bundle, failures: Pick<Failure, "code" | "reason">[]) {
  world.scheduler.cancel((job) => job.kind === BUNDLE_REVIEW && job.data.sid === b.sid);
  return setBundleStatus(world, b, "twilio-rejected", {
    errors: failures.map((f) => ({ code: f.code, message: f.reason })),
    failure_reason: failures.map((f) => f.reason).join("; "),
  });
}

export function approveBundle(world: World, b: Bundle) {
  world.scheduler.cancel((job) => job.kind === BUNDLE_REVIEW && job.data.sid === b.sid);
  return setBundleStatus(world, b, "twilio-approved", { errors: null, failure_reason: null });
}

function hasVerifiedBrand(world: World, sid: string) {
  return !!world.store.find<{ sid: string } & Record<string, any>>(
    BRANDS,
    (brand) =>
      (brand.customer_profile_bundle_sid === sid || brand.a2p_profile_bundle_sid === sid) &&
      brand.status === "APPROVED" &&
      brand.identity_status === "VERIFIED",
  );
}

function reviewBundle(world: World, sid: string) {
  const b = world.store.get<Bundle>(BUNDLES, sid);
  if (b?.status !== "in-review") return;
  const failures = bundleFailures(bundleFacts(world, b));
  if (failures.length) return void rejectBundle(world, b, failures);
  if (policyOf(b.policy_sid)?.waitsForBrandOtp && !hasVerifiedBrand(world, sid)) {
    world.store.patch<Bundle>(BUNDLES, sid, { review_passed: true });
    return;
  }
  approveBundle(world, b);
}

/** A sole proprietor's brand was OTP-verified: its starter profile and trust bundle are approved. */
export function releaseAfterOtp(world: World, sid: string) {
  const b = world.store.get<Bundle>(BUNDLES, sid);
  if (b?.status === "in-review" && b.review_passed) approveBundle(world, b);
}

export function registerBundleReview(world: World) {
  world.scheduler.on(BUNDLE_REVIEW, ({ sid }) => reviewBundle(world, sid));
}
