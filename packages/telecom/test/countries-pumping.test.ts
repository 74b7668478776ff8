import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_PUMPING_THRESHOLDS, pumpingFlags, pumpingPrefix } from "@subtext/telecom/countries";

// A week of baseline, six hours of recent traffic: the recent window predicts 1/28 of the baseline.
const week = (baseline: Record<string, number>, recent: Record<string, number>) => ({
  baseline,
  baseline_hours: 168,
  recent,
  recent_hours: 6,
});

describe("pumpingFlags", () => {
  it.each([
    ["steady UK traffic", week({ "+447400": 700 }, { "+447400": 30 }), []],
    ["a new prefix with 40 messages", week({}, { "+232760": 40 }), [["+232760", "new_prefix", false]]],
    ["a new prefix under the minimum", week({}, { "+232760": 19 }), []],
    [
      "ten times the baseline rate",
      week({ "+447401": 168 }, { "+447401": 60 }),
      [["+447401", "spike", false]],
    ],
    ["four times the baseline rate", week({ "+447401": 168 }, { "+447401": 24 }), []],
    [
      "a trickle grown to 20 (expected floored at 1)",
      week({ "+447402": 7 }, { "+447402": 20 }),
      [["+447402", "spike", false]],
    ],
    ["a high-risk prefix, 6 new messages", week({}, { "+882130": 6 }), [["+882130", "new_prefix", true]]],
    ["a high-risk prefix, 4 new messages", week({}, { "+882130": 4 }), []],
    [
      "a high-risk prefix doubling",
      week({ "+870772": 168 }, { "+870772": 12 }),
      [["+870772", "spike", true]],
    ],
  ] as const)("%s", (_name, windows, expected) => {
    expect(pumpingFlags(windows).map((f) => [f.prefix, f.reason, f.high_risk])).toEqual(expected);
  });

  it("reports the numbers behind a flag", () => {
    expect(pumpingFlags(week({ "+447401": 168 }, { "+447401": 60 }))).toEqual([
      {
        prefix: "+447401",
        reason: "spike",
        recent: 60,
        baseline: 168,
        expected: 6,
        ratio: 10,
        high_risk: false,
      },
    ]);
  });

  it("orders flags by recent traffic, then prefix", () => {
    const flags = pumpingFlags(week({}, { "+23276": 30, "+23277": 50, "+23275": 30 }));
    expect(flags.map((f) => f.prefix)).toEqual(["+23277", "+23275", "+23276"]);
  });

  it("takes the caller's thresholds and high-risk list", () => {
    const windows = week({}, { "+232760": 8 });
    expect(pumpingFlags(windows)).toEqual([]);
    expect(pumpingFlags(windows, { thresholds: { min_recent: 8 } })).toHaveLength(1);
    expect(pumpingFlags(windows, { high_risk_prefixes: ["+232"] })[0]).toMatchObject({ high_risk: true });
  });

  it.each([
    [0, 6],
    [168, 0],
    [Number.NaN, 6],
  ])("refuses windows of %s and %s hours", (baseline_hours, recent_hours) => {
    expect(() => pumpingFlags({ baseline: {}, baseline_hours, recent: {}, recent_hours })).toThrow(
      RangeError,
    );
  });

  it("is deterministic and never flags under the minimum", () => {
    const counts = fc.dictionary(fc.constantFrom("+447400", "+232760", "+882130", "+33612"), fc.nat(200));
    fc.assert(
      fc.property(counts, counts, (baseline, recent) => {
        const windows = week(baseline, recent);
        const flags = pumpingFlags(windows);
        expect(pumpingFlags(windows)).toEqual(flags);
        for (const f of flags) {
          const min = f.high_risk
            ? DEFAULT_PUMPING_THRESHOLDS.high_risk_min_recent
            : DEFAULT_PUMPING_THRESHOLDS.min_recent;
          expect(f.recent).toBeGreaterThanOrEqual(min);
        }
      }),
    );
  });
});

describe("pumpingPrefix", () => {
  it.each([
    ["+447400123456", undefined, "+447400"],
    ["+447400123456", 4, "+4474"],
    ["whatsapp:+2327612345678", undefined, "+232761"],
    ["+1 (415) 555-2671", 7, "+1415555"],
  ])("counts %s under its prefix", (e164, digits, prefix) => {
    expect(pumpingPrefix(e164, digits)).toBe(prefix);
  });
});
