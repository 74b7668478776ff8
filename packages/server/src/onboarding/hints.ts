/**
 * Twilio's rejection codes and reasons → what the user should change, in plain language, and
 * which document fields to edit. Sources: Twilio's sole proprietor walkthrough and its
 * troubleshooting guide (profile e-mail/address validation, brand failure reasons, OTP), Trust
 * Hub evaluation codes 22214–22219 (all in docs/twilio-facts.md), Twilio's error pages for the
 * 30xxx codes. Pure; one table, so a new code is a one-line edit.
 */
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import type { FailureReason } from "./store.js";

interface Hint {
  code: string;
  hint: string;
  /** Document fields by kind family; "*" for all kinds. */
  fields?: Partial<Record<"sole" | "org" | "toll_free" | "*", string[]>>;
}

const ORG_TAX = ["business.legal_name", "business.tax_id", "business.business_type"];

export const HINTS: Record<number, Hint> = {
  18601: {
    code: "website_unverifiable",
    hint: "Use the business's live, public website (not localhost, an IP, a staging or placeholder site), then resubmit.",
    fields: { org: ["business.website"], toll_free: ["business.website"] },
  },
  18603: {
    code: "address_invalid",
    hint: "Correct the address (a sole proprietor needs a real US or Canadian address with a valid postal code and state/province), then resubmit.",
    fields: { "*": ["business.address"] },
  },
  18604: {
    code: "email_invalid",
    hint: "Use a real mailbox the customer reads, on a real domain; disposable and unknown domains are refused. PATCH the e-mail, then resubmit.",
    fields: {
      sole: ["business.email"],
      org: ["business.contact.email"],
      toll_free: ["business.contact.email"],
    },
  },
  22214: {
    code: "profile_incomplete",
    hint: "A required part of the profile is missing; this is our bug if it persists — contact support.",
  },
  22215: {
    code: "profile_incomplete",
    hint: "A required business field is missing; fill in every required field and resubmit.",
  },
  22216: {
    code: "profile_incomplete",
    hint: "The address document is missing; check the address and resubmit.",
  },
  22217: {
    code: "profile_incomplete",
    hint: "A document field is missing or does not match; check the address and resubmit.",
  },
  22219: {
    code: "address_invalid",
    hint: "The address is missing or invalid; correct it and resubmit.",
    fields: { "*": ["business.address"] },
  },
  30701: {
    code: "brand_data_invalid",
    hint: "TCR could not register the brand with this data. Check the profile data (name, address, e-mail) is accurate and well-formed, PATCH it and resubmit.",
  },
  30712: {
    code: "mobile_reuse_limit",
    hint: "This mobile number already backs 3 brands (TCR's lifetime limit, other vendors included). Use another mobile number the customer owns and resubmit.",
    fields: { sole: ["business.mobile_phone_number"] },
  },
  30729: {
    code: "country_not_allowed",
    hint: "Businesses in this country cannot register 10DLC brands.",
    fields: { "*": ["business.address.iso_country"] },
  },
  30751: {
    code: "mobile_not_us_ca",
    hint: "A sole proprietor's OTP number must be a US or Canadian mobile number the customer can answer. PATCH it and resubmit.",
    fields: { sole: ["business.mobile_phone_number"] },
  },
  30752: {
    code: "otp_expired",
    hint: "The customer did not reply YES to the verification text within 30 days. Resubmit to register the brand again (a new text is sent); make sure the customer watches for it.",
    fields: { sole: ["business.mobile_phone_number"] },
  },
  30799: {
    code: "tax_id_mismatch",
    hint: "The legal name and tax id must match the IRS record exactly (the EIN confirmation letter, CP-575 or 147C), with the entity suffix (Inc., LLC…) and no DBA name. PATCH them and resubmit.",
    fields: { org: ORG_TAX },
  },
  30544: {
    code: "opt_in_unclear",
    hint: "Describe exactly how people opt in (where, which checkbox or keyword, the links to the terms and privacy policy). PATCH campaign.message_flow and resubmit.",
    fields: { sole: ["campaign.message_flow"], org: ["campaign.message_flow"] },
  },
  30889: {
    code: "embedded_phone_mismatch",
    hint: "has_embedded_phone is true but no sample contains a phone number: add one to a sample or set it false, then resubmit.",
    fields: {
      sole: ["campaign.has_embedded_phone", "campaign.message_samples"],
      org: ["campaign.has_embedded_phone", "campaign.message_samples"],
    },
  },
  30893: {
    code: "samples_unclear",
    hint: 'Each sample must be a real message that names the brand (e.g. "Jane\'s Bakery: your order [order_id] is ready"). PATCH campaign.message_samples and resubmit.',
    fields: { sole: ["campaign.message_samples"], org: ["campaign.message_samples"] },
  },
  30897: {
    code: "content_disallowed",
    hint: "The campaign describes content carriers forbid (cannabis, crypto, debt relief, payday loans…). This use case cannot be registered.",
  },
  30991: {
    code: "brand_unverified",
    hint: "The campaign was reviewed while its brand was not approved and verified; it is resubmitted once the brand is.",
  },
  30801: {
    code: "contact_email_invalid",
    hint: "Use a real notification/contact e-mail on a real domain and resubmit.",
    fields: { toll_free: ["toll_free.notification_email", "business.contact.email"] },
  },
  30836: {
    code: "url_unreachable",
    hint: "Reviewers must be able to open the website and every opt-in image URL: use public https addresses and resubmit.",
    fields: { toll_free: ["toll_free.opt_in_image_urls", "business.website"] },
  },
  30842: {
    code: "opt_in_missing",
    hint: "Show how consumers opt in: add screenshots of the opt-in form (opt_in_image_urls) and resubmit.",
    fields: { toll_free: ["toll_free.opt_in_image_urls"] },
  },
  30858: {
    code: "insecure_url_in_sample",
    hint: "The sample message links over plain http: use https:// links and resubmit.",
    fields: { toll_free: ["toll_free.production_message_sample"] },
  },
  30464: {
    code: "content_disallowed",
    hint: "Cryptocurrency messaging cannot be verified on toll-free numbers.",
  },
  30466: {
    code: "content_disallowed",
    hint: "Debt relief messaging cannot be verified on toll-free numbers.",
  },
};

const BY_REASON: { pattern: RegExp; twilioCode: number }[] = [
  { pattern: /disposable|email domain|email is invalid/i, twilioCode: 18604 },
  { pattern: /address|postal code|region|locality/i, twilioCode: 18603 },
  { pattern: /website/i, twilioCode: 18601 },
  { pattern: /otp/i, twilioCode: 30752 },
];

function family(kind: RegistrationKind): "sole" | "org" | "toll_free" {
  return kind === "sole_proprietor" ? "sole" : kind === "toll_free" ? "toll_free" : "org";
}

/** A Twilio failure (code and/or reason) as a reason the user can act on. */
export function explain(
  kind: RegistrationKind,
  failure: { twilio_code?: number | null; reason: string; twilio_fields?: string[] },
): FailureReason {
  const code =
    failure.twilio_code ?? BY_REASON.find((r) => r.pattern.test(failure.reason))?.twilioCode ?? null;
  const hint = code !== null ? HINTS[code] : undefined;
  const fields = hint?.fields?.[family(kind)] ?? hint?.fields?.["*"] ?? [];
  return {
    code: hint?.code ?? "rejected",
    twilio_code: failure.twilio_code ?? null,
    reason: failure.reason,
    fields,
    hint:
      hint?.hint ??
      "Read Twilio's reason, correct the registration (PATCH) and resubmit; if the reason is unclear, contact Twilio support with the SID.",
  };
}

/** Codes Twilio will not take a resubmission for (the content itself is forbidden). */
export function isFinalRejection(twilioCode: number | null): boolean {
  return twilioCode === 30897 || twilioCode === 30464 || twilioCode === 30466;
}
