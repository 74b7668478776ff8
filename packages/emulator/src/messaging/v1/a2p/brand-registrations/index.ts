import { TwilioError } from "../../../../core/errors.js";
import type { Params } from "../../../../core/form.js";
import { pageV1 } from "../../../../core/paging.js";
import { isSid, newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import type { World } from "../../../../world.js";
import { MESSAGING } from "../../host.js";
import { BRANDS, type Brand, ownBrand, patchBrand, renderBrand } from "./model.js";
import { registerBrandReview, startBrandReview } from "./review.js";
import { registerSmsOtp } from "./sms-otp.js";
import { registerVettings } from "./vettings.js";

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
}

export function registerBrandRegistrations(r: Router, world: World) {
  registerBrands(r);
  registerSmsOtp(r);
  registerVettings(r, world);
  registerBrandReview(world);
}
