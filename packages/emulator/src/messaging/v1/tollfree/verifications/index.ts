import { iso } from "../../../../core/dates.js";
import { TwilioError, notFound } from "../../../../core/errors.js";
import type { Params } from "../../../../core/form.js";
import { pageV1 } from "../../../../core/paging.js";
import { newSid } from "../../../../core/sid.js";
import type { Router } from "../../../../http/router.js";
import { BUNDLES } from "../../../../trusthub/v1/model.js";
import type { World } from "../../../../world.js";
import { MESSAGING } from "../../host.js";
import { TOLLFREE_VERIFICATIONS, type TollfreeVerification } from "./model.js";
import { registerTollfreeReview, startTollfreeReview } from "./review.js";

const INCOMING_PHONE_NUMBERS = "incoming_phone_numbers";

/** Form parameters (create and edit), stored under their snake_case names as Twilio answers them. */
const TEXT = [
  "BusinessName",
  "BusinessStreetAddress",
  "BusinessStreetAddress2",
  "BusinessCity",
  "BusinessStateProvinceRegion",
  "BusinessPostalCode",
  "BusinessCountry",
  "BusinessWebsite",
  "BusinessContactFirstName",
  "BusinessContactLastName",
  "BusinessContactEmail",
  "BusinessContactPhone",
  "NotificationEmail",
  "UseCaseSummary",
  "ProductionMessageSample",
  "OptInType",
  "MessageVolume",
  "AdditionalInformation",
  "BusinessRegistrationNumber",
  "BusinessRegistrationAuthority",
  "BusinessRegistrationCountry",
  "BusinessType",
  "BusinessRegistrationPhoneNumber",
  "DoingBusinessAs",
  "OptInConfirmationMessage",
  "HelpMessageSample",
  "PrivacyPolicyUrl",
  "TermsAndConditionsUrl",
  "VettingProvider",
  "VettingId",
];
const LISTS = ["UseCaseCategories", "OptInImageUrls", "OptInKeywords"];
const REQUIRED = [
  "BusinessName",
  "BusinessWebsite",
  "NotificationEmail",
  "UseCaseCategories",
  "UseCaseSummary",
  "ProductionMessageSample",
  "OptInType",
  "MessageVolume",
];
const ENUMS: Record<string, string[]> = {
  UseCaseCategories: [
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
  ],
  OptInType: [
    "VERBAL",
    "WEB_FORM",
    "PAPER_FORM",
    "VIA_TEXT",
    "MOBILE_QR_CODE",
    "IMPORT",
    "IMPORT_PLEASE_REPLACE",
  ],
  BusinessType: ["PRIVATE_PROFIT", "PUBLIC_PROFIT", "SOLE_PROPRIETOR", "NON_PROFIT", "GOVERNMENT"],
  BusinessRegistrationAuthority:
    "EIN CBN CRN PROVINCIAL_NUMBER VAT ACN ABN BRN SIREN SIRET NZBN USt-IdNr CIF NIF CNPJ UID NEQ OTHER".split(
      " ",
    ),
  VettingProvider: ["CAMPAIGN_VERIFY"],
};

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** Every property of the spec's tollfree_verification schema, in its order. */
const FIELDS = [
  "sid account_sid customer_profile_sid trust_product_sid date_created date_updated regulated_item_sid",
  "business_name business_street_address business_street_address2 business_city business_state_province_region",
  "business_postal_code business_country business_website business_contact_first_name business_contact_last_name",
  "business_contact_email business_contact_phone notification_email use_case_categories use_case_summary",
  "production_message_sample opt_in_image_urls opt_in_type message_volume additional_information",
  "tollfree_phone_number_sid tollfree_phone_number status url rejection_reason error_code edit_expiration",
  "edit_allowed business_registration_number business_registration_authority business_registration_country",
  "business_type business_registration_phone_number doing_business_as opt_in_confirmation_message",
  "help_message_sample privacy_policy_url terms_and_conditions_url age_gated_content opt_in_keywords",
  "rejection_reasons resource_links external_reference_id vetting_id vetting_provider vetting_id_expiration",
]
  .join(" ")
  .split(" ");

export function renderTollfree(v: TollfreeVerification) {
  const computed: Record<string, unknown> = {
    date_created: iso(v.date_created),
    date_updated: iso(v.date_updated),
    edit_expiration: iso(v.edit_expiration),
    vetting_id_expiration: null,
    url: `${MESSAGING}/Tollfree/Verifications/${v.sid}`,
    resource_links: {
      ...(v.customer_profile_sid
        ? { customer_profile: `https://trusthub.twilio.com/v1/CustomerProfiles/${v.customer_profile_sid}` }
        : {}),
    },
  };
  return Object.fromEntries(FIELDS.map((f) => [f, f in computed ? computed[f] : (v[f] ?? null)]));
}

/** The editable fields of a request, validated; absent ones are left out. */
function fieldsFrom(input: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of TEXT) if (input.has(name)) out[snake(name)] = input.str(name) ?? null;
  for (const name of LISTS) if (input.has(name)) out[snake(name)] = input.list(name);
  if (input.has("AgeGatedContent")) out.age_gated_content = input.bool("AgeGatedContent");
  for (const [name, allowed] of Object.entries(ENUMS))
    for (const value of LISTS.includes(name) ? input.list(name) : [input.str(name)].filter(Boolean))
      if (!allowed.includes(value as string))
        throw new TwilioError(
          20001,
          400,
          `Invalid parameter ${name}: ${value} (one of ${allowed.join(", ")})`,
        );
  return out;
}

function tollfreeNumber(world: World, accountSid: string, sid: string) {
  const n = world.store.get<{ sid: string; account_sid: string; phone_number: string; type?: string }>(
    INCOMING_PHONE_NUMBERS,
    sid,
  );
  if (!n || n.account_sid !== accountSid) throw notFound(`Phone number ${sid}`);
  const tollfree = n.type ? n.type === "toll_free" : /^\+18(00|33|44|55|66|77|88)/.test(n.phone_number);
  if (!tollfree)
    throw new TwilioError(
      20001,
      400,
      `Invalid parameter TollfreePhoneNumberSid: ${n.phone_number} is not toll-free`,
    );
  return n;
}

function create(world: World, accountSid: string, input: Params): TollfreeVerification {
  for (const name of [...REQUIRED, "TollfreePhoneNumberSid"]) {
    const present = LISTS.includes(name) ? input.list(name).length > 0 : !!input.str(name);
    if (!present) throw new TwilioError(20001, 400, `Missing required parameter ${name} in the post body`);
  }
  const number = tollfreeNumber(world, accountSid, input.required("TollfreePhoneNumberSid"));
  const active = world.store.find<TollfreeVerification>(
    TOLLFREE_VERIFICATIONS,
    (v) => v.tollfree_phone_number_sid === number.sid && v.status !== "TWILIO_REJECTED",
  );
  if (active)
    throw new TwilioError(20409, 409, `${number.phone_number} already has verification ${active.sid}`);
  const profile = input.str("CustomerProfileSid");
  if (profile) {
    const b = world.store.get<{ sid: string; account_sid: string }>(BUNDLES, profile);
    if (!b || b.account_sid !== accountSid) throw notFound(`CustomerProfile ${profile}`);
  }
  const now = world.clock.now();
  return world.store.put<TollfreeVerification>(TOLLFREE_VERIFICATIONS, {
    sid: newSid("HH"),
    account_sid: accountSid,
    customer_profile_sid: profile ?? null,
    trust_product_sid: null,
    regulated_item_sid: null,
    opt_in_image_urls: [],
    opt_in_keywords: [],
    age_gated_content: false,
    ...fieldsFrom(input),
    tollfree_phone_number_sid: number.sid,
    tollfree_phone_number: number.phone_number,
    external_reference_id: input.str("ExternalReferenceId") ?? null,
    /** Emulator extension: the SDK cannot send it; Twilio notifies through Event Streams. */
    status_callback: input.str("StatusCallback") ?? null,
    status: "PENDING_REVIEW",
    rejection_reason: null,
    rejection_reasons: null,
    error_code: null,
    edit_allowed: null,
    edit_expiration: null,
    date_created: now,
    date_updated: now,
  });
}

/** An edit of a rejected verification within its 7-day edit window resubmits it (→ 202). */
function edit(world: World, v: TollfreeVerification, input: Params): TollfreeVerification {
  if (v.status !== "TWILIO_REJECTED" || !v.edit_allowed)
    throw new TwilioError(20001, 400, `Verification ${v.sid} is ${v.status} and cannot be edited`);
  if (v.edit_expiration && world.clock.now() > v.edit_expiration)
    throw new TwilioError(
      30824,
      400,
      `The edit window of verification ${v.sid} expired; submit a new verification`,
    );
  return world.store.patch<TollfreeVerification>(TOLLFREE_VERIFICATIONS, v.sid, {
    ...fieldsFrom(input),
    ...(input.has("StatusCallback") ? { status_callback: input.str("StatusCallback") || null } : {}),
    edit_reason: input.str("EditReason") ?? null,
    status: "PENDING_REVIEW",
    rejection_reason: null,
    rejection_reasons: null,
    error_code: null,
    edit_allowed: null,
    edit_expiration: null,
    date_updated: world.clock.now(),
  })!;
}

function registerVerificationRoutes(r: Router) {
  const base = "/messaging/v1/Tollfree/Verifications";
  const own = (world: World, accountSid: string, sid: string) => {
    const v = world.store.get<TollfreeVerification>(TOLLFREE_VERIFICATIONS, sid);
    if (!v || v.account_sid !== accountSid) throw notFound(`Tollfree Verification ${sid}`);
    return v;
  };

  r.post(base, ({ world, account, input }) => {
    const v = create(world, account.sid, input);
    startTollfreeReview(world, v);
    return { status: 201, body: renderTollfree(v) };
  });

  r.get(base, ({ world, account, input }) => {
    const number = input.str("TollfreePhoneNumberSid");
    const status = input.str("Status");
    const reference = input.str("ExternalReferenceId");
    const products = input.list("TrustProductSid");
    const withSubaccounts = input.bool("IncludeSubAccounts", false);
    const accounts = new Set([account.sid]);
    if (withSubaccounts)
      for (const a of world.store.list<{ sid: string; owner_account_sid: string }>("accounts"))
        if (a.owner_account_sid === account.sid) accounts.add(a.sid);
    const items = world.store
      .list<TollfreeVerification>(
        TOLLFREE_VERIFICATIONS,
        (v) =>
          accounts.has(v.account_sid) &&
          (!number || v.tollfree_phone_number_sid === number) &&
          (!status || v.status === status) &&
          (!reference || v.external_reference_id === reference) &&
          (products.length === 0 || products.includes(v.trust_product_sid)),
      )
      .map(renderTollfree);
    return {
      status: 200,
      body: pageV1(items, "verifications", `${MESSAGING}/Tollfree/Verifications`, input),
    };
  });

  r.get(`${base}/:Sid`, ({ world, account, params }) => ({
    status: 200,
    body: renderTollfree(own(world, account.sid, params.Sid)),
  }));

  r.post(`${base}/:Sid`, ({ world, account, params, input }) => {
    const v = edit(world, own(world, account.sid, params.Sid), input);
    startTollfreeReview(world, v);
    return { status: 202, body: renderTollfree(v) };
  });

  r.delete(`${base}/:Sid`, ({ world, account, params }) => {
    const v = own(world, account.sid, params.Sid);
    world.scheduler.cancel((job) => job.data.sid === v.sid && job.kind.startsWith("a2p.tollfree"));
    world.store.delete(TOLLFREE_VERIFICATIONS, v.sid);
    return { status: 204 };
  });
}

export function registerTollfreeVerifications(r: Router, world: World) {
  registerVerificationRoutes(r);
  registerTollfreeReview(world);
}
