/**
 * Which registration a customer should start, from a few answers. Rules from Twilio's ISV
 * guidance (docs/twilio-facts.md, "Throughput and daily caps" and "Sole proprietor walkthrough"):
 * - Sole proprietor only for US/CA customers WITHOUT a tax id (EIN / Canadian BN); every US
 *   LLC has an EIN, so an LLC is never a sole proprietor.
 * - With a tax id: standard, unless the customer will surely stay under 6,000 SMS a day, then
 *   low-volume standard.
 * - Toll-free: 3 MPS per number, no brand daily caps, verified in 3–5 business days; 10DLC
 *   takes 13–20 (brand 3–5, campaign 10–15).
 */
import { type LaneRate, laneRate } from "../lanes.js";
import type { RegistrationKind } from "./document.js";
import { POST_APPROVAL_USE_CASES } from "./rules/catalog.js";

export interface PathAnswers {
  has_tax_id: boolean;
  /** ISO 3166-1 alpha-2 country of the business. */
  country: string;
  /** SMS segments per day at peak. */
  expected_daily_volume: number;
  sender_type_wanted: "10dlc" | "toll_free" | "any";
  use_case?: string;
}

export interface Range {
  min: number;
  max: number;
}

export interface PathRecommendation {
  kind: RegistrationKind;
  reason: string;
  /** Segments per second, per campaign (10DLC) or per number (toll-free). */
  throughput: { mps: Range; per: LaneRate["per"] };
  /** Segments per day for the brand; null = no cap. Standard caps depend on the trust score. */
  daily_caps: { tmobile: Range | null; total: Range | null };
  timeline_business_days: Range;
  caveats: string[];
}

/** Review times in business days (docs/twilio-facts.md, "Review times and pacing"). */
export const REVIEW_TIMES = {
  brand: { min: 3, max: 5 },
  campaign: { min: 10, max: 15 },
  ten_dlc: { min: 13, max: 20 },
  toll_free: { min: 3, max: 5 },
} as const;

const LOW_VOLUME_DAILY_LIMIT = 6_000;
const SOLE_PROPRIETOR_DAILY_LIMIT = 3_000;

function range(a: number | null, b: number | null): Range | null {
  return a === null || b === null ? null : { min: Math.min(a, b), max: Math.max(a, b) };
}

function shape(kind: RegistrationKind, reason: string, caveats: string[]): PathRecommendation {
  // The trust score is unknown before the brand is reviewed: show the range it can give.
  const low = laneRate({ kind, trust_score: 0 });
  const high = laneRate({ kind, trust_score: 100 });
  return {
    kind,
    reason,
    throughput: { mps: { min: low.mps, max: high.mps }, per: low.per },
    daily_caps: {
      tmobile: range(low.tmobile_daily_cap, high.tmobile_daily_cap),
      total: range(low.daily_cap, high.daily_cap),
    },
    timeline_business_days:
      kind === "toll_free" ? { ...REVIEW_TIMES.toll_free } : { ...REVIEW_TIMES.ten_dlc },
    caveats,
  };
}

function useCaseCaveats(useCase: string | undefined): string[] {
  if (!useCase) return [];
  const code = useCase.toUpperCase();
  if (code === "POLITICAL")
    return ["Political messaging needs a Campaign Verify token before the campaign is submitted."];
  if (POST_APPROVAL_USE_CASES.has(code)) {
    return [`${code} campaigns also need carrier approval after registration; allow extra weeks.`];
  }
  return [];
}

function chooseKind(a: PathAnswers): { kind: RegistrationKind; reason: string; caveats: string[] } {
  const country = a.country.trim().toUpperCase();
  const usOrCa = country === "US" || country === "CA";
  const volume = a.expected_daily_volume;
  const fmt = (n: number) => n.toLocaleString("en-US");

  if (a.sender_type_wanted === "toll_free") {
    return {
      kind: "toll_free",
      reason: "A toll-free number was asked for: one verification, no brand daily caps, 3 MPS per number.",
      caveats: a.has_tax_id
        ? []
        : ["Without a tax id the business is verified with the SOLE_PROPRIETOR business type."],
    };
  }
  if (!a.has_tax_id && !usOrCa) {
    return {
      kind: "toll_free",
      reason:
        "10DLC needs a tax id outside the US and Canada (sole proprietor brands are US/CA only); toll-free does not.",
      caveats:
        a.sender_type_wanted === "10dlc" ? ["10DLC is not available to this business without a tax id."] : [],
    };
  }
  if (!a.has_tax_id) {
    if (volume > SOLE_PROPRIETOR_DAILY_LIMIT && a.sender_type_wanted === "any") {
      return {
        kind: "toll_free",
        reason: `A sole proprietor brand is capped at ${fmt(SOLE_PROPRIETOR_DAILY_LIMIT)} SMS a day; ${fmt(volume)} fits a toll-free number, which has no daily cap.`,
        caveats: [],
      };
    }
    return {
      kind: "sole_proprietor",
      reason: "A US or Canadian business without an EIN or Business Number registers as a sole proprietor.",
      caveats: [
        "If the business does have a tax id (every US LLC does), the campaign will fail and must be redone as standard.",
        ...(volume > SOLE_PROPRIETOR_DAILY_LIMIT
          ? [
              `${fmt(volume)} a day exceeds the ${fmt(SOLE_PROPRIETOR_DAILY_LIMIT)} cap; the rest waits for the next day.`,
            ]
          : []),
      ],
    };
  }
  if (volume <= LOW_VOLUME_DAILY_LIMIT) {
    return {
      kind: "low_volume_standard",
      reason: `With a tax id and at most ${fmt(LOW_VOLUME_DAILY_LIMIT)} SMS a day, a low-volume standard brand is cheaper and enough.`,
      caveats:
        volume > LOW_VOLUME_DAILY_LIMIT / 2
          ? [
              "The volume is over half the 6,000/day cap; choose standard if it may grow (upgrading needs a support case).",
            ]
          : [],
    };
  }
  return {
    kind: "standard",
    reason: `${fmt(volume)} SMS a day is above the low-volume cap; a standard brand's limits grow with its trust score.`,
    caveats: [],
  };
}

export function recommendPath(answers: PathAnswers): PathRecommendation {
  const { kind, reason, caveats } = chooseKind(answers);
  return shape(kind, reason, [...caveats, ...useCaseCaveats(answers.use_case)]);
}
