import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Tenant, callbackSink, newTenant, schemaFindings } from "./compliance-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();
let sink: Awaited<ReturnType<typeof callbackSink>>;
beforeAll(async () => {
  sink = await callbackSink();
});
afterAll(async () => {
  await sink.close();
});

let numbers = 0;
async function tollfreeNumber(t: Tenant) {
  const n = await t.client.incomingPhoneNumbers.create({
    phoneNumber: `+1888555${String(1000 + numbers++)}`,
  });
  return n.sid;
}

const VERIFICATION = {
  businessName: "Owl, Inc.",
  businessWebsite: "https://www.owl-inc.com",
  notificationEmail: "support@owl-inc.com",
  useCaseCategories: ["ACCOUNT_NOTIFICATIONS"],
  useCaseSummary: "Owl, Inc. sends order confirmations and delivery updates to customers who opted in.",
  productionMessageSample:
    "Owl, Inc.: your order [id] shipped. Track it at https://www.owl-inc.com/t. Reply STOP to opt out.",
  optInImageUrls: ["https://www.owl-inc.com/images/opt-in.png"],
  optInType: "WEB_FORM" as const,
  messageVolume: "1,000",
  businessStreetAddress: "123 Main Street",
  businessCity: "Anytown",
  businessStateProvinceRegion: "CA",
  businessPostalCode: "94105",
  businessCountry: "US",
  businessContactFirstName: "Olive",
  businessContactLastName: "Owl",
  businessContactEmail: "olive@owl-inc.com",
  businessContactPhone: "+14155550199",
  businessType: "PRIVATE_PROFIT" as const,
  businessRegistrationNumber: "84-1234567",
  businessRegistrationAuthority: "EIN" as const,
  businessRegistrationCountry: "US",
};

const verifications = (t: Tenant) => t.client.messaging.v1.tollfreeVerifications;

/** StatusCallback is an emulator extension the SDK cannot send, so this one create is raw HTTP. */
async function createWithCallback(t: Tenant, numberSid: string, callback: string, reference: string) {
  const form = new URLSearchParams({
    BusinessName: VERIFICATION.businessName,
    BusinessWebsite: VERIFICATION.businessWebsite,
    NotificationEmail: VERIFICATION.notificationEmail,
    UseCaseCategories: "ACCOUNT_NOTIFICATIONS",
    UseCaseSummary: VERIFICATION.useCaseSummary,
    ProductionMessageSample: VERIFICATION.productionMessageSample,
    OptInImageUrls: VERIFICATION.optInImageUrls[0],
    OptInType: "WEB_FORM",
    MessageVolume: "1,000",
    TollfreePhoneNumberSid: numberSid,
    ExternalReferenceId: reference,
    StatusCallback: callback,
  });
  const res = await fetch(`${em.url}/messaging/v1/Tollfree/Verifications`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${t.sid}:${t.authToken}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sid: string }).sid;
}

describe("toll-free verifications", () => {
  it("a complete submission goes PENDING_REVIEW → IN_REVIEW → TWILIO_APPROVED", async () => {
    const t = await newTenant(em, "Owl");
    const number = await tollfreeNumber(t);
    const created = await verifications(t).create({
      ...VERIFICATION,
      tollfreePhoneNumberSid: number,
      externalReferenceId: "owl-1",
    });
    expect(created).toMatchObject({
      status: "PENDING_REVIEW",
      tollfreePhoneNumberSid: number,
      externalReferenceId: "owl-1",
      useCaseCategories: ["ACCOUNT_NOTIFICATIONS"],
      rejectionReason: null,
      editAllowed: null,
    });
    expect(created.sid).toMatch(/^HH[0-9a-f]{32}$/);
    expect(created.tollfreePhoneNumber).toMatch(/^\+1888555/);
    await em.advance(5);
    expect((await verifications(t)(created.sid).fetch()).status).toBe("IN_REVIEW");
    await em.advance(30);
    const approved = await verifications(t)(created.sid).fetch();
    expect(approved.status).toBe("TWILIO_APPROVED");
    expect(approved.regulatedItemSid).toMatch(/^RA/);
    expect((await verifications(t).list({ status: "TWILIO_APPROVED" })).map((v) => v.sid)).toEqual([
      created.sid,
    ]);
    expect((await verifications(t).list({ externalReferenceId: "nope" })).length).toBe(0);
    expect((await verifications(t).list({ tollfreePhoneNumberSid: number })).length).toBe(1);
    expect(schemaFindings(t)).toEqual([]);
  });

  it("status callbacks are signed with the subaccount's token and echo ExternalReferenceId", async () => {
    const t = await newTenant(em, "Owl callbacks");
    const sid = await createWithCallback(t, await tollfreeNumber(t), sink.url(`/tf/${t.sid}`), "ref-42");
    await em.advance(35);
    await em.emulator.world.callbacks.settle();
    const mine = sink.received.filter((c) => c.params.TollfreeVerificationSid === sid);
    expect(mine.map((c) => c.params.Status).sort()).toEqual(["IN_REVIEW", "TWILIO_APPROVED"]);
    for (const c of mine) {
      expect(c.params).toMatchObject({ AccountSid: t.sid, ExternalReferenceId: "ref-42" });
      expect(twilio.validateRequest(t.authToken, c.signature, c.url, c.params)).toBe(true);
    }
  });

  it("no opt-in images: rejected with 30842, editable for 7 days; the edit resubmits and is approved", async () => {
    const t = await newTenant(em, "No opt-in");
    const created = await verifications(t).create({
      ...VERIFICATION,
      optInImageUrls: [],
      tollfreePhoneNumberSid: await tollfreeNumber(t),
    });
    await em.advance(35);
    const rejected = await verifications(t)(created.sid).fetch();
    expect(rejected).toMatchObject({ status: "TWILIO_REJECTED", errorCode: 30842, editAllowed: true });
    expect(rejected.rejectionReasons).toEqual([
      { code: 30842, reason: expect.stringContaining("Opt-in not provided") },
    ]);
    expect(rejected.editExpiration.getTime() - rejected.dateUpdated.getTime()).toBe(7 * 86_400_000);
    const edited = await verifications(t)(created.sid).update({
      optInImageUrls: VERIFICATION.optInImageUrls,
      editReason: "Added the opt-in screenshot",
    });
    expect(edited).toMatchObject({ status: "PENDING_REVIEW", rejectionReason: null, errorCode: null });
    await em.advance(35);
    expect((await verifications(t)(created.sid).fetch()).status).toBe("TWILIO_APPROVED");
    expect(schemaFindings(t)).toEqual([]);
  });

  it.each([
    ["an opt-in image on localhost", { optInImageUrls: ["http://localhost:8080/optin.png"] }, 30836],
    ["a website on example.com", { businessWebsite: "https://example.com" }, 30836],
    ["a disposable notification email", { notificationEmail: "ops@guerrillamail.com" }, 30801],
    [
      "an http:// link in the sample",
      { productionMessageSample: "Owl, Inc.: track at http://owl-inc.com/t now." },
      30858,
    ],
  ])("%s is rejected with %i", async (_, change, code) => {
    const t = await newTenant(em, "TF rules");
    const created = await verifications(t).create({
      ...VERIFICATION,
      ...change,
      tollfreePhoneNumberSid: await tollfreeNumber(t),
    });
    await em.advance(35);
    const rejected = await verifications(t)(created.sid).fetch();
    expect(rejected.status).toBe("TWILIO_REJECTED");
    expect(rejected.rejectionReasons.map((r: any) => r.code)).toContain(code);
  });

  it("disallowed content is rejected for good: the verification cannot be edited", async () => {
    const t = await newTenant(em, "Crypto");
    const created = await verifications(t).create({
      ...VERIFICATION,
      useCaseSummary: "Owl, Inc. sends bitcoin price alerts to subscribers who opted in on our site.",
      tollfreePhoneNumberSid: await tollfreeNumber(t),
    });
    await em.advance(35);
    const rejected = await verifications(t)(created.sid).fetch();
    expect(rejected).toMatchObject({ errorCode: 30464, editAllowed: false });
    const edit = await twilioError(
      verifications(t)(created.sid).update({ useCaseSummary: VERIFICATION.useCaseSummary }),
    );
    expect(edit).toMatchObject({ status: 400, code: 20001 });
  });

  it("after the 7-day edit window, an edit is refused with 30824", async () => {
    const t = await newTenant(em, "Too late");
    const created = await verifications(t).create({
      ...VERIFICATION,
      optInImageUrls: [],
      tollfreePhoneNumberSid: await tollfreeNumber(t),
    });
    await em.advance(35);
    await em.advance(7 * 86400 + 1);
    const edit = await twilioError(
      verifications(t)(created.sid).update({ optInImageUrls: VERIFICATION.optInImageUrls }),
    );
    expect(edit).toMatchObject({ status: 400, code: 30824 });
  });

  it("refuses local numbers and a second verification of the same number; deletes", async () => {
    const t = await newTenant(em, "TF checks");
    const local = await t.client.incomingPhoneNumbers.create({ areaCode: "415" });
    const refused = await twilioError(
      verifications(t).create({ ...VERIFICATION, tollfreePhoneNumberSid: local.sid }),
    );
    expect(refused).toMatchObject({ status: 400, code: 20001 });
    const number = await tollfreeNumber(t);
    const first = await verifications(t).create({ ...VERIFICATION, tollfreePhoneNumberSid: number });
    const second = await twilioError(
      verifications(t).create({ ...VERIFICATION, tollfreePhoneNumberSid: number }),
    );
    expect(second).toMatchObject({ status: 409, code: 20409 });
    const missing = await twilioError(
      verifications(t).create({ ...VERIFICATION, businessName: "", tollfreePhoneNumberSid: number }),
    );
    expect(missing.code).toBe(20001);
    await verifications(t)(first.sid).remove();
    expect(await verifications(t).list()).toEqual([]);
  });

  it("the parent lists its subaccounts' verifications with IncludeSubAccounts; siblings see none", async () => {
    const t = await newTenant(em, "TF scoped");
    const created = await verifications(t).create({
      ...VERIFICATION,
      tollfreePhoneNumberSid: await tollfreeNumber(t),
    });
    const all = await em.parent.messaging.v1.tollfreeVerifications.list({ includeSubAccounts: true });
    expect(all.map((v) => v.sid)).toContain(created.sid);
    expect((await em.parent.messaging.v1.tollfreeVerifications.list()).map((v) => v.sid)).not.toContain(
      created.sid,
    );
    const sibling = await newTenant(em, "TF sibling");
    expect((await twilioError(verifications(sibling)(created.sid).fetch())).code).toBe(20404);
  });

  it("the control API forces a verification's outcome", async () => {
    const t = await newTenant(em, "TF forced");
    const created = await verifications(t).create({
      ...VERIFICATION,
      tollfreePhoneNumberSid: await tollfreeNumber(t),
    });
    await em.control("POST", `reviews/${created.sid}/outcome`, {
      outcome: "rejected",
      reason: "Opt-in unclear",
      error_code: 30841,
    });
    expect(await verifications(t)(created.sid).fetch()).toMatchObject({
      status: "TWILIO_REJECTED",
      errorCode: 30841,
      rejectionReason: "Opt-in unclear",
    });
    await em.control("POST", `reviews/${created.sid}/outcome`, { outcome: "approved" });
    expect((await verifications(t)(created.sid).fetch()).status).toBe("TWILIO_APPROVED");
    await expect(
      em.control("POST", `reviews/${created.sid}/outcome`, { outcome: "suspended" }),
    ).rejects.toThrow(/400/);
  });
});
