import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/sandbox/duration.js";

describe("how far to move the sandbox clock", () => {
  it.each([
    [600, 600],
    ["600", 600],
    ["90s", 90],
    ["15m", 900],
    ["2h", 7_200],
    ["3d", 259_200],
    ["1w", 604_800],
    ["1d12h", 129_600],
    [" 1H30M ", 5_400],
    [0.5, 0.5],
  ])("reads %j as %d seconds", (input, seconds) => {
    expect(parseDuration(input)).toEqual({ seconds });
  });

  it.each([
    ["3x", /not a duration/],
    ["", /not a duration/],
    ["12h1d", /not a duration/],
    ["-5m", /not a duration/],
    [0, /more than 0/],
    [-60, /more than 0/],
    ["0d", /more than 0/],
    ["367d", /at most 366 days/],
    [Number.POSITIVE_INFINITY, /more than 0/],
  ])("refuses %j, saying why", (input, problem) => {
    const result = parseDuration(input);
    expect("problem" in result && result.problem).toMatch(problem);
  });

  it.each([
    [0, "0s"],
    [42, "42s"],
    [90, "1m"],
    [97_200, "1d 3h"],
    [259_200 + 3_600 + 60, "3d 1h 1m"],
    [-3_600, "-1h"],
  ])("writes an offset of %d seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
