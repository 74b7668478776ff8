import { describe, expect, it } from "vitest";
import { canReceiveSms, isE164, isMobileCapable, parsePhone, smsReachability } from "@subtext/telecom/phone";

describe("phone number parsing", () => {
  it.each([
    ["a US number", "+14155552671", "+14155552671", "US", "fixed_line_or_mobile"],
    ["a Canadian number", "+16135550123", "+16135550123", "CA", "fixed_line_or_mobile"],
    ["a US toll-free number", "+18005550123", "+18005550123", "US", "toll_free"],
    ["a US premium-rate number", "+19005550123", "+19005550123", "US", "premium_rate"],
    ["a French mobile", "+33612345678", "+33612345678", "FR", "mobile"],
    ["a French landline", "+33123456789", "+33123456789", "FR", "landline"],
    ["a London landline", "+442071838750", "+442071838750", "GB", "landline"],
    ["an Australian mobile", "+61412345678", "+61412345678", "AU", "mobile"],
    ["a formatted number", "+1 (415) 555-2671", "+14155552671", "US", "fixed_line_or_mobile"],
    ["a number with dots and a trailing space", "+33.6.12.34.56.78 ", "+33612345678", "FR", "mobile"],
  ])("reads %s", (_name, input, e164, country, type) => {
    expect(parsePhone(input)).toEqual({ ok: true, phone: { e164, country, type } });
  });

  it.each([
    ["no plus sign", "4155552671", "phone_not_e164"],
    ["a leading zero country code", "+04155552671", "phone_not_e164"],
    ["letters", "+1415CALLNOW", "phone_not_e164"],
    ["too many digits", "+1415555267100000", "phone_not_e164"],
    ["an empty string", "", "phone_not_e164"],
    ["a digit short for its country", "+1415555267", "phone_invalid"],
    ["an unassigned US area code", "+11235550123", "phone_invalid"],
  ])("refuses %s", (_name, input, code) => {
    expect(parsePhone(input)).toMatchObject({ ok: false, code });
  });

  it.each([
    ["+14155552671", true],
    ["+1 415 555 2671", false],
    ["14155552671", false],
    ["+0123", false],
  ])("strictly checks E.164 syntax of %s", (input, expected) => {
    expect(isE164(input)).toBe(expected);
  });
});

describe("SMS reachability", () => {
  const phone = (input: string) => {
    const result = parsePhone(input);
    if (!result.ok) throw new Error(result.message);
    return result.phone;
  };

  it.each([
    ["a mobile", "+33612345678", true],
    ["a US number of unknown line type", "+14155552671", true],
    ["a toll-free number", "+18005550123", true],
    ["a landline", "+33123456789", false],
    ["a premium-rate number", "+19005550123", false],
  ])("decides whether %s can receive SMS", (_name, input, expected) => {
    expect(canReceiveSms(phone(input))).toBe(expected);
  });

  it("explains why a landline is refused", () => {
    expect(smsReachability(phone("+442071838750"))).toEqual({
      ok: false,
      code: "phone_cannot_receive_sms",
      message: "+442071838750 is a landline and cannot receive text messages.",
    });
  });

  it.each([
    ["+33612345678", true],
    ["+14155552671", true],
    ["+18005550123", false],
    ["+33123456789", false],
  ])("treats %s as mobile-capable: %s", (input, expected) => {
    expect(isMobileCapable(phone(input))).toBe(expected);
  });
});
