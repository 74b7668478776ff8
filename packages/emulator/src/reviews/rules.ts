import {
  type AddressFacts,
  addressProblem,
  containsPhoneNumber,
  disallowedTopic,
  einProblem,
  emailProblem,
  hasInsecureUrl,
  hasOptInMethod,
  isNanp,
  legalNameProblem,
  mentionsBrand,
  websiteProblem,
  wordCount,
} from "./checks.js";

/**
 * The review outcomes of the emulated Trust Hub, TCR and toll-free reviewers: deterministic rules
 * over the submitted data. Pure functions; the review jobs gather the facts and apply the result.
 * The table below documents every rule (docs/reviews.md explains them); each failure names its rule.
 */
export interface Failure {
  rule: string;
  code: number;
  reason: string;
  fields: string[];
  /** TCR's brand feedback category, for brand failures that have one. */
  feedback?: "TAX_ID" | "STOCK_SYMBOL" | "NONPROFIT" | "GOVERNMENT_ENTITY" | "OTHERS";
  /** Toll-free: whether the submission may be edited and resubmitted. */
  editable?: boolean;
}

/**
 * The rules, by review. Each failure names its rule; docs/reviews.md explains them for users.
 *
 * | rule                      | when                                                                   | outcome           | code  |
 * |---------------------------|------------------------------------------------------------------------|-------------------|-------|
 * | bundle.email              | bundle Email or an end user's email: bad syntax, reserved TLD, disposable | twilio-rejected | 18604 |
 * | bundle.address            | address missing; starter profiles also: not US/CA, bad postal code/region | twilio-rejected | 18603 |
 * | bundle.website            | website_url on localhost, an IP, a placeholder or staging host        | twilio-rejected   | 18601 |
 * | brand.bundle              | a bundle unknown, draft, rejected (or failing the bundle rules)        | FAILED            | 30701 |
 * | brand.ein                 | STANDARD, EIN identifier: not 9 digits, one digit repeated, 00-, 123456789 | FAILED TAX_ID | 30799 |
 * | brand.legal_name          | business_name with DBA, or Corporation/LLC name without its suffix     | FAILED TAX_ID     | 30799 |
 * | brand.stock               | company_type public with stock_exchange NONE (or no exchange/ticker)   | FAILED STOCK_SYMBOL | 30799 |
 * | brand.address             | a US/CA address with an invalid region or postal code                  | FAILED            | 30701 |
 * | brand.country             | address in an embargoed country (CU, IR, KP, SY)                       | FAILED            | 30729 |
 * | brand.mobile_country      | SOLE_PROPRIETOR mobile not a US/CA (NANP) number                       | FAILED            | 30751 |
 * | brand.mobile_reuse        | SOLE_PROPRIETOR mobile already in 3 accepted brands (any account)      | FAILED            | 30712 |
 * | brand.brand_name          | SOLE_PROPRIETOR brand_name is an email address or only digits          | FAILED            | 30701 |
 * | brand.otp_deadline        | SOLE_PROPRIETOR OTP unanswered 30 days after registration              | FAILED            | 30752 |
 * | campaign.brand_unverified | brand no longer APPROVED, or a sole proprietor's OTP unconfirmed       | FAILED            | 30991 |
 * | campaign.samples_brand    | no message sample names the brand (suffix optional)                    | FAILED            | 30893 |
 * | campaign.samples_short    | a message sample has fewer than 5 words                                | FAILED            | 30893 |
 * | campaign.opt_in           | message_flow names no opt-in method (opt in, consent, checkbox, form…) | FAILED            | 30544 |
 * | campaign.embedded_phone   | HasEmbeddedPhone but no sample contains a phone number                 | FAILED            | 30889 |
 * | campaign.content          | cannabis, crypto, debt relief or payday loans in the text              | FAILED            | 30897 |
 * | tollfree.opt_in_missing   | no OptInImageUrls                                                      | TWILIO_REJECTED   | 30842 |
 * | tollfree.opt_in_url       | an opt-in URL or the website is not publicly reachable-looking         | TWILIO_REJECTED   | 30836 |
 * | tollfree.contact          | NotificationEmail / BusinessContactEmail invalid, unknown, disposable  | TWILIO_REJECTED   | 30801 |
 * | tollfree.insecure_url     | ProductionMessageSample contains an http:// URL                        | TWILIO_REJECTED   | 30858 |
 * | tollfree.content          | crypto 30464, debt relief 30466, cannabis/payday 30897 — not editable  | TWILIO_REJECTED   | 304xx |
 */
export const RULE_IDS = [
  "bundle.email",
  "bundle.address",
  "bundle.website",
  "brand.bundle",
  "brand.ein",
  "brand.legal_name",
  "brand.stock",
  "brand.address",
  "brand.country",
  "brand.mobile_country",
  "brand.mobile_reuse",
  "brand.brand_name",
  "brand.otp_deadline",
  "campaign.brand_unverified",
  "campaign.samples_brand",
  "campaign.samples_short",
  "campaign.opt_in",
  "campaign.embedded_phone",
  "campaign.content",
  "tollfree.opt_in_missing",
  "tollfree.opt_in_url",
  "tollfree.contact",
  "tollfree.insecure_url",
  "tollfree.content",
] as const;

/* ------------------------------------------------------------------ bundles */

export interface BundleFacts {
  /** Starter profiles (sole proprietors) take US or Canadian addresses only. */
  usOrCanadaOnly: boolean;
  emails: { field: string; value: string }[];
  websites: string[];
  addresses: AddressFacts[];
}

export function bundleFailures(f: BundleFacts): Failure[] {
  const out: Failure[] = [];
  for (const e of f.emails) {
    const p = emailProblem(e.value);
    if (p) out.push({ rule: "bundle.email", code: 18604, reason: p.reason, fields: [e.field] });
  }
  for (const a of f.addresses) {
    const p = addressProblem(a, { usOrCanadaOnly: f.usOrCanadaOnly, format: f.usOrCanadaOnly });
    if (p) out.push({ rule: "bundle.address", code: 18603, reason: p.reason, fields: [p.field] });
  }
  for (const w of f.websites) {
    const p = websiteProblem(w);
    if (p)
      out.push({
        rule: "bundle.website",
        code: 18601,
        reason: `The association between business name and website cannot be verified: ${p}`,
        fields: ["website_url"],
      });
  }
  return out;
}

/* ------------------------------------------------------------------- brands */

export interface BundleState {
  sid: string;
  exists: boolean;
  status: string | null;
  failures: Failure[];
}

export interface BrandFacts {
  brand_type: "STANDARD" | "SOLE_PROPRIETOR";
  customerProfile: BundleState;
  a2pProfile: BundleState;
  business: Record<string, unknown>;
  a2p: Record<string, unknown>;
  sole: Record<string, unknown>;
  addresses: AddressFacts[];
  /** Other accepted sole-proprietor brands, in any account, with the same mobile number. */
  mobileUses: number;
}

export const PROFILE_UNAVAILABLE =
  "Unable to fetch Customer Profile Bundle details, please check if the correct bundle sid was provided for registration and the bundle is compliant.";
export const A2P_UNAVAILABLE =
  "Unable to fetch A2P Bundle Details, please check if the correct bundle sid was provided for registration and the bundle is compliant.";

/** Why a bundle cannot back a brand yet, or null. Draft and rejected bundles fail the brand. */
function bundleUnavailable(b: BundleState, reason: string, field: string): Failure | null {
  const broken = !b.exists || b.status === "draft" || b.status === "twilio-rejected" || b.failures.length > 0;
  if (!broken) return null;
  const detail = b.failures.map((x) => x.reason).join("; ");
  return {
    rule: "brand.bundle",
    code: 30701,
    reason: detail ? `${reason} ${detail}` : reason,
    fields: [field],
  };
}

const EMBARGOED = ["CU", "IR", "KP", "SY"];
const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

/** The brand's bundles cannot back it: unknown, draft, rejected, or failing the bundle rules. */
export function brandBundleFailures(f: Pick<BrandFacts, "customerProfile" | "a2pProfile">): Failure[] {
  return [
    bundleUnavailable(f.customerProfile, PROFILE_UNAVAILABLE, "customer_profile_bundle_sid"),
    bundleUnavailable(f.a2pProfile, A2P_UNAVAILABLE, "a2p_profile_bundle_sid"),
  ].filter((x): x is Failure => x !== null);
}

export function brandFailures(f: BrandFacts): Failure[] {
  const unavailable = brandBundleFailures(f);
  if (unavailable.length) return unavailable;

  const out: Failure[] = [];
  for (const a of f.addresses) {
    const country = str(a.iso_country).toUpperCase();
    if (EMBARGOED.includes(country))
      out.push({
        rule: "brand.country",
        code: 30729,
        reason: `Country code ${country} is not allowed.`,
        fields: ["iso_country"],
      });
    const p = a.found ? addressProblem(a, { usOrCanadaOnly: false, format: true }) : null;
    if (p)
      out.push({
        rule: "brand.address",
        code: 30701,
        reason: `Invalid ${p.field === "region" ? "State/Region/Province" : "postal code"}. ${p.reason}`,
        fields: [p.field],
      });
  }
  return f.brand_type === "SOLE_PROPRIETOR"
    ? [...out, ...soleProprietorFailures(f)]
    : [...out, ...standardFailures(f)];
}

function standardFailures(f: BrandFacts): Failure[] {
  const out: Failure[] = [];
  const identifier = str(f.business.business_registration_identifier).toUpperCase();
  const ein = str(f.business.business_registration_number);
  const tax = (reason: string, field: string): Failure => ({
    rule: field === "business_name" ? "brand.legal_name" : "brand.ein",
    code: 30799,
    reason: `We were unable to verify the details of the registration data: ${reason}.`,
    fields: [field],
    feedback: "TAX_ID",
  });
  if (identifier === "EIN" && ein) {
    const p = einProblem(ein);
    if (p) out.push(tax(p, "business_registration_number"));
  }
  const name = legalNameProblem(str(f.business.business_name), str(f.business.business_type));
  if (name) out.push(tax(name, "business_name"));
  const exchange = str(f.a2p.stock_exchange).toUpperCase();
  const unlisted = !exchange || exchange === "NONE" || !str(f.a2p.stock_ticker);
  if (str(f.a2p.company_type).toLowerCase() === "public" && unlisted)
    out.push({
      rule: "brand.stock",
      code: 30799,
      reason: "A public company must be listed: give its stock exchange and ticker symbol.",
      fields: ["stock_exchange", "stock_ticker"],
      feedback: "STOCK_SYMBOL",
    });
  return out;
}

function soleProprietorFailures(f: BrandFacts): Failure[] {
  const out: Failure[] = [];
  const mobile = str(f.sole.mobile_phone_number);
  if (!isNanp(mobile))
    out.push({
      rule: "brand.mobile_country",
      code: 30751,
      reason: `Unsupported mobile phone number ${mobile}: use a valid US or Canadian mobile number.`,
      fields: ["mobile_phone_number"],
    });
  else if (f.mobileUses >= 3)
    out.push({
      rule: "brand.mobile_reuse",
      code: 30712,
      reason: `Max registration limit reached: ${mobile} is already used by ${f.mobileUses} brands (3 allowed).`,
      fields: ["mobile_phone_number"],
    });
  const brandName = str(f.sole.brand_name).trim();
  if (brandName.includes("@") || /^\d+$/.test(brandName))
    out.push({
      rule: "brand.brand_name",
      code: 30701,
      reason: `brand_name "${brandName}" must be the business or person's name, not an identifier.`,
      fields: ["brand_name"],
    });
  return out;
}

/* ---------------------------------------------------------------- campaigns */

export interface CampaignFacts {
  brandStatus: string;
  brandType: string;
  identityStatus: string | null;
  brandNames: string[];
  description: string;
  messageFlow: string;
  samples: string[];
  hasEmbeddedPhone: boolean;
}

export function campaignFailures(f: CampaignFacts): Failure[] {
  const out: Failure[] = [];
  const unverified = f.brandType === "SOLE_PROPRIETOR" && f.identityStatus !== "VERIFIED";
  if (f.brandStatus !== "APPROVED" || unverified)
    out.push({
      rule: "campaign.brand_unverified",
      code: 30991,
      reason:
        "The Brand of this Campaign is in an unverified status. Campaign registrations under unverified brands is not allowed.",
      fields: [],
    });
  if (f.brandNames.length && !f.samples.some((s) => mentionsBrand(s, f.brandNames)))
    out.push({
      rule: "campaign.samples_brand",
      code: 30893,
      reason:
        "No message sample identifies the brand by name; at least one sample must include the business name.",
      fields: ["MESSAGE_SAMPLES"],
    });
  if (f.samples.some((s) => wordCount(s) < 5))
    out.push({
      rule: "campaign.samples_short",
      code: 30893,
      reason: "Message samples are too short or generic to show the messages this campaign will send.",
      fields: ["MESSAGE_SAMPLES"],
    });
  if (!hasOptInMethod(f.messageFlow))
    out.push({
      rule: "campaign.opt_in",
      code: 30544,
      reason: "The message flow does not describe how end users opt in to receive messages.",
      fields: ["MESSAGE_FLOW"],
    });
  if (f.hasEmbeddedPhone && !f.samples.some(containsPhoneNumber))
    out.push({
      rule: "campaign.embedded_phone",
      code: 30889,
      reason: "Embedded phone number is selected but no message sample contains a phone number.",
      fields: ["HAS_EMBEDDED_PHONE", "MESSAGE_SAMPLES"],
    });
  const topic = disallowedTopic([f.description, f.messageFlow, ...f.samples].join(" "));
  if (topic)
    out.push({
      rule: "campaign.content",
      code: 30897,
      reason: `The campaign submission has been reviewed and it was rejected due to Disallowed Content (${topic.topic}).`,
      fields: ["DESCRIPTION"],
    });
  return out;
}

/* ---------------------------------------------------------------- toll-free */

export interface TollfreeFacts {
  optInImageUrls: string[];
  businessWebsite: string;
  emails: { field: string; value: string }[];
  productionMessageSample: string;
  useCaseSummary: string;
}

export function tollfreeFailures(f: TollfreeFacts): Failure[] {
  const out: Failure[] = [];
  if (f.optInImageUrls.length === 0)
    out.push({
      rule: "tollfree.opt_in_missing",
      code: 30842,
      reason: "Opt-in not provided: proof of how consumers consent to messages is required.",
      fields: ["OptInImageUrls"],
      editable: true,
    });
  for (const [field, url] of [
    ...f.optInImageUrls.map((u) => ["OptInImageUrls", u] as const),
    ["BusinessWebsite", f.businessWebsite] as const,
  ]) {
    const p = websiteProblem(url);
    if (p)
      out.push({
        rule: "tollfree.opt_in_url",
        code: 30836,
        reason: `URL not accessible: ${p}.`,
        fields: [field],
        editable: true,
      });
  }
  for (const e of f.emails) {
    const p = emailProblem(e.value);
    if (p)
      out.push({
        rule: "tollfree.contact",
        code: 30801,
        reason: `${e.field}: ${p.reason}`,
        fields: [e.field],
        editable: true,
      });
  }
  if (hasInsecureUrl(f.productionMessageSample))
    out.push({
      rule: "tollfree.insecure_url",
      code: 30858,
      reason: "High Risk - Non-secured URL in sample message: use https://.",
      fields: ["ProductionMessageSample"],
      editable: true,
    });
  const topic = disallowedTopic(`${f.useCaseSummary} ${f.productionMessageSample}`);
  if (topic)
    out.push({
      rule: "tollfree.content",
      code: topic.tollfreeCode,
      reason: `Disallowed content: ${topic.topic}.`,
      fields: ["UseCaseSummary"],
      editable: false,
    });
  return out;
}
