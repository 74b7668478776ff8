/**
 * Twilio's allowed values and limits for registration fields (docs/twilio-facts.md: "Campaigns",
 * "Toll-free verification", "Trust Hub", "Sole proprietor walkthrough"). One place, so a Twilio
 * change is a one-line edit.
 */

/** Campaign field lengths (Usa2p create params). */
export const LIMITS = {
  description: { min: 40, max: 4096 },
  message_flow: { min: 40, max: 2048 },
  message_samples: { minItems: 2, maxItems: 5 },
  message_sample: { min: 20, max: 1024 },
  keyword_message: { min: 20, max: 320 },
  /** Twilio: "Values must be alphanumeric. Max length: 255 characters." We apply the 255 to the
   * comma-joined list, the form TCR stores it in, which is the stricter reading. */
  keywords_joined: { max: 255 },
  /** Twilio documents no bounds for the toll-free sample; the campaign sample bounds are used. */
  production_message_sample: { min: 20, max: 1024 },
} as const;

export const A2P_USE_CASES = [
  "2FA",
  "ACCOUNT_NOTIFICATION",
  "AGENTS_FRANCHISES",
  "CHARITY",
  "PROXY",
  "CUSTOMER_CARE",
  "DELIVERY_NOTIFICATION",
  "EMERGENCY",
  "FRAUD_ALERT",
  "HIGHER_EDUCATION",
  "K12_EDUCATION",
  "LOW_VOLUME",
  "MARKETING",
  "MIXED",
  "POLITICAL",
  "POLLING_VOTING",
  "PUBLIC_SERVICE_ANNOUNCEMENT",
  "SECURITY_ALERT",
  "SOCIAL",
  "SWEEPSTAKE",
  "SOLE_PROPRIETOR",
] as const;

/** Use cases the carriers approve only after a separate review ([T] in the use-case list). */
export const POST_APPROVAL_USE_CASES = new Set([
  "AGENTS_FRANCHISES",
  "PROXY",
  "EMERGENCY",
  "K12_EDUCATION",
  "SOCIAL",
  "SWEEPSTAKE",
]);

/** Use cases (10DLC) and categories (toll-free) whose messages must not advertise. */
export const NON_MARKETING_USE_CASES = new Set([
  "2FA",
  "TWO_FACTOR_AUTHENTICATION",
  "ACCOUNT_NOTIFICATIONS",
  "DELIVERY_NOTIFICATIONS",
  "FRAUD_ALERT_MESSAGING",
  "K12",
  "POLLING_AND_VOTING_NON_POLITICAL",
  "ACCOUNT_NOTIFICATION",
  "CUSTOMER_CARE",
  "DELIVERY_NOTIFICATION",
  "FRAUD_ALERT",
  "SECURITY_ALERT",
  "HIGHER_EDUCATION",
  "K12_EDUCATION",
  "PUBLIC_SERVICE_ANNOUNCEMENT",
  "EMERGENCY",
  "POLLING_VOTING",
]);

export const TOLL_FREE_USE_CASE_CATEGORIES = [
  "TWO_FACTOR_AUTHENTICATION",
  "ACCOUNT_NOTIFICATIONS",
  "CUSTOMER_CARE",
  "CHARITY_NONPROFIT",
  "DELIVERY_NOTIFICATIONS",
  "FRAUD_ALERT_MESSAGING",
  "EVENTS",
  "HIGHER_EDUCATION",
  "K12",
  "MARKETING",
  "POLLING_AND_VOTING_NON_POLITICAL",
  "POLITICAL_ELECTION_CAMPAIGNS",
  "PUBLIC_SERVICE_ANNOUNCEMENT",
  "SECURITY_ALERT",
] as const;

export const TOLL_FREE_OPT_IN_TYPES = [
  "VERBAL",
  "WEB_FORM",
  "PAPER_FORM",
  "VIA_TEXT",
  "MOBILE_QR_CODE",
  "IMPORT",
  "IMPORT_PLEASE_REPLACE",
] as const;

/** Monthly volume buckets of the toll-free verification form, spelled as Twilio expects. */
export const TOLL_FREE_MESSAGE_VOLUMES = [
  "10",
  "100",
  "1,000",
  "10,000",
  "100,000",
  "250,000",
  "500,000",
  "750,000",
  "1,000,000",
  "5,000,000",
  "10,000,000+",
] as const;

/** TrustHub `customer_profile_business_information.business_type`. */
export const BUSINESS_TYPES = [
  "Sole Proprietorship",
  "Partnership",
  "Limited Liability Corporation",
  "Co-operative",
  "Non-profit Corporation",
  "Corporation",
] as const;

export const BUSINESS_INDUSTRIES = [
  "AGRICULTURE",
  "AUTOMOTIVE",
  "BANKING",
  "CONSUMER",
  "EDUCATION",
  "ELECTRONICS",
  "ENERGY",
  "ENGINEERING",
  "FAST_MOVING_CONSUMER_GOODS",
  "FINANCIAL",
  "FINTECH",
  "FOOD_AND_BEVERAGE",
  "GOVERNMENT",
  "HEALTHCARE",
  "HOSPITALITY",
  "INSURANCE",
  "JEWELRY",
  "LEGAL",
  "MANUFACTURING",
  "MEDIA",
  "NOT_FOR_PROFIT",
  "OIL_AND_GAS",
  "ONLINE",
  "RAW_MATERIALS",
  "REAL_ESTATE",
  "RELIGION",
  "RETAIL",
  "TECHNOLOGY",
  "TELECOMMUNICATIONS",
  "TRANSPORTATION",
  "TRAVEL",
] as const;

/** `us_a2p_messaging_profile_information.company_type`. */
export const COMPANY_TYPES = ["public", "private", "non_profit", "government"] as const;

export const REGIONS_OF_OPERATION = [
  "AFRICA",
  "ASIA",
  "EUROPE",
  "LATIN_AMERICA",
  "USA_AND_CANADA",
  "AUSTRALIA",
] as const;

/** TCR lifetime reuse limits across all A2P brands (sole proprietor walkthrough). */
export const REUSE_LIMITS = { mobile_phone_number: 3, email: 10, address: 10 } as const;
