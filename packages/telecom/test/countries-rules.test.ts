import { describe, expect, it } from "vitest";
import {
  contentViolations,
  countryOf,
  oneWayOptOutText,
  optOutWordingFor,
  quietHoursFor,
  recipientZones,
} from "@subtext/telecom/countries";

describe("countryOf", () => {
  it.each([
    ["+14155552671", "US"],
    ["+16135550123", "CA"],
    ["+447400123456", "GB"],
    ["+33612345678", "FR"],
    ["+61412345678", "AU"],
    ["+5511987654321", "BR"],
    ["whatsapp:+34612345678", "ES"],
    ["+447911123456", "GG"],
    ["+1415555267", null],
    ["4155552671", null],
  ])("%s is in %s", (e164, country) => {
    expect(countryOf(e164)).toBe(country);
  });
});

describe("recipient time zones", () => {
  it.each([
    ["a San Francisco number", "+14155552671", ["America/Los_Angeles"], "prefix"],
    ["a Sydney landline", "+61292507111", ["Australia/Sydney"], "prefix"],
    ["a Perth landline", "+61892227000", ["Australia/Perth"], "prefix"],
    ["a São Paulo mobile", "+5511987654321", ["America/Sao_Paulo"], "prefix"],
    ["a Manaus mobile", "+5592987654321", ["America/Manaus"], "prefix"],
    ["a Tijuana number", "+526641234567", ["America/Tijuana"], "prefix"],
    ["a Gran Canaria landline", "+34928123456", ["Atlantic/Canary"], "prefix"],
    ["a Madrid landline", "+34912345678", ["Europe/Madrid"], "prefix"],
    ["a Paris mobile", "+33612345678", ["Europe/Paris"], "country"],
    ["an Indian mobile", "+919876543210", ["Asia/Kolkata"], "country"],
  ])("places %s", (_name, e164, zones, basis) => {
    expect(recipientZones(e164)).toMatchObject({ zones, basis });
  });

  it.each([
    ["an Australian mobile", "+61412345678", 7],
    ["a Spanish mobile", "+34612345678", 2],
  ])("gives %s every zone of its country", (_name, e164, count) => {
    const result = recipientZones(e164);
    expect(result.basis).toBe("all_zones");
    expect(result.zones).toHaveLength(count);
  });
});

describe("quietHoursFor", () => {
  // 2026-12-07 is a Monday.
  it.each([
    [
      "FR, Monday 20:30 Paris",
      "+33612345678",
      "2026-12-07T19:30:00Z",
      "marketing",
      "2026-12-08T07:00:00.000Z",
    ],
    ["FR, Monday 19:30 Paris", "+33612345678", "2026-12-07T18:30:00Z", "marketing", null],
    ["FR, Saturday 10:30 Paris", "+33612345678", "2026-12-12T09:30:00Z", "marketing", null],
    [
      "FR, Saturday 18:30 Paris: closed until Monday",
      "+33612345678",
      "2026-12-12T17:30:00Z",
      "marketing",
      "2026-12-14T07:00:00.000Z",
    ],
    ["FR, Sunday", "+33612345678", "2026-12-13T10:00:00Z", "marketing", "2026-12-14T07:00:00.000Z"],
    [
      "FR, Christmas (a Friday)",
      "+33612345678",
      "2026-12-25T10:00:00Z",
      "marketing",
      "2026-12-26T09:00:00.000Z",
    ],
    ["FR, transactional at night", "+33612345678", "2026-12-07T23:00:00Z", "transactional", null],
    [
      "US, 20:30 in California",
      "+14155552671",
      "2026-12-08T04:30:00Z",
      "marketing",
      "2026-12-08T16:00:00.000Z",
    ],
    ["US, 19:59 in California", "+14155552671", "2026-12-08T03:59:00Z", "marketing", null],
    ["BR, 21:30 in São Paulo", "+5511987654321", "2026-12-08T00:30:00Z", "marketing", null],
    [
      "BR, 22:30 in São Paulo",
      "+5511987654321",
      "2026-12-08T01:30:00Z",
      "marketing",
      "2026-12-08T12:00:00.000Z",
    ],
    ["BR, 21:30 in Manaus", "+5592987654321", "2026-12-08T01:30:00Z", "marketing", null],
    ["AU, a Sydney landline at 09:30", "+61292507111", "2026-12-07T22:30:00Z", "marketing", null],
    [
      "AU, a mobile at 09:30 Sydney, 06:30 Perth",
      "+61412345678",
      "2026-12-07T22:30:00Z",
      "marketing",
      "2026-12-08T00:00:00.000Z",
    ],
    [
      "IT (no data), 22:00 Rome",
      "+393123456789",
      "2026-12-07T21:00:00Z",
      "marketing",
      "2026-12-08T07:00:00.000Z",
    ],
    ["an OTP, anywhere, any time", "+61412345678", "2026-12-07T17:00:00Z", "otp", null],
  ])("%s", (_name, e164, at, purpose, resumes) => {
    const result = quietHoursFor(e164, new Date(at), purpose as "marketing" | "transactional" | "otp");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.quiet).toBe(resumes !== null);
    expect(result.resumes_at?.toISOString() ?? null).toBe(resumes);
  });

  it("names the rule it applied, with its source", () => {
    const result = quietHoursFor("+33612345678", new Date("2026-12-13T10:00:00Z"));
    expect(result).toMatchObject({
      ok: true,
      country: "FR",
      zones: ["Europe/Paris"],
      rule: { country: "FR", binding: "carrier", default: false, source: expect.stringMatching(/^https:/) },
    });
  });

  it("says when the country has no data and the default applies", () => {
    expect(quietHoursFor("+393123456789", new Date("2026-12-07T12:00:00Z"))).toMatchObject({
      ok: true,
      country: "IT",
      rule: { default: true, binding: "recommended" },
    });
  });

  it.each([
    ["+1415555267", "phone_invalid"],
    ["4155552671", "phone_not_e164"],
  ])("refuses %s", (e164, code) => {
    expect(quietHoursFor(e164, new Date())).toMatchObject({ ok: false, code });
  });

  it("rounds the resume time to the second", () => {
    const result = quietHoursFor("+33612345678", new Date("2026-12-07T19:30:00.750Z"));
    expect(result.ok && result.resumes_at?.toISOString()).toBe("2026-12-08T07:00:00.000Z");
  });
});

describe("optOutWordingFor", () => {
  it.each([
    ["FR", "marketing", { required: true, two_way: "STOP au 36180", language: "fr" }],
    ["fr", "marketing", { country: "FR" }],
    ["US", "marketing", { required: true, two_way: "Reply STOP to opt out." }],
    ["BR", "marketing", { required: true, keywords: ["SAIR", "PARE", "STOP"] }],
    ["IT", "marketing", { required: false, country_specific: false, two_way: "Reply STOP to opt out." }],
  ] as const)("gives %s %s wording", (country, purpose, expected) => {
    expect(optOutWordingFor(country, purpose)).toMatchObject(expected);
  });

  it.each([
    ["FR", "otp"],
    ["US", "transactional"],
    ["IT", "otp"],
  ] as const)("asks no wording of %s %s", (country, purpose) => {
    expect(optOutWordingFor(country, purpose)).toBeNull();
  });

  it("fills in the reply number for a one-way sender", () => {
    const rule = optOutWordingFor("GB", "marketing");
    expect(rule && oneWayOptOutText(rule, "+447400123456")).toBe("Text STOP to +447400123456 to opt out.");
  });
});

describe("contentViolations", () => {
  it.each([
    ["IN", "Win big at the CASINO tonight", "marketing", {}, [["in_gambling", "CASINO"]]],
    ["IN", "Your code is 123456. Details: https://bit.ly/abc", "otp", {}, [["in_url_shortener", "bit.ly"]]],
    ["IN", "Apply for an instant loan today", "marketing", {}, [["in_loans", "loan"]]],
    [
      "IN",
      "Your order shipped",
      "transactional",
      { sender_kind: "alphanumeric" },
      [["in_dlt_template", null]],
    ],
    ["MX", "Vota por Juan el domingo", "marketing", {}, [["mx_political", "Vota por"]]],
    ["MX", "2x1 en cerveza", "marketing", {}, [["mx_alcohol", "cerveza"]]],
    ["GB", "20% off CBD oil", "marketing", {}, [["gb_cannabis", "CBD"]]],
    ["US", "Dispensary deals this weekend", "marketing", {}, [["us_cannabis", "Dispensary"]]],
    ["BR", "Aposta grátis no cassino", "marketing", {}, [["br_gambling", "Aposta"]]],
  ] as const)("flags %s: %j", (country, body, purpose, options, expected) => {
    const found = contentViolations(country, body, purpose, options);
    expect(found.map((v) => [v.rule_id, v.matched])).toEqual(expected);
    for (const v of found) expect(v.source).toMatch(/^https:\/\//);
  });

  it.each([
    [
      "IN",
      "Your order shipped",
      "transactional",
      { sender_kind: "alphanumeric", dlt_template_id: "1107161234567890123" },
    ],
    ["IN", "Your order shipped", "transactional", { sender_kind: "long_code" }],
    ["IN", "See you in Essex between 3 and 4", "transactional", {}],
    ["IN", "Go to tinyurl.company.example/x", "transactional", {}],
    ["DE", "20% off CBD oil", "marketing", {}],
    ["US", "Your appointment is between 3 and 4; you bet we'll be there", "transactional", {}],
    ["FR", "Votre code est 123456", "otp", {}],
    ["ZZ", "casino", "marketing", {}],
  ] as const)("passes %s: %j", (country, body, purpose, options) => {
    expect(contentViolations(country, body, purpose, options)).toEqual([]);
  });

  it("explains a blocked shortener with the fix", () => {
    const [violation] = contentViolations("IN", "https://t.co/xyz", "marketing");
    expect(violation).toMatchObject({ code: "url_shortener_blocked", matched: "t.co" });
    expect(violation.message).toMatch(/full URL/);
  });

  it("matches full-width letters after NFKC", () => {
    expect(contentViolations("IN", "ＣＡＳＩＮＯ night", "marketing").map((v) => v.rule_id)).toEqual([
      "in_gambling",
    ]);
  });
});
