/**
 * The registration document → Twilio's request parameters (pure). Field names and values:
 * Twilio's sole proprietor walkthrough (starter profile, sole proprietor trust product, brand,
 * campaign), its standard onboarding guide (secondary profile, A2P profile) and the toll-free
 * verification resource; docs/twilio-facts.md summarizes each and links them.
 */
import type {
  Address,
  Campaign,
  OrganizationBusiness,
  RegistrationDocument,
  SoleProprietorBusiness,
  TollFreeBusiness,
  TollFreeDetails,
} from "@subtext/telecom/registration/document";
import { withDeclaredReplies } from "@subtext/telecom/registration/replies";

export const POLICY = {
  starter: "RN806dd6cd175f314e1f96a9727ee271f4",
  soleProprietorA2p: "RN670d5d2e282a6130ae063b234b6019c8",
  secondary: "RNdfbf3fae0e1107f8aded0e7cead80bf5",
  standardA2p: "RNb0d4771c2c98518d916a3d4cd70a8f8b",
} as const;

/** Twilio's constant SID of the US A2P compliance resource (every campaign answers with it). */
export const CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b";

export type Attributes = Record<string, string>;

const sole = (doc: RegistrationDocument) => doc.business as SoleProprietorBusiness;
const org = (doc: RegistrationDocument) => doc.business as OrganizationBusiness;

/** The e-mail a bundle is registered with: the person for sole proprietors, else the contact. */
export function bundleEmail(doc: RegistrationDocument): string {
  return doc.kind === "sole_proprietor" ? sole(doc).email : org(doc).contact.email;
}

export function starterProfileInformation(doc: RegistrationDocument): Attributes {
  const b = sole(doc);
  return { first_name: b.first_name, last_name: b.last_name, email: b.email, phone_number: b.phone_number };
}

export function soleProprietorInformation(doc: RegistrationDocument): Attributes {
  const b = sole(doc);
  return {
    brand_name: b.brand_name,
    mobile_phone_number: b.mobile_phone_number,
    ...(b.vertical ? { vertical: b.vertical } : {}),
  };
}

const IDENTIFIER: Record<string, string> = { US: "EIN", CA: "CBN" };

export function businessInformation(doc: RegistrationDocument): Attributes {
  const b = org(doc);
  return {
    business_name: b.legal_name,
    business_type: b.business_type,
    business_registration_identifier: IDENTIFIER[(b.tax_id_country ?? "").toUpperCase()] ?? "Other",
    business_registration_number: b.tax_id,
    // The tenant is the ISV's customer and sends as itself.
    business_identity: "direct_customer",
    business_industry: b.business_industry,
    website_url: b.website,
    business_regions_of_operation: (b.regions_of_operation ?? []).join(",") || "USA_AND_CANADA",
    social_media_profile_urls: "",
  };
}

const POSITIONS = ["Director", "GM", "VP", "CEO", "CFO", "General Counsel"];

export function authorizedRepresentative(doc: RegistrationDocument): Attributes {
  const c = org(doc).contact;
  const position = POSITIONS.find((p) => p.toLowerCase() === c.job_title.trim().toLowerCase()) ?? "Other";
  return {
    first_name: c.first_name,
    last_name: c.last_name,
    email: c.email,
    phone_number: c.phone_number,
    business_title: c.job_title,
    job_position: position,
  };
}

export function a2pProfileInformation(doc: RegistrationDocument): Attributes {
  const b = org(doc);
  return {
    company_type: (b.company_type ?? "private").toLowerCase(),
    ...(b.stock_exchange ? { stock_exchange: b.stock_exchange } : {}),
    ...(b.stock_ticker ? { stock_ticker: b.stock_ticker } : {}),
    brand_contact_email: b.contact.email,
  };
}

export function addressOf(doc: RegistrationDocument): Address {
  return doc.business.address;
}

export function addressParams(doc: RegistrationDocument, friendlyName: string) {
  const a = addressOf(doc);
  const customerName =
    doc.kind === "sole_proprietor" ? `${sole(doc).first_name} ${sole(doc).last_name}` : org(doc).legal_name;
  return {
    customerName,
    street: a.street,
    ...(a.street_secondary ? { streetSecondary: a.street_secondary } : {}),
    city: a.city,
    region: a.region,
    postalCode: a.postal_code,
    isoCountry: a.iso_country.toUpperCase(),
    friendlyName,
  };
}

export function campaignParams(campaign: Campaign, brandRegistrationSid: string) {
  const optional = <T>(value: T | undefined) => (value === undefined ? {} : value);
  return {
    brandRegistrationSid,
    description: campaign.description,
    messageFlow: campaign.message_flow,
    messageSamples: campaign.message_samples,
    usAppToPersonUsecase: campaign.use_case,
    hasEmbeddedLinks: campaign.has_embedded_links,
    hasEmbeddedPhone: campaign.has_embedded_phone,
    ...optional(campaign.opt_in_message && { optInMessage: campaign.opt_in_message }),
    ...optional(campaign.opt_out_message && { optOutMessage: campaign.opt_out_message }),
    ...optional(campaign.help_message && { helpMessage: campaign.help_message }),
    ...optional(campaign.opt_in_keywords?.length ? { optInKeywords: campaign.opt_in_keywords } : undefined),
    ...optional(
      campaign.opt_out_keywords?.length ? { optOutKeywords: campaign.opt_out_keywords } : undefined,
    ),
    ...optional(campaign.help_keywords?.length ? { helpKeywords: campaign.help_keywords } : undefined),
    ...optional(
      campaign.subscriber_opt_in === undefined ? undefined : { subscriberOptIn: campaign.subscriber_opt_in },
    ),
    ...optional(campaign.age_gated === undefined ? undefined : { ageGated: campaign.age_gated }),
    ...optional(
      campaign.direct_lending === undefined ? undefined : { directLending: campaign.direct_lending },
    ),
    ...optional(campaign.privacy_policy_url && { privacyPolicyUrl: campaign.privacy_policy_url }),
    ...optional(
      campaign.terms_and_conditions_url && { termsAndConditionsUrl: campaign.terms_and_conditions_url },
    ),
  };
}

const REGISTRATION_AUTHORITY: Record<string, "EIN" | "CBN"> = { US: "EIN", CA: "CBN" };
const BUSINESS_TYPE: Record<string, "PRIVATE_PROFIT" | "PUBLIC_PROFIT" | "NON_PROFIT" | "GOVERNMENT"> = {
  private: "PRIVATE_PROFIT",
  public: "PUBLIC_PROFIT",
  non_profit: "NON_PROFIT",
  government: "GOVERNMENT",
};

/**
 * The parameters shared by creating a toll-free verification and editing it. The opt-in
 * confirmation, HELP sample and opt-in keywords the document leaves out are derived (branded).
 */
export function tollFreeParams(given: RegistrationDocument) {
  const doc = withDeclaredReplies(given);
  const b = doc.business as TollFreeBusiness;
  const t = (doc as { toll_free: TollFreeDetails }).toll_free;
  const country = (b.tax_id_country ?? b.address.iso_country).toUpperCase();
  return {
    businessName: b.legal_name,
    businessWebsite: b.website,
    notificationEmail: t.notification_email,
    useCaseCategories: t.use_case_categories,
    useCaseSummary: t.use_case_summary,
    productionMessageSample: t.production_message_sample,
    optInImageUrls: t.opt_in_image_urls,
    optInType: t.opt_in_type as never,
    messageVolume: t.message_volume,
    businessStreetAddress: b.address.street,
    ...(b.address.street_secondary ? { businessStreetAddress2: b.address.street_secondary } : {}),
    businessCity: b.address.city,
    businessStateProvinceRegion: b.address.region,
    businessPostalCode: b.address.postal_code,
    businessCountry: b.address.iso_country.toUpperCase(),
    businessContactFirstName: b.contact.first_name,
    businessContactLastName: b.contact.last_name,
    businessContactEmail: b.contact.email,
    businessContactPhone: b.contact.phone_number,
    ...(b.tax_id
      ? {
          businessRegistrationNumber: b.tax_id,
          ...(REGISTRATION_AUTHORITY[country]
            ? { businessRegistrationAuthority: REGISTRATION_AUTHORITY[country] }
            : {}),
          businessRegistrationCountry: country,
        }
      : {}),
    ...(BUSINESS_TYPE[(b.company_type ?? "").toLowerCase()]
      ? { businessType: BUSINESS_TYPE[(b.company_type ?? "").toLowerCase()] }
      : {}),
    ...(t.additional_information ? { additionalInformation: t.additional_information } : {}),
    ...(t.doing_business_as ? { doingBusinessAs: t.doing_business_as } : {}),
    ...(t.opt_in_confirmation_message ? { optInConfirmationMessage: t.opt_in_confirmation_message } : {}),
    ...(t.help_message_sample ? { helpMessageSample: t.help_message_sample } : {}),
    ...(t.privacy_policy_url ? { privacyPolicyUrl: t.privacy_policy_url } : {}),
    ...(t.terms_and_conditions_url ? { termsAndConditionsUrl: t.terms_and_conditions_url } : {}),
    ...(t.age_gated_content === undefined ? {} : { ageGatedContent: t.age_gated_content }),
    ...(t.opt_in_keywords?.length ? { optInKeywords: t.opt_in_keywords } : {}),
  };
}

/** A stable fingerprint of what a step sent, so a resubmission updates only what changed. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
