import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import {
  isRegistrationKind,
  REGISTRATION_KINDS,
  registrationDocumentSchema,
  registrationSchemas,
} from "../../src/onboarding/document.js";
import { edit, soleProprietor, standard, tollFree } from "./registration-fixtures.js";

// Strict mode: the schema must not rely on keywords Ajv would ignore.
const ajv = new Ajv({ strict: true, allErrors: true });
const validateDocument = ajv.compile(registrationDocumentSchema);

describe("the registration document schema", () => {
  it.each([
    ["a sole proprietor", soleProprietor()],
    ["a standard brand", standard()],
    ["a low-volume standard brand", standard("low_volume_standard")],
    ["a toll-free verification", tollFree()],
    ["a toll-free verification with a tax id", edit(tollFree(), (d) => (d.business.tax_id = "12-3456789"))],
    [
      "optional Twilio fields",
      edit(standard(), (d) => Object.assign(d.campaign, { age_gated: false, help_keywords: ["INFO"] })),
    ],
  ])("accepts %s", (_name, doc) => {
    expect(validateDocument(doc), JSON.stringify(validateDocument.errors)).toBe(true);
  });

  it.each([
    ["an unknown top-level field", edit(soleProprietor(), (d) => (d.priority = "high"))],
    ["an unknown business field", edit(soleProprietor(), (d) => (d.business.nickname = "JB"))],
    ["an unknown address field", edit(standard(), (d) => (d.business.address.country = "US"))],
    ["an unknown campaign field", edit(standard(), (d) => (d.campaign.samples = []))],
    ["an unknown toll-free field", edit(tollFree(), (d) => (d.toll_free.volume = "10"))],
    ["an unknown kind", edit(standard(), (d) => (d.kind = "premium"))],
    ["a standard brand without tax id", edit(standard(), (d) => delete d.business.tax_id)],
    [
      "a sole proprietor without mobile",
      edit(soleProprietor(), (d) => delete d.business.mobile_phone_number),
    ],
    ["a toll-free verification without its details", edit(tollFree(), (d) => delete d.toll_free)],
    ["a toll-free verification with a campaign", edit(tollFree(), (d) => (d.campaign = standard().campaign))],
    [
      "a sole proprietor with a standard business",
      edit(soleProprietor(), (d) => (d.business = standard().business)),
    ],
    ["samples that are not strings", edit(standard(), (d) => (d.campaign.message_samples = [1, 2]))],
    ["a null where a string is needed", edit(standard(), (d) => (d.business.address.city = null))],
  ])("refuses %s", (_name, doc) => {
    expect(validateDocument(doc)).toBe(false);
  });

  it("accepts a null second street line", () => {
    expect(
      validateDocument(edit(soleProprietor(), (d) => (d.business.address.street_secondary = null))),
    ).toBe(true);
  });

  it("has a strict schema per kind that refuses the other kinds", () => {
    for (const kind of REGISTRATION_KINDS) {
      const validate = ajv.compile(registrationSchemas[kind]);
      const docs = {
        sole_proprietor: soleProprietor(),
        standard: standard(),
        low_volume_standard: standard("low_volume_standard"),
        toll_free: tollFree(),
      };
      for (const [other, doc] of Object.entries(docs)) expect(validate(doc)).toBe(other === kind);
    }
  });

  it.each([
    ["standard", true],
    ["toll_free", true],
    ["starter", false],
    [42, false],
  ])("knows whether %j is a registration kind", (value, expected) => {
    expect(isRegistrationKind(value)).toBe(expected);
  });
});
