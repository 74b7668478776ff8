import { describe, expect, it } from "vitest";
import { validateRegistration } from "@subtext/telecom/registration/rules";
import { edit, soleProprietor, standard, tollFree } from "./registration-fixtures.js";

function codesAt(doc: unknown) {
  return validateRegistration(doc).findings.map((f) => `${f.severity} ${f.path} ${f.code}`);
}

describe("sole proprietor business rules", () => {
  const sp = soleProprietor;
  it.each([
    [
      "a contact phone without +",
      edit(sp(), (d) => (d.business.phone_number = "4155550123")),
      "error business.phone_number phone_not_e164",
    ],
    [
      "a formatted mobile",
      edit(sp(), (d) => (d.business.mobile_phone_number = "+1 415 555 0124")),
      "error business.mobile_phone_number phone_not_e164",
    ],
    [
      "an impossible number",
      edit(sp(), (d) => (d.business.phone_number = "+1415555012")),
      "error business.phone_number phone_invalid",
    ],
    [
      "a UK mobile for the OTP",
      edit(sp(), (d) => (d.business.mobile_phone_number = "+447911123456")),
      "error business.mobile_phone_number mobile_not_us_ca",
    ],
    [
      "a toll-free number for the OTP",
      edit(sp(), (d) => (d.business.mobile_phone_number = "+18005550123")),
      "error business.mobile_phone_number mobile_not_mobile",
    ],
    [
      "a Canadian mobile for the OTP",
      edit(sp(), (d) => (d.business.mobile_phone_number = "+16135550123")),
      null,
    ],
    [
      "a UK address",
      edit(sp(), (d) => Object.assign(d.business.address, { iso_country: "GB", postal_code: "SW1A 1AA" })),
      "error business.address.iso_country address_not_us_ca",
    ],
    [
      "a Canadian address",
      edit(sp(), (d) =>
        Object.assign(d.business.address, { iso_country: "CA", region: "ON", postal_code: "K1A 0B1" }),
      ),
      null,
    ],
    [
      "a four-digit ZIP code",
      edit(sp(), (d) => (d.business.address.postal_code = "6270")),
      "error business.address.postal_code postal_code_invalid",
    ],
    ["a ZIP+4 code", edit(sp(), (d) => (d.business.address.postal_code = "62701-1234")), null],
    [
      "a three-letter country",
      edit(sp(), (d) => (d.business.address.iso_country = "USA")),
      "error business.address.iso_country country_code_invalid",
    ],
    [
      "an unassigned country code",
      edit(sp(), (d) => (d.business.address.iso_country = "XX")),
      "error business.address.iso_country country_code_invalid",
    ],
    [
      "a malformed e-mail",
      edit(sp(), (d) => (d.business.email = "jane@@janesbakery")),
      "error business.email email_invalid",
    ],
    [
      "a disposable e-mail",
      edit(sp(), (d) => (d.business.email = "jane@mailinator.com")),
      "error business.email email_disposable",
    ],
    [
      "a disposable e-mail on a wildcard domain",
      edit(sp(), (d) => (d.business.email = "jane@shop.33mail.com")),
      "error business.email email_disposable",
    ],
    [
      "a free mailbox (fine for a person)",
      edit(sp(), (d) => (d.business.email = "jane.doe@gmail.com")),
      null,
    ],
    [
      "an e-mail as brand name",
      edit(sp(), (d) => (d.business.brand_name = "jane@janesbakery.com")),
      "error business.brand_name brand_name_is_identifier",
    ],
    [
      "an account id as brand name",
      edit(sp(), (d) => (d.business.brand_name = "cust_48213")),
      "error business.brand_name brand_name_is_identifier",
    ],
    [
      "a brand name the samples do not use",
      edit(sp(), (d) => (d.business.brand_name = "Mary Smith")),
      "warning campaign.message_samples[0] sample_missing_brand",
    ],
  ])("checks %s", (_name, doc, expected) => {
    const codes = codesAt(doc);
    if (expected === null) expect(codes).toEqual([]);
    else expect(codes).toContain(expected);
  });
});

describe("standard brand business rules", () => {
  const st = standard;
  it.each([
    ["an EIN without dash", edit(st(), (d) => (d.business.tax_id = "123456789")), null],
    [
      "an 8-digit EIN",
      edit(st(), (d) => (d.business.tax_id = "12-345678")),
      "error business.tax_id ein_invalid",
    ],
    [
      "an EIN with an unassigned prefix",
      edit(st(), (d) => (d.business.tax_id = "07-1234567")),
      "warning business.tax_id ein_prefix_unassigned",
    ],
    [
      "a Canadian BN",
      edit(st(), (d) => Object.assign(d.business, { tax_id: "123456789RT0001", tax_id_country: "CA" })),
      null,
    ],
    [
      "a short Canadian BN",
      edit(st(), (d) => Object.assign(d.business, { tax_id: "12345678", tax_id_country: "CA" })),
      "error business.tax_id business_number_invalid",
    ],
    [
      "a legal name without entity suffix",
      edit(st(), (d) => (d.business.legal_name = "Acme Sandwich")),
      "warning business.legal_name legal_name_without_entity_suffix",
    ],
    [
      "a partnership without suffix",
      edit(st(), (d) =>
        Object.assign(d.business, { legal_name: "Acme Sandwich", business_type: "Partnership" }),
      ),
      null,
    ],
    ["a legal name ending in Inc.", edit(st(), (d) => (d.business.legal_name = "Acme Sandwich, Inc.")), null],
    [
      "an abbreviated business type",
      edit(st(), (d) => (d.business.business_type = "LLC")),
      "error business.business_type business_type_unknown",
    ],
    [
      "an unknown industry",
      edit(st(), (d) => (d.business.business_industry = "FOOD")),
      "error business.business_industry business_industry_unknown",
    ],
    [
      "a public company without ticker",
      edit(st(), (d) => Object.assign(d.business, { company_type: "public", stock_exchange: "NYSE" })),
      "error business.stock_ticker stock_info_required",
    ],
    [
      "an unknown region",
      edit(st(), (d) => (d.business.regions_of_operation = ["MARS"])),
      "error business.regions_of_operation[0] region_unknown",
    ],
    [
      "a localhost website",
      edit(st(), (d) => (d.business.website = "http://localhost:3000")),
      "error business.website url_not_public",
    ],
    [
      "a staging website",
      edit(st(), (d) => (d.business.website = "https://staging.acmesandwich.com")),
      "error business.website url_not_public",
    ],
    [
      "a dev app website",
      edit(st(), (d) => (d.business.website = "https://acme-dev.herokuapp.com")),
      "error business.website url_not_public",
    ],
    [
      "an IP website",
      edit(st(), (d) => (d.business.website = "https://203.0.113.7")),
      "error business.website url_not_public",
    ],
    [
      "a tunnel website",
      edit(st(), (d) => (d.business.website = "https://acme.ngrok.io")),
      "error business.website url_not_public",
    ],
    [
      "a placeholder website",
      edit(st(), (d) => (d.business.website = "https://www.example.com")),
      "error business.website url_not_public",
    ],
    ["a website without scheme", edit(st(), (d) => (d.business.website = "acmesandwich.com")), null],
    [
      "an http website",
      edit(st(), (d) => (d.business.website = "http://acmesandwich.com")),
      "warning business.website url_not_https",
    ],
    [
      "something that is not a website",
      edit(st(), (d) => (d.business.website = "acme sandwich")),
      "error business.website url_invalid",
    ],
    [
      "a free-mailbox contact",
      edit(st(), (d) => (d.business.contact.email = "acme.sandwich@gmail.com")),
      "warning business.contact.email email_free_provider",
    ],
  ])("checks %s", (_name, doc, expected) => {
    const codes = codesAt(doc);
    if (expected === null) expect(codes).toEqual([]);
    else expect(codes).toContain(expected);
  });
});

describe("toll-free verification rules", () => {
  const tf = tollFree;
  it.each([
    [
      "an unknown category",
      edit(tf(), (d) => (d.toll_free.use_case_categories = ["PROMOS"])),
      "error toll_free.use_case_categories[0] use_case_category_unknown",
    ],
    [
      "no category",
      edit(tf(), (d) => (d.toll_free.use_case_categories = [])),
      "error toll_free.use_case_categories too_few_items",
    ],
    [
      "an unknown opt-in type",
      edit(tf(), (d) => (d.toll_free.opt_in_type = "WEBSITE")),
      "error toll_free.opt_in_type opt_in_type_unknown",
    ],
    [
      "no opt-in image",
      edit(tf(), (d) => (d.toll_free.opt_in_image_urls = [])),
      "error toll_free.opt_in_image_urls too_few_items",
    ],
    [
      "an http opt-in image",
      edit(tf(), (d) => (d.toll_free.opt_in_image_urls = ["http://acmesandwich.com/a.png"])),
      "error toll_free.opt_in_image_urls[0] url_not_https",
    ],
    [
      "an opt-in image on localhost",
      edit(tf(), (d) => (d.toll_free.opt_in_image_urls = ["https://localhost/a.png"])),
      "error toll_free.opt_in_image_urls[0] url_not_public",
    ],
    [
      "a volume Twilio does not offer",
      edit(tf(), (d) => (d.toll_free.message_volume = "1000")),
      "error toll_free.message_volume message_volume_unknown",
    ],
    ["the top volume bucket", edit(tf(), (d) => (d.toll_free.message_volume = "10,000,000+")), null],
    [
      "a too long production sample",
      edit(tf(), (d) => (d.toll_free.production_message_sample = `Acme Sandwich STOP ${"x".repeat(1010)}`)),
      "error toll_free.production_message_sample too_long",
    ],
    [
      "a production sample without STOP",
      edit(
        tf(),
        (d) =>
          (d.toll_free.production_message_sample = "Acme Sandwich: your order [order_id] is on its way."),
      ),
      "warning toll_free.production_message_sample samples_missing_opt_out",
    ],
    [
      "a disposable notification e-mail",
      edit(tf(), (d) => (d.toll_free.notification_email = "ops@10minutemail.com")),
      "error toll_free.notification_email email_disposable",
    ],
    ["no tax id (optional for toll-free)", edit(tf(), (d) => delete d.business.tax_id), null],
    [
      "a DBA named in the sample",
      edit(tf(), (d) =>
        Object.assign(d.toll_free, {
          doing_business_as: "Sandwich Hub",
          production_message_sample: "Sandwich Hub: order [order_id] is out. Reply STOP to opt out.",
        }),
      ),
      null,
    ],
  ])("checks %s", (_name, doc, expected) => {
    const codes = codesAt(doc);
    if (expected === null) expect(codes).toEqual([]);
    else expect(codes).toContain(expected);
  });
});
