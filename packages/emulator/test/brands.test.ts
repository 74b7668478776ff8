import { describe, expect, it } from "vitest";
import { brandNames, einProblem, websiteProblem } from "../src/reviews/checks.js";
import {
  type BrandFacts,
  type CampaignFacts,
  RULE_IDS,
  type TollfreeFacts,
  brandFailures,
  bundleFailures,
  campaignFailures,
  tollfreeFailures,
} from "../src/reviews/rules.js";
import {
  POLICY,
  type Tenant,
  a2pTrustProduct,
  address,
  newTenant,
  schemaFindings,
  secondaryProfile,
} from "./compliance-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

/**
 * The standard brand sequence (docs/twilio-facts.md): secondary profile and A2P trust product,
 * submitted, then the brand at once.
 */
async function standardBrand(
  t: Tenant,
  opts: {
    business?: Record<string, string>;
    a2p?: Record<string, string>;
    skipAutomaticSecVet?: boolean;
    mock?: boolean;
  } = {},
) {
  const profile = await secondaryProfile(em, t, { business: opts.business });
  const product = await a2pTrustProduct(t, profile.sid, opts.a2p);
  const brand = await t.client.messaging.v1.brandRegistrations.create({
    customerProfileBundleSid: profile.sid,
    a2PProfileBundleSid: product.sid,
    brandType: "STANDARD",
    ...(opts.skipAutomaticSecVet ? { skipAutomaticSecVet: true } : {}),
    ...(opts.mock ? { mock: true } : {}),
  });
  return { brand, profile, product };
}

const fetchBrand = (t: Tenant, sid: string) => t.client.messaging.v1.brandRegistrations(sid).fetch();

describe("standard brands", () => {
  it("waits PENDING for its bundles, goes IN_REVIEW, then APPROVED with a trust score", async () => {
    const t = await newTenant(em, "Acme");
    const { brand } = await standardBrand(t);
    expect(brand).toMatchObject({
      status: "PENDING",
      brandType: "STANDARD",
      skipAutomaticSecVet: false,
      mock: false,
    });
    expect(brand.sid).toMatch(/^BN[0-9a-f]{32}$/);
    await em.advance(2);
    expect((await fetchBrand(t, brand.sid)).status).toBe("PENDING");
    await em.advance(10);
    expect((await fetchBrand(t, brand.sid)).status).toBe("IN_REVIEW");
    await em.advance(30);
    const approved = await fetchBrand(t, brand.sid);
    expect(approved).toMatchObject({
      status: "APPROVED",
      identityStatus: "VETTED_VERIFIED",
      brandScore: 75,
      errors: [],
      failureReason: null,
    });
    expect(approved.tcrId).toMatch(/^B[0-9A-Z]{6}$/);
    const listed = await t.client.messaging.v1.brandRegistrations.list();
    expect(listed.map((b) => b.sid)).toEqual([brand.sid]);
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a low-volume standard brand skips secondary vetting: verified, without a trust score", async () => {
    const t = await newTenant(em, "Low volume");
    const { brand } = await standardBrand(t, { skipAutomaticSecVet: true });
    await em.advance(45);
    expect(await fetchBrand(t, brand.sid)).toMatchObject({
      status: "APPROVED",
      identityStatus: "VERIFIED",
      brandScore: null,
      skipAutomaticSecVet: true,
    });
  });

  it("an invalid EIN fails the brand with TAX_ID feedback; fixing it and resubmitting approves it", async () => {
    const t = await newTenant(em, "Bad EIN");
    const { brand, profile } = await standardBrand(t, {
      business: { business_registration_number: "00-0000000" },
    });
    await em.advance(45);
    const failed = await fetchBrand(t, brand.sid);
    expect(failed).toMatchObject({
      status: "FAILED",
      brandFeedback: ["TAX_ID"],
      identityStatus: "UNVERIFIED",
    });
    expect(failed.errors[0]).toMatchObject({
      error_code: 30799,
      fields: ["business_registration_number"],
      url: "https://www.twilio.com/docs/api/errors/30799",
    });
    expect(failed.failureReason).toContain("00-0000000");

    const [business] = await t.client.trusthub.v1.endUsers.list();
    expect(business.sid).toBe(profile.businessSid);
    await t.client.trusthub.v1
      .endUsers(business.sid)
      .update({ attributes: { ...business.attributes, business_registration_number: "84-2345678" } });
    const resubmitted = await t.client.messaging.v1.brandRegistrations(brand.sid).update();
    expect(resubmitted).toMatchObject({ status: "PENDING", errors: [], failureReason: null });
    await em.advance(45);
    expect((await fetchBrand(t, brand.sid)).status).toBe("APPROVED");
    const again = await twilioError(t.client.messaging.v1.brandRegistrations(brand.sid).update());
    expect(again).toMatchObject({ status: 400, code: 20001 });
    expect(schemaFindings(t)).toEqual([]);
  });

  it.each([
    ["a DBA name", { business_name: "Acme DBA Sandwich Town Inc." }, "business_name"],
    ["a corporation without its suffix", { business_name: "Acme Sandwich" }, "business_name"],
    [
      "an EIN of one repeated digit",
      { business_registration_number: "11-1111111" },
      "business_registration_number",
    ],
    [
      "an EIN that is not 9 digits",
      { business_registration_number: "12-34567" },
      "business_registration_number",
    ],
  ])("%s fails the brand with 30799", async (_, business, field) => {
    const t = await newTenant(em, "Legal name");
    const { brand } = await standardBrand(t, { business });
    await em.advance(45);
    const failed = await fetchBrand(t, brand.sid);
    expect(failed.status).toBe("FAILED");
    expect(failed.errors.map((e: any) => e.fields[0])).toContain(field);
  });

  it("a public company listed on no exchange fails with STOCK_SYMBOL feedback", async () => {
    const t = await newTenant(em, "Public");
    const { brand } = await standardBrand(t, {
      a2p: { company_type: "public", stock_exchange: "NONE", stock_ticker: "ACME" },
    });
    await em.advance(45);
    const failed = await fetchBrand(t, brand.sid);
    expect(failed).toMatchObject({ status: "FAILED", brandFeedback: ["STOCK_SYMBOL"] });
  });

  it("an invalid US state in the business address fails with 30701 on region", async () => {
    const t = await newTenant(em, "Bad region");
    const { sid: profileSid } = await secondaryProfile(em, t, { submit: false });
    const th = t.client.trusthub.v1;
    const bad = await address(t, { region: "California" });
    const [doc] = await th.supportingDocuments.list();
    await th.supportingDocuments(doc.sid).update({ attributes: { address_sids: bad } });
    await th.customerProfiles(profileSid).customerProfilesEvaluations.create({ policySid: POLICY.SECONDARY });
    await th.customerProfiles(profileSid).update({ status: "pending-review" });
    const product = await a2pTrustProduct(t, profileSid);
    const brand = await t.client.messaging.v1.brandRegistrations.create({
      customerProfileBundleSid: profileSid,
      a2PProfileBundleSid: product.sid,
    });
    await em.advance(45);
    const failed = await fetchBrand(t, brand.sid);
    expect(failed.errors[0]).toMatchObject({ error_code: 30701, fields: ["region"] });
  });

  it("a draft or unknown bundle fails the brand: unable to fetch the bundle details", async () => {
    const t = await newTenant(em, "Draft bundles");
    const profile = await secondaryProfile(em, t, { submit: false });
    const brand = await t.client.messaging.v1.brandRegistrations.create({
      customerProfileBundleSid: profile.sid,
      a2PProfileBundleSid: "BU00000000000000000000000000000000",
    });
    await em.advance(5);
    const failed = await fetchBrand(t, brand.sid);
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toMatch(/^Unable to fetch Customer Profile Bundle details/);
    expect(failed.errors.map((e: any) => e.fields[0])).toEqual([
      "customer_profile_bundle_sid",
      "a2p_profile_bundle_sid",
    ]);
    const malformed = await twilioError(
      t.client.messaging.v1.brandRegistrations.create({
        customerProfileBundleSid: "nope",
        a2PProfileBundleSid: "nope",
      }),
    );
    expect(malformed).toMatchObject({ status: 400, code: 20001 });
  });

  it("a brand waiting on a profile that gets rejected fails", async () => {
    const t = await newTenant(em, "Rejected profile");
    const { brand } = await standardBrand(t, {
      business: { website_url: "https://staging.acmesandwich.com" },
    });
    await em.advance(45);
    const failed = await fetchBrand(t, brand.sid);
    expect(failed.status).toBe("FAILED");
    expect(failed.errors[0].fields).toEqual(["customer_profile_bundle_sid"]);
  });

  it("a mock brand is approved without TCR's checks", async () => {
    const t = await newTenant(em, "Mock");
    const { brand } = await standardBrand(t, {
      mock: true,
      business: { business_registration_number: "000000000" },
    });
    expect(brand.mock).toBe(true);
    await em.advance(45);
    expect((await fetchBrand(t, brand.sid)).status).toBe("APPROVED");
  });

  it("the control API forces a brand to FAILED, SUSPENDED or APPROVED at once", async () => {
    const t = await newTenant(em, "Forced brand");
    const { brand } = await standardBrand(t);
    await em.control("POST", `reviews/${brand.sid}/outcome`, {
      outcome: "failed",
      reason: "Tax ID mismatch",
      error_code: 30799,
    });
    const failed = await fetchBrand(t, brand.sid);
    expect(failed).toMatchObject({ status: "FAILED", failureReason: "Tax ID mismatch" });
    expect(failed.errors[0].error_code).toBe(30799);
    await em.advance(45);
    expect((await fetchBrand(t, brand.sid)).status).toBe("FAILED");
    await em.control("POST", `reviews/${brand.sid}/outcome`, { outcome: "approved" });
    expect((await fetchBrand(t, brand.sid)).status).toBe("APPROVED");
    await em.control("POST", `reviews/${brand.sid}/outcome`, { outcome: "suspended" });
    expect((await fetchBrand(t, brand.sid)).status).toBe("SUSPENDED");
    await expect(
      em.control("POST", "reviews/BN00000000000000000000000000000000/outcome", { outcome: "approved" }),
    ).rejects.toThrow(/404/);
  });

  it("a sibling subaccount cannot see another tenant's brand", async () => {
    const a = await newTenant(em, "Brand owner");
    const b = await newTenant(em, "Brand sibling");
    const { brand } = await standardBrand(a);
    expect((await twilioError(fetchBrand(b, brand.sid))).code).toBe(20404);
    expect(await b.client.messaging.v1.brandRegistrations.list()).toEqual([]);
  });
});

describe("brand vettings", () => {
  it("an Aegis vetting of an approved brand succeeds; a Campaign Verify import needs its token", async () => {
    const t = await newTenant(em, "Vetting");
    const { brand } = await standardBrand(t, { skipAutomaticSecVet: true });
    const early = await twilioError(
      t.client.messaging.v1.brandRegistrations(brand.sid).brandVettings.create({ vettingProvider: "aegis" }),
    );
    expect(early).toMatchObject({ status: 400, code: 21721 });
    await em.advance(45);
    const vettings = t.client.messaging.v1.brandRegistrations(brand.sid).brandVettings;
    const vetting = await vettings.create({ vettingProvider: "aegis" });
    expect(vetting).toMatchObject({
      vettingProvider: "aegis",
      vettingStatus: "IN_PROGRESS",
      vettingClass: "STANDARD",
    });
    expect(vetting.brandVettingSid).toMatch(/^VT[0-9a-f]{32}$/);
    await em.advance(30);
    expect((await vettings(vetting.brandVettingSid).fetch()).vettingStatus).toBe("SUCCESS");
    expect(await fetchBrand(t, brand.sid)).toMatchObject({
      identityStatus: "VETTED_VERIFIED",
      brandScore: 75,
    });
    const missing = await twilioError(vettings.create({ vettingProvider: "campaign-verify" }));
    expect(missing.code).toBe(20001);
    await vettings.create({ vettingProvider: "campaign-verify", vettingId: "cv|1.0|tcr|10dlc|token" });
    expect((await vettings.list({ vettingProvider: "campaign-verify" })).map((v) => v.vettingClass)).toEqual([
      "POLITICAL",
    ]);
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("the review rules (pure)", () => {
  const bundle = { sid: "BU1", exists: true, status: "twilio-approved", failures: [] };
  const brandBase: BrandFacts = {
    brand_type: "STANDARD",
    customerProfile: bundle,
    a2pProfile: bundle,
    business: {
      business_name: "Acme Inc.",
      business_type: "Corporation",
      business_registration_identifier: "EIN",
      business_registration_number: "84-2345678",
    },
    a2p: { company_type: "private" },
    sole: { brand_name: "Jane Doe", mobile_phone_number: "+14155550124" },
    addresses: [{ sid: "AD1", found: true, iso_country: "US", region: "CA", postal_code: "94105" }],
    mobileUses: 0,
  };
  const sole: BrandFacts = { ...brandBase, brand_type: "SOLE_PROPRIETOR" };
  const campaignBase: CampaignFacts = {
    brandStatus: "APPROVED",
    brandType: "STANDARD",
    identityStatus: "VETTED_VERIFIED",
    brandNames: brandNames(["Acme Inc."]),
    description: "Acme sends delivery updates to customers who opted in at checkout.",
    messageFlow: "Customers opt in by checking a box at checkout on acme.com.",
    samples: [
      "Acme: your order [id] ships today. Reply STOP to opt out.",
      "Acme: order [id] delivered, reply HELP for help.",
    ],
    hasEmbeddedPhone: false,
  };
  const tollfreeBase: TollfreeFacts = {
    optInImageUrls: ["https://acme.com/optin.png"],
    businessWebsite: "https://acme.com",
    emails: [{ field: "NotificationEmail", value: "ops@acme.com" }],
    productionMessageSample: "Acme: your order shipped, https://acme.com/t",
    useCaseSummary: "Order notifications for opted-in customers.",
  };
  const cases: [string, () => { rule: string }[]][] = [
    [
      "bundle.email",
      () =>
        bundleFailures({
          usOrCanadaOnly: false,
          emails: [{ field: "email", value: "a@trashmail.com" }],
          websites: [],
          addresses: [],
        }),
    ],
    [
      "bundle.address",
      () =>
        bundleFailures({
          usOrCanadaOnly: true,
          emails: [],
          websites: [],
          addresses: [{ sid: "AD1", found: true, iso_country: "MX" }],
        }),
    ],
    [
      "bundle.website",
      () =>
        bundleFailures({ usOrCanadaOnly: false, emails: [], websites: ["http://10.0.0.1"], addresses: [] }),
    ],
    ["brand.bundle", () => brandFailures({ ...brandBase, a2pProfile: { ...bundle, status: "draft" } })],
    [
      "brand.ein",
      () =>
        brandFailures({
          ...brandBase,
          business: { ...brandBase.business, business_registration_number: "123456789" },
        }),
    ],
    [
      "brand.legal_name",
      () => brandFailures({ ...brandBase, business: { ...brandBase.business, business_name: "Acme" } }),
    ],
    ["brand.stock", () => brandFailures({ ...brandBase, a2p: { company_type: "public" } })],
    [
      "brand.address",
      () =>
        brandFailures({
          ...brandBase,
          addresses: [{ sid: "AD1", found: true, iso_country: "US", region: "CA", postal_code: "9410" }],
        }),
    ],
    [
      "brand.country",
      () => brandFailures({ ...brandBase, addresses: [{ sid: "AD1", found: true, iso_country: "KP" }] }),
    ],
    [
      "brand.mobile_country",
      () => brandFailures({ ...sole, sole: { ...sole.sole, mobile_phone_number: "+33612345678" } }),
    ],
    ["brand.mobile_reuse", () => brandFailures({ ...sole, mobileUses: 3 })],
    ["brand.brand_name", () => brandFailures({ ...sole, sole: { ...sole.sole, brand_name: "12345" } })],
    [
      "campaign.brand_unverified",
      () => campaignFailures({ ...campaignBase, brandType: "SOLE_PROPRIETOR", identityStatus: "UNVERIFIED" }),
    ],
    [
      "campaign.samples_brand",
      () => campaignFailures({ ...campaignBase, brandNames: brandNames(["Zeta LLC"]) }),
    ],
    [
      "campaign.samples_short",
      () =>
        campaignFailures({
          ...campaignBase,
          samples: [...campaignBase.samples, "Acme: order shipped today"],
        }),
    ],
    [
      "campaign.opt_in",
      () =>
        campaignFailures({ ...campaignBase, messageFlow: "We message our existing customers about orders." }),
    ],
    ["campaign.embedded_phone", () => campaignFailures({ ...campaignBase, hasEmbeddedPhone: true })],
    [
      "campaign.content",
      () =>
        campaignFailures({ ...campaignBase, description: "Acme sells payday loans to opted-in customers." }),
    ],
    ["tollfree.opt_in_missing", () => tollfreeFailures({ ...tollfreeBase, optInImageUrls: [] })],
    [
      "tollfree.opt_in_url",
      () => tollfreeFailures({ ...tollfreeBase, optInImageUrls: ["ftp://acme.com/x.png"] }),
    ],
    [
      "tollfree.contact",
      () =>
        tollfreeFailures({
          ...tollfreeBase,
          emails: [{ field: "NotificationEmail", value: "not-an-email" }],
        }),
    ],
    [
      "tollfree.insecure_url",
      () => tollfreeFailures({ ...tollfreeBase, productionMessageSample: "Acme: see http://acme.com" }),
    ],
    ["tollfree.content", () => tollfreeFailures({ ...tollfreeBase, useCaseSummary: "Debt relief offers." })],
  ];

  it("the valid baselines pass every rule", () => {
    expect(brandFailures(brandBase)).toEqual([]);
    expect(brandFailures(sole)).toEqual([]);
    expect(campaignFailures(campaignBase)).toEqual([]);
    expect(tollfreeFailures(tollfreeBase)).toEqual([]);
  });

  it.each(cases)("%s fails its own case", (rule, run) => {
    expect(run().map((f) => f.rule)).toEqual([rule]);
  });

  it("every documented rule has a case (the OTP deadline is a timer, tested through the API)", () => {
    expect([...cases.map(([rule]) => rule), "brand.otp_deadline"].sort()).toEqual([...RULE_IDS].sort());
  });

  it.each([
    ["84-2345678", null],
    ["00-1234567", "prefix 00"],
    ["99-9999999", "single digit"],
    ["12-345678", "not 9 digits"],
    ["123456789", "placeholder"],
  ])("EIN %s → %s", (ein, problem) => {
    const found = einProblem(ein);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it.each([
    ["https://www.acme.com", true],
    ["acme.com", true],
    ["http://localhost:3000", false],
    ["https://192.168.1.10", false],
    ["https://staging.acme.com", false],
    ["https://acme-dev.com", false],
    ["https://www.example.com", false],
    ["https://acme.test", false],
  ])("website %s is public: %s", (url, ok) => {
    expect(websiteProblem(url) === null).toBe(ok);
  });
});
