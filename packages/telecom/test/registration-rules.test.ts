import { describe, expect, it } from "vitest";
import { validateRegistration } from "@subtext/telecom/registration/rules";
import { edit, soleProprietor, standard, tollFree } from "./registration-fixtures.js";

const long = (n: number) => "Jane's Bakery ".repeat(Math.ceil(n / 14)).slice(0, n);

function codesAt(doc: unknown) {
  return validateRegistration(doc).findings.map((f) => `${f.severity} ${f.path} ${f.code}`);
}

describe("a complete registration", () => {
  it.each([
    ["sole proprietor", soleProprietor()],
    ["standard", standard()],
    ["low-volume standard", standard("low_volume_standard")],
    ["toll-free", tollFree()],
  ])("of kind %s has no findings", (_name, doc) => {
    expect(validateRegistration(doc)).toEqual({ ok: true, findings: [] });
  });
});

describe("document shape", () => {
  it.each([
    ["a missing kind", edit(soleProprietor(), (d) => delete d.kind), "error kind field_required"],
    ["an unknown kind", edit(soleProprietor(), (d) => (d.kind = "premium")), "error kind kind_unknown"],
    [
      "an unknown field",
      edit(soleProprietor(), (d) => (d.business.nickname = "JB")),
      "error business.nickname unknown_field",
    ],
    [
      "an unknown nested field",
      edit(standard(), (d) => (d.business.contact.fax = "1")),
      "error business.contact.fax unknown_field",
    ],
    [
      "a missing description",
      edit(soleProprietor(), (d) => delete d.campaign.description),
      "error campaign.description field_required",
    ],
    [
      "a blank city",
      edit(soleProprietor(), (d) => (d.business.address.city = "  ")),
      "error business.address.city field_required",
    ],
    [
      "a string for a boolean",
      edit(soleProprietor(), (d) => (d.campaign.has_embedded_links = "no")),
      "error campaign.has_embedded_links field_type",
    ],
    [
      "a sample that is not text",
      edit(soleProprietor(), (d) => (d.campaign.message_samples[1] = 42)),
      "error campaign.message_samples[1] field_type",
    ],
    [
      "a standard brand without tax id",
      edit(standard(), (d) => delete d.business.tax_id),
      "error business.tax_id field_required",
    ],
    [
      "a toll-free document with a campaign",
      edit(tollFree(), (d) => (d.campaign = {})),
      "error campaign unknown_field",
    ],
  ])("reports %s", (_name, doc, expected) => {
    expect(codesAt(doc)).toContain(expected);
    expect(validateRegistration(doc).ok).toBe(false);
  });
});

describe("Twilio's campaign field rules", () => {
  const sp = soleProprietor;
  it.each([
    [
      "a 39-character description",
      edit(sp(), (d) => (d.campaign.description = long(39))),
      "error campaign.description too_short",
    ],
    ["a 40-character description", edit(sp(), (d) => (d.campaign.description = long(40))), null],
    [
      "a 4097-character description",
      edit(sp(), (d) => (d.campaign.description = long(4097))),
      "error campaign.description too_long",
    ],
    [
      "a 2049-character message flow",
      edit(sp(), (d) => (d.campaign.message_flow += ` privacy ${"x".repeat(2048)}`)),
      "error campaign.message_flow too_long",
    ],
    [
      "one sample",
      edit(sp(), (d) => d.campaign.message_samples.pop()),
      "error campaign.message_samples too_few_items",
    ],
    [
      "six samples",
      edit(sp(), (d) => d.campaign.message_samples.push(...Array(4).fill(d.campaign.message_samples[0]))),
      "error campaign.message_samples too_many_items",
    ],
    [
      "a 19-character sample",
      edit(sp(), (d) => (d.campaign.message_samples[1] = "Jane's Bakery STOP!")),
      "error campaign.message_samples[1] too_short",
    ],
    [
      "a 1025-character sample",
      edit(sp(), (d) => (d.campaign.message_samples[0] = long(1025))),
      "error campaign.message_samples[0] too_long",
    ],
    [
      "a 19-character opt-in message",
      edit(standard(), (d) => (d.campaign.opt_in_message = "Acme: HELP or STOP.")),
      "error campaign.opt_in_message too_short",
    ],
    [
      "a 321-character opt-out message",
      edit(sp(), (d) =>
        Object.assign(d.campaign, { opt_out_keywords: ["QUIT"], opt_out_message: long(321) }),
      ),
      "error campaign.opt_out_message too_long",
    ],
    [
      "a keyword with a space",
      edit(standard(), (d) => (d.campaign.opt_in_keywords = ["JOIN NOW"])),
      "error campaign.opt_in_keywords[0] keyword_not_alphanumeric",
    ],
    [
      "keywords over 255 characters",
      edit(standard(), (d) => (d.campaign.opt_in_keywords = Array(22).fill("SUBSCRIBEME"))),
      "error campaign.opt_in_keywords keywords_too_long",
    ],
    [
      "opt-in keywords without a reply",
      edit(standard(), (d) => delete d.campaign.opt_in_message),
      "error campaign.opt_in_message keywords_without_message",
    ],
    [
      "a help reply without keywords",
      edit(sp(), (d) => (d.campaign.help_message = "Jane's Bakery: call us at the shop.")),
      "warning campaign.help_keywords message_without_keywords",
    ],
    [
      "an opt-in reply without STOP and HELP",
      edit(standard(), (d) => (d.campaign.opt_in_message = "Acme Sandwich: thanks for joining our updates!")),
      "warning campaign.opt_in_message opt_in_message_incomplete",
    ],
    [
      "an unknown use case",
      edit(standard(), (d) => (d.campaign.use_case = "NEWSLETTER")),
      "error campaign.use_case use_case_unknown",
    ],
    [
      "a marketing use case on a sole proprietor",
      edit(sp(), (d) => (d.campaign.use_case = "MARKETING")),
      "error campaign.use_case use_case_not_allowed_for_kind",
    ],
    [
      "the sole proprietor use case on a standard brand",
      edit(standard(), (d) => (d.campaign.use_case = "SOLE_PROPRIETOR")),
      "error campaign.use_case use_case_not_allowed_for_kind",
    ],
    [
      "a use case needing carrier approval",
      edit(standard(), (d) => (d.campaign.use_case = "SWEEPSTAKE")),
      "warning campaign.use_case use_case_needs_post_approval",
    ],
    [
      "an http privacy policy",
      edit(standard(), (d) => (d.campaign.privacy_policy_url = "http://acmesandwich.com/privacy")),
      "warning campaign.privacy_policy_url url_not_https",
    ],
  ])("checks %s", (_name, doc, expected) => {
    const codes = codesAt(doc);
    if (expected === null) expect(codes).toEqual([]);
    else expect(codes).toContain(expected);
  });
});

describe("reuse limits", () => {
  it.each([
    [
      soleProprietor(),
      { mobile_phone_number: 3 },
      ["error business.mobile_phone_number reuse_limit_reached"],
    ],
    [
      soleProprietor(),
      { mobile_phone_number: 2 },
      ["warning business.mobile_phone_number reuse_limit_last_use"],
    ],
    [soleProprietor(), { mobile_phone_number: 1, email: 5, address: 0 }, []],
    [
      soleProprietor(),
      { email: 10, address: 9 },
      ["error business.email reuse_limit_reached", "warning business.address reuse_limit_last_use"],
    ],
    [standard(), { email: 12, mobile_phone_number: 5 }, ["error business.contact.email reuse_limit_reached"]],
    [tollFree(), { email: 12, address: 12 }, []],
  ] as const)("%#: checks %o", (doc, reuse, expected) => {
    const findings = validateRegistration(doc, { reuse }).findings.map(
      (f) => `${f.severity} ${f.path} ${f.code}`,
    );
    expect(findings).toEqual(expected);
  });
});
