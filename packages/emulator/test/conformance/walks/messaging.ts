import { buyNumber } from "./numbers.js";
import {
  SOLE_PROPRIETOR_MOBILE,
  a2pTrustProduct,
  secondaryProfile,
  soleProprietorBundles,
} from "./bundles.js";
import type { Walk, WalkContext } from "./walk.js";

/** Trust Hub reviews and brand reviews take seconds in sandbox; a day covers every one of them. */
const REVIEWS = 86_400;

async function standardBrand(ctx: WalkContext, business: Record<string, string> = {}) {
  const profile = await secondaryProfile(ctx, business);
  const product = await a2pTrustProduct(ctx, profile.sid);
  await ctx.em.advance(REVIEWS);
  return ctx.tenant.messaging.v1.brandRegistrations.create({
    customerProfileBundleSid: profile.sid,
    a2PProfileBundleSid: product.sid,
    brandType: "STANDARD",
  });
}

const CAMPAIGN = {
  description: "Jane's Bakery sends order status updates to customers who opted in at checkout.",
  messageFlow:
    "Customers opt in by ticking an unticked SMS box at https://www.janesbakery.com/checkout; terms at https://www.janesbakery.com/terms.",
  messageSamples: [
    "Jane's Bakery: your order 1234 is ready for pickup. Reply STOP to opt out.",
    "Jane's Bakery: we open at 7am tomorrow. Reply HELP for help, STOP to opt out.",
  ],
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
};

export const messagingWalks: Walk[] = [
  {
    name: "Messaging Services: create, list, fetch, update, the sender pool, the use cases and delete",
    operations: [
      "CreateService",
      "ListService",
      "FetchService",
      "UpdateService",
      "DeleteService",
      "CreatePhoneNumber",
      "ListPhoneNumber",
      "FetchPhoneNumber",
      "DeletePhoneNumber",
      "FetchUsecase",
    ],
    async run({ tenant }) {
      const messaging = tenant.messaging.v1;
      await messaging.usecases.fetch();
      const service = await messaging.services.create({
        friendlyName: "Jane's Bakery notifications",
        inboundRequestUrl: "https://subtext.example/twilio/inbound",
        statusCallback: "https://subtext.example/twilio/status",
        stickySender: true,
        areaCodeGeomatch: true,
        validityPeriod: 14_400,
        useInboundWebhookOnNumber: false,
        usecase: "notifications",
      });
      await messaging.services.list({ pageSize: 1, limit: 3 });
      await messaging.services(service.sid).fetch();
      await messaging.services(service.sid).update({ smartEncoding: true, validityPeriod: 3600 });
      const number = await buyNumber(tenant);
      const pool = messaging.services(service.sid).phoneNumbers;
      await pool.create({ phoneNumberSid: number.sid });
      await pool.list();
      await pool(number.sid).fetch();
      await pool(number.sid).remove();
      await messaging.services(service.sid).remove();
    },
  },
  {
    name: "A2P brands: standard brands registered, listed, fetched, vetted, failed and resubmitted",
    operations: [
      "CreateBrandRegistrations",
      "ListBrandRegistrations",
      "FetchBrandRegistrations",
      "UpdateBrandRegistrations",
      "CreateBrandVetting",
      "ListBrandVetting",
      "FetchBrandVetting",
    ],
    async run(ctx) {
      const brands = ctx.tenant.messaging.v1.brandRegistrations;
      const brand = await standardBrand(ctx);
      await brands.list({ limit: 20 });
      await brands(brand.sid).fetch();
      await ctx.em.advance(REVIEWS);
      await brands(brand.sid).fetch();
      const vetting = await brands(brand.sid).brandVettings.create({
        vettingProvider: "campaign-verify",
        vettingId: "cv|1.0|tcr|10dlc|9975c339-d46f-49b7-a399-EXAMPLE|GQ3EXAMPLE",
      });
      await brands(brand.sid).brandVettings.list();
      await brands(brand.sid).brandVettings(vetting.brandVettingSid).fetch();
      // A placeholder EIN fails TCR's review: the failed brand carries errors[] and can be resubmitted.
      const failing = await standardBrand(ctx, { business_registration_number: "12-3456789" });
      await ctx.em.advance(REVIEWS);
      await brands(failing.sid).fetch();
      await brands(failing.sid).update();
      await brands(failing.sid).fetch();
    },
  },
  {
    name: "A2P brands: a sole proprietor brand, its OTP retriggered and answered",
    operations: ["CreateBrandRegistrations", "CreateBrandRegistrationOtp", "FetchBrandRegistrations"],
    async run(ctx) {
      const bundles = await soleProprietorBundles(ctx);
      await ctx.em.advance(REVIEWS);
      const brands = ctx.tenant.messaging.v1.brandRegistrations;
      const brand = await brands.create({
        customerProfileBundleSid: bundles.customerProfileSid,
        a2PProfileBundleSid: bundles.trustProductSid,
        brandType: "SOLE_PROPRIETOR",
      });
      await ctx.em.advance(REVIEWS);
      await brands(brand.sid).fetch();
      await brands(brand.sid).brandRegistrationOtps.create();
      await ctx.em.control("POST", `handsets/${encodeURIComponent(SOLE_PROPRIETOR_MOBILE)}/otp-reply`, {
        body: "YES",
      });
      await brands(brand.sid).fetch();
    },
  },
  {
    name: "A2P campaigns: use cases for a brand, then a campaign created, listed, fetched, updated and deleted",
    operations: [
      "FetchUsAppToPersonUsecase",
      "CreateUsAppToPerson",
      "ListUsAppToPerson",
      "FetchUsAppToPerson",
      "UpdateUsAppToPerson",
      "DeleteUsAppToPerson",
    ],
    async run(ctx) {
      const { tenant, em } = ctx;
      const brand = await standardBrand(ctx);
      await em.advance(REVIEWS);
      const service = await tenant.messaging.v1.services.create({ friendlyName: "Jane's Bakery campaign" });
      await tenant.messaging.v1
        .services(service.sid)
        .phoneNumbers.create({ phoneNumberSid: (await buyNumber(tenant)).sid });
      const compliance = tenant.messaging.v1.services(service.sid);
      await compliance.usAppToPersonUsecases.fetch({ brandRegistrationSid: brand.sid });
      const campaign = await compliance.usAppToPerson.create({
        ...CAMPAIGN,
        brandRegistrationSid: brand.sid,
        usAppToPersonUsecase: "ACCOUNT_NOTIFICATION",
      });
      await compliance.usAppToPerson.list();
      await compliance.usAppToPerson(campaign.sid).fetch();
      await em.advance(REVIEWS);
      await compliance.usAppToPerson(campaign.sid).fetch();
      await compliance
        .usAppToPerson(campaign.sid)
        .update({ ...CAMPAIGN, ageGated: false, directLending: false });
      await compliance.usAppToPerson(campaign.sid).remove();
      // Samples that never name the brand fail the review: the campaign carries its errors[].
      const other = await tenant.messaging.v1.services.create({ friendlyName: "Unnamed samples" });
      const failing = await tenant.messaging.v1.services(other.sid).usAppToPerson.create({
        ...CAMPAIGN,
        messageSamples: [
          "Your order 1234 is ready for pickup today.",
          "We open at 7am tomorrow, see you soon.",
        ],
        brandRegistrationSid: brand.sid,
        usAppToPersonUsecase: "ACCOUNT_NOTIFICATION",
      });
      await em.advance(REVIEWS);
      await tenant.messaging.v1.services(other.sid).usAppToPerson(failing.sid).fetch();
    },
  },
  {
    name: "Toll-free verifications: submit, list, fetch through review, edit and delete",
    operations: [
      "CreateTollfreeVerification",
      "ListTollfreeVerification",
      "FetchTollfreeVerification",
      "UpdateTollfreeVerification",
      "DeleteTollfreeVerification",
    ],
    async run({ tenant, em }) {
      const number = await buyNumber(tenant, "tollFree");
      const verifications = tenant.messaging.v1.tollfreeVerifications;
      const submission = {
        businessName: "Jane's Bakery LLC",
        businessWebsite: "https://www.janesbakery.com",
        notificationEmail: "compliance@janesbakery.com",
        useCaseCategories: ["ACCOUNT_NOTIFICATIONS"],
        useCaseSummary: "Order status updates for customers of Jane's Bakery who opted in at checkout.",
        productionMessageSample: "Jane's Bakery: your order 1234 is ready for pickup. Reply STOP to opt out.",
        optInImageUrls: ["https://www.janesbakery.com/images/sms-opt-in.png"],
        optInType: "WEB_FORM" as const,
        messageVolume: "1,000",
        businessStreetAddress: "1 Main St",
        businessCity: "Springfield",
        businessStateProvinceRegion: "IL",
        businessPostalCode: "62701",
        businessCountry: "US",
        businessContactFirstName: "Jane",
        businessContactLastName: "Doe",
        businessContactEmail: "jane@janesbakery.com",
        businessContactPhone: "+14155550123",
      };
      // An http:// link in the sample is rejected as editable (30858); the edit resubmits it.
      const verification = await verifications.create({
        ...submission,
        productionMessageSample: "Jane's Bakery: your order is ready, see http://www.janesbakery.com/orders",
        tollfreePhoneNumberSid: number.sid,
      });
      await verifications.list({ limit: 20 });
      await verifications.list({ tollfreePhoneNumberSid: number.sid });
      await verifications(verification.sid).fetch();
      await em.advance(REVIEWS);
      await verifications(verification.sid).fetch();
      await verifications(verification.sid).update({
        ...submission,
        editReason: "Secure link in the sample",
      });
      await em.advance(REVIEWS);
      await verifications(verification.sid).fetch();
      await verifications(verification.sid).remove();
    },
  },
];
