import { TwilioError } from "../core/errors.js";
import type { Router } from "../http/router.js";
import { BRANDS, type Brand, patchBrand } from "../messaging/v1/a2p/brand-registrations/model.js";
import { handsetOtpMessages } from "../messaging/v1/a2p/brand-registrations/sms-otp.js";
import {
  answerOtp,
  approveBrand,
  failBrand,
  verifyBrandIdentity,
} from "../messaging/v1/a2p/brand-registrations/review.js";
import {
  TOLLFREE_VERIFICATIONS,
  type TollfreeVerification,
} from "../messaging/v1/tollfree/verifications/model.js";
import { setTollfreeOutcome } from "../messaging/v1/tollfree/verifications/review.js";
import { CAMPAIGNS, type Campaign } from "../messaging/v1/services/compliance/usa2p/model.js";
import { setCampaignOutcome } from "../messaging/v1/services/compliance/usa2p/review.js";
import { approveRcBundle, rejectRcBundle } from "../numbers/v2/regulatory-compliance/bundles/review.js";
import { RC_BUNDLES, type RcBundle } from "../numbers/v2/regulatory-compliance/model.js";
import { approveBundle, rejectBundle } from "../trusthub/v1/bundles/review.js";
import { BUNDLES, type Bundle } from "../trusthub/v1/model.js";
import type { World } from "../world.js";
import { body } from "./routes.js";

type Outcome = "approved" | "rejected" | "failed" | "suspended";
const OUTCOMES: Outcome[] = ["approved", "rejected", "failed", "suspended"];

interface Forced {
  outcome: Outcome;
  reason?: string;
  error_code?: number;
}

const unsupported = (what: string, outcome: string) =>
  new TwilioError(20001, 400, `A ${what} cannot be forced to "${outcome}"`);

function forceBundle(world: World, b: Bundle, f: Forced) {
  if (f.outcome === "suspended") throw unsupported("bundle", f.outcome);
  const done =
    f.outcome === "approved"
      ? approveBundle(world, b)
      : rejectBundle(world, b, [
          { code: f.error_code ?? 18601, reason: f.reason ?? "Rejected by Trust Hub review." },
        ]);
  return { resource: "bundle", status: done.status };
}

/** A regulatory bundle (numbers v2) forced approved or rejected, from whatever status it has. */
function forceRegulatoryBundle(world: World, b: RcBundle, f: Forced) {
  if (f.outcome === "suspended" || f.outcome === "failed") throw unsupported("regulatory bundle", f.outcome);
  const done =
    f.outcome === "approved"
      ? approveRcBundle(world, b)
      : rejectRcBundle(world, b, [
          { code: f.error_code ?? 18001, reason: f.reason ?? "Rejected by regulatory review." },
        ]);
  return { resource: "regulatory_bundle", status: done.status };
}

/** A forced approval makes the brand usable at once; for a sole proprietor, that includes the OTP. */
function forceBrand(world: World, brand: Brand, f: Forced) {
  world.scheduler.cancel((job) => job.data.sid === brand.sid && job.kind.startsWith("a2p.brand"));
  if (f.outcome === "approved") {
    const current = patchBrand(world, brand.sid, { waiting_for_bundles: false });
    const approved = current.status === "APPROVED" ? current : approveBrand(world, current);
    const done = approved.brand_type === "SOLE_PROPRIETOR" ? verifyBrandIdentity(world, approved) : approved;
    return { resource: "brand", status: done.status };
  }
  if (f.outcome === "suspended") {
    for (const c of world.store.list<Campaign>(CAMPAIGNS, (c) => c.brand_registration_sid === brand.sid))
      setCampaignOutcome(world, c, "SUSPENDED");
    return { resource: "brand", status: patchBrand(world, brand.sid, { status: "SUSPENDED" }).status };
  }
  const reason = f.reason ?? "Brand registration failed TCR review.";
  const done = failBrand(world, brand, [{ rule: "forced", code: f.error_code ?? 30799, reason, fields: [] }]);
  return { resource: "brand", status: done.status };
}

function forceCampaign(world: World, c: Campaign, f: Forced) {
  if (f.outcome === "approved")
    return { resource: "campaign", status: setCampaignOutcome(world, c, "VERIFIED").campaign_status };
  if (f.outcome === "suspended")
    return { resource: "campaign", status: setCampaignOutcome(world, c, "SUSPENDED").campaign_status };
  const failure = {
    code: f.error_code ?? 30897,
    reason: f.reason ?? "The campaign submission has been reviewed and it was rejected.",
    fields: [],
  };
  return { resource: "campaign", status: setCampaignOutcome(world, c, "FAILED", [failure]).campaign_status };
}

function forceTollfree(world: World, v: TollfreeVerification, f: Forced) {
  if (f.outcome === "suspended") throw unsupported("toll-free verification", f.outcome);
  const done =
    f.outcome === "approved"
      ? setTollfreeOutcome(world, v, "TWILIO_APPROVED")
      : setTollfreeOutcome(world, v, "TWILIO_REJECTED", [
          { code: f.error_code ?? 30842, reason: f.reason ?? "Verification rejected.", editable: true },
        ]);
  return { resource: "tollfree_verification", status: done.status };
}

/** Forces the outcome of a reviewable resource: a bundle (BU), brand (BN), campaign (its MG) or HH. */
export function forceOutcome(world: World, sid: string, f: Forced) {
  const prefix = sid.slice(0, 2);
  const bundle = prefix === "BU" ? world.store.get<Bundle>(BUNDLES, sid) : undefined;
  if (bundle) return forceBundle(world, bundle, f);
  const regulatory = prefix === "BU" ? world.store.get<RcBundle>(RC_BUNDLES, sid) : undefined;
  if (regulatory) return forceRegulatoryBundle(world, regulatory, f);
  const brand = prefix === "BN" ? world.store.get<Brand>(BRANDS, sid) : undefined;
  if (brand) return forceBrand(world, brand, f);
  const campaign = prefix === "MG" ? world.store.get<Campaign>(CAMPAIGNS, sid) : undefined;
  if (campaign) return forceCampaign(world, campaign, f);
  const tollfree =
    prefix === "HH" ? world.store.get<TollfreeVerification>(TOLLFREE_VERIFICATIONS, sid) : undefined;
  if (tollfree) return forceTollfree(world, tollfree, f);
  throw new TwilioError(
    20404,
    404,
    `No reviewable resource ${sid} (a BU bundle, BN brand, MG campaign or HH)`,
  );
}

export function registerReviewControl(r: Router) {
  const pub = { public: true };

  r.post(
    "/_emulator/reviews/:Sid/outcome",
    (req) => {
      const b = body(req);
      if (!OUTCOMES.includes(b.outcome))
        throw new TwilioError(20001, 400, `outcome must be one of ${OUTCOMES.join(", ")}`);
      const forced: Forced = {
        outcome: b.outcome,
        reason: b.reason === undefined ? undefined : String(b.reason),
        error_code: b.error_code === undefined ? undefined : Number(b.error_code),
      };
      const result = forceOutcome(req.world, req.params.Sid, forced);
      return { status: 200, body: { sid: req.params.Sid, ...result } };
    },
    pub,
  );

  // The sole proprietor's handset answers TCR's OTP SMS (YES unless another body is given).
  r.post(
    "/_emulator/handsets/:Phone/otp-reply",
    (req) => {
      const text = String(body(req).body ?? "YES");
      const result = answerOtp(req.world, req.params.Phone, text);
      if (result.outcome === "no_pending_otp")
        throw new TwilioError(20404, 404, `No OTP is waiting for an answer from ${req.params.Phone}`);
      if (result.outcome === "expired")
        throw new TwilioError(
          30752,
          409,
          `The OTP sent to ${req.params.Phone} expired (24 hours); request a new one with SmsOtp`,
        );
      const { brand } = result;
      return {
        status: 200,
        body: {
          outcome: result.outcome,
          brand_registration_sid: brand.sid,
          status: brand.status,
          identity_status: brand.identity_status,
        },
      };
    },
    pub,
  );

  r.get(
    "/_emulator/handsets/:Phone/otp",
    ({ world, params }) => ({ status: 200, body: { messages: handsetOtpMessages(world, params.Phone) } }),
    pub,
  );
}
