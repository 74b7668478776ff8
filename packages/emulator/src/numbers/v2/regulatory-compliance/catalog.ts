import { createHash } from "node:crypto";

/**
 * The regulations the emulator knows, as data: which end user and which supporting documents a
 * number of a country and type needs, and where its address must be. Shapes follow Twilio's
 * Regulatory Compliance API (https://www.twilio.com/docs/phone-numbers/regulatory/api/regulations,
 * …/end-user-types, …/supporting-document-types); the requirements themselves are a plausible
 * simplification of Twilio's regulatory guidelines
 * (https://www.twilio.com/en-us/guidelines/regulatory), chosen so that the countries differ:
 *
 * | country, type | end user | documents | address |
 * |---|---|---|---|
 * | GB local | individual or business | proof of address | in GB |
 * | GB mobile | individual or business | proof of identity (individual) / business registration | any |
 * | DE local | individual or business | identity or business registration, and proof of address | in the number's locality |
 * | AU mobile | individual or business | proof of address | any |
 * | AU local | individual or business | proof of address | in AU |
 * | BR local | individual or business | CPF (individual) / CNPJ (business) tax registration | in BR |
 * | IN local | business only | GST registration and proof of address | in IN |
 *
 * US and Canadian numbers need no bundle: there is no regulation for them. A country or type
 * missing here needs no bundle either. SIDs are derived from the names, so they never change.
 */
export type NumberType = "local" | "mobile" | "toll-free";
export type EndUserKind = "individual" | "business";
/** Where the number's address must be: nowhere, anywhere, in its country, or in its locality. */
export type AddressRule = "none" | "any" | "local" | "locality";

export interface FieldSpec {
  machine_name: string;
  friendly_name: string;
  description: string;
}

export interface ItemType {
  sid: string;
  machine_name: string;
  friendly_name: string;
  fields: FieldSpec[];
}

export interface DocumentRequirement {
  requirement_name: string;
  name: string;
  description: string;
  accepted: string[];
}

export interface Regulation {
  sid: string;
  iso_country: string;
  number_type: NumberType;
  end_user_type: EndUserKind;
  friendly_name: string;
  end_user_fields: string[];
  /** Every group must be met, each by one document of an accepted type. */
  documents: DocumentRequirement[];
  address: AddressRule;
}

export const NUMBERS_V2 = "https://numbers.twilio.com/v2/RegulatoryCompliance";

const sidOf = (prefix: string, name: string) =>
  prefix + createHash("sha1").update(`subtext-emulator:${name}`).digest("hex").slice(0, 32);

const field = (machine_name: string, friendly_name: string, description: string): FieldSpec => ({
  machine_name,
  friendly_name,
  description,
});

const FIELDS = {
  first_name: field("first_name", "First Name", "The first name of the end user."),
  last_name: field("last_name", "Last Name", "The last name of the end user."),
  business_name: field("business_name", "Business Name", "The registered name of the business."),
  business_registration_number: field(
    "business_registration_number",
    "Business Registration Number",
    "The number the business is registered under.",
  ),
  business_website: field("business_website", "Business Website", "The business's website."),
  address_sids: field("address_sids", "Address", "The SID of the address the document proves."),
  document_number: field("document_number", "Document Number", "The number printed on the document."),
  expiration_date: field("expiration_date", "Expiration Date", "When the document expires (YYYY-MM-DD)."),
  tax_id_number: field("tax_id_number", "Tax ID Number", "The tax registration number (CPF, CNPJ, GSTIN…)."),
};

const itemType = (
  machine_name: string,
  friendly_name: string,
  fields: (keyof typeof FIELDS)[],
): ItemType => ({
  sid: sidOf("OY", `${machine_name}`),
  machine_name,
  friendly_name,
  fields: fields.map((f) => FIELDS[f]),
});

export const END_USER_TYPES: ItemType[] = [
  itemType("individual", "Individual", ["first_name", "last_name"]),
  itemType("business", "Business", ["business_name", "business_registration_number", "business_website"]),
];

export const SUPPORTING_DOCUMENT_TYPES: ItemType[] = [
  itemType("utility_bill", "Utility Bill", ["address_sids", "first_name", "last_name", "business_name"]),
  itemType("passport", "Passport", ["first_name", "last_name", "document_number", "expiration_date"]),
  itemType("government_issued_document", "Government-issued ID", [
    "first_name",
    "last_name",
    "document_number",
    "expiration_date",
  ]),
  itemType("commercial_registrar_excerpt", "Excerpt from the commercial register", [
    "business_name",
    "business_registration_number",
    "address_sids",
  ]),
  itemType("individual_tax_id", "Individual tax registration (CPF)", [
    "first_name",
    "last_name",
    "tax_id_number",
  ]),
  itemType("business_tax_registration", "Business tax registration (CNPJ, GST)", [
    "business_name",
    "tax_id_number",
  ]),
];

/** The fields a document must carry to meet a requirement: names only where they identify the holder. */
export const REQUIRED_DOCUMENT_FIELDS: Record<string, string[]> = {
  utility_bill: ["address_sids"],
  passport: ["first_name", "last_name", "document_number", "expiration_date"],
  government_issued_document: ["first_name", "last_name", "document_number", "expiration_date"],
  commercial_registrar_excerpt: ["business_name", "business_registration_number"],
  individual_tax_id: ["first_name", "last_name", "tax_id_number"],
  business_tax_registration: ["business_name", "tax_id_number"],
};

/** The end-user fields a regulation requires, by end-user type. */
const END_USER_FIELDS: Record<EndUserKind, string[]> = {
  individual: ["first_name", "last_name"],
  business: ["business_name", "business_registration_number"],
};

const proofOfAddress = (accepted = ["utility_bill"]): DocumentRequirement => ({
  requirement_name: "proof_of_address",
  name: "Proof of Address",
  description: "A document that shows the end user's address, no older than 3 months.",
  accepted,
});
const proofOfIdentity: DocumentRequirement = {
  requirement_name: "proof_of_identity",
  name: "Proof of Identity",
  description: "A valid identity document of the end user.",
  accepted: ["passport", "government_issued_document"],
};
const businessRegistration = (accepted: string[]): DocumentRequirement => ({
  requirement_name: "business_registration",
  name: "Business Registration",
  description: "Proof that the business is registered in the country.",
  accepted,
});

type Rule = [string, NumberType, EndUserKind, DocumentRequirement[], AddressRule];

const RULES: Rule[] = [
  ["GB", "local", "individual", [proofOfAddress()], "local"],
  ["GB", "local", "business", [proofOfAddress(["utility_bill", "commercial_registrar_excerpt"])], "local"],
  ["GB", "mobile", "individual", [proofOfIdentity], "any"],
  ["GB", "mobile", "business", [businessRegistration(["commercial_registrar_excerpt"])], "any"],
  ["DE", "local", "individual", [proofOfIdentity, proofOfAddress()], "locality"],
  [
    "DE",
    "local",
    "business",
    [
      businessRegistration(["commercial_registrar_excerpt"]),
      proofOfAddress(["utility_bill", "commercial_registrar_excerpt"]),
    ],
    "locality",
  ],
  ["AU", "mobile", "individual", [proofOfAddress()], "any"],
  ["AU", "mobile", "business", [proofOfAddress()], "any"],
  ["AU", "local", "individual", [proofOfAddress()], "local"],
  ["AU", "local", "business", [proofOfAddress()], "local"],
  [
    "BR",
    "local",
    "individual",
    [
      {
        ...proofOfIdentity,
        accepted: ["individual_tax_id"],
        description: "The end user's CPF registration.",
      },
    ],
    "local",
  ],
  ["BR", "local", "business", [businessRegistration(["business_tax_registration"])], "local"],
  [
    "IN",
    "local",
    "business",
    [businessRegistration(["business_tax_registration"]), proofOfAddress()],
    "local",
  ],
];

const COUNTRY_NAMES: Record<string, string> = {
  GB: "United Kingdom",
  DE: "Germany",
  AU: "Australia",
  BR: "Brazil",
  IN: "India",
};
const TYPE_NAMES: Record<NumberType, string> = { local: "Local", mobile: "Mobile", "toll-free": "Toll Free" };

export const REGULATIONS: Regulation[] = RULES.map(([iso, type, kind, documents, address]) => ({
  sid: sidOf("RN", `${iso}/${type}/${kind}`),
  iso_country: iso,
  number_type: type,
  end_user_type: kind,
  friendly_name: `${COUNTRY_NAMES[iso]}: ${TYPE_NAMES[type]} - ${kind === "business" ? "Business" : "Individual"}`,
  end_user_fields: END_USER_FIELDS[kind],
  documents,
  address,
}));

export function regulationBySid(sid: string): Regulation | undefined {
  return REGULATIONS.find((r) => r.sid === sid);
}

export function findRegulations(filter: { iso?: string; type?: string; kind?: string }): Regulation[] {
  return REGULATIONS.filter(
    (r) =>
      (!filter.iso || r.iso_country === filter.iso.toUpperCase()) &&
      (!filter.type || r.number_type === filter.type) &&
      (!filter.kind || r.end_user_type === filter.kind),
  );
}

/** Whether buying a number of this country and type needs a bundle (any regulation names it). */
export function regulated(iso: string, type: NumberType): Regulation[] {
  return findRegulations({ iso, type });
}

export const endUserType = (nameOrSid: string) =>
  END_USER_TYPES.find((t) => t.machine_name === nameOrSid || t.sid === nameOrSid);
export const documentType = (nameOrSid: string) =>
  SUPPORTING_DOCUMENT_TYPES.find((t) => t.machine_name === nameOrSid || t.sid === nameOrSid);

const detailed = (f: FieldSpec) => ({
  machine_name: f.machine_name,
  friendly_name: f.friendly_name,
  description: f.description,
});

/** A regulation's `requirements` as Twilio renders them: end users, then groups of accepted documents. */
export function renderRequirements(r: Regulation) {
  const eut = endUserType(r.end_user_type)!;
  const eutFields = eut.fields.filter((f) => r.end_user_fields.includes(f.machine_name));
  return {
    end_user: [
      {
        name: eut.friendly_name,
        type: eut.machine_name,
        requirement_name: `${eut.machine_name}_info`,
        url: `${NUMBERS_V2}/EndUserTypes/${eut.sid}`,
        fields: eutFields.map((f) => f.machine_name),
        detailed_fields: eutFields.map(detailed),
      },
    ],
    supporting_document: r.documents.map((req) => [
      {
        name: req.name,
        type: "document",
        requirement_name: req.requirement_name,
        description: req.description,
        accepted_documents: req.accepted.map((machine) => {
          const t = documentType(machine)!;
          const fields = t.fields.filter((f) => REQUIRED_DOCUMENT_FIELDS[machine].includes(f.machine_name));
          return {
            name: t.friendly_name,
            type: t.machine_name,
            url: `${NUMBERS_V2}/SupportingDocumentTypes/${t.sid}`,
            fields: fields.map((f) => f.machine_name),
            detailed_fields: fields.map(detailed),
          };
        }),
      },
    ]),
  };
}
