import { describe, expect, it } from "vitest";
import { type PathAnswers, recommendPath } from "@subtext/telecom/registration/path";

const answers = (overrides: Partial<PathAnswers>): PathAnswers => ({
  has_tax_id: true,
  country: "US",
  expected_daily_volume: 1_000,
  sender_type_wanted: "any",
  ...overrides,
});

describe("choosing a registration path", () => {
  it.each([
    ["a US business with an EIN and 1,000 a day", {}, "low_volume_standard"],
    [
      "a US business with an EIN and exactly 6,000 a day",
      { expected_daily_volume: 6_000 },
      "low_volume_standard",
    ],
    ["a US business with an EIN and 6,001 a day", { expected_daily_volume: 6_001 }, "standard"],
    [
      "a Canadian business with a BN and 50,000 a day",
      { country: "CA", expected_daily_volume: 50_000 },
      "standard",
    ],
    ["a German business with a tax id", { country: "DE" }, "low_volume_standard"],
    ["a US person without an EIN", { has_tax_id: false }, "sole_proprietor"],
    ["a Canadian person without a BN", { has_tax_id: false, country: "ca" }, "sole_proprietor"],
    [
      "a US person without an EIN sending 5,000 a day",
      { has_tax_id: false, expected_daily_volume: 5_000 },
      "toll_free",
    ],
    [
      "a US person without an EIN who insists on 10DLC at 5,000 a day",
      { has_tax_id: false, expected_daily_volume: 5_000, sender_type_wanted: "10dlc" },
      "sole_proprietor",
    ],
    ["a UK person without a tax id", { has_tax_id: false, country: "GB" }, "toll_free"],
    [
      "anyone asking for toll-free",
      { sender_type_wanted: "toll_free", expected_daily_volume: 90_000 },
      "toll_free",
    ],
  ] as const)("recommends for %s: %s", (_name, overrides, kind) => {
    expect(recommendPath(answers(overrides)).kind).toBe(kind);
  });

  it.each([
    [
      "sole_proprietor",
      { has_tax_id: false },
      { mps: { min: 1, max: 1 }, per: "campaign" },
      { tmobile: { min: 1_000, max: 1_000 }, total: { min: 3_000, max: 3_000 } },
      { min: 13, max: 20 },
    ],
    [
      "low_volume_standard",
      {},
      { mps: { min: 3.75, max: 3.75 }, per: "campaign" },
      { tmobile: { min: 2_000, max: 2_000 }, total: { min: 6_000, max: 6_000 } },
      { min: 13, max: 20 },
    ],
    [
      "standard",
      { expected_daily_volume: 100_000 },
      { mps: { min: 12, max: 225 }, per: "campaign" },
      { tmobile: { min: 2_000, max: 200_000 }, total: null },
      { min: 13, max: 20 },
    ],
    [
      "toll_free",
      { sender_type_wanted: "toll_free" },
      { mps: { min: 3, max: 3 }, per: "number" },
      { tmobile: null, total: null },
      { min: 3, max: 5 },
    ],
  ] as const)("gives %s its throughput, caps and timeline", (kind, overrides, throughput, caps, timeline) => {
    const recommendation = recommendPath(answers(overrides));
    expect(recommendation).toMatchObject({
      kind,
      throughput,
      daily_caps: caps,
      timeline_business_days: timeline,
    });
    expect(recommendation.reason.length).toBeGreaterThan(20);
  });

  it.each([
    [
      "a sole proprietor over the daily cap",
      { has_tax_id: false, expected_daily_volume: 4_000, sender_type_wanted: "10dlc" },
      /exceeds the 3,000 cap/,
    ],
    ["a low-volume brand near its cap", { expected_daily_volume: 5_000 }, /over half the 6,000\/day cap/],
    ["a sweepstake campaign", { use_case: "SWEEPSTAKE" }, /carrier approval/],
    ["a political campaign", { use_case: "political" }, /Campaign Verify/],
    [
      "10DLC without a tax id abroad",
      { has_tax_id: false, country: "FR", sender_type_wanted: "10dlc" },
      /not available/,
    ],
  ] as const)("warns about %s", (_name, overrides, caveat) => {
    expect(recommendPath(answers(overrides)).caveats.join(" ")).toMatch(caveat);
  });

  it("never recommends a sole proprietor brand to a business with a tax id", () => {
    for (const country of ["US", "CA", "MX"]) {
      for (const volume of [10, 2_000, 10_000]) {
        for (const wanted of ["10dlc", "toll_free", "any"] as const) {
          const kind = recommendPath(
            answers({ country, expected_daily_volume: volume, sender_type_wanted: wanted }),
          ).kind;
          expect(kind).not.toBe("sole_proprietor");
        }
      }
    }
  });
});
