import { createHash } from "node:crypto";

/**
 * The Trust Hub policies, end-user types and supporting-document types the A2P and toll-free flows
 * use, with their real policy SIDs (docs/twilio-facts.md, "Trust Hub") and the requirement shapes
 * of Twilio's own examples (fetchStarterCustomerProfilePolicy,
 * fetchSoleProprietorTrustBundlePolicy). Which fields are required is ours to say (Twilio does not
 * publish it): every listed field is required unless marked optional or conditional below.
 */

export type Constraint = "String" | "Email" | "PhoneNumber" | "Url" | "List";

export interface FieldSpec {
  machine_name: string;
  friendly_name: string;
  constraint: Constraint;
  optional?: boolean;
  /** Required only when this holds for the end user's attributes. */
  requiredWhen?: (attributes: Record<string, unknown>) => boolean;
}

export interface TypeSpec {
  sid: string;
  machine_name: string;
  friendly_name: string;
  fields: FieldSpec[];
}

/** Stable OY… SIDs derived from the machine name, so a type's SID survives restarts. */
const oy = (name: string) => `OY${createHash("md5").update(name).digest("hex")}`;
const f = (machine_name: string, friendly_name: string, constraint: Constraint = "String", extra = {}) => ({
  machine_name,
  friendly_name,
  constraint,
  ...extra,
});
const type = (machine_name: string, friendly_name: string, fields: FieldSpec[]): TypeSpec => ({
  sid: oy(machine_name),
  machine_name,
  friendly_name,
  fields,
});

const representative = [
  f("first_name", "First Name"),
  f("last_name", "Last Name"),
  f("email", "Email", "Email"),
  f("phone_number", "Phone Number", "PhoneNumber"),
  f("business_title", "Business Title"),
  f("job_position", "Job Position"),
];

const isPublic = (a: Record<string, unknown>) => String(a.company_type ?? "").toLowerCase() === "public";

export const END_USER_TYPES: TypeSpec[] = [
  type("customer_profile_business_information", "Business Information", [
    f("business_name", "Business Name"),
    f("business_type", "Business Type"),
    f("business_registration_identifier", "Business Registration ID Type"),
    f("business_registration_number", "Business Registration Number"),
    f("business_identity", "Business Identity"),
    f("business_industry", "Business Industry"),
    f("website_url", "Website URL", "Url"),
    f("business_regions_of_operation", "Business Regions of Operation"),
    f("social_media_profile_urls", "Social Media Profile URLs", "String", { optional: true }),
  ]),
  type("authorized_representative_1", "Authorized Representative one", representative),
  type("authorized_representative_2", "Authorized Representative two", representative),
  type("starter_customer_profile_information", "Starter Customer Profile Information", [
    f("first_name", "First Name"),
    f("last_name", "Last Name"),
    f("email", "Email Address", "Email"),
    f("phone_number", "Phone Number", "PhoneNumber"),
  ]),
  type("sole_proprietor_information", "Sole Proprietor Information", [
    f("brand_name", "Brand Name"),
    f("mobile_phone_number", "Mobile Phone Number", "PhoneNumber"),
    f("vertical", "Vertical", "String", { optional: true }),
  ]),
  type("us_a2p_messaging_profile_information", "US A2P Messaging Profile Information", [
    f("company_type", "Company Type"),
    f("stock_exchange", "Stock Exchange", "String", { optional: true, requiredWhen: isPublic }),
    f("stock_ticker", "Stock Ticker", "String", { optional: true, requiredWhen: isPublic }),
    f("brand_contact_email", "Brand Contact Email", "Email", { optional: true }),
  ]),
];

export const SUPPORTING_DOCUMENT_TYPES: TypeSpec[] = [
  type("customer_profile_address", "Customer Profile Address", [f("address_sids", "Address sid(s)", "List")]),
  type("starter_customer_profile_address", "Starter Customer Profile Address", [
    f("address_sids", "Address sid(s)", "List"),
  ]),
];

export const endUserType = (name: string) =>
  END_USER_TYPES.find((t) => t.machine_name === name || t.sid === name);
export const documentType = (name: string) =>
  SUPPORTING_DOCUMENT_TYPES.find((t) => t.machine_name === name || t.sid === name);

export const POLICY = {
  PRIMARY: "RN6433641899984f951173ef1738c3bdd0",
  SECONDARY: "RNdfbf3fae0e1107f8aded0e7cead80bf5",
  STARTER: "RN806dd6cd175f314e1f96a9727ee271f4",
  STARTER_DIRECT: "RN13dc4be8861a10924a79c35eaa4d812c",
  STANDARD_A2P: "RNb0d4771c2c98518d916a3d4cd70a8f8b",
  SOLE_PROPRIETOR_A2P: "RN670d5d2e282a6130ae063b234b6019c8",
  STARTER_A2P_DIRECT: "RN63da8244384cf0401c39f5f91e674db5",
} as const;

/** The profile "type" a customer-profile bundle counts as when another bundle requires it. */
export const PROFILE_TYPE: Record<string, string> = {
  [POLICY.PRIMARY]: "primary_customer_profile_type_business",
  [POLICY.SECONDARY]: "secondary_customer_profile_type_business",
  [POLICY.STARTER]: "starter_customer_profile_type_business",
  [POLICY.STARTER_DIRECT]: "starter_customer_profile_type_direct_long_tail",
};

/** A primary profile must be approved before it backs anything; the others may still be in review. */
export const ACCEPTED_SUPPORT_STATUS: Record<string, string[]> = {
  primary_customer_profile_type_business: ["twilio-approved"],
};
export const DEFAULT_SUPPORT_STATUS = ["pending-review", "in-review", "twilio-approved"];

export interface PolicySpec {
  sid: string;
  friendly_name: string;
  kind: "customer_profile" | "trust_product";
  endUsers: { type: string; name: string; optional?: boolean }[];
  documents: { requirement_name: string; name: string; description: string; accepted: string[] }[];
  profiles: { requirement_name: string; name: string; alternatives: { type: string; name: string }[] }[];
  /** Approved only once the brand's OTP is verified (sole proprietor walkthrough, steps 1.8 and 2.6). */
  waitsForBrandOtp?: boolean;
}

const businessProfile = (sid: string, friendly_name: string, withPrimary: boolean): PolicySpec => ({
  sid,
  friendly_name,
  kind: "customer_profile",
  endUsers: [
    { type: "customer_profile_business_information", name: "Business Information" },
    { type: "authorized_representative_1", name: "Authorized Representative 1" },
    { type: "authorized_representative_2", name: "Authorized Representative 2", optional: true },
  ],
  documents: [
    {
      requirement_name: "customer_profile_address",
      name: "Physical Business Address",
      description: "Customer Profile HQ Physical Address",
      accepted: ["customer_profile_address"],
    },
  ],
  profiles: withPrimary
    ? [
        {
          requirement_name: "primary_customer_profile",
          name: "Primary Customer Profile Bundle",
          alternatives: [
            { type: "primary_customer_profile_type_business", name: "Primary Customer Profile Bundle" },
          ],
        },
      ]
    : [],
});

const starterAddress = {
  requirement_name: "customer_profile_address",
  name: "Customer Profile Address",
  description: "Customer Profile Address",
  accepted: ["customer_profile_address", "starter_customer_profile_address"],
};
const starterInformation = { type: "starter_customer_profile_information", name: "Information" };
const soleProprietor = { type: "sole_proprietor_information", name: "Sole Proprietor Information" };

export const POLICIES: PolicySpec[] = [
  businessProfile(POLICY.PRIMARY, "Primary Customer Profile of type Business", false),
  businessProfile(POLICY.SECONDARY, "Secondary Customer Profile of type Business", true),
  {
    sid: POLICY.STARTER,
    friendly_name: "Starter Customer Profile of type Business",
    kind: "customer_profile",
    endUsers: [starterInformation],
    documents: [starterAddress],
    profiles: [
      {
        requirement_name: "primary_customer_profile",
        name: "Primary Customer Profile Bundle",
        alternatives: [
          { type: "primary_customer_profile_type_business", name: "Primary Customer Profile Bundle" },
        ],
      },
    ],
    waitsForBrandOtp: true,
  },
  {
    sid: POLICY.STARTER_DIRECT,
    friendly_name: "Starter Customer Profile of type Direct Long Tail",
    kind: "customer_profile",
    endUsers: [starterInformation],
    documents: [starterAddress],
    profiles: [],
    waitsForBrandOtp: true,
  },
  {
    sid: POLICY.SOLE_PROPRIETOR_A2P,
    friendly_name: "Sole Proprietor TrustProduct",
    kind: "trust_product",
    endUsers: [soleProprietor],
    documents: [],
    profiles: [
      {
        requirement_name: "customer_profile",
        name: "Customer Profile",
        alternatives: [
          {
            type: "starter_customer_profile_type_business",
            name: "Starter Customer Profile(isv customers) Proof",
          },
          {
            type: "starter_customer_profile_type_direct_long_tail",
            name: "Starter Customer Profile(direct customers) Proof",
          },
        ],
      },
    ],
    waitsForBrandOtp: true,
  },
  {
    sid: POLICY.STARTER_A2P_DIRECT,
    friendly_name: "Starter A2P Messaging TrustProduct (direct)",
    kind: "trust_product",
    endUsers: [soleProprietor],
    documents: [],
    profiles: [
      {
        requirement_name: "customer_profile",
        name: "Customer Profile",
        alternatives: [
          { type: "starter_customer_profile_type_direct_long_tail", name: "Starter Customer Profile" },
        ],
      },
    ],
    waitsForBrandOtp: true,
  },
  {
    sid: POLICY.STANDARD_A2P,
    friendly_name: "A2P Messaging: Local - Business",
    kind: "trust_product",
    endUsers: [
      { type: "us_a2p_messaging_profile_information", name: "US A2P Messaging Profile Information" },
    ],
    documents: [],
    profiles: [
      {
        requirement_name: "customer_profile",
        name: "Customer Profile",
        alternatives: [
          { type: "secondary_customer_profile_type_business", name: "Secondary Customer Profile" },
          { type: "primary_customer_profile_type_business", name: "Primary Customer Profile" },
        ],
      },
    ],
  },
];

export const policyOf = (sid: string) => POLICIES.find((p) => p.sid === sid);
