/**
 * The brand (docs/twilio-facts.md: "Brands"; sole proprietor walkthrough, part 3): registered (or
 * resubmitted) once both bundles are in review — never waiting for their approval — paced at ≤ 1
 * call/s per parent account, given its 30-second settle, then followed until APPROVED (and, for a
 * sole proprietor, until the customer answers the OTP with YES). Status comes by polling: brands
 * have no per-resource status callback (Twilio pushes brand events through Event Streams).
 */
import { twilioCall } from "../../twilio/errors.js";
import { explain } from "../hints.js";
import { registrationPaceKey, reserveSlot } from "../pacer.js";
import { scheduleOtpReminders } from "../otp.js";
import {
  SETTLE_MS,
  type StepContext,
  type StepDef,
  type StepOutcome,
  done,
  mayHaveRun,
  pollDelay,
  sidOf,
  waitUntil,
} from "./step.js";
import { type BundleInstance, type Product, bundles } from "./trusthub.js";
import { bundleVerdict } from "./trusthub-review.js";

const call = twilioCall;
const DAY = 86_400_000;
const STALE_SLOT_MS = 10 * 60_000;

interface Brand {
  sid: string;
  status: string;
  identityStatus: string | null;
  brandScore: number | null;
  failureReason: string | null;
  errors: any[];
  dateCreated: Date;
}

/** Waits for this step's pacing slot (≤ 1 registration call per second per parent account). */
export async function paced<T>(
  ctx: StepContext,
  fn: () => Promise<T>,
): Promise<{ wait: StepOutcome } | { value: T }> {
  let slot = ctx.step.data.slot ? new Date(ctx.step.data.slot) : null;
  // A slot left from an earlier run (days ago, before a resubmission) is stale: reserve a fresh
  // one. A job merely running late keeps its slot, or a busy worker could chase slots forever.
  if (slot && slot.getTime() < ctx.now.getTime() - STALE_SLOT_MS) slot = null;
  if (!slot)
    slot = await reserveSlot(ctx.deps.db, registrationPaceKey(ctx.deps.twilio.parentAccountSid), ctx.now);
  if (slot > ctx.now) return { wait: waitUntil(slot, { data: { slot: slot.toISOString() } }) };
  return { value: await fn() };
}

const otpExpired = (b: Brand) => b.errors?.some((e) => Number(e?.error_code) === 30752) ?? false;

export function brandRegisterStep(brandType: "SOLE_PROPRIETOR" | "STANDARD", lowVolume: boolean): StepDef {
  return {
    name: "brand.register",
    stage: "brand",
    async run(ctx) {
      const brands = (await ctx.client()).messaging.v1.brandRegistrations;
      const profile = sidOf(ctx, "profile.bundle");
      const product = sidOf(ctx, "trust.bundle");
      let existing: Brand | undefined;
      if (ctx.step.sid) existing = await call("read a brand", () => brands(ctx.step.sid!).fetch());
      else if (mayHaveRun(ctx)) {
        const all = await call("list brands", () => brands.list({ limit: 1000 }));
        existing = all
          .filter((b) => b.customerProfileBundleSid === profile && b.a2pProfileBundleSid === product)
          .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())[0];
      }
      if (existing && existing.status !== "FAILED") {
        const submittedAt = ctx.step.data.submitted_at ?? (ctx.step.sid ? null : ctx.now.toISOString());
        return done({
          sid: existing.sid,
          twilioStatus: existing.status,
          data: { submitted_at: submittedAt, slot: null },
          set: { brand_sid: existing.sid, brand_status: existing.status, brand_submitted_at: ctx.now },
        });
      }
      // A brand whose OTP expired must be registered again (walkthrough step 3.1); others are resubmitted.
      const fresh = !existing || otpExpired(existing);
      const result = await paced(ctx, () =>
        fresh
          ? call("register a brand", () =>
              brands.create({
                customerProfileBundleSid: profile,
                a2PProfileBundleSid: product,
                brandType,
                ...(lowVolume ? { skipAutomaticSecVet: true } : {}),
              }),
            )
          : call("resubmit a brand", () => brands(existing!.sid).update()),
      );
      if ("wait" in result) return result.wait;
      const brand = result.value as Brand;
      return done({
        sid: brand.sid,
        twilioStatus: brand.status,
        data: {
          submitted_at: ctx.now.toISOString(),
          slot: null,
          ...(fresh && existing ? { replaced: existing.sid } : {}),
        },
        set: {
          brand_sid: brand.sid,
          brand_status: brand.status,
          brand_identity_status: brand.identityStatus ?? null,
          brand_submitted_at: ctx.now,
          otp_sent_at: null,
          otp_verified_at: null,
          otp_deadline: null,
        },
      });
    },
  };
}

/** 30 seconds after registering the brand, catch a quick failure before building on it. */
export const brandSettleStep: StepDef = {
  name: "brand.settle",
  stage: "brand",
  async run(ctx) {
    const submittedAt = ctx.steps.get("brand.register")?.data.submitted_at as string | null | undefined;
    if (!submittedAt) return done();
    const until = new Date(Date.parse(submittedAt) + SETTLE_MS);
    if (ctx.now < until) return waitUntil(until);
    const brand = await fetchBrand(ctx);
    return brandVerdict(ctx, brand) ?? done({ twilioStatus: brand.status, set: brandColumns(brand) });
  },
};

async function fetchBrand(ctx: StepContext): Promise<Brand> {
  const client = await ctx.client();
  return call("read a brand", () =>
    client.messaging.v1.brandRegistrations(sidOf(ctx, "brand.register")).fetch(),
  );
}

function brandColumns(b: Brand) {
  return {
    brand_status: b.status,
    brand_identity_status: b.identityStatus ?? null,
    trust_score: b.brandScore ?? null,
  };
}

function brandVerdict(ctx: StepContext, brand: Brand): StepOutcome | null {
  const set = brandColumns(brand);
  if (brand.status === "SUSPENDED") {
    return { type: "suspend", twilioStatus: brand.status, set, failure: brandFailure(ctx, brand, false) };
  }
  if (brand.status === "FAILED") {
    return { type: "fail", twilioStatus: brand.status, set, failure: brandFailure(ctx, brand, true) };
  }
  return null;
}

function brandFailure(ctx: StepContext, brand: Brand, remediable: boolean) {
  const errors = (brand.errors ?? []) as { error_code?: number; description?: string }[];
  const reasons = errors.length
    ? errors.map((e) =>
        explain(ctx.reg.kind, { twilio_code: e.error_code ?? null, reason: e.description ?? "" }),
      )
    : [
        explain(ctx.reg.kind, {
          twilio_code: null,
          reason:
            brand.failureReason ??
            (brand.status === "SUSPENDED" ? "The brand was suspended." : "The brand failed."),
        }),
      ];
  if (brand.status === "SUSPENDED") {
    for (const r of reasons)
      r.hint = "A suspended brand needs Twilio Support; it is not resubmitted automatically.";
  }
  return { stage: "brand", twilio_status: brand.status, remediable, reasons };
}

/** Bundles not approved yet are read too: their rejection explains a brand failure best. */
async function rejectedBundle(ctx: StepContext): Promise<StepOutcome | null> {
  const client = await ctx.client();
  const checks: [Product, string, "customer_profile" | "trust_product"][] = [
    ["customerProfiles", "profile.bundle", "customer_profile"],
    ["trustProducts", "trust.bundle", "trust_product"],
  ];
  for (const [product, step, stage] of checks) {
    const bundle: BundleInstance = await call("read a bundle", () =>
      bundles(client, product)(sidOf(ctx, step)).fetch(),
    );
    const verdict = bundleVerdict(ctx, stage, bundle);
    if (verdict) return verdict;
  }
  return null;
}

/**
 * Until the brand is APPROVED (and its OTP answered, for a sole proprietor). Entering APPROVED
 * sends the OTP; the customer has 24 hours to answer it and 30 days in all (walkthrough step 3.1):
 * reminders are scheduled for the last days, and the user may retrigger the text after 24 h.
 */
export const brandApprovalStep: StepDef = {
  name: "brand.approval",
  stage: "brand",
  awaitsReview: true,
  async run(ctx) {
    const brand = await fetchBrand(ctx);
    if (brand.status === "FAILED" || brand.status === "PENDING" || brand.status === "IN_REVIEW") {
      const rejected = await rejectedBundle(ctx);
      if (rejected) return rejected;
    }
    const verdict = brandVerdict(ctx, brand);
    if (verdict) return verdict;
    const set = brandColumns(brand);
    const polls = Number(ctx.step.data.polls ?? 0);
    const poll = (extra: Parameters<typeof waitUntil>[1] = {}) =>
      waitUntil(new Date(ctx.now.getTime() + pollDelay(polls)), {
        twilioStatus: brand.status,
        set: { ...set, ...extra.set },
        data: { polls: polls + 1 },
        event: extra.event,
      });
    if (brand.status !== "APPROVED") return poll();
    if (ctx.reg.kind !== "sole_proprietor" || brand.identityStatus === "VERIFIED") {
      const verifiedAt = ctx.reg.kind === "sole_proprietor" ? { otp_verified_at: ctx.now } : {};
      return done({
        twilioStatus: brand.status,
        set: { ...set, ...verifiedAt },
        event: ctx.reg.state === "awaiting_otp" ? "otp_verified" : undefined,
      });
    }
    // APPROVED but UNVERIFIED: Twilio has texted the customer; wait for the YES.
    if (!ctx.reg.otp_sent_at) {
      const deadline = new Date(brand.dateCreated.getTime() + 30 * DAY);
      await scheduleOtpReminders(ctx.deps.db, ctx.deps, ctx.reg, deadline);
      return poll({ set: { otp_sent_at: ctx.now, otp_deadline: deadline }, event: "otp_requested" });
    }
    return poll({ event: "otp_requested" });
  },
};
