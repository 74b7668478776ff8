/**
 * The registration document of `POST /v1/tenants/{id}/registrations` (docs/onboarding.md):
 * TypeScript types and its JSON Schema, which is both what the rules' shape check walks
 * (./rules/shape.ts) and what /openapi.json publishes (routes-schemas.ts), with a description
 * of every field.
 *
 * Field names follow Twilio's, in snake_case. The schema states the SHAPE only (required
 * fields, types, no unknown fields anywhere), so it never refuses a document the rules accept.
 * Value rules (Twilio's allowed values, lengths, formats, carrier heuristics) live in ./rules,
 * are written into the descriptions, and come back as 422 findings with a path, a code and a
 * fix, which a schema error cannot give.
 */
import {
  A2P_USE_CASES,
  BUSINESS_INDUSTRIES,
  BUSINESS_TYPES,
  COMPANY_TYPES,
  LIMITS,
  POST_APPROVAL_USE_CASES,
  REGIONS_OF_OPERATION,
  REUSE_LIMITS,
  TOLL_FREE_MESSAGE_VOLUMES,
  TOLL_FREE_OPT_IN_TYPES,
  TOLL_FREE_USE_CASE_CATEGORIES,
} from "./rules/catalog.js";

export const REGISTRATION_KINDS = [
  "sole_proprietor",
  "standard",
  "low_volume_standard",
  "toll_free",
] as const;
export type RegistrationKind = (typeof REGISTRATION_KINDS)[number];

export function isRegistrationKind(value: unknown): value is RegistrationKind {
  return typeof value === "string" && (REGISTRATION_KINDS as readonly string[]).includes(value);
}

export interface Address {
  street: string;
  street_secondary?: string | null;
  city: string;
  /** State or province, e.g. "IL" or "British Columbia". */
  region: string;
  postal_code: string;
  /** ISO 3166-1 alpha-2. */
  iso_country: string;
}

export interface SoleProprietorBusiness {
  first_name: string;
  last_name: string;
  email: string;
  phone_number: string;
  /** US/CA mobile that receives the OTP; at most 3 brands per number (TCR). */
  mobile_phone_number: string;
  brand_name: string;
  vertical?: string;
  address: Address;
}

export interface Contact {
  first_name: string;
  last_name: string;
  email: string;
  phone_number: string;
  job_title: string;
}

export interface OrganizationBusiness {
  /** Exactly as on the tax records (EIN letter in the US). */
  legal_name: string;
  tax_id: string;
  tax_id_country: string;
  /** TrustHub legal form, e.g. "Limited Liability Corporation". */
  business_type: string;
  business_industry: string;
  website: string;
  address: Address;
  contact: Contact;
  /** public | private | non_profit | government; public needs the stock fields. */
  company_type?: string;
  stock_exchange?: string;
  stock_ticker?: string;
  regions_of_operation?: string[];
}

export type TollFreeBusiness = Omit<OrganizationBusiness, "tax_id" | "tax_id_country"> & {
  tax_id?: string;
  tax_id_country?: string;
};

export interface Campaign {
  use_case: string;
  description: string;
  message_flow: string;
  message_samples: string[];
  has_embedded_links: boolean;
  has_embedded_phone: boolean;
  opt_in_keywords?: string[];
  opt_out_keywords?: string[];
  help_keywords?: string[];
  opt_in_message?: string;
  opt_out_message?: string;
  help_message?: string;
  subscriber_opt_in?: boolean;
  age_gated?: boolean;
  direct_lending?: boolean;
  privacy_policy_url?: string;
  terms_and_conditions_url?: string;
}

export interface TollFreeDetails {
  use_case_categories: string[];
  use_case_summary: string;
  production_message_sample: string;
  opt_in_type: string;
  opt_in_image_urls: string[];
  /** Monthly volume bucket as Twilio spells it: "10", "1,000", …, "10,000,000+". */
  message_volume: string;
  notification_email: string;
  additional_information?: string;
  opt_in_confirmation_message?: string;
  help_message_sample?: string;
  opt_in_keywords?: string[];
  privacy_policy_url?: string;
  terms_and_conditions_url?: string;
  age_gated_content?: boolean;
  doing_business_as?: string;
  /** A toll-free number (E.164, +1 8XX…) the customer chose; absent → the flow buys one for sale. */
  phone_number?: string;
}

export interface SoleProprietorRegistration {
  kind: "sole_proprietor";
  business: SoleProprietorBusiness;
  campaign: Campaign;
}

export interface StandardRegistration {
  kind: "standard" | "low_volume_standard";
  business: OrganizationBusiness;
  campaign: Campaign;
}

export interface TollFreeRegistration {
  kind: "toll_free";
  business: TollFreeBusiness;
  toll_free: TollFreeDetails;
}

export type RegistrationDocument = SoleProprietorRegistration | StandardRegistration | TollFreeRegistration;

// --- JSON Schema (draft-07 subset understood by Ajv 8, Fastify and OpenAPI 3.1) -------------

type Schema = Record<string, unknown>;

const text = (description: string, examples?: string[]): Schema =>
  examples ? { type: "string", description, examples } : { type: "string", description };
const flag = (description: string): Schema => ({ type: "boolean", description });
const texts = (description: string, example?: string[]): Schema => ({
  type: "array",
  items: { type: "string" },
  description,
  ...(example ? { examples: [example] } : {}),
});

function object(description: string, properties: Record<string, Schema>, required: string[]): Schema {
  return { type: "object", description, additionalProperties: false, required, properties };
}

/** `A`, `B` or `C`: a value list for a description, spelled as the rules compare it. */
function values(list: readonly string[], last = "or"): string {
  const quoted = list.map((v) => `\`${v}\``);
  return quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} ${last} ${quoted.at(-1)}`;
}

const length = (bounds: { min: number; max: number }) =>
  `${bounds.min.toLocaleString("en-US")}–${bounds.max.toLocaleString("en-US")} characters`;
const E164 = 'E.164: "+", the country code and the number, no spaces (e.g. `+14155552671`).';

const address = object(
  "A postal address. Twilio checks it on submission (street, city, region, postal code). TCR " +
    `allows one address on at most ${REUSE_LIMITS.address} brands in a lifetime.`,
  {
    street: text("Street number and name.", ["12 Elm St"]),
    street_secondary: {
      type: ["string", "null"],
      description: "Apartment, suite or unit, if any (null or absent when none).",
      examples: ["Suite 200"],
    },
    city: text("City or locality.", ["Austin"]),
    region: text("State or province; in the US and Canada its two-letter postal code (`TX`, `BC`).", ["TX"]),
    postal_code: text("Postal code: a ZIP code (`12345` or `12345-6789`) in the US, `A1A 1A1` in Canada.", [
      "78701",
    ]),
    iso_country: text("Country: ISO 3166-1 alpha-2 code in capitals (`US`, `CA`).", ["US"]),
  },
  ["street", "city", "region", "postal_code", "iso_country"],
);

const soleProprietorBusiness = object(
  "The person behind a sole proprietor brand: a US or Canadian customer without a tax id " +
    "(EIN or Canadian Business Number).",
  {
    first_name: text("The customer's first name.", ["Ana"]),
    last_name: text("The customer's last name.", ["Ruiz"]),
    email: text(
      `The customer's e-mail address; not a disposable one. TCR allows one e-mail on at most ${REUSE_LIMITS.email} brands in a lifetime.`,
      ["ana@ruizflowers.com"],
    ),
    phone_number: text(`The customer's contact number, ${E164}`, ["+15125550147"]),
    mobile_phone_number: text(
      `The customer's own US or Canadian mobile, ${E164} It receives TCR's verification text ` +
        "(OTP), which the customer answers YES. Not a landline, toll-free or CPaaS number; TCR " +
        `allows one mobile number on at most ${REUSE_LIMITS.mobile_phone_number} brands in a lifetime, other platforms included.`,
      ["+15125550148"],
    ),
    brand_name: text(
      "The business name (or DBA); without one, the customer's first and last name. Never an " +
        "e-mail, web address or account id.",
      ["Ruiz Flowers"],
    ),
    vertical: text("Optional: the brand's industry, as Twilio spells it (e.g. `RETAIL`).", ["RETAIL"]),
    address,
  },
  ["first_name", "last_name", "email", "phone_number", "mobile_phone_number", "brand_name", "address"],
);

const contact = object(
  "The business's authorized representative, whom Twilio and TCR contact about the registration.",
  {
    first_name: text("First name.", ["Ana"]),
    last_name: text("Last name.", ["Lopez"]),
    email: text(
      "E-mail address, best on the business's own domain (a free mailbox is a warning); not a " +
        `disposable one. TCR allows one e-mail on at most ${REUSE_LIMITS.email} brands in a lifetime.`,
      ["ana@acmesandwich.com"],
    ),
    phone_number: text(`Phone number, ${E164}`, ["+14155550123"]),
    job_title: text(
      "Job title. `Director`, `GM`, `VP`, `CEO`, `CFO` and `General Counsel` are sent to Twilio " +
        "as the job position; any other title as `Other`.",
      ["CEO"],
    ),
  },
  ["first_name", "last_name", "email", "phone_number", "job_title"],
);

const organizationProperties: Record<string, Schema> = {
  legal_name: text(
    "The legal name exactly as on the tax records (the EIN letter in the US), with its suffix " +
      "(LLC, Inc., Corp., …); not a trading name.",
    ["Acme Sandwich Company LLC"],
  ),
  tax_id: text(
    "The tax id: a US EIN (`XX-XXXXXXX`) or a Canadian Business Number (9 digits, optionally " +
      "with a program account such as `RT0001`).",
    ["84-1234567"],
  ),
  tax_id_country: text("The country that issued the tax id: ISO 3166-1 alpha-2 (`US`, `CA`).", ["US"]),
  business_type: text(`The legal form, one of Trust Hub's: ${values(BUSINESS_TYPES)}.`, [
    "Limited Liability Corporation",
  ]),
  business_industry: text(`The industry, one of Trust Hub's: ${values(BUSINESS_INDUSTRIES)}.`, [
    "FOOD_AND_BEVERAGE",
  ]),
  website: text(
    "The business's public website, which reviewers open (https; a missing scheme reads as " +
      "https). Not an IP address, a tunnel, a placeholder or a staging, dev or test host.",
    ["https://acmesandwich.com"],
  ),
  address,
  contact,
  company_type: text(
    `${values(COMPANY_TYPES)}; absent means \`private\`. \`public\` needs \`stock_exchange\` and \`stock_ticker\`.`,
    ["private"],
  ),
  stock_exchange: text("Public companies: the stock exchange (e.g. `NASDAQ`, `NYSE`).", ["NASDAQ"]),
  stock_ticker: text("Public companies: the ticker symbol.", ["ACME"]),
  regions_of_operation: texts(
    `Where the business operates, any of ${values(REGIONS_OF_OPERATION, "and")}; absent means \`USA_AND_CANADA\`.`,
    ["USA_AND_CANADA"],
  ),
};
const organizationRequired = [
  "legal_name",
  "business_type",
  "business_industry",
  "website",
  "address",
  "contact",
];

const organizationBusiness = object(
  "The business behind a standard or low-volume standard brand: a registered business with a tax id.",
  organizationProperties,
  [...organizationRequired, "tax_id", "tax_id_country"],
);

const tollFreeBusiness = object(
  "The business behind a toll-free number: as for a standard brand, but the tax id is optional.",
  organizationProperties,
  organizationRequired,
);

const keywords = (what: string, reply: string, example: string) =>
  texts(
    `Keywords that ${what} when texted to the number: letters and digits only, at most ` +
      `${LIMITS.keywords_joined.max} characters joined with commas. Absent: Twilio's default ` +
      `keywords of the kind. Given without \`${reply}\`, the reply is derived (below).`,
    [example],
  );
const DERIVED =
  "Absent: derived from the registration, naming the brand (`brand_name`, or the legal name " +
  "without its suffix) and, for HELP, the website or e-mail.";
const keywordReply = (what: string, needs: string) =>
  text(`The auto-reply to ${what}, ${length(LIMITS.keyword_message)}: ${needs}. ${DERIVED}`);

const campaign = object(
  "The 10DLC campaign: what is sent, by whom and why, and how recipients agreed (Twilio's " +
    "UsAppToPerson parameters).",
  {
    use_case: text(
      `Twilio's A2P use case: ${values(A2P_USE_CASES)}. \`SOLE_PROPRIETOR\` for a sole ` +
        `proprietor, and only there. ${values([...POST_APPROVAL_USE_CASES], "and")} also need ` +
        "the carriers' approval after registration (extra weeks).",
      ["ACCOUNT_NOTIFICATION"],
    ),
    description: text(
      `What the campaign sends, to whom and why, naming the brand; ${length(LIMITS.description)}.`,
      ["Acme Sandwich sends order status notifications to customers who ordered online."],
    ),
    message_flow: text(
      "How recipients give consent, concretely (e.g. an unchecked SMS consent box on a named " +
        "page, a keyword texted to the number), with the addresses of the opt-in page, the privacy " +
        `policy and the terms; ${length(LIMITS.message_flow)}.`,
    ),
    message_samples: texts(
      `${LIMITS.message_samples.minItems} to ${LIMITS.message_samples.maxItems} real messages of ` +
        `${length(LIMITS.message_sample)}: each names the brand and marks variable content with ` +
        "[brackets] (`[order_id]`), and at least one tells how to opt out (`Reply STOP to opt out`).",
    ),
    has_embedded_links: flag("Whether messages contain links; must be true if a sample has one."),
    has_embedded_phone: flag("Whether messages contain phone numbers; must be true if a sample has one."),
    opt_in_keywords: keywords("subscribe", "opt_in_message", "START"),
    opt_out_keywords: keywords("unsubscribe", "opt_out_message", "STOP"),
    help_keywords: keywords("ask for help", "help_message", "HELP"),
    opt_in_message: keywordReply(
      "an opt-in keyword",
      "names the brand, confirms the subscription and says to reply HELP for help and STOP to opt out",
    ),
    opt_out_message: keywordReply(
      "an opt-out keyword",
      "names the brand and confirms that no more messages will be sent",
    ),
    help_message: keywordReply(
      "a help keyword",
      "names the brand, where to get help (phone, e-mail or web address) and says to reply STOP to opt out",
    ),
    subscriber_opt_in: flag("Whether recipients opt in to the messages (Twilio's `SubscriberOptIn`)."),
    age_gated: flag("Whether the content is age-gated (Twilio's `AgeGated`)."),
    direct_lending: flag(
      "Whether the campaign concerns direct lending or loan arrangements (Twilio's `DirectLending`).",
    ),
    privacy_policy_url: text("The public address of the privacy policy.", [
      "https://acmesandwich.com/privacy",
    ]),
    terms_and_conditions_url: text("The public address of the terms and conditions.", [
      "https://acmesandwich.com/terms",
    ]),
  },
  ["use_case", "description", "message_flow", "message_samples", "has_embedded_links", "has_embedded_phone"],
);

const tollFree = object(
  "The toll-free verification: what the number sends and how recipients agreed (Twilio's " +
    "toll-free Verification parameters).",
  {
    use_case_categories: texts(`At least one of: ${values(TOLL_FREE_USE_CASE_CATEGORIES)}.`, [
      "ACCOUNT_NOTIFICATIONS",
    ]),
    use_case_summary: text("What the messages are for and who receives them, naming the business."),
    production_message_sample: text(
      `One real message as it will be sent, ${length(LIMITS.production_message_sample)}: names ` +
        "the brand, marks variable content with [brackets] and tells how to opt out.",
    ),
    opt_in_type: text(`How recipients opt in: ${values(TOLL_FREE_OPT_IN_TYPES)}.`, ["WEB_FORM"]),
    opt_in_image_urls: texts(
      "At least one public https address of a screenshot or photo of where recipients give consent.",
      ["https://acmesandwich.com/sms/opt-in.png"],
    ),
    message_volume: text(
      `Messages a month, as Twilio's bucket: ${values(TOLL_FREE_MESSAGE_VOLUMES)} (the first one ` +
        "at or above the expected count).",
      ["1,000"],
    ),
    notification_email: text("Where Twilio sends news of the verification's review.", [
      "ana@acmesandwich.com",
    ]),
    additional_information: text("Anything else reviewers should know."),
    opt_in_confirmation_message: text(
      `The message sent when someone opts in, ${length(LIMITS.keyword_message)}. ${DERIVED}`,
    ),
    help_message_sample: text(
      `The reply to HELP, ${length(LIMITS.keyword_message)}: names the brand, where to get help ` +
        `and says to reply STOP to opt out. ${DERIVED}`,
    ),
    opt_in_keywords: texts(
      "Keywords texted to opt in: letters and digits only. Absent: Twilio's default opt-in keywords.",
      ["START"],
    ),
    privacy_policy_url: text("The public address of the privacy policy.", [
      "https://acmesandwich.com/privacy",
    ]),
    terms_and_conditions_url: text("The public address of the terms and conditions.", [
      "https://acmesandwich.com/terms",
    ]),
    age_gated_content: flag("Whether the content is age-gated."),
    doing_business_as: text(
      "The name the business trades under, if not its legal name; samples may name it instead.",
    ),
    phone_number: text(
      "A US toll-free number to buy and verify, in E.164 (`+1` and 800, 833, 844, 855, 866, 877 " +
        "or 888). Absent: a toll-free number for sale is bought.",
      ["+18885550123"],
    ),
  },
  [
    "use_case_categories",
    "use_case_summary",
    "production_message_sample",
    "opt_in_type",
    "opt_in_image_urls",
    "message_volume",
    "notification_email",
  ],
);

const kindOf = (kind: RegistrationKind): Schema => ({
  type: "string",
  const: kind,
  description: "The registration path.",
});

/** One schema per kind, for routes or forms that know the kind already. */
export const registrationSchemas: Record<RegistrationKind, Schema> = {
  sole_proprietor: object(
    "A sole proprietor brand and its campaign: a US or Canadian customer without a tax id. About " +
      "1 MPS and 3,000 SMS a day; the customer must answer TCR's verification text.",
    { kind: kindOf("sole_proprietor"), business: soleProprietorBusiness, campaign },
    ["kind", "business", "campaign"],
  ),
  standard: object(
    "A standard brand and its campaign: a business with a tax id. Throughput and the T-Mobile " +
      "daily cap grow with the brand's trust score.",
    { kind: kindOf("standard"), business: organizationBusiness, campaign },
    ["kind", "business", "campaign"],
  ),
  low_volume_standard: object(
    "A low-volume standard brand and its campaign: a business with a tax id that stays under " +
      "6,000 SMS segments a day (no secondary vetting, so cheaper).",
    { kind: kindOf("low_volume_standard"), business: organizationBusiness, campaign },
    ["kind", "business", "campaign"],
  ),
  toll_free: object(
    "A toll-free number verified for its use: any business, tax id optional. 3 MPS per number, " +
      "no daily cap.",
    { kind: kindOf("toll_free"), business: tollFreeBusiness, toll_free: tollFree },
    ["kind", "business", "toll_free"],
  ),
};

const REGISTRATION_DOCUMENT_DESCRIPTION =
  "What `POST /v1/tenants/{id}/registrations` registers: `kind` chooses the path and the rest " +
  "of the document — `business` and `campaign` for a 10DLC brand, `business` and `toll_free` " +
  "for a toll-free number. Field names follow Twilio's, in snake_case; unknown fields are " +
  "refused. The schema is the shape; the value rules in the descriptions (Twilio's values, " +
  "lengths, formats) are the server's: a document that breaks any is refused with 422 and " +
  "every finding, each with its path and fix (`POST /v1/registrations/validate` runs the same " +
  "checks as a dry run). An example of each kind: docs/onboarding.md.";

/** The whole document: exactly one kind's schema must match. */
export const registrationDocumentSchema: Schema = {
  type: "object",
  description: REGISTRATION_DOCUMENT_DESCRIPTION,
  required: ["kind"],
  properties: {
    kind: { type: "string", enum: [...REGISTRATION_KINDS], description: "The registration path." },
  },
  oneOf: REGISTRATION_KINDS.map((kind) => registrationSchemas[kind]),
};

/**
 * The document's parts by the name /openapi.json gives them (components/schemas): the same
 * objects as above, so the published schema is the one the shape check walks.
 */
export const REGISTRATION_DOCUMENT_PARTS: Record<string, Schema> = {
  SoleProprietorRegistration: registrationSchemas.sole_proprietor,
  StandardRegistration: registrationSchemas.standard,
  LowVolumeStandardRegistration: registrationSchemas.low_volume_standard,
  TollFreeRegistration: registrationSchemas.toll_free,
  SoleProprietorBusiness: soleProprietorBusiness,
  OrganizationBusiness: organizationBusiness,
  TollFreeBusiness: tollFreeBusiness,
  BusinessAddress: address,
  BusinessContact: contact,
  Campaign: campaign,
  TollFreeDetails: tollFree,
};
