import { createHash } from "node:crypto";
import type { World } from "../world.js";

/**
 * How long each review stage takes: seconds in sandbox, real-life durations with `realistic`
 * (business days: brand 3–5, campaign 10–15, toll-free 3–5, as Twilio states them; profiles 1–3).
 * Within a range the duration is picked from the resource SID, so a given resource always takes the
 * same time and tests can advance by the range's upper bound.
 */
type Realistic = { businessDays: [number, number] } | { minutes: [number, number] };

export const TIMINGS = {
  /** Trust Hub review of a submitted customer profile or trust product. */
  bundle: { seconds: [5, 10], realistic: { businessDays: [1, 3] } },
  /** A standard brand leaves PENDING for IN_REVIEW once its bundles are approved. */
  "brand.submit": { seconds: [2, 2], realistic: { minutes: [5, 30] } },
  /** TCR's decision on a standard brand, counted from IN_REVIEW. */
  "brand.standard": { seconds: [10, 30], realistic: { businessDays: [3, 5] } },
  /** Sole proprietor brands are checked within minutes, then wait for the OTP (walkthrough step 3.1). */
  "brand.sole_proprietor": { seconds: [10, 30], realistic: { minutes: [2, 10] } },
  /** Secondary vetting (Aegis / Campaign Verify import). */
  vetting: { seconds: [10, 30], realistic: { businessDays: [1, 3] } },
  /** A campaign leaves PENDING for IN_PROGRESS when it reaches TCR. */
  "campaign.submit": { seconds: [5, 5], realistic: { minutes: [30, 120] } },
  /** The campaign decision, counted from creation. */
  campaign: { seconds: [30, 60], realistic: { businessDays: [10, 15] } },
  /** A toll-free verification leaves PENDING_REVIEW for IN_REVIEW. */
  "tollfree.submit": { seconds: [5, 5], realistic: { minutes: [30, 120] } },
  /** The toll-free decision, counted from submission. */
  tollfree: { seconds: [30, 30], realistic: { businessDays: [3, 5] } },
  /** A submitted Regulatory Compliance bundle leaves pending-review for in-review. */
  "regulatory.submit": { seconds: [2, 2], realistic: { minutes: [30, 120] } },
  /** The regulatory bundle decision, counted from submission. */
  regulatory: { seconds: [10, 20], realistic: { businessDays: [1, 3] } },
} satisfies Record<string, { seconds: [number, number]; realistic: Realistic }>;

export type ReviewStage = keyof typeof TIMINGS;

function pick([min, max]: [number, number], sid: string) {
  if (max <= min) return min;
  const n = Number.parseInt(createHash("sha1").update(sid).digest("hex").slice(0, 8), 16);
  return min + (n % (max - min + 1));
}

/** The duration of `stage` for resource `sid`, in emulated milliseconds. */
export function reviewDelayMs(world: World, stage: ReviewStage, sid: string): number {
  const t = TIMINGS[stage] as { seconds: [number, number]; realistic: Realistic };
  const seconds = pick(t.seconds, sid);
  if ("minutes" in t.realistic) {
    return world.pace.realistic ? pick(t.realistic.minutes, sid) * 60_000 : seconds * 1000;
  }
  return world.reviewDelay(seconds, pick(t.realistic.businessDays, sid));
}

/**
 * Schedules a review job for `stage`. Handlers check the resource's status, so a job made stale
 * by a forced outcome or a deletion does nothing (those paths also cancel their jobs).
 */
export function scheduleReview(world: World, kind: string, stage: ReviewStage, sid: string) {
  return world.scheduler.at(world.clock.now() + reviewDelayMs(world, stage, sid), kind, { sid });
}
