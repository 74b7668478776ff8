/**
 * The campaign (docs/twilio-facts.md: "Campaigns"; sole proprietor walkthrough, part 5): created on
 * the registration's own Messaging Service once the brand is approved (Twilio requires it), paced
 * like brand registration, settled for 30 seconds, then followed until VERIFIED. A FAILED campaign
 * is resubmitted by deleting it, waiting at least 5 seconds (walkthrough step 5.2), and creating it
 * again.
 */
import { twilioCall, twilioError } from "../../twilio/errors.js";
import type { Campaign } from "@subtext/telecom/registration/document";
import { withDeclaredReplies } from "@subtext/telecom/registration/replies";
import { explain } from "../hints.js";
import { paced } from "./brand.js";
import { CAMPAIGN_SID, campaignParams } from "./payloads.js";
import {
  SETTLE_MS,
  type StepContext,
  type StepDef,
  type StepOutcome,
  done,
  pollDelay,
  sidOf,
  waitUntil,
} from "./step.js";

const call = twilioCall;
export const RECREATE_GAP_MS = 5_000;

interface CampaignInstance {
  campaignStatus: string;
  campaignId: string | null;
  errors: any[];
}

function usa2p(ctx: StepContext, client: Awaited<ReturnType<StepContext["client"]>>) {
  return client.messaging.v1.services(sidOf(ctx, "service.create")).usAppToPerson;
}

async function currentCampaign(ctx: StepContext): Promise<CampaignInstance | undefined> {
  const client = await ctx.client();
  const [found] = await call("read the campaign", () => usa2p(ctx, client).list({ limit: 1 }));
  return found as CampaignInstance | undefined;
}

const columns = (c: CampaignInstance) => ({
  campaign_status: c.campaignStatus,
  campaign_id: c.campaignId ?? null,
});

export const campaignCreateStep: StepDef = {
  name: "campaign.create",
  stage: "campaign",
  async run(ctx) {
    const existing = await currentCampaign(ctx);
    const client = await ctx.client();
    if (existing && existing.campaignStatus !== "FAILED") {
      return done({
        sid: CAMPAIGN_SID,
        twilioStatus: existing.campaignStatus,
        set: columns(existing),
        data: { slot: null },
      });
    }
    if (existing) {
      await call("delete the failed campaign", () => usa2p(ctx, client)(CAMPAIGN_SID).remove());
      return waitUntil(new Date(ctx.now.getTime() + RECREATE_GAP_MS), {
        data: { deleted_at: ctx.now.toISOString() },
        set: { campaign_status: null, campaign_id: null, campaign_submitted_at: null },
      });
    }
    const deletedAt = ctx.step.data.deleted_at ? Date.parse(ctx.step.data.deleted_at) : null;
    if (deletedAt !== null && ctx.now.getTime() < deletedAt + RECREATE_GAP_MS) {
      return waitUntil(new Date(deletedAt + RECREATE_GAP_MS));
    }
    // The keyword replies the document leaves out are derived from the tenant's data (branded).
    const campaign = (withDeclaredReplies(ctx.reg.document) as { campaign: Campaign }).campaign;
    const result = await paced(ctx, async () => {
      try {
        return await usa2p(ctx, client).create(campaignParams(campaign, sidOf(ctx, "brand.register")));
      } catch (err) {
        // 20409: the deletion is still being finalized; try again after the gap.
        if ((err as { code?: number }).code === 20409) return null;
        throw twilioError(err, "create the campaign");
      }
    });
    if ("wait" in result) return result.wait;
    if (!result.value)
      return waitUntil(new Date(ctx.now.getTime() + RECREATE_GAP_MS), { data: { slot: null } });
    const created = result.value as CampaignInstance;
    return done({
      sid: CAMPAIGN_SID,
      twilioStatus: created.campaignStatus,
      data: { submitted_at: ctx.now.toISOString(), deleted_at: null, slot: null },
      set: { ...columns(created), campaign_submitted_at: ctx.now },
    });
  },
};

export const campaignSettleStep: StepDef = {
  name: "campaign.settle",
  stage: "campaign",
  async run(ctx) {
    const submittedAt = ctx.steps.get("campaign.create")?.data.submitted_at as string | null | undefined;
    if (!submittedAt) return done();
    const until = new Date(Date.parse(submittedAt) + SETTLE_MS);
    if (ctx.now < until) return waitUntil(until);
    const campaign = await currentCampaign(ctx);
    if (!campaign) return missing(ctx);
    const verdict = campaignVerdict(ctx, campaign);
    // A campaign that failed because its brand did is reported (and taken down) as the brand's.
    if (verdict) return (await failedBrand(ctx)) ?? verdict;
    return done({ twilioStatus: campaign.campaignStatus, set: columns(campaign) });
  },
};

export const campaignApprovalStep: StepDef = {
  name: "campaign.approval",
  stage: "campaign",
  awaitsReview: true,
  async run(ctx) {
    const campaign = await currentCampaign(ctx);
    if (!campaign) return missing(ctx);
    if (campaign.campaignStatus === "VERIFIED")
      return done({ twilioStatus: "VERIFIED", set: columns(campaign) });
    // A failed brand explains a failed campaign (30991) best, and takes it down.
    const brandFailed = await failedBrand(ctx);
    if (brandFailed) return brandFailed;
    const verdict = campaignVerdict(ctx, campaign);
    if (verdict) return verdict;
    const polls = Number(ctx.step.data.polls ?? 0);
    return waitUntil(new Date(ctx.now.getTime() + pollDelay(polls)), {
      twilioStatus: campaign.campaignStatus,
      set: columns(campaign),
      data: { polls: polls + 1 },
    });
  },
};

/**
 * A campaign cannot outlive its brand: when the brand failed (or was suspended) while the
 * campaign waited for review, the campaign is deleted and the brand's failure is reported —
 * resubmitting the brand creates the campaign again.
 */
async function failedBrand(ctx: StepContext): Promise<StepOutcome | null> {
  const client = await ctx.client();
  const brand = await call("read a brand", () =>
    client.messaging.v1.brandRegistrations(sidOf(ctx, "brand.register")).fetch(),
  );
  if (brand.status !== "FAILED" && brand.status !== "SUSPENDED") return null;
  const suspended = brand.status === "SUSPENDED";
  if (!suspended) await deleteCampaign(ctx);
  const errors = (brand.errors ?? []) as { error_code?: number; description?: string }[];
  const reasons = (
    errors.length ? errors : [{ description: brand.failureReason ?? `The brand is ${brand.status}.` }]
  ).map((e) => explain(ctx.reg.kind, { twilio_code: e.error_code ?? null, reason: e.description ?? "" }));
  return {
    type: suspended ? "suspend" : "fail",
    set: {
      brand_status: brand.status,
      ...(suspended ? {} : { campaign_status: null, campaign_id: null, campaign_submitted_at: null }),
    },
    failure: { stage: "brand", twilio_status: brand.status, remediable: !suspended, reasons },
  };
}

/** Deletes the registration's campaign if there is one (404: already gone). */
export async function deleteCampaign(ctx: Pick<StepContext, "client" | "steps" | "step">): Promise<void> {
  const client = await ctx.client();
  try {
    await usa2p(ctx as StepContext, client)(CAMPAIGN_SID).remove();
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw twilioError(err, "delete the campaign");
  }
}

function missing(ctx: StepContext): StepOutcome {
  return {
    type: "fail",
    set: { campaign_status: null, campaign_id: null },
    failure: {
      stage: "campaign",
      twilio_status: null,
      remediable: true,
      reasons: [
        explain(ctx.reg.kind, {
          twilio_code: null,
          reason: "The campaign no longer exists on the messaging service (deleted outside Subtext).",
        }),
      ],
    },
  };
}

function campaignVerdict(ctx: StepContext, c: CampaignInstance): StepOutcome | null {
  if (c.campaignStatus !== "FAILED" && c.campaignStatus !== "SUSPENDED") return null;
  const suspended = c.campaignStatus === "SUSPENDED";
  const errors = (c.errors ?? []) as { error_code?: number; description?: string; fields?: string[] }[];
  const reasons = errors.length
    ? errors.map((e) =>
        explain(ctx.reg.kind, { twilio_code: e.error_code ?? null, reason: e.description ?? "" }),
      )
    : [
        explain(ctx.reg.kind, {
          twilio_code: null,
          reason: suspended ? "The campaign was suspended." : "The campaign failed review.",
        }),
      ];
  if (suspended)
    for (const r of reasons)
      r.hint = "A suspended campaign needs Twilio Support; it is not resubmitted automatically.";
  const final = reasons.some((r) => r.twilio_code === 30897);
  return {
    type: suspended ? "suspend" : "fail",
    twilioStatus: c.campaignStatus,
    set: columns(c),
    failure: {
      stage: "campaign",
      twilio_status: c.campaignStatus,
      remediable: !suspended && !final,
      reasons,
    },
  };
}
