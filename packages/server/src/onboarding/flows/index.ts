/**
 * The flows: one ordered list of steps per registration kind (docs/twilio-facts.md: "Sole
 * proprietor walkthrough"; "Standard brand sequence" for standard and low-volume standard;
 * "Toll-free verification"). No step waits for a Twilio approval except where Twilio
 * requires one: the campaign needs an approved (for a sole proprietor, OTP-verified) brand.
 * The messaging service and the number are prepared while the brand is in review.
 */
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import type { RegistrationRow } from "../store.js";
import { brandLinkStep } from "./added-campaign.js";
import { brandApprovalStep, brandRegisterStep, brandSettleStep } from "./brand.js";
import { campaignApprovalStep, campaignCreateStep, campaignSettleStep } from "./campaign.js";
import {
  POLICY,
  a2pProfileInformation,
  authorizedRepresentative,
  businessInformation,
  soleProprietorInformation,
  starterProfileInformation,
} from "./payloads.js";
import { numberAttachStep, numberBuyStep, serviceStep } from "./sender.js";
import type { Stage, StepDef } from "./step.js";
import { tollFreeApprovalStep, tollFreeSettleStep, tollFreeVerificationStep } from "./toll-free.js";
import { type Product, addressDocumentStep, addressStep, bundleStep, endUserStep } from "./trusthub.js";
import { assignStep, evaluateStep, settleStep, submitStep } from "./trusthub-review.js";

/** evaluate → submit → settle, the tail every bundle shares. */
function review(prefix: string, stage: Stage, product: Product, policy: string): StepDef[] {
  const bundle = `${prefix}.bundle`;
  return [
    evaluateStep({ name: `${prefix}.evaluate`, stage, product, bundle, policy }),
    submitStep({ name: `${prefix}.submit`, stage, product, bundle }),
    settleStep({ name: `${prefix}.settle`, stage, product, bundle, submit: `${prefix}.submit` }),
  ];
}

const P = "customer_profile" as const;
const T = "trust_product" as const;
const profiles = "customerProfiles" as const;
const products = "trustProducts" as const;
const assign = (prefix: string, stage: Stage, product: Product, what: string, object: string) =>
  assignStep({ name: `${prefix}.assign_${what}`, stage, product, bundle: `${prefix}.bundle`, object });

const address: StepDef[] = [
  addressStep({ name: "profile.address", stage: P }),
  addressDocumentStep({
    name: "profile.document",
    stage: P,
    address: "profile.address",
    suffix: "address-document",
  }),
];

const sender: StepDef[] = [serviceStep, numberBuyStep, numberAttachStep];
const campaign: StepDef[] = [campaignCreateStep, campaignSettleStep, campaignApprovalStep];

const SOLE_PROPRIETOR: StepDef[] = [
  bundleStep({
    prefix: "profile",
    stage: P,
    product: profiles,
    policy: POLICY.starter,
    suffix: "starter-profile",
    column: "customer_profile_sid",
  }),
  endUserStep({
    name: "profile.information",
    stage: P,
    type: "starter_customer_profile_information",
    suffix: "starter-profile-information",
    attributes: starterProfileInformation,
  }),
  ...address,
  assign("profile", P, profiles, "information", "profile.information"),
  assign("profile", P, profiles, "document", "profile.document"),
  assign("profile", P, profiles, "primary", "primary"),
  ...review("profile", P, profiles, POLICY.starter),
  bundleStep({
    prefix: "trust",
    stage: T,
    product: products,
    policy: POLICY.soleProprietorA2p,
    suffix: "sole-proprietor-a2p",
    column: "trust_product_sid",
  }),
  endUserStep({
    name: "trust.information",
    stage: T,
    type: "sole_proprietor_information",
    suffix: "sole-proprietor-information",
    attributes: soleProprietorInformation,
  }),
  assign("trust", T, products, "information", "trust.information"),
  assign("trust", T, products, "profile", "profile.bundle"),
  ...review("trust", T, products, POLICY.soleProprietorA2p),
  brandRegisterStep("SOLE_PROPRIETOR", false),
  brandSettleStep,
  ...sender,
  brandApprovalStep,
  ...campaign,
];

function standard(lowVolume: boolean): StepDef[] {
  return [
    bundleStep({
      prefix: "profile",
      stage: P,
      product: profiles,
      policy: POLICY.secondary,
      suffix: "secondary-profile",
      column: "customer_profile_sid",
    }),
    endUserStep({
      name: "profile.information",
      stage: P,
      type: "customer_profile_business_information",
      suffix: "business-information",
      attributes: businessInformation,
    }),
    endUserStep({
      name: "profile.representative",
      stage: P,
      type: "authorized_representative_1",
      suffix: "authorized-representative",
      attributes: authorizedRepresentative,
    }),
    ...address,
    assign("profile", P, profiles, "information", "profile.information"),
    assign("profile", P, profiles, "representative", "profile.representative"),
    assign("profile", P, profiles, "document", "profile.document"),
    assign("profile", P, profiles, "primary", "primary"),
    ...review("profile", P, profiles, POLICY.secondary),
    bundleStep({
      prefix: "trust",
      stage: T,
      product: products,
      policy: POLICY.standardA2p,
      suffix: "a2p-messaging-profile",
      column: "trust_product_sid",
    }),
    endUserStep({
      name: "trust.information",
      stage: T,
      type: "us_a2p_messaging_profile_information",
      suffix: "a2p-messaging-information",
      attributes: a2pProfileInformation,
    }),
    assign("trust", T, products, "information", "trust.information"),
    assign("trust", T, products, "profile", "profile.bundle"),
    ...review("trust", T, products, POLICY.standardA2p),
    brandRegisterStep("STANDARD", lowVolume),
    brandSettleStep,
    ...sender,
    brandApprovalStep,
    ...campaign,
  ];
}

const TOLL_FREE: StepDef[] = [...sender, tollFreeVerificationStep, tollFreeSettleStep, tollFreeApprovalStep];

const FLOWS: Record<RegistrationKind, StepDef[]> = {
  sole_proprietor: SOLE_PROPRIETOR,
  standard: standard(false),
  low_volume_standard: standard(true),
  toll_free: TOLL_FREE,
};

export function flowFor(kind: RegistrationKind): StepDef[] {
  return FLOWS[kind];
}

/** A campaign added to a brand: linked to the brand, then its own service, number and campaign. */
export const ADDED_CAMPAIGN: StepDef[] = [brandLinkStep, ...sender, ...campaign];

/** The flow of a registration row: its kind's, or an added campaign's. */
export function flowOf(reg: Pick<RegistrationRow, "kind" | "parent_id">): StepDef[] {
  return reg.parent_id ? ADDED_CAMPAIGN : FLOWS[reg.kind];
}

/**
 * The stages a resubmission of a failed stage re-runs (steps converge: unchanged resources are
 * left alone). A brand failure usually comes from data held in the bundles (the EIN, the
 * mobile number), so their item steps run again to push the corrected data before the brand
 * is resubmitted; a bundle rejection is followed by the brand that depends on it, and a brand
 * by its campaign (created again if it was cleaned up with the failed brand).
 */
export const RESUBMITS: Record<Stage, Stage[]> = {
  customer_profile: ["customer_profile", "brand"],
  trust_product: ["trust_product", "brand"],
  brand: ["customer_profile", "trust_product", "brand", "campaign"],
  sender: ["sender"],
  campaign: ["campaign"],
  toll_free: ["toll_free"],
};
