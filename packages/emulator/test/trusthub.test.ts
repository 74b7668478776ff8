import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  POLICY,
  address,
  callbackSink,
  controlAt,
  newTenant,
  primaryProfileSid,
  schemaFindings,
  secondaryProfile,
  starterProfile,
} from "./compliance-fixtures.js";
import { emulatorHttpClient, startEmulator } from "../src/index.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();
let sink: Awaited<ReturnType<typeof callbackSink>>;
beforeAll(async () => {
  sink = await callbackSink();
});
afterAll(async () => {
  await sink.close();
});

describe("Trust Hub policies and types", () => {
  it("serves the A2P policies by their real SIDs with their requirements", async () => {
    const t = await newTenant(em, "Policies");
    const policies = await t.client.trusthub.v1.policies.list();
    expect(policies.map((p) => p.sid)).toEqual(expect.arrayContaining(Object.values(POLICY)));
    const starter = await t.client.trusthub.v1.policies(POLICY.STARTER).fetch();
    expect(starter.friendlyName).toBe("Starter Customer Profile of type Business");
    expect(starter.requirements.end_user[0]).toMatchObject({
      type: "starter_customer_profile_information",
      fields: ["first_name", "last_name", "email", "phone_number"],
    });
    expect(starter.requirements.supporting_document[0][0].accepted_documents.map((d: any) => d.type)).toEqual(
      ["customer_profile_address", "starter_customer_profile_address"],
    );
    expect(starter.requirements.supporting_customer_profiles[0].type).toBe(
      "primary_customer_profile_type_business",
    );
    const sole = await t.client.trusthub.v1.policies(POLICY.SOLE_PROPRIETOR_A2P).fetch();
    expect(sole.requirements.end_user[0].fields).toEqual(["brand_name", "mobile_phone_number", "vertical"]);
    expect(
      (await twilioError(t.client.trusthub.v1.policies("RN00000000000000000000000000000000").fetch())).code,
    ).toBe(20404);
    expect(schemaFindings(t)).toEqual([]);
  });

  it("lists end-user and supporting-document types and fetches them by SID or machine name", async () => {
    const t = await newTenant(em, "Types");
    const types = await t.client.trusthub.v1.endUserTypes.list();
    const rep = types.find((x) => x.machineName === "authorized_representative_1")!;
    expect(rep.sid).toMatch(/^OY[0-9a-f]{32}$/);
    expect(rep.fields.map((f: any) => f.machine_name)).toContain("job_position");
    expect((await t.client.trusthub.v1.endUserTypes(rep.sid).fetch()).machineName).toBe(
      "authorized_representative_1",
    );
    const byName = await t.client.trusthub.v1.endUserTypes("sole_proprietor_information").fetch();
    expect(byName.fields.map((f: any) => f.machine_name)).toEqual([
      "brand_name",
      "mobile_phone_number",
      "vertical",
    ]);
    const docs = await t.client.trusthub.v1.supportingDocumentTypes.list();
    expect(docs.map((d) => d.machineName)).toContain("customer_profile_address");
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("Trust Hub end users and supporting documents", () => {
  it("stores attributes sent as JSON in a form field and answers them as an object", async () => {
    const t = await newTenant(em, "End users");
    const th = t.client.trusthub.v1;
    const rep = await th.endUsers.create({
      friendlyName: "auth_rep_1",
      type: "authorized_representative_1",
      attributes: { first_name: "Ann", last_name: "Smith", email: "ann@acme.com" },
    });
    expect(rep.sid).toMatch(/^IT[0-9a-f]{32}$/);
    expect(rep.attributes).toEqual({ first_name: "Ann", last_name: "Smith", email: "ann@acme.com" });
    const updated = await th.endUsers(rep.sid).update({ attributes: { first_name: "Anna" } });
    expect(updated.attributes).toEqual({ first_name: "Anna" });
    expect((await th.endUsers.list()).map((e) => e.sid)).toEqual([rep.sid]);
    const doc = await th.supportingDocuments.create({
      friendlyName: "HQ",
      type: "customer_profile_address",
      attributes: { address_sids: await address(t) },
    });
    expect(doc).toMatchObject({ status: "DRAFT", mimeType: null, type: "customer_profile_address" });
    expect((await th.supportingDocuments(doc.sid).fetch()).attributes.address_sids).toMatch(/^AD/);
    await th.supportingDocuments(doc.sid).remove();
    await th.endUsers(rep.sid).remove();
    expect(await th.endUsers.list()).toEqual([]);
    const unknown = await twilioError(th.endUsers.create({ friendlyName: "x", type: "no_such_type" }));
    expect(unknown).toMatchObject({ status: 400, code: 20001 });
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("Trust Hub evaluations", () => {
  it("a secondary profile without its representative is noncompliant with 22214, field by field", async () => {
    const t = await newTenant(em, "Noncompliant");
    const th = t.client.trusthub.v1;
    const profile = await th.customerProfiles.create({
      friendlyName: "Incomplete",
      email: "ops@acme.com",
      policySid: POLICY.SECONDARY,
    });
    const business = await th.endUsers.create({
      friendlyName: "Business",
      type: "customer_profile_business_information",
      attributes: { business_name: "Acme Inc.", business_type: "Corporation" },
    });
    const doc = await th.supportingDocuments.create({
      friendlyName: "Nowhere",
      type: "customer_profile_address",
      attributes: { address_sids: "AD00000000000000000000000000000000" },
    });
    const assign = th.customerProfiles(profile.sid).customerProfilesEntityAssignments;
    await assign.create({ objectSid: business.sid });
    await assign.create({ objectSid: doc.sid });
    const evaluation = await th.customerProfiles(profile.sid).customerProfilesEvaluations.create({
      policySid: POLICY.SECONDARY,
    });
    expect(evaluation.status).toBe("noncompliant");
    const byName = Object.fromEntries(evaluation.results.map((r: any) => [r.requirement_name, r]));
    expect(byName.authorized_representative_1).toMatchObject({ passed: false, error_code: 22214 });
    expect(byName.authorized_representative_2).toBeUndefined();
    const businessInvalid = byName.customer_profile_business_information.invalid.map(
      (i: any) => i.object_field,
    );
    expect(businessInvalid).toContain("business_registration_number");
    expect(byName.customer_profile_business_information.invalid[0].error_code).toBe(22215);
    expect(byName.customer_profile_address.invalid[0]).toMatchObject({
      object_field: "address_sids",
      error_code: 22219,
    });
    expect(byName.primary_customer_profile).toMatchObject({ passed: false, error_code: 22216 });

    const listed = await th.customerProfiles(profile.sid).customerProfilesEvaluations.list();
    expect(listed.map((e) => e.sid)).toEqual([evaluation.sid]);
    const fetched = await th
      .customerProfiles(profile.sid)
      .customerProfilesEvaluations(evaluation.sid)
      .fetch();
    expect(fetched.status).toBe("noncompliant");
    const refused = await twilioError(th.customerProfiles(profile.sid).update({ status: "pending-review" }));
    expect(refused).toMatchObject({ status: 400, code: 20001 });
    expect((await th.customerProfiles(profile.sid).fetch()).status).toBe("draft");
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a bundle that was never evaluated cannot be submitted", async () => {
    const t = await newTenant(em, "Unevaluated");
    const profile = await t.client.trusthub.v1.customerProfiles.create({
      friendlyName: "Never evaluated",
      email: "ops@acme.com",
      policySid: POLICY.STARTER,
    });
    const refused = await twilioError(
      t.client.trusthub.v1.customerProfiles(profile.sid).update({ status: "pending-review" }),
    );
    expect(refused.message).toContain("no evaluation");
  });
});

describe("Trust Hub review", () => {
  it("a compliant secondary profile goes in-review at once, then twilio-approved, with signed callbacks", async () => {
    const t = await newTenant(em, "Approved profile");
    const callback = sink.url(`/bundles/${t.sid}`);
    const { sid, evaluation } = await secondaryProfile(em, t, { statusCallback: callback, submit: false });
    expect(evaluation.status).toBe("compliant");
    const submitted = await t.client.trusthub.v1.customerProfiles(sid).update({ status: "pending-review" });
    expect(submitted.status).toBe("in-review");
    await em.advance(10);
    await em.emulator.world.callbacks.settle();
    expect((await t.client.trusthub.v1.customerProfiles(sid).fetch()).status).toBe("twilio-approved");
    const mine = sink.received.filter((c) => c.params.BundleSid === sid);
    expect(mine.map((c) => c.params.Status).sort()).toEqual([
      "in-review",
      "pending-review",
      "twilio-approved",
    ]);
    for (const c of mine) {
      expect(c.params).toMatchObject({ AccountSid: t.sid, PolicySid: POLICY.SECONDARY });
      expect(twilio.validateRequest(t.authToken, c.signature, c.url, c.params)).toBe(true);
    }
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a disposable email gets the profile rejected with 18604; fixing it and resubmitting approves it", async () => {
    const t = await newTenant(em, "Disposable");
    const callback = sink.url(`/bundles/${t.sid}`);
    const { sid } = await starterProfile(em, t, { email: "jane@mailinator.com", statusCallback: callback });
    await em.advance(10);
    await em.emulator.world.callbacks.settle();
    const rejected = await t.client.trusthub.v1.customerProfiles(sid).fetch();
    expect(rejected.status).toBe("twilio-rejected");
    expect(rejected.errors?.[0]).toMatchObject({ code: 18604 });
    const sent = sink.received.find(
      (c) => c.params.BundleSid === sid && c.params.Status === "twilio-rejected",
    );
    expect(sent?.params.FailureReason).toContain("Email is a suspected disposable address.");
    expect(sent?.params.ErrorCode).toBe("18604");

    const th = t.client.trusthub.v1;
    await th.customerProfiles(sid).update({ email: "jane@janesbakery.com" });
    const [info] = (await th.endUsers.list()).filter(
      (e) => e.type === "starter_customer_profile_information",
    );
    await th.endUsers(info.sid).update({ attributes: { ...info.attributes, email: "jane@janesbakery.com" } });
    await th.customerProfiles(sid).customerProfilesEvaluations.create({ policySid: POLICY.STARTER });
    expect((await th.customerProfiles(sid).update({ status: "pending-review" })).status).toBe("in-review");
    await em.advance(10);
    // A starter profile passes review but is approved only once its brand's OTP is verified.
    const passed = await th.customerProfiles(sid).fetch();
    expect(passed.status).toBe("in-review");
    expect(passed.errors).toBeNull();
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a starter profile with a non-US/CA address is rejected with 18603", async () => {
    const t = await newTenant(em, "Abroad");
    const addressSid = await address(t, {
      street: "1 Rue de Rivoli",
      city: "Paris",
      region: "IDF",
      postalCode: "75001",
      isoCountry: "FR",
    });
    const { sid } = await starterProfile(em, t, { addressSid });
    await em.advance(10);
    const rejected = await t.client.trusthub.v1.customerProfiles(sid).fetch();
    expect(rejected.status).toBe("twilio-rejected");
    expect(rejected.errors?.[0]).toMatchObject({
      code: 18603,
      message: "The provided address is not a valid US or Canada address",
    });
  });

  it("a website on localhost gets the secondary profile rejected with 18601", async () => {
    const t = await newTenant(em, "Localhost site");
    const { sid } = await secondaryProfile(em, t, { business: { website_url: "http://localhost:3000" } });
    await em.advance(10);
    const rejected = await t.client.trusthub.v1.customerProfiles(sid).fetch();
    expect(rejected.status).toBe("twilio-rejected");
    expect(rejected.errors?.[0].code).toBe(18601);
  });

  it("the control API forces a bundle's outcome immediately", async () => {
    const t = await newTenant(em, "Forced");
    const { sid } = await secondaryProfile(em, t);
    await em.control("POST", `reviews/${sid}/outcome`, {
      outcome: "rejected",
      reason: "Business ID mismatch",
      error_code: 18602,
    });
    const rejected = await t.client.trusthub.v1.customerProfiles(sid).fetch();
    expect(rejected.status).toBe("twilio-rejected");
    expect(rejected.errors).toEqual([{ code: 18602, message: "Business ID mismatch" }]);
    await em.advance(10);
    expect((await t.client.trusthub.v1.customerProfiles(sid).fetch()).status).toBe("twilio-rejected");
    await em.control("POST", `reviews/${sid}/outcome`, { outcome: "approved" });
    expect((await t.client.trusthub.v1.customerProfiles(sid).fetch()).status).toBe("twilio-approved");
  });

  it("status and properties cannot change in the same request, and unknown statuses are refused", async () => {
    const t = await newTenant(em, "Update rules");
    const { sid } = await secondaryProfile(em, t, { submit: false });
    const both = await twilioError(
      t.client.trusthub.v1.customerProfiles(sid).update({ status: "pending-review", friendlyName: "x" }),
    );
    expect(both).toMatchObject({ status: 400, code: 22204 });
    const bogus = await twilioError(
      t.client.trusthub.v1.customerProfiles(sid).update({ status: "approved" as any }),
    );
    expect(bogus.code).toBe(22203);
    const self = await twilioError(
      t.client.trusthub.v1.customerProfiles(sid).update({ status: "twilio-approved" }),
    );
    expect(self.code).toBe(20001);
  });
});

describe("Trust Hub scoping", () => {
  it("the sandbox parent's approved primary profile can be assigned by subaccounts but not fetched", async () => {
    const primary = await primaryProfileSid(em);
    const own = await em.parent.trusthub.v1.customerProfiles(primary).fetch();
    expect(own).toMatchObject({
      status: "twilio-approved",
      policySid: POLICY.PRIMARY,
      accountSid: em.emulator.parent.sid,
    });
    const t = await newTenant(em, "Primary user");
    expect((await twilioError(t.client.trusthub.v1.customerProfiles(primary).fetch())).code).toBe(20404);
    const profile = await t.client.trusthub.v1.customerProfiles.create({
      friendlyName: "Starter",
      email: "a@b.com",
      policySid: POLICY.STARTER,
    });
    const assigned = await t.client.trusthub.v1
      .customerProfiles(profile.sid)
      .customerProfilesEntityAssignments.create({ objectSid: primary });
    expect(assigned.objectSid).toBe(primary);
    const filtered = await t.client.trusthub.v1
      .customerProfiles(profile.sid)
      .customerProfilesEntityAssignments.list({ objectType: "customer_profile" });
    expect(filtered.map((a) => a.objectSid)).toEqual([primary]);
    expect(schemaFindings(t)).toEqual([]);
  });

  it("a sibling subaccount cannot read or assign another tenant's bundles and end users", async () => {
    const a = await newTenant(em, "Tenant A");
    const b = await newTenant(em, "Tenant B");
    const { sid } = await secondaryProfile(em, a, { submit: false });
    expect((await twilioError(b.client.trusthub.v1.customerProfiles(sid).fetch())).code).toBe(20404);
    expect(
      (await twilioError(b.client.trusthub.v1.customerProfiles(sid).customerProfilesEvaluations.list())).code,
    ).toBe(20404);
    const [endUser] = await a.client.trusthub.v1.endUsers.list();
    expect((await twilioError(b.client.trusthub.v1.endUsers(endUser.sid).fetch())).code).toBe(20404);
    const mine = await b.client.trusthub.v1.customerProfiles.create({
      friendlyName: "B",
      email: "b@b.com",
      policySid: POLICY.SECONDARY,
    });
    const steal = await twilioError(
      b.client.trusthub.v1
        .customerProfiles(mine.sid)
        .customerProfilesEntityAssignments.create({ objectSid: sid }),
    );
    expect(steal.code).toBe(20404);
    expect(await b.client.trusthub.v1.customerProfiles.list()).toHaveLength(1);
  });

  it("assignments are frozen while a bundle is under review", async () => {
    const t = await newTenant(em, "Frozen");
    const { sid } = await secondaryProfile(em, t);
    const [assignment] = await t.client.trusthub.v1
      .customerProfiles(sid)
      .customerProfilesEntityAssignments.list();
    const refused = await twilioError(
      t.client.trusthub.v1.customerProfiles(sid).customerProfilesEntityAssignments(assignment.sid).remove(),
    );
    expect(refused).toMatchObject({ status: 400, code: 20001 });
  });

  it("phone numbers are assigned to a trust product as channel endpoints", async () => {
    const t = await newTenant(em, "Endpoints");
    const number = await t.client.incomingPhoneNumbers.create({ phoneNumber: "+18885550142" });
    const product = await t.client.trusthub.v1.trustProducts.create({
      friendlyName: "Toll-free",
      email: "a@acme.com",
      policySid: POLICY.STANDARD_A2P,
    });
    const endpoints = t.client.trusthub.v1.trustProducts(product.sid).trustProductsChannelEndpointAssignment;
    const ra = await endpoints.create({
      channelEndpointType: "phone-number",
      channelEndpointSid: number.sid,
    });
    expect(ra.sid).toMatch(/^RA/);
    expect((await endpoints.list({ channelEndpointSid: number.sid })).map((x) => x.sid)).toEqual([ra.sid]);
    expect((await endpoints(ra.sid).fetch()).channelEndpointSid).toBe(number.sid);
    await endpoints(ra.sid).remove();
    expect(await endpoints.list()).toEqual([]);
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("review pace and persistence", () => {
  const sdk = (url: string, sid: string, token: string) =>
    twilio(sid, token, { httpClient: emulatorHttpClient(url) });
  async function tenantAt(url: string, parent: { sid: string; authToken: string }) {
    const sub = await sdk(url, parent.sid, parent.authToken).api.v2010.accounts.create({
      friendlyName: "Elsewhere",
    });
    return { sid: sub.sid, authToken: sub.authToken, client: sdk(url, sub.sid, sub.authToken) };
  }

  it("with realistic pace a profile review takes business days, not seconds", async () => {
    const realistic = await startEmulator({ realistic: true });
    try {
      const control = controlAt(realistic.url);
      const t = await tenantAt(realistic.url, realistic.parent);
      const { sid } = await secondaryProfile(control, t);
      await control.control("POST", "clock/advance", { seconds: 60 });
      expect((await t.client.trusthub.v1.customerProfiles(sid).fetch()).status).toBe("in-review");
      await control.control("POST", "clock/advance", { seconds: 6 * 86_400 });
      expect((await t.client.trusthub.v1.customerProfiles(sid).fetch()).status).toBe("twilio-approved");
    } finally {
      await realistic.close();
    }
  });

  it("a submitted review survives an emulator restart and completes afterwards", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "subtext-trusthub-"));
    const first = await startEmulator({ dataDir });
    const t = await tenantAt(first.url, first.parent);
    const { sid } = await secondaryProfile(controlAt(first.url), t);
    await first.close();
    const second = await startEmulator({ dataDir });
    try {
      expect(second.parent.sid).toBe(first.parent.sid);
      await controlAt(second.url).control("POST", "clock/advance", { seconds: 10 });
      const again = sdk(second.url, t.sid, t.authToken);
      expect((await again.trusthub.v1.customerProfiles(sid).fetch()).status).toBe("twilio-approved");
      const primaries = await sdk(
        second.url,
        second.parent.sid,
        second.parent.authToken,
      ).trusthub.v1.customerProfiles.list({
        policySid: POLICY.PRIMARY,
      });
      expect(primaries).toHaveLength(1);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
