import { TwilioError, notFound } from "../../../../../core/errors.js";
import type { Params } from "../../../../../core/form.js";
import { pageV1 } from "../../../../../core/paging.js";
import type { ApiRequest, Router } from "../../../../../http/router.js";
import type { World } from "../../../../../world.js";
import { BRANDS, type Brand } from "../../../a2p/brand-registrations/model.js";
import { MESSAGING } from "../../../host.js";
import {
  CAMPAIGNS,
  CAMPAIGN_SID,
  CAMPAIGN_TOMBSTONES,
  type Campaign,
  DEFAULT_HELP_KEYWORDS,
  DEFAULT_HELP_MESSAGE,
  DEFAULT_OPT_OUT_KEYWORDS,
  DEFAULT_OPT_OUT_MESSAGE,
  ownService,
  renderCampaign,
  validateCampaignFields,
} from "./model.js";
import { registerCampaignReview, startCampaignReview } from "./review.js";
import { isUseCase, registerUsa2pUsecases } from "./usecases.js";

/** Sole proprietor walkthrough, step 5.2: at least 5 s between deleting a campaign and re-creating one. */
export const RECREATE_GAP_MS = 5_000;
const CREATE_REQUIRED = [
  "BrandRegistrationSid",
  "Description",
  "MessageFlow",
  "MessageSamples",
  "UsAppToPersonUsecase",
  "HasEmbeddedLinks",
  "HasEmbeddedPhone",
];
const UPDATE_REQUIRED = [
  "HasEmbeddedLinks",
  "HasEmbeddedPhone",
  "MessageSamples",
  "MessageFlow",
  "Description",
  "AgeGated",
  "DirectLending",
];

function ownCampaign(world: World, accountSid: string, serviceSid: string, sid: string): Campaign {
  ownService(world, accountSid, serviceSid);
  const c = world.store.get<Campaign>(CAMPAIGNS, serviceSid);
  if (!c || sid !== CAMPAIGN_SID) throw notFound(`Usa2p ${sid}`);
  return c;
}

const wantsV2 = (req: ApiRequest) => req.headers["x-twilio-api-version"] !== undefined;

/** The brand the campaign registers under: this account's, approved, and fit for the use case. */
function campaignBrand(world: World, accountSid: string, input: Params): Brand {
  const useCase = input.required("UsAppToPersonUsecase");
  if (!isUseCase(useCase)) throw new TwilioError(21720, 400, `A2P Use Case ${useCase} is invalid`);
  const sid = input.required("BrandRegistrationSid");
  const brand = world.store.get<Brand>(BRANDS, sid);
  const unusable = (why: string) =>
    new TwilioError(21717, 400, `Brand Registration SID ${sid} is not registered or not valid: ${why}`);
  if (!brand || brand.account_sid !== accountSid) throw unusable("no such brand in this account");
  if (brand.status !== "APPROVED") throw unusable(`the brand is ${brand.status}, not APPROVED`);
  const soleProprietor = brand.brand_type === "SOLE_PROPRIETOR";
  if (soleProprietor !== (useCase === "SOLE_PROPRIETOR"))
    throw unusable(`${useCase} is ${soleProprietor ? "not " : "only "}for SOLE_PROPRIETOR brands`);
  return brand;
}

function refuseDuplicates(world: World, serviceSid: string, brand: Brand) {
  if (world.store.get<Campaign>(CAMPAIGNS, serviceSid))
    throw new TwilioError(20409, 409, `Messaging Service ${serviceSid} already has a US A2P campaign`);
  const deleted = world.store.get<{ sid: string; deleted_at: number }>(CAMPAIGN_TOMBSTONES, serviceSid);
  if (deleted && world.clock.now() - deleted.deleted_at < RECREATE_GAP_MS)
    throw new TwilioError(
      20409,
      409,
      `The campaign of Messaging Service ${serviceSid} is still being deleted; retry in a few seconds`,
    );
  if (brand.brand_type === "SOLE_PROPRIETOR") {
    const other = world.store.find<Campaign>(CAMPAIGNS, (c) => c.brand_registration_sid === brand.sid);
    if (other)
      throw new TwilioError(
        20409,
        409,
        `Sole proprietor brand ${brand.sid} already has a campaign (on ${other.messaging_service_sid})`,
      );
  }
}

function keywords(input: Params, name: string, fallback: string[]) {
  const list = input.list(name);
  return list.length ? list : fallback;
}

function createCampaign(world: World, accountSid: string, serviceSid: string, input: Params): Campaign {
  validateCampaignFields(input, CREATE_REQUIRED);
  const brand = campaignBrand(world, accountSid, input);
  refuseDuplicates(world, serviceSid, brand);
  const now = world.clock.now();
  return world.store.put<Campaign>(CAMPAIGNS, {
    sid: serviceSid,
    account_sid: accountSid,
    messaging_service_sid: serviceSid,
    brand_registration_sid: brand.sid,
    description: input.required("Description"),
    message_samples: input.list("MessageSamples"),
    us_app_to_person_usecase: input.required("UsAppToPersonUsecase"),
    has_embedded_links: input.bool("HasEmbeddedLinks"),
    has_embedded_phone: input.bool("HasEmbeddedPhone"),
    subscriber_opt_in: input.bool("SubscriberOptIn", false),
    age_gated: input.bool("AgeGated", false),
    direct_lending: input.bool("DirectLending", false),
    campaign_status: "PENDING",
    campaign_id: null,
    rate_limits: null,
    message_flow: input.required("MessageFlow"),
    opt_in_message: input.str("OptInMessage") ?? null,
    opt_out_message: input.str("OptOutMessage") ?? DEFAULT_OPT_OUT_MESSAGE,
    help_message: input.str("HelpMessage") ?? DEFAULT_HELP_MESSAGE,
    opt_in_keywords: input.list("OptInKeywords"),
    opt_out_keywords: keywords(input, "OptOutKeywords", DEFAULT_OPT_OUT_KEYWORDS),
    help_keywords: keywords(input, "HelpKeywords", DEFAULT_HELP_KEYWORDS),
    privacy_policy_url: input.str("PrivacyPolicyUrl") ?? null,
    terms_and_conditions_url: input.str("TermsAndConditionsUrl") ?? null,
    mock: brand.mock,
    errors: [],
    date_created: now,
    date_updated: now,
  });
}

/** An edit; a FAILED campaign edited this way is resubmitted for review. */
function updateCampaign(world: World, c: Campaign, input: Params): Campaign {
  if (c.campaign_status === "SUSPENDED")
    throw new TwilioError(
      21729,
      400,
      `The campaign of ${c.messaging_service_sid} is suspended and cannot be edited`,
    );
  validateCampaignFields(input, UPDATE_REQUIRED);
  const resubmit = c.campaign_status === "FAILED";
  const updated = world.store.patch<Campaign>(CAMPAIGNS, c.sid, {
    description: input.required("Description"),
    message_flow: input.required("MessageFlow"),
    message_samples: input.list("MessageSamples"),
    has_embedded_links: input.bool("HasEmbeddedLinks"),
    has_embedded_phone: input.bool("HasEmbeddedPhone"),
    age_gated: input.bool("AgeGated"),
    direct_lending: input.bool("DirectLending"),
    privacy_policy_url: input.str("PrivacyPolicyUrl") ?? c.privacy_policy_url,
    terms_and_conditions_url: input.str("TermsAndConditionsUrl") ?? c.terms_and_conditions_url,
    ...(resubmit ? { campaign_status: "PENDING" as const, errors: [] } : {}),
    date_updated: world.clock.now(),
  })!;
  if (resubmit) startCampaignReview(world, updated);
  return updated;
}

function registerUsa2pRoutes(r: Router) {
  const base = "/messaging/v1/Services/:ServiceSid/Compliance/Usa2p";

  // Before `${base}/:Sid`, which would otherwise take "Usecases" for a SID.
  registerUsa2pUsecases(r);

  r.post(base, (req) => {
    ownService(req.world, req.account.sid, req.params.ServiceSid);
    const c = createCampaign(req.world, req.account.sid, req.params.ServiceSid, req.input);
    startCampaignReview(req.world, c);
    return { status: 201, body: renderCampaign(c, wantsV2(req)) };
  });

  r.get(base, (req) => {
    ownService(req.world, req.account.sid, req.params.ServiceSid);
    const c = req.world.store.get<Campaign>(CAMPAIGNS, req.params.ServiceSid);
    const items = c ? [renderCampaign(c, wantsV2(req))] : [];
    const url = `${MESSAGING}/Services/${req.params.ServiceSid}/Compliance/Usa2p`;
    return { status: 200, body: pageV1(items, "compliance", url, req.input) };
  });

  r.get(`${base}/:Sid`, (req) => ({
    status: 200,
    body: renderCampaign(
      ownCampaign(req.world, req.account.sid, req.params.ServiceSid, req.params.Sid),
      wantsV2(req),
    ),
  }));

  r.post(`${base}/:Sid`, (req) => {
    const c = ownCampaign(req.world, req.account.sid, req.params.ServiceSid, req.params.Sid);
    return { status: 200, body: renderCampaign(updateCampaign(req.world, c, req.input), wantsV2(req)) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const c = ownCampaign(world, account.sid, params.ServiceSid, params.Sid);
    world.scheduler.cancel((job) => job.data.sid === c.sid && job.kind.startsWith("a2p.campaign"));
    world.store.delete(CAMPAIGNS, c.sid);
    world.store.put(CAMPAIGN_TOMBSTONES, { sid: c.sid, deleted_at: world.clock.now() });
    return { status: 204 };
  });
}

export function registerUsa2p(r: Router, world: World) {
  registerUsa2pRoutes(r);
  registerCampaignReview(world);
}
