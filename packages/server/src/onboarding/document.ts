/**
 * The registration document of `POST /v1/tenants/{id}/registrations` (docs/onboarding.md):
 * TypeScript types and the JSON Schema the route validates with.
 *
 * Field names follow Twilio's, in snake_case. The schema checks the SHAPE only (required
 * fields, types, no unknown fields anywhere): a malformed document is a 400. Value rules
 * (lengths, enums, formats, carrier heuristics) live in ./rules and come back as 422
 * findings with a path, a code and a fix, which a schema error cannot give.
 */

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

// --- JSON Schema (draft-07 subset understood by Ajv 8 and Fastify) ------------------------

type Schema = Record<string, unknown>;

const text: Schema = { type: "string" };
const flag: Schema = { type: "boolean" };
const texts: Schema = { type: "array", items: { type: "string" } };

function object(properties: Record<string, Schema>, required: string[]): Schema {
  return { type: "object", additionalProperties: false, required, properties };
}

const address = object(
  {
    street: text,
    street_secondary: { type: ["string", "null"] },
    city: text,
    region: text,
    postal_code: text,
    iso_country: text,
  },
  ["street", "city", "region", "postal_code", "iso_country"],
);

const soleProprietorBusiness = object(
  {
    first_name: text,
    last_name: text,
    email: text,
    phone_number: text,
    mobile_phone_number: text,
    brand_name: text,
    vertical: text,
    address,
  },
  ["first_name", "last_name", "email", "phone_number", "mobile_phone_number", "brand_name", "address"],
);

const contact = object(
  { first_name: text, last_name: text, email: text, phone_number: text, job_title: text },
  ["first_name", "last_name", "email", "phone_number", "job_title"],
);

const organizationProperties: Record<string, Schema> = {
  legal_name: text,
  tax_id: text,
  tax_id_country: text,
  business_type: text,
  business_industry: text,
  website: text,
  address,
  contact,
  company_type: text,
  stock_exchange: text,
  stock_ticker: text,
  regions_of_operation: texts,
};
const organizationRequired = [
  "legal_name",
  "business_type",
  "business_industry",
  "website",
  "address",
  "contact",
];

const campaign = object(
  {
    use_case: text,
    description: text,
    message_flow: text,
    message_samples: texts,
    has_embedded_links: flag,
    has_embedded_phone: flag,
    opt_in_keywords: texts,
    opt_out_keywords: texts,
    help_keywords: texts,
    opt_in_message: text,
    opt_out_message: text,
    help_message: text,
    subscriber_opt_in: flag,
    age_gated: flag,
    direct_lending: flag,
    privacy_policy_url: text,
    terms_and_conditions_url: text,
  },
  ["use_case", "description", "message_flow", "message_samples", "has_embedded_links", "has_embedded_phone"],
);

const tollFree = object(
  {
    use_case_categories: texts,
    use_case_summary: text,
    production_message_sample: text,
    opt_in_type: text,
    opt_in_image_urls: texts,
    message_volume: text,
    notification_email: text,
    additional_information: text,
    opt_in_confirmation_message: text,
    help_message_sample: text,
    opt_in_keywords: texts,
    privacy_policy_url: text,
    terms_and_conditions_url: text,
    age_gated_content: flag,
    doing_business_as: text,
    phone_number: text,
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

/** One schema per kind, for routes or forms that know the kind already. */
export const registrationSchemas: Record<RegistrationKind, Schema> = {
  sole_proprietor: object(
    { kind: { const: "sole_proprietor" }, business: soleProprietorBusiness, campaign },
    ["kind", "business", "campaign"],
  ),
  standard: object(
    {
      kind: { const: "standard" },
      business: object(organizationProperties, [...organizationRequired, "tax_id", "tax_id_country"]),
      campaign,
    },
    ["kind", "business", "campaign"],
  ),
  low_volume_standard: object(
    {
      kind: { const: "low_volume_standard" },
      business: object(organizationProperties, [...organizationRequired, "tax_id", "tax_id_country"]),
      campaign,
    },
    ["kind", "business", "campaign"],
  ),
  toll_free: object(
    {
      kind: { const: "toll_free" },
      business: object(organizationProperties, organizationRequired),
      toll_free: tollFree,
    },
    ["kind", "business", "toll_free"],
  ),
};

/** The whole document: exactly one kind's schema must match. */
export const registrationDocumentSchema: Schema = {
  type: "object",
  required: ["kind"],
  properties: { kind: { type: "string", enum: [...REGISTRATION_KINDS] } },
  oneOf: REGISTRATION_KINDS.map((kind) => registrationSchemas[kind]),
};
