import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CAMPAIGN_SID,
  POLICY,
  SOLE_PROPRIETOR_CAMPAIGN,
  type Tenant,
  address,
  callbackSink,
  messagingService,
  newTenant,
  primaryProfileSid,
  schemaFindings,
  soleProprietorBundle,
  starterProfile,
} from "./compliance-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

/** Twilio's ISV API walkthrough for sole proprietor brands and campaigns, step by step (docs/twilio-facts.md). */
const em = useEmulator();
let sink: Awaited<ReturnType<typeof callbackSink>>;
beforeAll(async () => {
  sink = await callbackSink();
});
afterAll(async () => {
  await sink.close();
});

let mobiles = 0;
/** A fresh US mobile per brand: TCR allows a mobile number in at most three brands. */
const nextMobile = () => `+1415555${String(2000 + mobiles++).padStart(4, "0")}`;

async function soleProprietorBrand(
  t: Tenant,
  mobile: string,
  opts: { email?: string; brandName?: string } = {},
) {
  const starter = await starterProfile(em, t, { email: opts.email });
  const bundle = await soleProprietorBundle(t, starter.sid, {
    mobile_phone_number: mobile,
    ...(opts.brandName ? { brand_name: opts.brandName } : {}),
  });
  const brand = await t.client.messaging.v1.brandRegistrations.create({
    customerProfileBundleSid: starter.sid,
    a2PProfileBundleSid: bundle.sid,
    brandType: "SOLE_PROPRIETOR",
  });
  return { starter: starter.sid, bundle: bundle.sid, brand };
}

const otpMessages = async (mobile: string) =>
  (await em.control("GET", `handsets/${encodeURIComponent(mobile)}/otp`)).messages;
const replyYes = (mobile: string, body?: string) =>
  em.control("POST", `handsets/${encodeURIComponent(mobile)}/otp-reply`, body ? { body } : {});

describe("Twilio's Sole Proprietor API walkthrough", () => {
  it("takes a customer from starter profile to a VERIFIED sole proprietor campaign", async () => {
    const t = await newTenant(em, "Jane's Bakery");
    const th = t.client.trusthub.v1;
    const mobile = nextMobile();
    const callback = sink.url(`/walkthrough/${t.sid}`);

    // 1.1–1.2: the starter policy, and an empty starter profile with a status callback.
    const policy = await th.policies(POLICY.STARTER).fetch();
    expect(policy.sid).toBe(POLICY.STARTER);
    const starter = await th.customerProfiles.create({
      friendlyName: "Jane's Bakery",
      email: "jane@janesbakery.com",
      policySid: POLICY.STARTER,
      statusCallback: callback,
    });
    expect(starter.status).toBe("draft");
    // 1.3–1.5: the end user, the address and the supporting document that points at it.
    const info = await th.endUsers.create({
      friendlyName: "Jane Doe",
      type: "starter_customer_profile_information",
      attributes: {
        email: "jane@janesbakery.com",
        first_name: "Jane",
        last_name: "Doe",
        phone_number: "+14155550123",
      },
    });
    const addressSid = await address(t);
    const doc = await th.supportingDocuments.create({
      friendlyName: "Jane's address",
      type: "customer_profile_address",
      attributes: { address_sids: addressSid },
    });
    // 1.6: assign the end user, the document and the ISV's primary profile.
    const assign = th.customerProfiles(starter.sid).customerProfilesEntityAssignments;
    for (const objectSid of [info.sid, doc.sid, await primaryProfileSid(em)])
      await assign.create({ objectSid });
    // 1.7–1.8: evaluate, then submit: the answer is already in-review.
    const evaluation = await th.customerProfiles(starter.sid).customerProfilesEvaluations.create({
      policySid: POLICY.STARTER,
    });
    expect(evaluation.status).toBe("compliant");
    expect(evaluation.results.map((r: any) => r.requirement_name)).toEqual([
      "starter_customer_profile_information",
      "customer_profile_address",
      "primary_customer_profile",
    ]);
    expect((await th.customerProfiles(starter.sid).update({ status: "pending-review" })).status).toBe(
      "in-review",
    );

    // 2.1–2.6: the sole proprietor trust bundle, submitted without waiting for the profile.
    expect((await th.policies(POLICY.SOLE_PROPRIETOR_A2P).fetch()).friendlyName).toBe(
      "Sole Proprietor TrustProduct",
    );
    const bundle = await th.trustProducts.create({
      friendlyName: "Jane's Bakery",
      email: "jane@janesbakery.com",
      policySid: POLICY.SOLE_PROPRIETOR_A2P,
      statusCallback: callback,
    });
    const sole = await th.endUsers.create({
      friendlyName: "Jane's Bakery brand",
      type: "sole_proprietor_information",
      attributes: { brand_name: "Jane's Bakery", vertical: "RETAIL", mobile_phone_number: mobile },
    });
    await th.trustProducts(bundle.sid).trustProductsEntityAssignments.create({ objectSid: sole.sid });
    await th.trustProducts(bundle.sid).trustProductsEntityAssignments.create({ objectSid: starter.sid });
    const bundleEvaluation = await th.trustProducts(bundle.sid).trustProductsEvaluations.create({
      policySid: POLICY.SOLE_PROPRIETOR_A2P,
    });
    expect(bundleEvaluation.status).toBe("compliant");
    expect((await th.trustProducts(bundle.sid).update({ status: "pending-review" })).status).toBe(
      "in-review",
    );
    await em.advance(30); // the 30-second settle the walkthrough advises after each submission

    // 3: the brand; PENDING until TCR registers it, then APPROVED with the OTP sent.
    const brand = await t.client.messaging.v1.brandRegistrations.create({
      customerProfileBundleSid: starter.sid,
      a2PProfileBundleSid: bundle.sid,
      brandType: "SOLE_PROPRIETOR",
    });
    expect(brand).toMatchObject({ status: "PENDING", identityStatus: null, brandType: "SOLE_PROPRIETOR" });
    await em.advance(30);
    const registered = await t.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(registered).toMatchObject({ status: "APPROVED", identityStatus: "UNVERIFIED" });
    expect(registered.tcrId).toMatch(/^B[0-9A-Z]{6}$/);
    const [otp] = await otpMessages(mobile);
    expect(otp).toMatchObject({
      from: "+19152782000",
      to: mobile,
      brand_registration_sid: brand.sid,
      status: "pending",
    });
    expect(otp.body).toContain("replying YES");
    // Profiles reach twilio-approved only when the brand is OTP-verified (walkthrough step 1.8).
    expect((await th.customerProfiles(starter.sid).fetch()).status).toBe("in-review");

    // 3.1: the handset answers YES.
    const answer = await replyYes(mobile);
    expect(answer).toMatchObject({ outcome: "verified", identity_status: "VERIFIED" });
    expect((await t.client.messaging.v1.brandRegistrations(brand.sid).fetch()).identityStatus).toBe(
      "VERIFIED",
    );
    expect((await otpMessages(mobile)).map((m: any) => m.body)).toContain(
      "Thank you. Your registration has been confirmed.",
    );
    expect((await th.customerProfiles(starter.sid).fetch()).status).toBe("twilio-approved");
    expect((await th.trustProducts(bundle.sid).fetch()).status).toBe("twilio-approved");
    await em.emulator.world.callbacks.settle();
    const approvals = sink.received.filter(
      (c) => c.path.includes(t.sid) && c.params.Status === "twilio-approved",
    );
    expect(approvals.map((c) => c.params.BundleSid).sort()).toEqual([starter.sid, bundle.sid].sort());

    // 4: a messaging service with exactly one 10DLC number.
    const service = await messagingService(t, "Jane's Bakery");
    const number = await t.client.incomingPhoneNumbers.create({ areaCode: "415" });
    await t.client.messaging.v1.services(service).phoneNumbers.create({ phoneNumberSid: number.sid });
    const useCases = await t.client.messaging.v1
      .services(service)
      .usAppToPersonUsecases.fetch({ brandRegistrationSid: brand.sid });
    expect(useCases.usAppToPersonUsecases.map((u: any) => u.code)).toEqual(["SOLE_PROPRIETOR"]);

    // 4.1: the campaign, PENDING → IN_PROGRESS (at TCR, with its campaign_id) → VERIFIED.
    const campaign = await t.client.messaging.v1
      .services(service)
      .usAppToPerson.create({ brandRegistrationSid: brand.sid, ...SOLE_PROPRIETOR_CAMPAIGN });
    expect(campaign).toMatchObject({
      sid: CAMPAIGN_SID,
      campaignStatus: "PENDING",
      messagingServiceSid: service,
    });
    await em.advance(5);
    const inProgress = await t.client.messaging.v1.services(service).usAppToPerson(CAMPAIGN_SID).fetch();
    expect(inProgress.campaignStatus).toBe("IN_PROGRESS");
    expect(inProgress.campaignId).toMatch(/^C[0-9A-Z]{6}$/);
    await em.advance(60);
    const verified = await t.client.messaging.v1.services(service).usAppToPerson(CAMPAIGN_SID).fetch();
    expect(verified).toMatchObject({
      campaignStatus: "VERIFIED",
      errors: [],
      rateLimits: { att: { mps: 0.25, msg_class: "A" }, tmobile: { brand_tier: "LOW" } },
    });
    const listed = await t.client.messaging.v1.services(service).usAppToPerson.list();
    expect(listed.map((c) => c.campaignStatus)).toEqual(["VERIFIED"]);
    expect((await t.client.messaging.v1.services(service).fetch()).usAppToPersonRegistered).toBe(true);
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("sole proprietor brand rules", () => {
  it("an OTP left unanswered for 24 hours expires; a retriggered OTP can be answered", async () => {
    const t = await newTenant(em, "Late answer");
    const mobile = nextMobile();
    const { brand } = await soleProprietorBrand(t, mobile);
    await em.advance(30);
    await em.advance(24 * 3600 + 1);
    expect((await otpMessages(mobile))[0].status).toBe("expired");
    await expect(replyYes(mobile)).rejects.toThrow(/409.*30752/);
    const retriggered = await t.client.messaging.v1
      .brandRegistrations(brand.sid)
      .brandRegistrationOtps.create();
    expect(retriggered).toMatchObject({ accountSid: t.sid, brandRegistrationSid: brand.sid });
    expect((await replyYes(mobile, "no thanks")).outcome).toBe("ignored");
    expect((await replyYes(mobile)).identity_status).toBe("VERIFIED");
    const retrigger = await twilioError(
      t.client.messaging.v1.brandRegistrations(brand.sid).brandRegistrationOtps.create(),
    );
    expect(retrigger.status).toBe(400);
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a brand whose OTP is not confirmed within 30 days fails with 30752", async () => {
    const t = await newTenant(em, "Never answers");
    const { brand } = await soleProprietorBrand(t, nextMobile());
    await em.advance(30);
    await em.advance(30 * 86400);
    const failed = await t.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(failed.status).toBe("FAILED");
    expect(failed.errors[0]).toMatchObject({ error_code: 30752, fields: ["mobile_phone_number"] });
  });

  it("a non-US/CA mobile number fails the brand with 30751", async () => {
    const t = await newTenant(em, "UK mobile");
    const { brand } = await soleProprietorBrand(t, "+447700900123");
    await em.advance(30);
    const failed = await t.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(failed.status).toBe("FAILED");
    expect(failed.errors[0]).toMatchObject({ error_code: 30751, fields: ["mobile_phone_number"] });
    expect(await otpMessages("+447700900123")).toEqual([]);
  });

  it("a mobile number already used by three brands, in any account, fails the fourth with 30712", async () => {
    const mobile = nextMobile();
    for (const name of ["One", "Two", "Three"]) {
      const t = await newTenant(em, `Reuse ${name}`);
      await soleProprietorBrand(t, mobile);
      await em.advance(30);
    }
    const fourth = await newTenant(em, "Reuse Four");
    const { brand } = await soleProprietorBrand(fourth, mobile);
    await em.advance(30);
    const failed = await fourth.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(failed.status).toBe("FAILED");
    expect(failed.errors[0].error_code).toBe(30712);
  });

  it("a brand name that is an email address fails with 30701", async () => {
    const t = await newTenant(em, "Email as name");
    const { brand } = await soleProprietorBrand(t, nextMobile(), { brandName: "jane@janesbakery.com" });
    await em.advance(30);
    const failed = await t.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(failed.errors[0]).toMatchObject({ error_code: 30701, fields: ["brand_name"] });
  });

  it("a starter profile rejected for a disposable email fails the brand with the bundle reason", async () => {
    const t = await newTenant(em, "Disposable brand");
    const { brand, starter } = await soleProprietorBrand(t, nextMobile(), { email: "jane@yopmail.com" });
    await em.advance(30);
    expect((await t.client.trusthub.v1.customerProfiles(starter).fetch()).status).toBe("twilio-rejected");
    const failed = await t.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toContain("Unable to fetch Customer Profile Bundle details");
    expect(failed.errors[0]).toMatchObject({ error_code: 30701, fields: ["customer_profile_bundle_sid"] });
  });

  it("only one sole proprietor brand per starter profile, and one campaign per sole proprietor brand", async () => {
    const t = await newTenant(em, "One of each");
    const mobile = nextMobile();
    const { brand, starter, bundle } = await soleProprietorBrand(t, mobile);
    const twin = await twilioError(
      t.client.messaging.v1.brandRegistrations.create({
        customerProfileBundleSid: starter,
        a2PProfileBundleSid: bundle,
        brandType: "SOLE_PROPRIETOR",
      }),
    );
    expect(twin).toMatchObject({ status: 409, code: 20409 });
    await em.advance(30);
    await replyYes(mobile);
    const first = await messagingService(t, "First");
    await t.client.messaging.v1
      .services(first)
      .usAppToPerson.create({ brandRegistrationSid: brand.sid, ...SOLE_PROPRIETOR_CAMPAIGN });
    const second = await messagingService(t, "Second");
    const again = await twilioError(
      t.client.messaging.v1
        .services(second)
        .usAppToPerson.create({ brandRegistrationSid: brand.sid, ...SOLE_PROPRIETOR_CAMPAIGN }),
    );
    expect(again).toMatchObject({ status: 409, code: 20409 });
    const wrongUseCase = await twilioError(
      t.client.messaging.v1.services(second).usAppToPerson.create({
        brandRegistrationSid: brand.sid,
        ...SOLE_PROPRIETOR_CAMPAIGN,
        usAppToPersonUsecase: "MARKETING",
      }),
    );
    expect(wrongUseCase).toMatchObject({ status: 400, code: 21717 });
  });

  it("a campaign created before the OTP is confirmed fails with 30991", async () => {
    const t = await newTenant(em, "Too early");
    const { brand } = await soleProprietorBrand(t, nextMobile());
    await em.advance(30);
    const service = await messagingService(t);
    await t.client.messaging.v1
      .services(service)
      .usAppToPerson.create({ brandRegistrationSid: brand.sid, ...SOLE_PROPRIETOR_CAMPAIGN });
    await em.advance(60);
    const failed = await t.client.messaging.v1.services(service).usAppToPerson(CAMPAIGN_SID).fetch();
    expect(failed.campaignStatus).toBe("FAILED");
    expect(failed.errors[0]).toMatchObject({ error_code: 30991 });
  });
});
