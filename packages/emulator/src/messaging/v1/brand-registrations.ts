import { TwilioError, notFound } from "../../core/errors.js";
import type { Params } from "../../core/form.js";
import { pageV1 } from "../../core/paging.js";
import { isSid, newSid } from "../../core/sid.js";
import type { Router } from "../../http/router.js";
import { scheduleReview } from "../../reviews/timing.js";
import type { World } from "../../world.js";
import {
  BRANDS,
  BRAND_VETTINGS,
  type Brand,
  MESSAGING,
  type Vetting,
  ownBrand,
  patchBrand,
  renderBrand,
  renderVetting,
} from "./brand-model.js";
import { sendOtp } from "./brand-otp.js";
import { brandFacts, startBrandReview, trustScore } from "./brand-review.js";

const VETTING_REVIEW = "a2p.brand.vetting";
const BASE = "/messaging/v1/a2p/BrandRegistrations";

function createBrand(world: World, accountSid: string, input: Params) {
  const customerProfile = input.required("CustomerProfileBundleSid");
  const a2pProfile = input.required("A2PProfileBundleSid");
  for (const [name, sid] of [
    ["CustomerProfileBundleSid", customerProfile],
    ["A2PProfileBundleSid", a2pProfile],
  ])
    if (!isSid(sid, "BU"))
      throw new TwilioError(20001, 400, `Invalid parameter ${name}: ${sid} is not a bundle SID`);
  const brandType = (input.str("BrandType") ?? "STANDARD").toUpperCase();
  if (brandType !== "STANDARD" && brandType !== "SOLE_PROPRIETOR")
    throw new TwilioError(
      20001,
      400,
      `Invalid parameter BrandType: ${brandType} (STANDARD or SOLE_PROPRIETOR)`,
    );
  // One sole proprietor brand per customer (Twilio's sole proprietor troubleshooting guide).
  const twin = world.store.find<Brand>(
    BRANDS,
    (b) =>
      b.account_sid === accountSid &&
      b.brand_type === "SOLE_PROPRIETOR" &&
      b.customer_profile_bundle_sid === customerProfile &&
      b.status !== "FAILED",
  );
  if (brandType === "SOLE_PROPRIETOR" && twin)
    throw new TwilioError(
      20409,
      409,
      `Starter profile ${customerProfile} already has sole proprietor brand ${twin.sid}`,
    );
  const now = world.clock.now();
  return world.store.put<Brand>(BRANDS, {
    sid: newSid("BN"),
    account_sid: accountSid,
    customer_profile_bundle_sid: customerProfile,
    a2p_profile_bundle_sid: a2pProfile,
    brand_type: brandType,
    status: "PENDING",
    tcr_id: null,
    failure_reason: null,
    errors: [],
    brand_score: null,
    brand_feedback: null,
    identity_status: null,
    russell_3000: null,
    government_entity: null,
    tax_exempt_status: null,
    skip_automatic_sec_vet: input.bool("SkipAutomaticSecVet", false),
    mock: input.bool("Mock", false),
    date_created: now,
    date_updated: now,
  });
}

function registerBrands(r: Router) {
  r.post(BASE, ({ world, account, input }) => {
    const brand = createBrand(world, account.sid, input);
    startBrandReview(world, brand);
    return { status: 201, body: renderBrand(brand) };
  });

  r.get(BASE, ({ world, account, input }) => ({
    status: 200,
    body: pageV1(
      world.store.list<Brand>(BRANDS, (b) => b.account_sid === account.sid).map(renderBrand),
      "data",
      `${MESSAGING}/a2p/BrandRegistrations`,
      input,
    ),
  }));

  r.get(`${BASE}/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: renderBrand(ownBrand(world, account.sid, params.Sid)),
  }));

  // Resubmission after a failure (the data is fixed in the bundles): back to PENDING, reviewed again.
  r.post(`${BASE}/:Sid`, ({ world, account, params }) => {
    const brand = ownBrand(world, account.sid, params.Sid);
    if (brand.status !== "FAILED")
      throw new TwilioError(
        20001,
        400,
        `Brand ${brand.sid} is ${brand.status}: only a FAILED brand can be resubmitted`,
      );
    const pending = patchBrand(world, brand.sid, {
      status: "PENDING",
      errors: [],
      failure_reason: null,
      brand_feedback: null,
      identity_status: null,
      waiting_for_bundles: false,
    });
    startBrandReview(world, pending);
    return { status: 202, body: renderBrand(pending) };
  });

  // A fresh OTP for a sole proprietor whose first one expired (sole proprietor walkthrough, step 3.2).
  r.post(`${BASE}/:Sid/SmsOtp`, ({ world, account, params }) => {
    const brand = ownBrand(world, account.sid, params.Sid);
    if (brand.brand_type !== "SOLE_PROPRIETOR")
      throw new TwilioError(20001, 400, `Brand ${brand.sid} is not a SOLE_PROPRIETOR brand: it has no OTP`);
    if (brand.status !== "APPROVED" || brand.identity_status !== "UNVERIFIED")
      throw new TwilioError(
        20001,
        400,
        `Brand ${brand.sid} is ${brand.status}/${brand.identity_status}: an OTP is sent only to an approved, unverified brand`,
      );
    sendOtp(world, brand);
    return { status: 201, body: { account_sid: brand.account_sid, brand_registration_sid: brand.sid } };
  });
}

function registerVettings(r: Router) {
  const base = `${BASE}/:BrandSid/Vettings`;
  r.post(base, ({ world, account, params, input }) => {
    const brand = ownBrand(world, account.sid, params.BrandSid);
    const provider = input.required("VettingProvider");
    if (provider !== "campaign-verify" && provider !== "aegis")
      throw new TwilioError(
        20001,
        400,
        `Invalid parameter VettingProvider: ${provider} (campaign-verify or aegis)`,
      );
    if (brand.status !== "APPROVED" || brand.brand_type !== "STANDARD")
      throw new TwilioError(
        21721,
        400,
        `Cannot import a vetting for brand ${brand.sid}: it must be an APPROVED STANDARD brand`,
      );
    const vettingId = input.str("VettingId") ?? null;
    if (provider === "campaign-verify" && !vettingId)
      throw new TwilioError(20001, 400, "Missing required parameter VettingId (the Campaign Verify token)");
    const now = world.clock.now();
    const v = world.store.put<Vetting>(BRAND_VETTINGS, {
      sid: newSid("VT"),
      brand_sid: brand.sid,
      account_sid: brand.account_sid,
      vetting_provider: provider,
      vetting_id: vettingId,
      vetting_class: provider === "campaign-verify" ? "POLITICAL" : "STANDARD",
      vetting_status: "IN_PROGRESS",
      date_created: now,
      date_updated: now,
    });
    scheduleReview(world, VETTING_REVIEW, "vetting", v.sid);
    return { status: 201, body: renderVetting(v) };
  });

  r.get(base, ({ world, account, params, input }) => {
    const brand = ownBrand(world, account.sid, params.BrandSid);
    const provider = input.str("VettingProvider");
    const items = world.store
      .list<Vetting>(
        BRAND_VETTINGS,
        (v) => v.brand_sid === brand.sid && (!provider || v.vetting_provider === provider),
      )
      .map(renderVetting);
    return {
      status: 200,
      body: pageV1(items, "data", `${MESSAGING}/a2p/BrandRegistrations/${brand.sid}/Vettings`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => {
    const brand = ownBrand(world, account.sid, params.BrandSid);
    const v = world.store.get<Vetting>(BRAND_VETTINGS, params.Sid);
    if (!v || v.brand_sid !== brand.sid) throw notFound(`BrandVetting ${params.Sid}`);
    return { status: 200, body: renderVetting(v) };
  });
}

/**
 * A vetting completes after the vetting delay: a Campaign Verify token must look like one
 * (`cv|…`); an Aegis vetting succeeds and gives the brand its vetted trust score.
 */
function completeVetting(world: World, sid: string) {
  const v = world.store.get<Vetting>(BRAND_VETTINGS, sid);
  if (v?.vetting_status !== "IN_PROGRESS") return;
  const ok = v.vetting_provider === "aegis" || /^cv\|/.test(v.vetting_id ?? "");
  world.store.patch<Vetting>(BRAND_VETTINGS, sid, {
    vetting_status: ok ? "SUCCESS" : "FAILED",
    vetting_id: v.vetting_id ?? `aegis-${sid.slice(2, 14)}`,
    date_updated: world.clock.now(),
  });
  const brand = world.store.get<Brand>(BRANDS, v.brand_sid);
  if (ok && brand && v.vetting_provider === "aegis") {
    const facts = brandFacts(world, brand);
    patchBrand(world, brand.sid, {
      identity_status: "VETTED_VERIFIED",
      brand_score: trustScore(facts.a2p, facts.business),
    });
  }
}

export function registerBrandRegistrations(r: Router, world: World) {
  registerBrands(r);
  registerVettings(r);
  world.scheduler.on(VETTING_REVIEW, ({ sid }) => completeVetting(world, sid));
}
