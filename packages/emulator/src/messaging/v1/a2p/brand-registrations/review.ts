import type { World } from "../../../../world.js";
import { BUNDLE_RESOLVED, bundleFacts, releaseAfterOtp } from "../../../../trusthub/v1/bundles/review.js";
import {
  assignedItems,
  documentAddressSids,
  findAddress,
} from "../../../../trusthub/v1/bundles/evaluations.js";
import { BUNDLES, type Bundle } from "../../../../trusthub/v1/model.js";
import { scheduleReview } from "../../../../reviews/timing.js";
import { BRANDS, BRAND_OTPS, type Brand, brandErrors, patchBrand, tcrId } from "./model.js";
import { OTP_DEADLINE, type Otp, cancelOtps, openOtpFor, sendOtp } from "./sms-otp.js";
import {
  type BrandFacts,
  type BundleState,
  type Failure,
  brandBundleFailures,
  brandFailures,
  bundleFailures,
} from "../../../../reviews/rules.js";

export const BRAND_SUBMIT = "a2p.brand.submit";
export const BRAND_REVIEW = "a2p.brand.review";

const DAY = 86_400_000;

/**
 * A bundle as a brand sees it. A sole proprietor's brand is decided within minutes while its
 * bundles may still be unreviewed (realistic pace), so their rules are checked ahead of time.
 */
function bundleState(world: World, accountSid: string, sid: string, preview: boolean): BundleState {
  const b = world.store.get<Bundle>(BUNDLES, sid);
  if (!b || b.account_sid !== accountSid) return { sid, exists: false, status: null, failures: [] };
  const unreviewed = (b.status === "in-review" || b.status === "pending-review") && !b.review_passed;
  const failures = preview && unreviewed ? bundleFailures(bundleFacts(world, b)) : [];
  return { sid, exists: true, status: b.status, failures };
}

function attributesOf(world: World, sid: string, type: string): Record<string, unknown> {
  const b = world.store.get<Bundle>(BUNDLES, sid);
  if (!b) return {};
  return assignedItems(world, b).endUsers.find((e) => e.type === type)?.attributes ?? {};
}

export function brandFacts(world: World, brand: Brand): BrandFacts {
  const preview = brand.brand_type === "SOLE_PROPRIETOR";
  const profile = world.store.get<Bundle>(BUNDLES, brand.customer_profile_bundle_sid);
  const addresses = profile
    ? documentAddressSids(world, profile).map((sid) => {
        const a = findAddress(world, profile.account_sid, sid);
        return {
          sid,
          found: !!a,
          iso_country: a?.iso_country,
          region: a?.region,
          postal_code: a?.postal_code,
        };
      })
    : [];
  const sole = attributesOf(world, brand.a2p_profile_bundle_sid, "sole_proprietor_information");
  const mobile = typeof sole.mobile_phone_number === "string" ? sole.mobile_phone_number.trim() : "";
  const mobileUses = mobile
    ? world.store.list<Brand>(
        BRANDS,
        (b) => b.sid !== brand.sid && b.mobile_counted === true && b.mobile === mobile,
      ).length
    : 0;
  return {
    brand_type: brand.brand_type,
    customerProfile: bundleState(world, brand.account_sid, brand.customer_profile_bundle_sid, preview),
    a2pProfile: bundleState(world, brand.account_sid, brand.a2p_profile_bundle_sid, preview),
    business: attributesOf(world, brand.customer_profile_bundle_sid, "customer_profile_business_information"),
    a2p: attributesOf(world, brand.a2p_profile_bundle_sid, "us_a2p_messaging_profile_information"),
    sole,
    addresses,
    mobileUses,
  };
}

/** TCR's trust score for a vetted standard brand, by company type (documented in reviews.md). */
export function trustScore(a2p: Record<string, unknown>, business: Record<string, unknown>): number {
  const type = String(a2p.company_type ?? "private").toLowerCase();
  const base =
    ({ public: 100, government: 95, private: 75, non_profit: 60 } as Record<string, number>)[type] ?? 50;
  return business.website_url ? base : Math.max(base - 25, 1);
}

export function failBrand(world: World, brand: Brand, failures: Failure[]) {
  world.scheduler.cancel((job) => job.data.sid === brand.sid && job.kind.startsWith("a2p.brand"));
  cancelOtps(world, brand.sid);
  const feedback = [...new Set(failures.flatMap((f) => (f.feedback ? [f.feedback] : [])))];
  return patchBrand(world, brand.sid, {
    status: "FAILED",
    waiting_for_bundles: false,
    errors: brandErrors(failures),
    failure_reason: failures[0]?.reason ?? null,
    brand_feedback: feedback.length ? feedback : null,
    identity_status: brand.brand_type === "STANDARD" ? "UNVERIFIED" : brand.identity_status,
  });
}

export function approveBrand(world: World, brand: Brand) {
  const facts = brandFacts(world, brand);
  if (brand.brand_type === "SOLE_PROPRIETOR") {
    const approved = patchBrand(world, brand.sid, {
      status: "APPROVED",
      tcr_id: brand.tcr_id ?? tcrId("B", brand.sid),
      identity_status: "UNVERIFIED",
      mobile: String(facts.sole.mobile_phone_number ?? "").trim() || null,
      mobile_counted: true,
      errors: [],
      failure_reason: null,
    });
    // Entering APPROVED sends the OTP (walkthrough step 3.1); TCR may expire it 30 days after registration.
    sendOtp(world, approved);
    world.scheduler.cancel((job) => job.kind === OTP_DEADLINE && job.data.sid === brand.sid);
    world.scheduler.at(Math.max(approved.date_created + 30 * DAY, world.clock.now()), OTP_DEADLINE, {
      sid: brand.sid,
    });
    return approved;
  }
  const company = String(facts.a2p.company_type ?? "").toLowerCase();
  return patchBrand(world, brand.sid, {
    status: "APPROVED",
    tcr_id: brand.tcr_id ?? tcrId("B", brand.sid),
    identity_status: brand.skip_automatic_sec_vet ? "VERIFIED" : "VETTED_VERIFIED",
    brand_score: brand.skip_automatic_sec_vet ? null : trustScore(facts.a2p, facts.business),
    brand_feedback: null,
    russell_3000: false,
    government_entity: company === "government",
    tax_exempt_status: company === "non_profit" ? "501c3" : null,
    errors: [],
    failure_reason: null,
  });
}

/** The OTP was answered YES: the identity is verified and the waiting bundles are approved. */
export function verifyBrandIdentity(world: World, brand: Brand) {
  const verified = patchBrand(world, brand.sid, { identity_status: "VERIFIED" });
  world.scheduler.cancel((job) => job.kind === OTP_DEADLINE && job.data.sid === brand.sid);
  releaseAfterOtp(world, brand.customer_profile_bundle_sid);
  releaseAfterOtp(world, brand.a2p_profile_bundle_sid);
  return verified;
}

/** A standard brand moves to IN_REVIEW once both bundles are approved; broken bundles fail it. */
function submitStandard(world: World, brand: Brand) {
  if (brand.status !== "PENDING") return;
  const facts = brandFacts(world, brand);
  const states = [facts.customerProfile, facts.a2pProfile];
  if (!brand.mock) {
    const failures = brandBundleFailures(facts);
    if (failures.length) return void failBrand(world, brand, failures);
    if (states.some((s) => s.status !== "twilio-approved")) {
      patchBrand(world, brand.sid, { waiting_for_bundles: true });
      return;
    }
  }
  patchBrand(world, brand.sid, { status: "IN_REVIEW", waiting_for_bundles: false });
  scheduleReview(world, BRAND_REVIEW, "brand.standard", brand.sid);
}

function review(world: World, brand: Brand) {
  if (brand.status !== "PENDING" && brand.status !== "IN_REVIEW") return;
  const failures = brand.mock ? [] : brandFailures(brandFacts(world, brand));
  if (failures.length) failBrand(world, brand, failures);
  else approveBrand(world, brand);
}

export function startBrandReview(world: World, brand: Brand) {
  if (brand.brand_type === "SOLE_PROPRIETOR")
    scheduleReview(world, BRAND_REVIEW, "brand.sole_proprietor", brand.sid);
  else scheduleReview(world, BRAND_SUBMIT, "brand.submit", brand.sid);
}

/**
 * The handset answered the OTP. YES to a live OTP verifies the brand; any other text changes
 * nothing; an answer after 24 hours is refused with 30752 (a new OTP must be requested).
 */
export function answerOtp(world: World, e164: string, body: string) {
  const otp = openOtpFor(world, e164);
  if (!otp) return { outcome: "no_pending_otp" as const };
  const brand = world.store.get<Brand>(BRANDS, otp.brand_sid);
  if (!brand) return { outcome: "no_pending_otp" as const };
  if (world.clock.now() > otp.expires_at) return { outcome: "expired" as const, otp, brand };
  if (body.trim().toUpperCase() !== "YES") return { outcome: "ignored" as const, otp, brand };
  world.store.patch<Otp>(BRAND_OTPS, otp.sid, { confirmed_at: world.clock.now() });
  return { outcome: "verified" as const, otp, brand: verifyBrandIdentity(world, brand) };
}

export function registerBrandReview(world: World) {
  const load = (sid: string) => world.store.get<Brand>(BRANDS, sid);
  world.scheduler.on(BRAND_SUBMIT, ({ sid }) => {
    const b = load(sid);
    if (b) submitStandard(world, b);
  });
  world.scheduler.on(BRAND_REVIEW, ({ sid }) => {
    const b = load(sid);
    if (b) review(world, b);
  });
  world.scheduler.on(OTP_DEADLINE, ({ sid }) => {
    const b = load(sid);
    if (b?.status !== "APPROVED" || b.identity_status !== "UNVERIFIED") return;
    failBrand(world, b, [
      {
        rule: "brand.otp_deadline",
        code: 30752,
        reason:
          "Invalid or expired OTP: the mobile number owner did not confirm the registration within 30 days.",
        fields: ["mobile_phone_number"],
      },
    ]);
  });
  world.scheduler.on(BUNDLE_RESOLVED, ({ sid }) => {
    for (const b of world.store.list<Brand>(
      BRANDS,
      (x) =>
        x.waiting_for_bundles === true &&
        (x.customer_profile_bundle_sid === sid || x.a2p_profile_bundle_sid === sid),
    ))
      submitStandard(world, b);
  });
}
