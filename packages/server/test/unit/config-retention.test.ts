import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";

const months = (value?: string) =>
  loadConfig({ SUBTEXT_MESSAGE_RETENTION_MONTHS: value }).messageRetentionMonths;

describe("SUBTEXT_MESSAGE_RETENTION_MONTHS", () => {
  it("is off (keep forever) unless set, and takes whole months from 1 to 1200", () => {
    expect(months()).toBeUndefined();
    expect(months("1")).toBe(1);
    expect(months("24")).toBe(24);
    expect(months("1200")).toBe(1200);
  });

  it("refuses anything else, naming the variable", () => {
    for (const bad of ["0", "-3", "1.5", "12m", "1201", "forever"]) {
      expect(() => months(bad), bad).toThrow(ConfigError);
      expect(() => months(bad), bad).toThrow(/SUBTEXT_MESSAGE_RETENTION_MONTHS/);
    }
  });
});
