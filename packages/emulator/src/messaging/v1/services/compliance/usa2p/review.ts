import { scheduleReview } from "../../../../../reviews/timing.js";
import type { World } from "../../../../../world.js";
import { BRANDS, type Brand, errorUrl, tcrId } from "../../../a2p/brand-registrations/model.js";
import { brandFacts } from "../../../a2p/brand-registrations/review.js";
import { brandNames } from "../../../../../reviews/checks.js";
import { type Failure, campaignFailures } from "../../../../../reviews/rules.js";
import { CAMPAIGNS, type Campaign, type CampaignStatus } from "./model.js";

export const CAMPAIGN_SUBMIT = "a2p.campaign.submit";
export const CAMPAIGN_REVIEW = "a2p.campaign.review";

/**
 * Carrier throughput granted on approval. Sole proprietor: the spec's own example; low-volume
 * standard (no secondary vetting): ~3.75 MPS and T-Mobile's LOW tier (docs/twilio-facts.md,
 * "Throughput and daily caps");
 * standard: by trust score.
 */
export function rateLimits(brand: Brand | undefined) {
  if (!brand || brand.brand_type === "SOLE_PROPRIETOR")
    return { att: { mps: 0.25, msg_class: "A" }, tmobile: { brand_tier: "LOW" } };
  const score = brand.brand_score;
  if (score === null) return { att: { mps: 3.75, msg_class: "T" }, tmobile: { brand_tier: "LOW" } };
  if (score >= 75) return { att: { mps: 75, msg_class: "A" }, tmobile: { brand_tier: "TOP" } };
  if (score >= 50) return { att: { mps: 40, msg_class: "B" }, tmobile: { brand_tier: "HIGH" } };
  if (score >= 25) return { att: { mps: 10, msg_class: "C" }, tmobile: { brand_tier: "MID" } };
  return { att: { mps: 4, msg_class: "D" }, tmobile: { brand_tier: "LOW" } };
}

function patchCampaign(world: World, sid: string, changes: Partial<Campaign>) {
  return world.store.patch<Campaign>(CAMPAIGNS, sid, { ...changes, date_updated: world.clock.now() })!;
}

export function setCampaignOutcome(
  world: World,
  c: Campaign,
  status: Extract<CampaignStatus, "VERIFIED" | "FAILED" | "SUSPENDED">,
  failures: Pick<Failure, "code" | "reason" | "fields">[] = [],
) {
  world.scheduler.cancel((job) => job.data.sid === c.sid && job.kind.startsWith("a2p.campaign"));
  const brand = world.store.get<Brand>(BRANDS, c.brand_registration_sid);
  return patchCampaign(world, c.sid, {
    campaign_status: status,
    campaign_id: c.campaign_id ?? tcrId("C", `${c.sid}${c.brand_registration_sid}`),
    rate_limits: status === "VERIFIED" ? rateLimits(brand) : c.rate_limits,
    errors: failures.map((f) => ({
      error_code: f.code,
      fields: f.fields,
      url: errorUrl(f.code),
      description: f.reason,
    })),
  });
}

function review(world: World, c: Campaign) {
  if (c.campaign_status !== "PENDING" && c.campaign_status !== "IN_PROGRESS") return;
  const brand = world.store.get<Brand>(BRANDS, c.brand_registration_sid);
  const facts = brand ? brandFacts(world, brand) : undefined;
  const failures = campaignFailures({
    brandStatus: brand?.status ?? "FAILED",
    brandType: brand?.brand_type ?? "STANDARD",
    identityStatus: brand?.identity_status ?? null,
    brandNames: brandNames([
      String(facts?.sole.brand_name ?? ""),
      String(facts?.business.business_name ?? ""),
    ]),
    description: c.description,
    messageFlow: c.message_flow,
    samples: c.message_samples,
    hasEmbeddedPhone: c.has_embedded_phone,
  });
  // Mock campaigns (of mock brands) never reach carriers: only the brand's own state matters.
  const applied = c.mock ? failures.filter((f) => f.rule === "campaign.brand_unverified") : failures;
  setCampaignOutcome(world, c, applied.length ? "FAILED" : "VERIFIED", applied);
}

export function startCampaignReview(world: World, c: Campaign) {
  scheduleReview(world, CAMPAIGN_SUBMIT, "campaign.submit", c.sid);
  scheduleReview(world, CAMPAIGN_REVIEW, "campaign", c.sid);
}

export function registerCampaignReview(world: World) {
  world.scheduler.on(CAMPAIGN_SUBMIT, ({ sid }) => {
    const c = world.store.get<Campaign>(CAMPAIGNS, sid);
    if (c?.campaign_status !== "PENDING") return;
    patchCampaign(world, sid, {
      campaign_status: "IN_PROGRESS",
      campaign_id: c.campaign_id ?? tcrId("C", `${c.sid}${c.brand_registration_sid}`),
    });
  });
  world.scheduler.on(CAMPAIGN_REVIEW, ({ sid }) => {
    const c = world.store.get<Campaign>(CAMPAIGNS, sid);
    if (c) review(world, c);
  });
}
