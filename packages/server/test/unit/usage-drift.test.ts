import { describe, expect, it } from "vitest";
import { repliesBilled } from "../../src/messaging/callbacks/reply-usage.js";
import {
  compareUsage,
  daysBetween,
  defaultWindow,
  isDay,
  nextRun,
  twilioAmount,
  twilioCount,
} from "../../src/usage/drift-compare.js";

describe("comparing Subtext's usage with Twilio's", () => {
  it.each([
    ["equal", [10, "0.083"], [10, "0.083"], []],
    ["a count apart", [10, "0.083"], [12, "0.083"], ["count"]],
    ["a price a few percent off the table (a local number's rate)", [10, "0.083"], [10, "0.079"], []],
    ["a price three times the table", [10, "0.083"], [10, "0.249"], ["price"]],
    ["a price far apart in percent but under a cent", [1, "0.0083"], [1, "0.0165"], []],
    ["both", [10, "0.083"], [20, "0.30"], ["count", "price"]],
    ["nothing metered, something billed", [0, "0"], [1, "0.0079"], ["count"]],
    ["everything metered, nothing billed", [30, "0.249"], [0, "0"], ["count", "price"]],
  ] as const)("%s", (_, [count, amount], [billed, price], reasons) => {
    expect(compareUsage({ count, amount }, { count: billed, amount: price }).reasons).toEqual(reasons);
  });

  it("says the difference as Subtext minus Twilio, in exact decimals", () => {
    expect(compareUsage({ count: 1450, amount: "12.035" }, { count: 1452, amount: "11.4708" })).toEqual({
      reasons: ["count"],
      count_difference: -2,
      price_difference: "0.5642",
    });
  });

  it.each([
    ["0.00790", "0.0079"],
    ["-0.0079", "0.0079"],
    [0.1, "0.10"],
    ["12.345678", "12.345678"],
    [undefined, "0.00"],
    ["not a number", "0.00"],
  ])("reads Twilio's price %j as %s", (price, amount) => {
    expect(twilioAmount(price)).toBe(amount);
  });

  it.each([
    ["7", 7],
    [3, 3],
    [undefined, 0],
    ["", 0],
  ])("reads Twilio's count %j as %i", (count, n) => {
    expect(twilioCount(count)).toBe(n);
  });
});

describe("the daily check's days", () => {
  it.each([
    ["2030-03-02T10:00:00Z", { from: "2030-02-23", to: "2030-03-01" }],
    ["2030-01-01T00:00:00Z", { from: "2029-12-25", to: "2029-12-31" }],
  ])("on %s covers the seven days before", (now, window) => {
    expect(defaultWindow(new Date(now))).toEqual(window);
  });

  it.each([
    ["2030-03-02T03:59:59Z", "2030-03-02T04:00:00.000Z"],
    ["2030-03-02T04:00:00Z", "2030-03-03T04:00:00.000Z"],
    ["2030-12-31T23:00:00Z", "2031-01-01T04:00:00.000Z"],
  ])("after %s runs next at %s", (now, next) => {
    expect(nextRun(new Date(now)).toISOString()).toBe(next);
  });

  it("lists the days of a range, both ends included, across a month's end", () => {
    expect(daysBetween("2030-02-27", "2030-03-01")).toEqual(["2030-02-27", "2030-02-28", "2030-03-01"]);
    expect(daysBetween("2030-03-01", "2030-02-28")).toEqual([]);
  });

  it.each([
    ["2030-02-28", true],
    ["2032-02-29", true],
    ["2030-02-29", false],
    ["2030-13-01", false],
    ["30-01-01", false],
  ])("%s is a day: %s", (value, ok) => {
    expect(isDay(value)).toBe(ok);
  });
});

describe("the replies Twilio bills for an inbound text", () => {
  const base = { optOutType: null, twimlReply: null, viaService: true, whatsapp: false };
  const curly =
    "Jane’s Bakery: call us on 415-555-0123 between 8 and 6 — or reply STOP to opt out of our texts.";
  it.each([
    ["an ordinary text", {}, []],
    ["a keyword Twilio answered", { optOutType: "STOP" }, [1]],
    ["our TwiML reply through a Messaging Service (smart-encoded)", { twimlReply: curly }, [1]],
    ["our TwiML reply to a number outside a service", { twimlReply: curly, viaService: false }, [2]],
    ["a WhatsApp message", { optOutType: "STOP", whatsapp: true }, []],
  ])("%s: %j segments", (_, change, segments) => {
    expect(repliesBilled({ ...base, ...change })).toEqual(segments);
  });
});
