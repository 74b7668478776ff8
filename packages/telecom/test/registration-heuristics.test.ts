import { describe, expect, it } from "vitest";
import { hasLink, hasPhone, namesBrand } from "@subtext/telecom/registration/rules/content";
import { validateRegistration } from "@subtext/telecom/registration/rules";
import { edit, soleProprietor, standard } from "./registration-fixtures.js";

function findings(doc: unknown) {
  return validateRegistration(doc).findings.map((f) => `${f.severity} ${f.path} ${f.code}`);
}

const withSample = (sample: string, flags: { links?: boolean; phone?: boolean } = {}) =>
  edit(soleProprietor(), (d) => {
    d.campaign.message_samples[1] = sample;
    d.campaign.has_embedded_links = flags.links ?? false;
    d.campaign.has_embedded_phone = flags.phone ?? false;
  });

describe("message samples that reviewers reject", () => {
  it.each([
    [
      "a sample that does not name the brand",
      withSample("Your order [order_id] is ready for pickup. Reply STOP to opt out."),
      ["warning campaign.message_samples[1] sample_missing_brand"],
    ],
    [
      "an order number written out instead of a placeholder",
      withSample("Jane's Bakery: order 48213 is ready. Reply STOP to opt out."),
      ["warning campaign.message_samples[1] sample_unbracketed_variable"],
    ],
    [
      "a time written out instead of a placeholder",
      withSample("Jane's Bakery: we open at 7:30 tomorrow. Reply STOP to opt out."),
      ["warning campaign.message_samples[1] sample_unbracketed_variable"],
    ],
    [
      "template syntax instead of brackets",
      withSample("Jane's Bakery: hi {{first_name}}, your cake is ready. Reply STOP to opt out."),
      ["warning campaign.message_samples[1] sample_template_syntax"],
    ],
    [
      "a static support number next to placeholders",
      withSample(
        "Jane's Bakery: order [order_id] is ready. Questions? Call (415) 555-2671. Reply STOP to opt out.",
        {
          phone: true,
        },
      ),
      [],
    ],
    [
      "a link while has_embedded_links is false",
      withSample("Jane's Bakery: track order [order_id] at janesbakery.com/track. Reply STOP to opt out."),
      ["error campaign.message_samples[1] embedded_link_undeclared"],
    ],
    [
      "a link placeholder while has_embedded_links is false",
      withSample("Jane's Bakery: pay for [order_id] at [payment_link]. Reply STOP to opt out."),
      ["error campaign.message_samples[1] embedded_link_undeclared"],
    ],
    [
      "a phone number while has_embedded_phone is false",
      withSample("Jane's Bakery: order [order_id] is ready. Call +14155552671. Reply STOP to opt out."),
      ["error campaign.message_samples[1] embedded_phone_undeclared"],
    ],
    [
      "links declared but never shown",
      withSample("Jane's Bakery: order [order_id] is ready. Reply STOP to opt out.", { links: true }),
      ["warning campaign.has_embedded_links embedded_link_unused"],
    ],
    [
      "a phone declared but never shown",
      withSample("Jane's Bakery: order [order_id] is ready. Reply STOP to opt out.", { phone: true }),
      ["warning campaign.has_embedded_phone embedded_phone_unused"],
    ],
    [
      "an e-mail address, which is not a link",
      withSample(
        "Jane's Bakery: order [order_id] is ready. Questions: jane@janesbakery.com. Reply STOP to opt out.",
      ),
      [],
    ],
    [
      "a public link shortener",
      withSample(
        "Jane's Bakery: order [order_id] is ready, see https://bit.ly/3xYz. Reply STOP to opt out.",
        {
          links: true,
        },
      ),
      ["warning campaign.message_samples[1] url_shortener"],
    ],
    [
      "the same sample twice",
      edit(soleProprietor(), (d) => (d.campaign.message_samples[1] = d.campaign.message_samples[0])),
      ["warning campaign.message_samples[1] sample_duplicate"],
    ],
    [
      "no opt-out language in any sample",
      edit(soleProprietor(), (d) => {
        d.campaign.message_samples = [
          "Jane's Bakery: order [order_id] is ready.",
          "Jane's Bakery: we open at [time].",
        ];
      }),
      ["warning campaign.message_samples samples_missing_opt_out"],
    ],
  ])("flags %s", (_name, doc, expected) => {
    expect(findings(doc)).toEqual(expected);
  });
});

describe("samples that do not fit the use case", () => {
  const twoFactor = (sample: string) =>
    edit(standard(), (d) => {
      d.campaign.use_case = "2FA";
      d.campaign.message_samples[1] = sample;
    });

  it.each([
    [
      "a promotion in a 2FA campaign",
      twoFactor("Acme Sandwich: 20% off all subs today! Reply STOP to opt out."),
      true,
    ],
    [
      "a 2FA sample without a code",
      twoFactor("Acme Sandwich: welcome back, [first_name]. Reply STOP to opt out."),
      true,
    ],
    [
      "a 2FA code message",
      twoFactor("Acme Sandwich: your verification code is [code]. Reply STOP to opt out."),
      false,
    ],
    [
      "a promotion in a marketing campaign",
      edit(standard(), (d) => {
        d.campaign.use_case = "MARKETING";
        d.campaign.message_samples[1] = "Acme Sandwich: 20% off all subs today! Reply STOP to opt out.";
      }),
      false,
    ],
  ])("judges %s", (_name, doc, flagged) => {
    expect(findings(doc).includes("warning campaign.message_samples[1] sample_off_use_case")).toBe(flagged);
  });
});

describe("message flows that do not say how consent is collected", () => {
  const flow = (text: string, extra: Record<string, unknown> = {}) =>
    edit(soleProprietor(), (d) => Object.assign(d.campaign, { message_flow: text }, extra));

  it.each([
    [
      "the vague website opt-in",
      flow("Users can opt in on our website to get Jane's Bakery text messages."),
      [
        "warning campaign.message_flow message_flow_no_consent_method",
        "warning campaign.message_flow message_flow_missing_url",
        "warning campaign.message_flow message_flow_missing_policy",
      ],
    ],
    [
      "a web form without policy links",
      flow("Customers fill in the sign-up form at janesbakery.com/sms and agree to receive texts."),
      ["warning campaign.message_flow message_flow_missing_policy"],
    ],
    [
      "a web form with the policy given separately",
      flow("Customers fill in the sign-up form at janesbakery.com/sms and agree to receive texts.", {
        privacy_policy_url: "https://janesbakery.com/privacy",
      }),
      [],
    ],
    [
      "a keyword opt-in",
      flow("Customers text JOIN to (415) 555-0123 to receive order updates from Jane's Bakery."),
      [],
    ],
    [
      "a verbal opt-in",
      flow("Customers agree verbally at the counter when ordering and staff note their number."),
      [],
    ],
    [
      "a description that does not name the sender",
      edit(
        soleProprietor(),
        (d) => (d.campaign.description = "Order updates to customers who opted in at checkout."),
      ),
      ["warning campaign.description description_missing_brand"],
    ],
  ])("flags %s", (_name, doc, expected) => {
    expect(findings(doc)).toEqual(expected);
  });
});

describe("text detectors", () => {
  it.each([
    ["Jane's Bakery: hi", ["Jane's Bakery"], true],
    ["JANES BAKERY: hi", ["Jane's Bakery"], true],
    ["From janesbakery.com: hi", ["janesbakery"], true],
    ["Acme: your order", ["Acme Sandwich Company"], true],
    ["Your order is ready", ["Acme Sandwich Company"], false],
    ["The company says hi", ["The Company"], true],
  ])("finds the brand in %j given %j: %s", (text, names, expected) => {
    expect(namesBrand(text, names)).toBe(expected);
  });

  it.each([
    ["see https://acme.com/x", true],
    ["see www.acme.com", true],
    ["see acme.shop/deals", true],
    ["mail ana@acme.com", false],
    ["version 2.5 is out", false],
    ["pay at [payment link]", true],
  ])("detects a link in %j: %s", (text, expected) => {
    expect(hasLink(text)).toBe(expected);
  });

  it.each([
    ["call (415) 555-2671", true],
    ["call 415.555.2671", true],
    ["call +442071838750", true],
    ["order 4155552671", false],
    ["call [support phone]", true],
  ])("detects a phone number in %j: %s", (text, expected) => {
    expect(hasPhone(text)).toBe(expected);
  });
});
