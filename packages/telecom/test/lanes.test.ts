import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dailyWindow,
  type GcraState,
  gcraAvailable,
  gcraTake,
  laneRate,
  nextMidnight,
  nextPacificMidnight,
  standardMps,
  type Throttle,
  throttleFor,
  tmobileDailyCap,
} from "@subtext/telecom/lanes";

describe("lane rates", () => {
  it.each([
    [{ kind: "sole_proprietor" }, { mps: 1, per: "campaign", tmobile_daily_cap: 1_000, daily_cap: 3_000 }],
    [
      { kind: "low_volume_standard" },
      { mps: 3.75, per: "campaign", tmobile_daily_cap: 2_000, daily_cap: 6_000 },
    ],
    [
      { kind: "standard", trust_score: 100 },
      { mps: 225, tmobile_daily_cap: 200_000, daily_cap: null },
    ],
    [
      { kind: "standard", trust_score: 75 },
      { mps: 225, tmobile_daily_cap: 200_000 },
    ],
    [
      { kind: "standard", trust_score: 74 },
      { mps: 120, tmobile_daily_cap: 40_000 },
    ],
    [
      { kind: "standard", trust_score: 50 },
      { mps: 120, tmobile_daily_cap: 40_000 },
    ],
    [
      { kind: "standard", trust_score: 49 },
      { mps: 12, tmobile_daily_cap: 10_000 },
    ],
    [
      { kind: "standard", trust_score: 25 },
      { mps: 12, tmobile_daily_cap: 10_000 },
    ],
    [
      { kind: "standard", trust_score: 24 },
      { mps: 12, tmobile_daily_cap: 2_000 },
    ],
    [
      { kind: "standard", trust_score: null },
      { mps: 12, tmobile_daily_cap: 2_000 },
    ],
    [
      { kind: "standard", trust_score: 10, russell_3000: true },
      { mps: 12, tmobile_daily_cap: 200_000 },
    ],
    [{ kind: "toll_free" }, { mps: 3, per: "number", tmobile_daily_cap: null, daily_cap: null }],
    [{ kind: "short_code" }, { mps: 100, per: "number", daily_cap: null }],
  ] as const)("gives %o the rate %o", (input, expected) => {
    expect(laneRate(input)).toMatchObject({ kind: input.kind, ...expected });
  });

  it("lets Twilio's reported limits override the table", () => {
    expect(laneRate({ kind: "toll_free" }, { mps: 25 })).toEqual({
      kind: "toll_free",
      mps: 25,
      per: "number",
      tmobile_daily_cap: null,
      daily_cap: null,
    });
  });

  it.each([
    [-5, 12],
    [150, 225],
  ])("clamps an out-of-range trust score %d", (score, mps) => {
    expect(standardMps(score)).toBe(mps);
  });

  it("never lowers the T-Mobile cap when the trust score rises", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), (score) => {
        expect(tmobileDailyCap(score + 1)).toBeGreaterThanOrEqual(tmobileDailyCap(score));
        expect(standardMps(score + 1)).toBeGreaterThanOrEqual(standardMps(score));
      }),
    );
  });
});

describe("segment throttle (GCRA)", () => {
  const oneMps: Throttle = { mps: 1, burst: 1 };

  it("lets a one-segment message through on an idle lane, then spaces the next by a second", () => {
    const first = gcraTake(null, 0, 1, oneMps);
    expect(first).toEqual({ allowed: true, state: { tat: 1000 }, retry_after_ms: 0 });
    expect(gcraTake(first.state, 400, 1, oneMps)).toEqual({
      allowed: false,
      state: { tat: 1000 },
      retry_after_ms: 600,
    });
    expect(gcraTake(first.state, 1000, 1, oneMps).allowed).toBe(true);
  });

  it("charges a three-segment message three seconds of a 1-MPS lane", () => {
    const take = gcraTake(null, 0, 3, oneMps);
    expect(take).toMatchObject({ allowed: true, state: { tat: 3000 } });
    expect(gcraTake(take.state, 2000, 1, oneMps).retry_after_ms).toBe(1000);
  });

  it.each([
    ["an idle lane", null, 0, 12],
    ["a lane that sent 12 segments just now", { tat: 1000 }, 0, 0],
    ["the same lane half a second later", { tat: 1000 }, 500, 6],
    ["a lane idle for a minute", { tat: 1000 }, 60_000, 12],
  ])("offers the burst of a 12-MPS lane on %s", (_name, state, now, available) => {
    expect(gcraAvailable(state as GcraState | null, now, { mps: 12, burst: 12 })).toBe(available);
  });

  it("sends a low-volume lane's 3.75 segments per second over a minute", () => {
    const throttle = throttleFor({ mps: 3.75 });
    let state: GcraState | null = null;
    let sent = 0;
    for (let now = 0; now < 60_000; now += 10) {
      const take = gcraTake(state, now, 1, throttle);
      if (take.allowed) sent += 1;
      state = take.state;
    }
    // A burst of 3 at once, then one every 266.7 ms: 224 more before the minute is over.
    expect(sent).toBe(3 + 224);
  });

  it("never lets more than burst + rate × elapsed segments through", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ gap: fc.integer({ min: 0, max: 2000 }), segments: fc.integer({ min: 1, max: 10 }) }),
          {
            maxLength: 200,
          },
        ),
        fc.constantFrom(1, 3, 3.75, 12, 225),
        (requests, mps) => {
          const throttle = throttleFor({ mps });
          let state: GcraState | null = null;
          let now = 0;
          let sent = 0;
          for (const { gap, segments } of requests) {
            now += gap;
            const take = gcraTake(state, now, segments, throttle);
            if (take.allowed) sent += segments;
            state = take.state;
          }
          const bound = Math.max(throttle.burst, 10) + (mps * now) / 1000;
          expect(sent).toBeLessThanOrEqual(bound + 1e-9);
        },
      ),
    );
  });

  it.each([
    [0, { mps: 1, burst: 1 }],
    [1.5, { mps: 1, burst: 1 }],
    [1, { mps: 0, burst: 1 }],
  ])("refuses to take %d segments at %o", (segments, throttle) => {
    expect(() => gcraTake(null, 0, segments, throttle)).toThrow(RangeError);
  });

  it("delays but never starves a message longer than the burst", () => {
    const throttle = { mps: 1, burst: 1 };
    const busy = gcraTake(null, 0, 1, throttle).state;
    expect(gcraTake(busy, 500, 5, throttle)).toMatchObject({ allowed: false, retry_after_ms: 500 });
    expect(gcraTake(busy, 1000, 5, throttle)).toMatchObject({ allowed: true, state: { tat: 6000 } });
  });
});

describe("the daily window resets at midnight Pacific", () => {
  it.each([
    ["a winter afternoon (PST)", "2025-01-15T20:00:00Z", "2025-01-15", "2025-01-16T08:00:00.000Z"],
    ["a summer afternoon (PDT)", "2025-07-04T19:00:00Z", "2025-07-04", "2025-07-05T07:00:00.000Z"],
    ["just before midnight PDT", "2025-07-05T06:59:59Z", "2025-07-04", "2025-07-05T07:00:00.000Z"],
    ["exactly midnight PDT", "2025-07-05T07:00:00Z", "2025-07-05", "2025-07-06T07:00:00.000Z"],
    ["the evening before spring-forward", "2025-03-09T05:00:00Z", "2025-03-08", "2025-03-09T08:00:00.000Z"],
    ["the spring-forward day", "2025-03-09T12:00:00Z", "2025-03-09", "2025-03-10T07:00:00.000Z"],
    ["the fall-back day", "2025-11-02T12:00:00Z", "2025-11-02", "2025-11-03T08:00:00.000Z"],
    ["the evening before fall-back", "2025-11-02T06:30:00Z", "2025-11-01", "2025-11-02T07:00:00.000Z"],
    ["New Year's Eve in UTC already", "2026-01-01T03:00:00Z", "2025-12-31", "2026-01-01T08:00:00.000Z"],
    ["a leap day", "2024-02-29T20:00:00Z", "2024-02-29", "2024-03-01T08:00:00.000Z"],
  ])("on %s", (_name, instant, day, resetsAt) => {
    expect(dailyWindow(new Date(instant)).day).toBe(day);
    expect(nextPacificMidnight(new Date(instant)).toISOString()).toBe(resetsAt);
  });

  it("starts the window at the previous local midnight (a 23-hour day in March)", () => {
    const window = dailyWindow(new Date("2025-03-09T12:00:00Z"));
    expect(window.starts_at.toISOString()).toBe("2025-03-09T08:00:00.000Z");
    expect(window.resets_at.getTime() - window.starts_at.getTime()).toBe(23 * 3600_000);
  });

  it("works in any zone", () => {
    expect(nextMidnight(new Date("2025-06-01T23:30:00Z"), "Europe/Paris").toISOString()).toBe(
      "2025-06-02T22:00:00.000Z",
    );
  });

  it("always resets strictly later, at most 25 hours ahead, at a Pacific midnight", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (d) => {
          const reset = nextPacificMidnight(d);
          expect(reset.getTime()).toBeGreaterThan(d.getTime());
          expect(reset.getTime() - d.getTime()).toBeLessThanOrEqual(25 * 3600_000);
          const local = new Intl.DateTimeFormat("en-US", {
            timeZone: "America/Los_Angeles",
            hourCycle: "h23",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
          }).format(reset);
          expect(local).toBe("00:00:00");
        },
      ),
    );
  });
});
