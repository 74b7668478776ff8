import { describe, expect, it } from "vitest";
import {
  CAMPAIGN_SID,
  STANDARD_CAMPAIGN,
  type Tenant,
  a2pTrustProduct,
  messagingService,
  newTenant,
  schemaFindings,
  secondaryProfile,
} from "./compliance-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

/** A tenant with an APPROVED standard brand and a messaging service. */
async function approvedBrand(name: string, opts: { skipAutomaticSecVet?: boolean; mock?: boolean } = {}) {
  const t = await newTenant(em, name);
  const profile = await secondaryProfile(em, t);
  const product = await a2pTrustProduct(t, profile.sid);
  const brand = await t.client.messaging.v1.brandRegistrations.create({
    customerProfileBundleSid: profile.sid,
    a2PProfileBundleSid: product.sid,
    brandType: "STANDARD",
    ...opts,
  });
  await em.advance(45);
  const service = await messagingService(t);
  return { t, brand: brand.sid, service };
}

const campaigns = (t: Tenant, service: string) => t.client.messaging.v1.services(service).usAppToPerson;

describe("standard campaigns", () => {
  it("a campaign goes PENDING → IN_PROGRESS → VERIFIED with rate limits from the trust score", async () => {
    const { t, brand, service } = await approvedBrand("Acme campaigns");
    const catalogue = await t.client.messaging.v1.services(service).usAppToPersonUsecases.fetch({
      brandRegistrationSid: brand,
    });
    const codes = catalogue.usAppToPersonUsecases.map((u: any) => u.code);
    expect(codes).toEqual(expect.arrayContaining(["2FA", "LOW_VOLUME", "MARKETING", "MIXED"]));
    expect(codes).not.toContain("SOLE_PROPRIETOR");

    const created = await campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN });
    expect(created).toMatchObject({
      sid: CAMPAIGN_SID,
      campaignStatus: "PENDING",
      campaignId: null,
      rateLimits: null,
      optOutKeywords: ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"],
      helpKeywords: ["HELP", "INFO"],
      isExternallyRegistered: false,
      mock: false,
    });
    await em.advance(5);
    expect((await campaigns(t, service)(CAMPAIGN_SID).fetch()).campaignStatus).toBe("IN_PROGRESS");
    await em.advance(60);
    const verified = await campaigns(t, service)(CAMPAIGN_SID).fetch();
    expect(verified).toMatchObject({
      campaignStatus: "VERIFIED",
      errors: [],
      rateLimits: { att: { mps: 75, msg_class: "A" }, tmobile: { brand_tier: "TOP" } },
    });
    expect((await t.client.messaging.v1.services(service).fetch()).usAppToPersonRegistered).toBe(true);
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a low-volume standard brand's campaign gets low-volume throughput", async () => {
    const { t, brand, service } = await approvedBrand("Low volume campaign", { skipAutomaticSecVet: true });
    await campaigns(t, service).create({
      brandRegistrationSid: brand,
      ...STANDARD_CAMPAIGN,
      usAppToPersonUsecase: "LOW_VOLUME",
    });
    await em.advance(65);
    expect((await campaigns(t, service)(CAMPAIGN_SID).fetch()).rateLimits).toEqual({
      att: { mps: 3.75, msg_class: "T" },
      tmobile: { brand_tier: "LOW" },
    });
  });

  it("privacy and terms URLs answer the v2 shape of the campaign", async () => {
    const { t, brand, service } = await approvedBrand("Campaign v2");
    const created = await campaigns(t, service).create({
      brandRegistrationSid: brand,
      ...STANDARD_CAMPAIGN,
      privacyPolicyUrl: "https://www.acmesandwich.com/privacy",
      termsAndConditionsUrl: "https://www.acmesandwich.com/tc",
    });
    expect(created).toMatchObject({
      privacyPolicyUrl: "https://www.acmesandwich.com/privacy",
      termsAndConditionsUrl: "https://www.acmesandwich.com/tc",
    });
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("campaign validation", () => {
  it.each([
    ["a description under 40 characters", { description: "Too short a description." }],
    ["a message flow under 40 characters", { messageFlow: "Customers opt in online." }],
    ["a single message sample", { messageSamples: ["Acme Sandwich: your order [id] is ready for pickup."] }],
    [
      "six message samples",
      { messageSamples: Array(6).fill("Acme Sandwich: your order [id] is ready now.") },
    ],
    [
      "a sample under 20 characters",
      { messageSamples: ["Acme: order ready", STANDARD_CAMPAIGN.messageSamples[0]] },
    ],
    ["an opt-in message under 20 characters", { optInMessage: "Subscribed." }],
    ["a keyword that is not alphanumeric", { optInKeywords: ["JOIN-NOW"] }],
  ])("%s is refused with 20001", async (_, change) => {
    const { t, brand, service } = await approvedBrand("Validation");
    const refused = await twilioError(
      campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN, ...change }),
    );
    expect(refused).toMatchObject({ status: 400, code: 20001 });
  });

  it("an unknown use case is 21720; a brand not APPROVED or a sole-proprietor use case is 21717", async () => {
    const { t, brand, service } = await approvedBrand("Use cases");
    const unknown = await twilioError(
      campaigns(t, service).create({
        brandRegistrationSid: brand,
        ...STANDARD_CAMPAIGN,
        usAppToPersonUsecase: "GOSSIP",
      }),
    );
    expect(unknown).toMatchObject({ status: 400, code: 21720 });
    const sole = await twilioError(
      campaigns(t, service).create({
        brandRegistrationSid: brand,
        ...STANDARD_CAMPAIGN,
        usAppToPersonUsecase: "SOLE_PROPRIETOR",
      }),
    );
    expect(sole.code).toBe(21717);
    await em.control("POST", `reviews/${brand}/outcome`, { outcome: "failed" });
    const failedBrand = await twilioError(
      campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN }),
    );
    expect(failedBrand).toMatchObject({ status: 400, code: 21717 });
    const otherService = await twilioError(
      t.client.messaging.v1
        .services("MG00000000000000000000000000000000")
        .usAppToPerson.create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN }),
    );
    expect(otherService.code).toBe(20404);
  });

  it("one campaign per service; a deleted campaign can be re-created only after 5 seconds", async () => {
    const { t, brand, service } = await approvedBrand("Recreate");
    await campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN });
    const twice = await twilioError(
      campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN }),
    );
    expect(twice).toMatchObject({ status: 409, code: 20409 });
    await campaigns(t, service)(CAMPAIGN_SID).remove();
    expect(await campaigns(t, service).list()).toEqual([]);
    expect((await twilioError(campaigns(t, service)(CAMPAIGN_SID).fetch())).code).toBe(20404);
    const tooSoon = await twilioError(
      campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN }),
    );
    expect(tooSoon).toMatchObject({ status: 409, code: 20409 });
    await em.advance(5);
    const again = await campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN });
    expect(again.campaignStatus).toBe("PENDING");
  });

  it("only the constant campaign SID, on the tenant's own service, finds the campaign", async () => {
    const { t, brand, service } = await approvedBrand("Scoped campaign");
    await campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN });
    expect(
      (await twilioError(campaigns(t, service)("QE00000000000000000000000000000000").fetch())).code,
    ).toBe(20404);
    const sibling = await newTenant(em, "Campaign sibling");
    expect((await twilioError(campaigns(sibling, service)(CAMPAIGN_SID).fetch())).code).toBe(20404);
  });
});

describe("campaign review rules", () => {
  it.each([
    [
      "samples that never name the brand",
      {
        messageSamples: [
          "Your order [id] is on its way to you today.",
          "Your driver [name] will arrive shortly now.",
        ],
      },
      30893,
      "MESSAGE_SAMPLES",
    ],
    [
      "a sample too short to show the content",
      { messageSamples: [STANDARD_CAMPAIGN.messageSamples[0], "Acme Sandwich: order shipped."] },
      30893,
      "MESSAGE_SAMPLES",
    ],
    [
      "a message flow without an opt-in method",
      { messageFlow: "We send messages to people who bought something from Acme Sandwich Co. in the past." },
      30544,
      "MESSAGE_FLOW",
    ],
    ["embedded phone numbers that no sample shows", { hasEmbeddedPhone: true }, 30889, "HAS_EMBEDDED_PHONE"],
    [
      "disallowed content",
      { description: "Acme Sandwich Co. sends CBD product offers and coupons to customers who opted in." },
      30897,
      "DESCRIPTION",
    ],
  ])("%s fails the campaign with %i", async (_, change, code, field) => {
    const { t, brand, service } = await approvedBrand("Rules");
    await campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN, ...change });
    await em.advance(65);
    const failed = await campaigns(t, service)(CAMPAIGN_SID).fetch();
    expect(failed.campaignStatus).toBe("FAILED");
    const error = failed.errors.find((e: any) => e.error_code === code);
    expect(error).toMatchObject({
      fields: expect.arrayContaining([field]),
      url: `https://www.twilio.com/docs/api/errors/${code}`,
    });
    expect(failed.rateLimits).toBeNull();
  });

  it("a failed campaign, edited, is resubmitted and verified", async () => {
    const { t, brand, service } = await approvedBrand("Resubmit campaign");
    await campaigns(t, service).create({
      brandRegistrationSid: brand,
      ...STANDARD_CAMPAIGN,
      messageFlow: "We text the people who bought from Acme Sandwich Co. in the last twelve months.",
    });
    await em.advance(65);
    expect((await campaigns(t, service)(CAMPAIGN_SID).fetch()).campaignStatus).toBe("FAILED");
    const edited = await campaigns(
      t,
      service,
    )(CAMPAIGN_SID).update({
      description: STANDARD_CAMPAIGN.description,
      messageFlow: STANDARD_CAMPAIGN.messageFlow,
      messageSamples: STANDARD_CAMPAIGN.messageSamples,
      hasEmbeddedLinks: false,
      hasEmbeddedPhone: false,
      ageGated: false,
      directLending: false,
    });
    expect(edited).toMatchObject({ campaignStatus: "PENDING", errors: [] });
    await em.advance(65);
    expect((await campaigns(t, service)(CAMPAIGN_SID).fetch()).campaignStatus).toBe("VERIFIED");
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a mock brand's campaign is a mock and is verified without content review", async () => {
    const { t, brand, service } = await approvedBrand("Mock campaign", { mock: true });
    const created = await campaigns(t, service).create({
      brandRegistrationSid: brand,
      ...STANDARD_CAMPAIGN,
      messageSamples: ["Hello there this is a test one.", "Hello there this is a test two."],
    });
    expect(created.mock).toBe(true);
    await em.advance(65);
    expect((await campaigns(t, service)(CAMPAIGN_SID).fetch()).campaignStatus).toBe("VERIFIED");
  });

  it("the control API forces a campaign's outcome by its service SID; a suspended one cannot be edited", async () => {
    const { t, brand, service } = await approvedBrand("Forced campaign");
    await campaigns(t, service).create({ brandRegistrationSid: brand, ...STANDARD_CAMPAIGN });
    await em.control("POST", `reviews/${service}/outcome`, {
      outcome: "failed",
      reason: "Opt-in unclear",
      error_code: 30896,
    });
    const failed = await campaigns(t, service)(CAMPAIGN_SID).fetch();
    expect(failed.errors).toEqual([
      {
        error_code: 30896,
        fields: [],
        url: "https://www.twilio.com/docs/api/errors/30896",
        description: "Opt-in unclear",
      },
    ]);
    await em.control("POST", `reviews/${service}/outcome`, { outcome: "suspended" });
    expect((await campaigns(t, service)(CAMPAIGN_SID).fetch()).campaignStatus).toBe("SUSPENDED");
    const edit = await twilioError(
      campaigns(
        t,
        service,
      )(CAMPAIGN_SID).update({
        description: STANDARD_CAMPAIGN.description,
        messageFlow: STANDARD_CAMPAIGN.messageFlow,
        messageSamples: STANDARD_CAMPAIGN.messageSamples,
        hasEmbeddedLinks: false,
        hasEmbeddedPhone: false,
        ageGated: false,
        directLending: false,
      }),
    );
    expect(edit).toMatchObject({ status: 400, code: 21729 });
  });
});
