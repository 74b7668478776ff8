import type twilio from "twilio";
import type { WalkContext } from "./walk.js";

/** The sole proprietor's own mobile, which receives TCR's OTP. */
export const SOLE_PROPRIETOR_MOBILE = "+14155550124";

export const POLICY = {
  secondaryProfile: "RNdfbf3fae0e1107f8aded0e7cead80bf5",
  standardA2p: "RNb0d4771c2c98518d916a3d4cd70a8f8b",
  starterProfile: "RN806dd6cd175f314e1f96a9727ee271f4",
  soleProprietorA2p: "RN670d5d2e282a6130ae063b234b6019c8",
};

const BUSINESS = {
  business_name: "Jane's Bakery LLC",
  business_type: "Limited Liability Corporation",
  business_registration_identifier: "EIN",
  business_registration_number: "84-2917365",
  business_identity: "direct_customer",
  business_industry: "RETAIL",
  website_url: "https://www.janesbakery.com",
  business_regions_of_operation: "USA_AND_CANADA",
  social_media_profile_urls: "",
};

const REPRESENTATIVE = {
  first_name: "Jane",
  last_name: "Doe",
  email: "jane@janesbakery.com",
  phone_number: "+14155550123",
  business_title: "Owner",
  job_position: "CEO",
};

/** The sandbox ISV's approved primary customer profile, which every secondary profile references. */
async function primaryProfileSid(parent: twilio.Twilio): Promise<string> {
  const profiles = await parent.trusthub.v1.customerProfiles.list({ status: "twilio-approved", limit: 20 });
  return profiles[0].sid;
}

export async function addressDocument(tenant: twilio.Twilio) {
  const address = await tenant.api.v2010.account.addresses.create({
    customerName: BUSINESS.business_name,
    street: "1 Main St",
    city: "Springfield",
    region: "IL",
    postalCode: "62701",
    isoCountry: "US",
  });
  return tenant.trusthub.v1.supportingDocuments.create({
    friendlyName: "Business address",
    type: "customer_profile_address",
    attributes: { address_sids: address.sid },
  });
}

/** The standard brand sequence (docs/twilio-facts.md): a secondary customer profile, submitted. */
export async function secondaryProfile(
  { tenant, parent }: WalkContext,
  overrides: Record<string, string> = {},
) {
  const profile = await tenant.trusthub.v1.customerProfiles.create({
    friendlyName: "Jane's Bakery LLC",
    email: "compliance@janesbakery.com",
    policySid: POLICY.secondaryProfile,
    statusCallback: "https://subtext.example/twilio/trusthub",
  });
  const business = await tenant.trusthub.v1.endUsers.create({
    friendlyName: "Business information",
    type: "customer_profile_business_information",
    attributes: { ...BUSINESS, ...overrides },
  });
  const representative = await tenant.trusthub.v1.endUsers.create({
    friendlyName: "Authorized representative",
    type: "authorized_representative_1",
    attributes: REPRESENTATIVE,
  });
  const document = await addressDocument(tenant);
  const assignments = tenant.trusthub.v1.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  for (const objectSid of [business.sid, representative.sid, document.sid, await primaryProfileSid(parent)]) {
    await assignments.create({ objectSid });
  }
  await tenant.trusthub.v1
    .customerProfiles(profile.sid)
    .customerProfilesEvaluations.create({ policySid: POLICY.secondaryProfile });
  await tenant.trusthub.v1.customerProfiles(profile.sid).update({ status: "pending-review" });
  return profile;
}

/** The Standard A2P trust product for a secondary profile, submitted. */
export async function a2pTrustProduct({ tenant }: WalkContext, profileSid: string) {
  const product = await tenant.trusthub.v1.trustProducts.create({
    friendlyName: "Jane's Bakery A2P",
    email: "compliance@janesbakery.com",
    policySid: POLICY.standardA2p,
  });
  const messaging = await tenant.trusthub.v1.endUsers.create({
    friendlyName: "A2P messaging profile",
    type: "us_a2p_messaging_profile_information",
    attributes: { company_type: "private", brand_contact_email: "jane@janesbakery.com" },
  });
  const assignments = tenant.trusthub.v1.trustProducts(product.sid).trustProductsEntityAssignments;
  await assignments.create({ objectSid: messaging.sid });
  await assignments.create({ objectSid: profileSid });
  await tenant.trusthub.v1
    .trustProducts(product.sid)
    .trustProductsEvaluations.create({ policySid: POLICY.standardA2p });
  await tenant.trusthub.v1.trustProducts(product.sid).update({ status: "pending-review" });
  return product;
}

/** The ISV sole-proprietor sequence: a starter customer profile and a sole-proprietor trust product. */
export async function soleProprietorBundles({ tenant, parent }: WalkContext) {
  const hub = tenant.trusthub.v1;
  const starter = await hub.customerProfiles.create({
    friendlyName: "Jane Doe (starter)",
    email: "jane@janesbakery.com",
    policySid: POLICY.starterProfile,
  });
  const person = await hub.endUsers.create({
    friendlyName: "Jane Doe",
    type: "starter_customer_profile_information",
    attributes: {
      first_name: "Jane",
      last_name: "Doe",
      email: "jane@janesbakery.com",
      phone_number: "+14155550123",
    },
  });
  const document = await addressDocument(tenant);
  for (const objectSid of [person.sid, document.sid, await primaryProfileSid(parent)]) {
    await hub.customerProfiles(starter.sid).customerProfilesEntityAssignments.create({ objectSid });
  }
  await hub
    .customerProfiles(starter.sid)
    .customerProfilesEvaluations.create({ policySid: POLICY.starterProfile });
  await hub.customerProfiles(starter.sid).update({ status: "pending-review" });
  const product = await hub.trustProducts.create({
    friendlyName: "Jane Doe (sole proprietor)",
    email: "jane@janesbakery.com",
    policySid: POLICY.soleProprietorA2p,
  });
  const brand = await hub.endUsers.create({
    friendlyName: "Jane's Bakery",
    type: "sole_proprietor_information",
    attributes: {
      brand_name: "Jane's Bakery",
      mobile_phone_number: SOLE_PROPRIETOR_MOBILE,
      vertical: "RETAIL",
    },
  });
  for (const objectSid of [brand.sid, starter.sid]) {
    await hub.trustProducts(product.sid).trustProductsEntityAssignments.create({ objectSid });
  }
  await hub
    .trustProducts(product.sid)
    .trustProductsEvaluations.create({ policySid: POLICY.soleProprietorA2p });
  await hub.trustProducts(product.sid).update({ status: "pending-review" });
  return { customerProfileSid: starter.sid, trustProductSid: product.sid };
}
