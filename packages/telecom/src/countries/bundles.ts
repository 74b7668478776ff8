/**
 * What a regulatory bundle needs, per country and number type, as Twilio's guidelines state it
 * and in the names of Twilio's Regulatory Compliance API (End-User attributes, Supporting Document
 * types) where we found them. This is a summary for planning and for the onboarding wizard: the
 * authority is the API's Regulation resource (GET /v2/RegulatoryCompliance/Regulations with
 * IsoCountry, NumberType, EndUserType), which Twilio says not to hard-code because regulations
 * change. Read it at submission time; this data says what to expect and how long it takes.
 */
import type { LongCodeType } from "./sender-options.js";
import { normalizeCountry, type ReviewTime, type Sourced } from "./sourced.js";

export type EndUserType = "business" | "individual";

/** Where the end user's address must be. */
export type AddressRequirement =
  /** no address */
  | "none"
  /** anywhere in the world */
  | "any"
  /** in the number's country */
  | "country"
  /** in the locality or region of the number's prefix */
  | "locality";

export interface RequiredDocument {
  /** Twilio's Supporting Document type (machine name), or null where we did not find it. */
  type: string | null;
  /** What the document is, in the country's own terms. */
  description: string;
}

export interface BundleRequirement extends Sourced {
  country: string;
  number_type: LongCodeType;
  end_user_type: EndUserType;
  /** False when the number type is not sold to this end-user type. */
  available: boolean;
  /** End-User attributes (Twilio's names). */
  end_user_fields: readonly string[];
  /** Documents; where several are listed, see `note` for which one satisfies which requirement. */
  documents: readonly RequiredDocument[];
  address: AddressRequirement;
  review_time: ReviewTime;
}

const regulatory = (cc: string) => `https://www.twilio.com/en-us/guidelines/${cc}/regulatory`;

/** Twilio reviews bundles in about two business days; some countries take longer. */
const TYPICAL_REVIEW: ReviewTime = { min_days: 1, max_days: 3 };

const COMMERCIAL_REGISTER = (description: string): RequiredDocument => ({
  type: "commercial_registrar_excerpt",
  description,
});

export const BUNDLE_REQUIREMENTS: readonly BundleRequirement[] = [
  {
    country: "DE",
    number_type: "local",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name", "business_registration_number", "business_website"],
    documents: [
      COMMERCIAL_REGISTER("Handelsregisterauszug (commercial register excerpt)"),
      { type: null, description: "Gewerbeanmeldung (trade licence), instead of the register excerpt" },
      { type: null, description: "Bestätigung Freier Beruf Finanzamt (tax ID notification)" },
    ],
    address: "locality",
    review_time: TYPICAL_REVIEW,
    source: regulatory("de"),
    confidence: "high",
    note: "Address within the prefix's locality, no PO box, matching the registration document; plus the authorised representative's name and e-mail.",
  },
  {
    country: "DE",
    number_type: "local",
    end_user_type: "individual",
    available: false,
    end_user_fields: [],
    documents: [],
    address: "locality",
    review_time: TYPICAL_REVIEW,
    source: regulatory("de"),
    confidence: "high",
    note: "German local numbers are not available to individuals.",
  },
  {
    country: "DE",
    number_type: "mobile",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name"],
    documents: [
      COMMERCIAL_REGISTER("Handelsregisterauszug, as proof of the business name and address"),
      { type: null, description: "Gewerbeanmeldung (trade licence), as proof of address" },
    ],
    address: "country",
    review_time: TYPICAL_REVIEW,
    source: "https://www.twilio.com/docs/phone-numbers/regulatory/api/regulations",
    confidence: "medium",
    note: "Twilio's Regulation resource uses this very case as its example; a German address is our reading of the support article on German numbers.",
  },
  {
    country: "FR",
    number_type: "mobile",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name", "business_registration_number", "first_name", "last_name"],
    documents: [COMMERCIAL_REGISTER("Extrait K-bis naming the authorised representative")],
    address: "country",
    review_time: TYPICAL_REVIEW,
    source: regulatory("fr"),
    confidence: "medium",
    note: "The K-bis proves the name and registration number and, as a second document, the address. French mobiles carry person-to-person traffic only.",
  },
  {
    country: "GB",
    number_type: "mobile",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name"],
    documents: [],
    address: "any",
    review_time: TYPICAL_REVIEW,
    source: regulatory("gb"),
    confidence: "low",
    note: "We could not read the UK regulation in full; expect the business name and an address, and read the Regulation resource before collecting anything else.",
  },
  {
    country: "GB",
    number_type: "local",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name"],
    documents: [],
    address: "country",
    review_time: TYPICAL_REVIEW,
    source: regulatory("gb"),
    confidence: "low",
    note: "UK geographic numbers are voice only at Twilio; listed for completeness.",
  },
  {
    country: "ES",
    number_type: "mobile",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name", "business_registration_number"],
    documents: [COMMERCIAL_REGISTER("Extracto del Registro Mercantil or CIF/NIF certificate")],
    address: "country",
    review_time: TYPICAL_REVIEW,
    source: regulatory("es"),
    confidence: "low",
    note: "Our expectation from other EU countries, not a reading of Spain's regulation: read the Regulation resource.",
  },
  {
    country: "AU",
    number_type: "local",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name"],
    documents: [],
    address: "country",
    review_time: TYPICAL_REVIEW,
    source: regulatory("au"),
    confidence: "high",
    note: "Business name and an Australian address (no PO box); no documents.",
  },
  {
    country: "AU",
    number_type: "local",
    end_user_type: "individual",
    available: true,
    end_user_fields: ["first_name", "last_name"],
    documents: [],
    address: "locality",
    review_time: TYPICAL_REVIEW,
    source: regulatory("au"),
    confidence: "high",
    note: "For use in a trade or profession; the address must be in the prefix's region.",
  },
  {
    country: "AU",
    number_type: "mobile",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name"],
    documents: [],
    address: "country",
    review_time: TYPICAL_REVIEW,
    source: "https://help.twilio.com/articles/49291010297883",
    confidence: "low",
    note: "ACMA's Scam Prevention Framework is changing Australia's KYC rules; Twilio says its requirements will follow and may add documents (an ABN).",
  },
  {
    country: "BR",
    number_type: "local",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name", "business_registration_number"],
    documents: [{ type: null, description: "CNPJ registration card (Cartão CNPJ)" }],
    address: "locality",
    review_time: TYPICAL_REVIEW,
    source: regulatory("br"),
    confidence: "low",
    note: "Our expectation (a CNPJ and a local address), not a reading of Brazil's regulation: read the Regulation resource.",
  },
  {
    country: "MX",
    number_type: "mobile",
    end_user_type: "business",
    available: true,
    end_user_fields: ["business_name"],
    documents: [],
    address: "any",
    review_time: TYPICAL_REVIEW,
    source: regulatory("mx"),
    confidence: "low",
    note: "No bundle asked in the sources we read; Mexican mobiles are person-to-person only anyway.",
  },
];

/** The bundle requirements we hold for a country, optionally for one number type. */
export function bundleRequirementsFor(countryIso: string, numberType?: LongCodeType): BundleRequirement[] {
  const country = normalizeCountry(countryIso);
  return BUNDLE_REQUIREMENTS.filter(
    (r) => r.country === country && (numberType === undefined || r.number_type === numberType),
  );
}
