/**
 * Each documented rejection that gets past our pre-validation (a heuristic warning, or a rule
 * only Twilio/TCR can check), what the user is told, and the remediation loop: PATCH the data,
 * resubmit only the failed stage, reach ready-to-send — without re-creating what was fine.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSendingProfile } from "../../src/onboarding/sending-profile.js";
import { driveRegistrations, readRegistration, submitRegistration } from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const failed = (r: any) => r.state === "failed";

/** Subaccount credentials from the emulator, to count what exists in Twilio. */
async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

async function patchAndResubmit(ref: { tenantId: string; id: string }, key: string, patch: object) {
  const patched = await stack.api("PATCH", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}`, {
    token: key,
    body: patch,
  });
  expect(patched.status).toBe(200);
  expect(patched.body.state).toBe("failed");
  const resubmitted = await stack.api(
    "POST",
    `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/resubmit`,
    { token: key },
  );
  expect(resubmitted.status).toBe(202);
  expect(resubmitted.body).toMatchObject({ state: "in_progress", failure: null });
  return resubmitted.body;
}

describe("failures and their remediation", { timeout: 120_000 }, () => {
  it("an EIN TCR cannot verify fails the brand with a tax-id hint; fixing it resubmits the same brand", async () => {
    const { tenant, key, registration, ref } = await submitRegistration(stack, "standard", (d) => {
      d.business.tax_id = "00-1234567"; // a warning for us (IRS never issues 00), a failure at TCR
    });
    expect(registration.state).toMatch(/submitted|in_progress/);
    const [failedView] = await driveRegistrations(stack, [ref], { until: failed });
    expect(failedView.failure).toMatchObject({
      stage: "brand",
      twilio_status: "FAILED",
      remediable: true,
      reasons: [
        { code: "tax_id_mismatch", twilio_code: 30799, fields: expect.arrayContaining(["business.tax_id"]) },
      ],
    });
    expect((await getSendingProfile(stack.db, tenant.id)).blockedReason?.code).toBe("registration_failed");
    const brandSid = failedView.resources.brand_sid;

    // Editing is only for failed registrations, and runs validation again.
    const invalid = await stack.api("PATCH", `/v1/tenants/${tenant.id}/registrations/${ref.id}`, {
      token: key,
      body: { business: { tax_id: "12-34" } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details).toContainEqual(expect.objectContaining({ code: "ein_invalid" }));

    await patchAndResubmit(ref, key, { business: { tax_id: "84-1234567" } });
    const [done] = await driveRegistrations(stack, [ref]);
    expect(done.resources.brand_sid).toBe(brandSid);
    expect(done.document.business.tax_id).toBe("84-1234567");
    const client = await subaccountClient(tenant.subaccount_sid);
    expect(await client.messaging.v1.brandRegistrations.list()).toHaveLength(1);
    expect(await client.trusthub.v1.customerProfiles.list()).toHaveLength(1);
    const [info] = (await client.trusthub.v1.endUsers.list()).filter(
      (e) => e.type === "customer_profile_business_information",
    );
    expect(info.attributes).toMatchObject({ business_registration_number: "84-1234567" });
  });

  it("an e-mail Trust Hub finds disposable rejects the profile with Trust Hub's reason; a new e-mail fixes it", async () => {
    // tempmail.com is not on our list of disposable domains, but it is on Trust Hub's.
    const { key, ref, tenant } = await submitRegistration(stack, "sole_proprietor", (d) => {
      d.business.email = "jane@tempmail.com";
    });
    const [view] = await driveRegistrations(stack, [ref], { until: failed });
    expect(view.failure.stage).toBe("customer_profile");
    expect(view.failure.reasons[0]).toMatchObject({
      code: "email_invalid",
      twilio_code: 18604,
      reason: "Email is a suspected disposable address.",
      fields: ["business.email"],
    });
    await patchAndResubmit(ref, key, { business: { email: "jane@janesbakery.com" } });
    const [done] = await driveRegistrations(stack, [ref]);
    expect(done.state).toBe("approved");
    const client = await subaccountClient(tenant.subaccount_sid);
    const [profile] = await client.trusthub.v1.customerProfiles.list();
    expect(profile).toMatchObject({ email: "jane@janesbakery.com", status: "twilio-approved" });
    expect(await client.trusthub.v1.customerProfiles.list()).toHaveLength(1);
  });

  it("an address Trust Hub cannot validate is fixed in place and the profile resubmitted", async () => {
    const { key, ref, tenant } = await submitRegistration(stack, "sole_proprietor", (d) => {
      d.business.address.region = "Illinois"; // Trust Hub wants the state's code
    });
    const [view] = await driveRegistrations(stack, [ref], { until: failed });
    expect(view.failure).toMatchObject({
      stage: "customer_profile",
      reasons: [{ code: "address_invalid", twilio_code: 18603 }],
    });
    await patchAndResubmit(ref, key, { business: { address: { region: "IL" } } });
    await driveRegistrations(stack, [ref]);
    const client = await subaccountClient(tenant.subaccount_sid);
    const addresses = await client.addresses.list();
    expect(addresses).toHaveLength(1);
    expect(addresses[0].region).toBe("IL");
  });

  it("a mobile number already behind 3 brands elsewhere fails the brand at TCR; another mobile fixes it", async () => {
    const mobile = "+14155559876";
    await registerElsewhere(mobile, 3);
    const { key, ref } = await submitRegistration(stack, "sole_proprietor", (d) => {
      d.business.mobile_phone_number = mobile;
    });
    const [view] = await driveRegistrations(stack, [ref], { until: failed });
    expect(view.failure).toMatchObject({
      stage: "brand",
      reasons: [{ code: "mobile_reuse_limit", twilio_code: 30712, fields: ["business.mobile_phone_number"] }],
    });
    await patchAndResubmit(ref, key, { business: { mobile_phone_number: "+14155559877" } });
    const [done] = await driveRegistrations(stack, [ref]);
    expect(done).toMatchObject({ state: "approved", otp: { status: "verified" } });
  });

  it("samples that do not name the brand fail the campaign; new samples: delete, wait 5 s, re-create", async () => {
    const { key, ref, tenant } = await submitRegistration(stack, "sole_proprietor", (d) => {
      d.campaign.message_samples = [
        "Your order [order_id] is ready for pickup at the counter. Reply STOP to opt out.",
        "We open at [time] tomorrow morning, see you soon. Reply HELP for help, STOP to opt out.",
      ];
    });
    const [view] = await driveRegistrations(stack, [ref], { until: failed });
    expect(view.failure).toMatchObject({
      stage: "campaign",
      reasons: [{ code: "samples_unclear", twilio_code: 30893, fields: ["campaign.message_samples"] }],
    });
    const brandSid = view.resources.brand_sid;
    await patchAndResubmit(ref, key, {
      campaign: {
        message_samples: [
          "Jane's Bakery: your order [order_id] is ready for pickup. Reply STOP to opt out.",
          "Jane's Bakery: we open at [time] tomorrow. Reply HELP for help, STOP to opt out.",
        ],
      },
    });
    const [done] = await driveRegistrations(stack, [ref]);
    const create = done.steps.find((s: any) => s.name === "campaign.create");
    const profile = done.steps.find((s: any) => s.name === "profile.bundle");
    expect(done.resources).toMatchObject({ brand_sid: brandSid, campaign_status: "VERIFIED" });
    expect(profile.attempts).toBe(1); // only the campaign stage ran again
    const gap = Date.parse(create.completed_at) - Date.parse(create.started_at);
    expect(gap).toBeGreaterThanOrEqual(5_000);
    const client = await subaccountClient(tenant.subaccount_sid);
    const [campaign] = await client.messaging.v1
      .services(done.resources.messaging_service_sid)
      .usAppToPerson.list();
    expect(campaign.messageSamples[0]).toContain("Jane's Bakery");
  });

  it("a rejected toll-free verification is edited, not duplicated", async () => {
    const { key, ref, tenant } = await submitRegistration(stack, "toll_free", (d) => {
      d.toll_free.production_message_sample =
        "Acme Sandwich Company: track order [order_id] at http://acmesandwich.com/t. Reply STOP to opt out.";
    });
    const [view] = await driveRegistrations(stack, [ref], { until: failed });
    expect(view.failure).toMatchObject({
      stage: "toll_free",
      twilio_status: "TWILIO_REJECTED",
      remediable: true,
      reasons: [
        {
          code: "insecure_url_in_sample",
          twilio_code: 30858,
          fields: ["toll_free.production_message_sample"],
        },
      ],
    });
    const sid = view.resources.tollfree_verification_sid;
    await patchAndResubmit(ref, key, {
      toll_free: {
        production_message_sample:
          "Acme Sandwich Company: track order [order_id] at https://acmesandwich.com/t. Reply STOP to opt out.",
      },
    });
    const [done] = await driveRegistrations(stack, [ref]);
    expect(done.resources).toMatchObject({
      tollfree_verification_sid: sid,
      tollfree_status: "TWILIO_APPROVED",
    });
    const client = await subaccountClient(tenant.subaccount_sid);
    expect(await client.messaging.v1.tollfreeVerifications.list()).toHaveLength(1);
    expect(await client.incomingPhoneNumbers.list()).toHaveLength(1);
    expect((await getSendingProfile(stack.db, tenant.id)).lane?.kind).toBe("toll_free_number");
  });

  it("forbidden content is final: the rejection is shown, and a resubmission refused", async () => {
    const { key, ref } = await submitRegistration(stack, "toll_free", (d) => {
      d.toll_free.use_case_summary = "Bitcoin price alerts for Acme Sandwich Company customers who opted in.";
    });
    const [view] = await driveRegistrations(stack, [ref], { until: failed });
    expect(view.failure).toMatchObject({
      remediable: false,
      reasons: [{ code: "content_disallowed", twilio_code: 30464 }],
    });
    const refused = await stack.api("POST", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/resubmit`, {
      token: key,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("registration_not_remediable");
  });

  it("resubmitting is only for failed registrations", async () => {
    const { key, ref } = await submitRegistration(stack, "low_volume_standard");
    const early = await stack.api("POST", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}/resubmit`, {
      token: key,
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("registration_not_failed");
    const edit = await stack.api("PATCH", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}`, {
      token: key,
      body: { business: { website: "https://acme.example.org" } },
    });
    expect(edit.status).toBe(409);
    expect((await readRegistration(stack, ref)).document.business.website).toBe("https://acmesandwich.com");
  });
});

/**
 * Another platform registered `mobile` for `count` sole proprietor brands (TCR counts them all):
 * the same Twilio calls, made directly in a subaccount of the emulator, each brand approved.
 */
async function registerElsewhere(mobile: string, count: number) {
  const parent = twilio(stack.emulator.parent.sid, stack.emulator.parent.authToken, {
    httpClient: emulatorHttpClient(stack.emulator.url),
  });
  const account = await parent.api.v2010.accounts.create({ friendlyName: "another ISV's customer" });
  const client = twilio(account.sid, account.authToken, {
    httpClient: emulatorHttpClient(stack.emulator.url),
  });
  const { sid: primary } = await stack.emulator.control("GET", "trusthub/primary-profile");
  for (let i = 0; i < count; i++) {
    const profile = await client.trusthub.v1.customerProfiles.create({
      friendlyName: `elsewhere ${i}`,
      email: `owner${i}@elsewhere.com`,
      policySid: "RN806dd6cd175f314e1f96a9727ee271f4",
    });
    const info = await client.trusthub.v1.endUsers.create({
      friendlyName: `info ${i}`,
      type: "starter_customer_profile_information",
      attributes: {
        first_name: "Sam",
        last_name: "Other",
        email: `owner${i}@elsewhere.com`,
        phone_number: mobile,
      },
    });
    const address = await client.addresses.create({
      customerName: "Sam Other",
      street: `${i + 1} Elm St`,
      city: "Springfield",
      region: "IL",
      postalCode: "62701",
      isoCountry: "US",
    });
    const doc = await client.trusthub.v1.supportingDocuments.create({
      friendlyName: `address ${i}`,
      type: "customer_profile_address",
      attributes: { address_sids: address.sid },
    });
    for (const objectSid of [info.sid, doc.sid, primary]) {
      await client.trusthub.v1
        .customerProfiles(profile.sid)
        .customerProfilesEntityAssignments.create({ objectSid });
    }
    await client.trusthub.v1.customerProfiles(profile.sid).customerProfilesEvaluations.create({
      policySid: "RN806dd6cd175f314e1f96a9727ee271f4",
    });
    await client.trusthub.v1.customerProfiles(profile.sid).update({ status: "pending-review" });
    const product = await client.trusthub.v1.trustProducts.create({
      friendlyName: `sole ${i}`,
      email: `owner${i}@elsewhere.com`,
      policySid: "RN670d5d2e282a6130ae063b234b6019c8",
    });
    const sole = await client.trusthub.v1.endUsers.create({
      friendlyName: `sole info ${i}`,
      type: "sole_proprietor_information",
      attributes: { brand_name: "Sam Other", mobile_phone_number: mobile },
    });
    for (const objectSid of [sole.sid, profile.sid]) {
      await client.trusthub.v1
        .trustProducts(product.sid)
        .trustProductsEntityAssignments.create({ objectSid });
    }
    await client.trusthub.v1.trustProducts(product.sid).trustProductsEvaluations.create({
      policySid: "RN670d5d2e282a6130ae063b234b6019c8",
    });
    await client.trusthub.v1.trustProducts(product.sid).update({ status: "pending-review" });
    const brand = await client.messaging.v1.brandRegistrations.create({
      customerProfileBundleSid: profile.sid,
      a2PProfileBundleSid: product.sid,
      brandType: "SOLE_PROPRIETOR",
    });
    await stack.emulator.control("POST", `reviews/${brand.sid}/outcome`, { outcome: "approved" });
  }
}
