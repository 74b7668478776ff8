import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "../../src/staff/password.js";
import { type StaffRole, roleAllows } from "../../src/staff/roles.js";
import { addressBlock } from "../../src/staff/throttle.js";
import { base32Decode, base32Encode, hotp, matchTotp, totpCode } from "../../src/staff/totp.js";

// RFC 6238 Appendix B (SHA-1 seed), last 6 of the 8 digits, since a 6-digit code is the same truncation.
const RFC_SECRET = base32Encode(Buffer.from("12345678901234567890"));
describe("TOTP follows RFC 6238", () => {
  it.each([
    [59, "287082"],
    [1111111109, "081804"],
    [1111111111, "050471"],
    [1234567890, "005924"],
    [2000000000, "279037"],
  ])("at %i s the code is %s", (seconds, code) => {
    expect(totpCode(RFC_SECRET, new Date(seconds * 1000))).toBe(code);
  });

  it("HOTP matches RFC 4226 Appendix D", () => {
    const secret = Buffer.from("12345678901234567890");
    expect([0, 1, 2, 9].map((c) => hotp(secret, c))).toEqual(["755224", "287082", "359152", "520489"]);
  });

  it("base32 round-trips", () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 7, 8]);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
  });

  it("a code is accepted one step either side, and never for a step already used", () => {
    const at = new Date(1_700_000_000_000);
    const previous = totpCode(RFC_SECRET, new Date(at.getTime() - 30_000));
    const step = matchTotp(RFC_SECRET, previous, at, null);
    expect(step).toBe(Math.floor(at.getTime() / 30_000) - 1);
    expect(matchTotp(RFC_SECRET, previous, at, step)).toBeNull();
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, new Date(at.getTime() - 90_000)), at, null)).toBeNull();
    expect(matchTotp(RFC_SECRET, "12345", at, null)).toBeNull();
  });
});

describe("staff passwords", () => {
  it("verify against their scrypt hash only", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
  });

  it.each([
    ["short", "Use at least 10 characters."],
    ["aaaaaaaaaaaa", "Use more than a few distinct characters."],
    ["a long enough passphrase", null],
  ])("%j → %j", (password, problem) => expect(passwordProblem(password)).toBe(problem));
});

describe("roles", () => {
  const cases: [StaffRole, string, string, boolean][] = [
    ["owner", "POST", "/v1/staff/users", true],
    ["admin", "POST", "/v1/staff/users", false],
    ["admin", "POST", "/v1/tenants", true],
    ["developer", "POST", "/v1/tenants", false],
    ["developer", "PATCH", "/v1/tenants/:id", false],
    ["developer", "POST", "/v1/tenants/:id/api-keys", true],
    ["developer", "POST", "/v1/messages", true],
    ["billing", "GET", "/v1/usage", true],
    ["billing", "PUT", "/v1/prices", true],
    ["billing", "GET", "/v1/messages", false],
    ["billing", "GET", "/v1/tenants", true],
    ["billing", "POST", "/v1/messages", false],
    // Content is not the billing role's business: bodies, numbers, business contact data.
    ["billing", "GET", "/v1/verify/verifications", false],
    ["billing", "GET", "/v1/calls/:id", false],
    ["billing", "GET", "/v1/tenants/:id/registrations", false],
    ["billing", "GET", "/v1/ivr-flows", false],
    ["billing", "GET", "/v1/webhook-endpoints", false],
    ["read_only", "GET", "/v1/messages/:id", true],
    ["read_only", "HEAD", "/v1/messages/:id", true],
    ["read_only", "POST", "/v1/messages", false],
    ["read_only", "GET", "/v1/staff/users", false],
    // A route without a rule is refused to every role, the owner included.
    ["owner", "GET", "/v1/not-in-the-table", false],
    ["owner", "GET", "/v1/messages/preview", false],
  ];
  it.each(cases)("%s %s %s → %s", (role, method, route, allowed) => {
    expect(roleAllows(role, method, route)).toBe(allowed);
  });
});

describe("sign-in throttling counts a client", () => {
  it("by its IPv4 address, and by its IPv6 /64 network", () => {
    expect(addressBlock("198.51.100.7")).toBe("198.51.100.7");
    expect(addressBlock("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(addressBlock("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressBlock("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(addressBlock("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBlock("::1")).toBe("0:0:0:0::/64");
    expect(addressBlock("fe80::1:2:3:4")).toBe("fe80:0:0:0::/64");
    expect(addressBlock("64:ff9b::198.51.100.7")).toBe("64:ff9b:0:0::/64");
  });
});
