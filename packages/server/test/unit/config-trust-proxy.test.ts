import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";

const trustProxy = (value?: string) => loadConfig({ SUBTEXT_TRUST_PROXY: value }).trustProxy;

describe("SUBTEXT_TRUST_PROXY", () => {
  it("is off unless set, and takes true/false or proxy addresses and CIDRs", () => {
    expect(trustProxy()).toBe(false);
    expect(trustProxy("false")).toBe(false);
    expect(trustProxy("true")).toBe(true);
    expect(trustProxy("10.0.0.0/8, 192.168.1.1,fd00::/8, loopback")).toEqual([
      "10.0.0.0/8",
      "192.168.1.1",
      "fd00::/8",
      "loopback",
    ]);
  });

  it("refuses what it cannot honour, naming the variable", () => {
    for (const bad of ["1", "proxy.internal", "10.0.0.0/33", "::1/129", "10.0.0.1/8/2"]) {
      expect(() => trustProxy(bad), bad).toThrow(ConfigError);
      expect(() => trustProxy(bad), bad).toThrow(/SUBTEXT_TRUST_PROXY/);
    }
  });
});
