import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORDS } from "@subtext/telecom/keywords";
import {
  brandOf,
  brandedReplies,
  campaignReplies,
  declaredExtraKeywords,
  declaredReplies,
  supportContactOf,
  tollFreeReplies,
  withDeclaredReplies,
} from "@subtext/telecom/registration/replies";
import { validateRegistration } from "@subtext/telecom/registration/rules";
import { edit, soleProprietor, standard, tollFree } from "./registration-fixtures.js";

function codesAt(doc: unknown) {
  return validateRegistration(doc).findings.map((f) => `${f.severity} ${f.path} ${f.code}`);
}

describe("the brand and the support contact of a registration", () => {
  it.each([
    ["a sole proprietor", soleProprietor(), "Jane's Bakery", "jane@janesbakery.com"],
    ["a standard brand", standard(), "Acme Sandwich Company", "acmesandwich.com"],
    ["a toll-free business", tollFree(), "Acme Sandwich Company", "acmesandwich.com"],
    [
      "a toll-free business with a trade name",
      edit(tollFree(), (d) => (d.toll_free.doing_business_as = "Acme Subs")),
      "Acme Subs",
      "acmesandwich.com",
    ],
  ])("of %s", (_name, doc, brand, contact) => {
    expect(brandOf(doc)).toBe(brand);
    expect(supportContactOf(doc)).toBe(contact);
  });
});

describe("replies derived from the tenant's data", () => {
  it("brands the three replies of a campaign that gives none", () => {
    const replies = campaignReplies(soleProprietor())!;
    expect(replies).toEqual({
      opt_in_message:
        "Jane's Bakery: You are subscribed to messages. Msg frequency varies. Msg&data rates may apply. Reply HELP for help, STOP to opt out.",
      opt_out_message:
        "Jane's Bakery: You are unsubscribed and will receive no more messages. Reply START to resubscribe.",
      help_message:
        "Jane's Bakery: Help at jane@janesbakery.com. Msg&data rates may apply. Reply STOP to opt out.",
      opt_in_keywords: [...DEFAULT_KEYWORDS.opt_in],
      opt_out_keywords: [...DEFAULT_KEYWORDS.opt_out],
      help_keywords: [...DEFAULT_KEYWORDS.help],
    });
  });

  it("keeps what the document gives and derives only the rest", () => {
    const replies = campaignReplies(standard())!;
    expect(replies.opt_in_message).toBe(standard().campaign.opt_in_message);
    expect(replies.opt_in_keywords).toEqual(["JOIN"]);
    expect(replies.help_message).toBe(
      "Acme Sandwich Company: Help at acmesandwich.com. Msg&data rates may apply. Reply STOP to opt out.",
    );
  });

  it.each([
    ["sole proprietor", soleProprietor()],
    ["standard", standard()],
    ["low-volume standard", standard("low_volume_standard")],
    ["toll-free", tollFree()],
    [
      "sole proprietor with a 300-character brand",
      edit(soleProprietor(), (d) => (d.business.brand_name = `Jane ${"Bakery ".repeat(42)}`.trim())),
    ],
    [
      "standard with a long website",
      edit(
        standard(),
        (d) => (d.business.website = `https://acmesandwich.com/${"very-long-path/".repeat(10)}`),
      ),
    ],
  ])("passes every registration rule (%s)", (_name, doc) => {
    const completed = withDeclaredReplies(doc);
    expect(codesAt(completed).filter((c) => /message|keyword/.test(c))).toEqual([]);
  });

  it("fits a very long brand into the 320-character limit, cut between words", () => {
    const brand = `Jane ${"Bakery ".repeat(42)}`.trim();
    const replies = brandedReplies(brand, "jane@janesbakery.com");
    for (const text of Object.values(replies)) {
      expect([...text].length).toBeLessThanOrEqual(320);
      expect(text).toMatch(/^Jane Bakery( Bakery)*: /);
    }
  });

  it("fills a toll-free verification's opt-in confirmation, HELP sample and keywords", () => {
    expect(tollFreeReplies(tollFree())).toEqual({
      opt_in_confirmation_message: brandedReplies("Acme Sandwich Company", "acmesandwich.com").opt_in,
      help_message_sample: brandedReplies("Acme Sandwich Company", "acmesandwich.com").help,
      opt_in_keywords: [...DEFAULT_KEYWORDS.opt_in],
    });
    expect(campaignReplies(tollFree())).toBeNull();
    expect(tollFreeReplies(standard())).toBeNull();
  });

  it("leaves the rest of the document as it is", () => {
    const doc = standard();
    const completed = withDeclaredReplies(doc) as typeof doc;
    expect({ ...completed, campaign: undefined }).toEqual({ ...doc, campaign: undefined });
    expect(completed.campaign.description).toBe(doc.campaign.description);
    expect(doc.campaign.help_message).toBeUndefined();
    expect(withDeclaredReplies({ kind: "newsletter" })).toEqual({ kind: "newsletter" });
  });

  it("names the declared replies by keyword kind, and the keywords Twilio does not know", () => {
    expect(declaredReplies(standard())).toMatchObject({
      opt_in: standard().campaign.opt_in_message,
      help: expect.stringMatching(/^Acme Sandwich Company: Help at/),
    });
    expect(declaredExtraKeywords(standard())).toEqual({ opt_in: ["JOIN"], opt_out: [], help: [] });
    expect(declaredReplies(tollFree()).opt_out).toMatch(/^Acme Sandwich Company: You are unsubscribed/);
  });
});

describe("rules on the keyword replies", () => {
  it.each([
    [
      "a HELP reply without the brand",
      edit(soleProprietor(), (d) =>
        Object.assign(d.campaign, {
          help_keywords: ["HELP"],
          help_message: "Help at 415-555-0123. Reply STOP to opt out.",
        }),
      ),
      "warning campaign.help_message help_message_incomplete",
    ],
    [
      "a HELP reply without a contact",
      edit(soleProprietor(), (d) =>
        Object.assign(d.campaign, {
          help_keywords: ["HELP"],
          help_message: "Jane's Bakery: reply STOP to opt out.",
        }),
      ),
      "warning campaign.help_message help_message_incomplete",
    ],
    [
      "a HELP reply without STOP",
      edit(soleProprietor(), (d) =>
        Object.assign(d.campaign, {
          help_keywords: ["HELP"],
          help_message: "Jane's Bakery: call 415-555-0123 for help.",
        }),
      ),
      "warning campaign.help_message help_message_incomplete",
    ],
    [
      "an opt-out reply that confirms nothing",
      edit(soleProprietor(), (d) =>
        Object.assign(d.campaign, {
          opt_out_keywords: ["STOP"],
          opt_out_message: "Jane's Bakery: see you soon, friend!",
        }),
      ),
      "warning campaign.opt_out_message opt_out_message_incomplete",
    ],
    [
      "a toll-free HELP sample without STOP",
      edit(
        tollFree(),
        (d) => (d.toll_free.help_message_sample = "Acme Sandwich: call 415-555-0123 for help."),
      ),
      "warning toll_free.help_message_sample help_message_incomplete",
    ],
  ])("warns about %s", (_name, doc, expected) => {
    expect(codesAt(doc)).toContain(expected);
  });

  it.each([
    ["Jane's Bakery: Help at janesbakery.com. Reply STOP to opt out."],
    ["Jane's Bakery: call (415) 555-0123. Reply STOP to unsubscribe."],
    ["Jane's Bakery: help@janesbakery.com. Text STOP to stop."],
  ])("accepts the HELP reply %j", (help_message) => {
    const doc = edit(soleProprietor(), (d) =>
      Object.assign(d.campaign, { help_keywords: ["HELP"], help_message }),
    );
    expect(codesAt(doc)).toEqual([]);
  });
});
