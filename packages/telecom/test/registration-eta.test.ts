import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addBusinessDays,
  businessDaysBetween,
  calendarDate,
  etaWindow,
  isBusinessDay,
} from "@subtext/telecom/registration/eta";

// 2025-06-02 is a Monday.
describe("adding business days", () => {
  it.each([
    ["Monday + 0", "2025-06-02", 0, "2025-06-02"],
    ["Saturday + 0 (unchanged)", "2025-06-07", 0, "2025-06-07"],
    ["Monday + 1", "2025-06-02", 1, "2025-06-03"],
    ["Friday + 1 skips the weekend", "2025-06-06", 1, "2025-06-09"],
    ["Saturday + 1", "2025-06-07", 1, "2025-06-09"],
    ["Sunday + 1", "2025-06-08", 1, "2025-06-09"],
    ["Monday + 5 is next Monday", "2025-06-02", 5, "2025-06-09"],
    ["Wednesday + 3 crosses a weekend", "2025-06-04", 3, "2025-06-09"],
    ["Monday + 20 is four weeks later", "2025-06-02", 20, "2025-06-30"],
    ["across a month and year end", "2025-12-30", 3, "2026-01-02"],
    ["across February in a leap year", "2024-02-28", 2, "2024-03-01"],
    ["Monday - 1 is the Friday before", "2025-06-09", -1, "2025-06-06"],
    ["Sunday - 1 is Friday", "2025-06-08", -1, "2025-06-06"],
  ])("%s", (_name, start, count, expected) => {
    expect(addBusinessDays(start, count)).toBe(expected);
  });

  it("skips the holidays it is given", () => {
    // 2025-07-04 is a Friday.
    expect(addBusinessDays("2025-07-03", 1, ["2025-07-04"])).toBe("2025-07-07");
    expect(isBusinessDay("2025-07-04", ["2025-07-04"])).toBe(false);
  });

  it.each([["2025-02-30"], ["2025-6-2"], ["yesterday"]])("refuses the date %j", (date) => {
    expect(() => addBusinessDays(date, 1)).toThrow(RangeError);
  });

  it("refuses a fractional number of days", () => {
    expect(() => addBusinessDays("2025-06-02", 1.5)).toThrow(RangeError);
  });

  it("always lands on a business day, and counting back gives the same number", () => {
    const dates = fc
      .date({ min: new Date("2000-01-01"), max: new Date("2090-01-01"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 400 }), (start, count) => {
        const end = addBusinessDays(start, count);
        expect(isBusinessDay(end)).toBe(true);
        expect(businessDaysBetween(start, end)).toBe(count);
        expect(businessDaysBetween(end, start)).toBe(-count);
      }),
    );
  });
});

describe("ETA windows", () => {
  it("gives a 10DLC registration started on a Thursday its 13–20 business-day window", () => {
    expect(etaWindow("2025-06-05", { min: 13, max: 20 })).toEqual({
      earliest: "2025-06-24",
      latest: "2025-07-03",
    });
  });

  it.each([
    [
      "a Pacific Friday evening that is already Saturday in UTC",
      "2025-06-07T03:00:00Z",
      "America/Los_Angeles",
      "2025-06-06",
    ],
    ["the same instant in UTC", "2025-06-07T03:00:00Z", "UTC", "2025-06-07"],
  ])("reads the calendar day of %s", (_name, instant, zone, day) => {
    expect(calendarDate(new Date(instant), zone)).toBe(day);
  });
});
