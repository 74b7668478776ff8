import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReceivedCallback, callbackSink } from "./compliance-fixtures.js";
import { ACME, JANE, addressIn, draftBundle, gbMobileBundle, reviewedBundle } from "./regulatory-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();
let sink: Awaited<ReturnType<typeof callbackSink>>;
beforeAll(async () => {
  sink = await callbackSink();
});
afterAll(() => sink.close());

async function tenant(name: string) {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  return { sid: sub.sid, authToken: sub.authToken, client: em.client(sub.sid, sub.authToken) };
}
const rc = (t: { client: twilio.Twilio }) => t.client.numbers.v2.regulatoryCompliance;

/** Every property the SDK's model reads is present in the answer (numbers v2 has no OpenAPI document here). */
function complete(instance: object, fields: string[]) {
  for (const f of fields) expect(instance, f).toHaveProperty(f);
  for (const f of fields) expect((instance as Record<string, unknown>)[f], f).not.toBeUndefined();
}

describe("regulations and their catalogues", () => {
  it("lists regulations by country, number type and end-user type; the US and CA need none", async () => {
    const gb = await em.parent.numbers.v2.regulatoryCompliance.regulations.list({ isoCountry: "GB" });
    expect(gb.map((r) => `${r.numberType}/${r.endUserType}`).sort()).toEqual([
      "local/business",
      "local/individual",
      "mobile/business",
      "mobile/individual",
    ]);
    expect(await em.parent.numbers.v2.regulatoryCompliance.regulations.list({ isoCountry: "US" })).toEqual(
      [],
    );
    expect(await em.parent.numbers.v2.regulatoryCompliance.regulations.list({ isoCountry: "CA" })).toEqual(
      [],
    );
    const india = await em.parent.numbers.v2.regulatoryCompliance.regulations.list({ isoCountry: "IN" });
    expect(india.map((r) => r.endUserType)).toEqual(["business"]);
  });

  it("fetches a regulation with its end-user fields and accepted documents, as Twilio renders them", async () => {
    const [de] = await em.parent.numbers.v2.regulatoryCompliance.regulations.list({
      isoCountry: "DE",
      numberType: "local",
      endUserType: "business",
    });
    const fetched = await em.parent.numbers.v2.regulatoryCompliance.regulations(de.sid).fetch();
    complete(fetched, [
      "sid",
      "friendlyName",
      "isoCountry",
      "numberType",
      "endUserType",
      "requirements",
      "url",
    ]);
    expect(fetched.sid).toMatch(/^RN[0-9a-f]{32}$/);
    expect(fetched.friendlyName).toBe("Germany: Local - Business");
    const req = fetched.requirements as any;
    expect(req.end_user[0]).toMatchObject({
      type: "business",
      requirement_name: "business_info",
      fields: ["business_name", "business_registration_number"],
    });
    expect(req.supporting_document.map((group: any[]) => group[0].requirement_name)).toEqual([
      "business_registration",
      "proof_of_address",
    ]);
    expect(req.supporting_document[1][0].accepted_documents.map((d: any) => d.type)).toEqual([
      "utility_bill",
      "commercial_registrar_excerpt",
    ]);
    const au = await em.parent.numbers.v2.regulatoryCompliance.regulations.list({
      isoCountry: "AU",
      numberType: "mobile",
    });
    expect((au[0].requirements as any).supporting_document[0][0].requirement_name).toBe("proof_of_address");
  });

  it("serves the end-user and supporting document types by SID", async () => {
    const types = await em.parent.numbers.v2.regulatoryCompliance.endUserTypes.list();
    expect(types.map((t) => t.machineName)).toEqual(["individual", "business"]);
    const business = await em.parent.numbers.v2.regulatoryCompliance.endUserTypes(types[1].sid).fetch();
    complete(business, ["sid", "friendlyName", "machineName", "fields", "url"]);
    expect((business.fields as any[]).map((f) => f.machine_name)).toContain("business_name");
    const docs = await em.parent.numbers.v2.regulatoryCompliance.supportingDocumentTypes.list();
    expect(docs.map((d) => d.machineName)).toContain("utility_bill");
    expect(docs[0].sid).toMatch(/^OY[0-9a-f]{32}$/);
  });
});

describe("end users and supporting documents", () => {
  it("creates, lists, updates and deletes them, refusing to delete one still assigned", async () => {
    const t = await tenant("Items");
    const user = await rc(t).endUsers.create({ friendlyName: "Jane", type: "individual", attributes: JANE });
    complete(user, [
      "sid",
      "accountSid",
      "friendlyName",
      "type",
      "attributes",
      "dateCreated",
      "dateUpdated",
      "url",
    ]);
    expect(user.sid).toMatch(/^IT[0-9a-f]{32}$/);
    const doc = await rc(t).supportingDocuments.create({
      friendlyName: "Passport",
      type: "passport",
      attributes: { ...JANE, document_number: "X1", expiration_date: "2099-01-01" },
    });
    complete(doc, [
      "sid",
      "accountSid",
      "friendlyName",
      "status",
      "type",
      "attributes",
      "dateCreated",
      "url",
    ]);
    expect(doc).toMatchObject({ status: "draft", mimeType: null, failureReason: null });
    expect((await rc(t).endUsers.list()).map((e) => e.sid)).toEqual([user.sid]);
    const renamed = await rc(t)
      .endUsers(user.sid)
      .update({ attributes: { ...JANE, last_name: "Smith" } });
    expect(renamed.attributes).toMatchObject({ last_name: "Smith" });
    const bundle = await rc(t).bundles.create({
      friendlyName: "B",
      email: "a@tenant.example.com",
      isoCountry: "GB",
      numberType: "mobile",
      endUserType: "individual",
    });
    await rc(t).bundles(bundle.sid).itemAssignments.create({ objectSid: doc.sid });
    expect((await twilioError(rc(t).supportingDocuments(doc.sid).remove())).code).toBe(20001);
    expect(await rc(t).endUsers(user.sid).remove()).toBe(true);
    const other = await tenant("Someone else");
    expect((await twilioError(rc(other).endUsers(user.sid).fetch())).status).toBe(404);
    expect(
      (await twilioError(rc(t).endUsers.create({ friendlyName: "x", type: "robot" as never }))).code,
    ).toBe(20001);
  });
});

describe("bundles", () => {
  it("evaluates a bundle against its regulation, naming what is missing, then compliant", async () => {
    const t = await tenant("Evaluated");
    const bundle = await rc(t).bundles.create({
      friendlyName: "UK local",
      email: "a@tenant.example.com",
      isoCountry: "GB",
      numberType: "local",
      endUserType: "business",
    });
    complete(bundle, [
      "sid",
      "accountSid",
      "regulationSid",
      "friendlyName",
      "status",
      "email",
      "url",
      "links",
    ]);
    expect(bundle).toMatchObject({ status: "draft", validUntil: null, statusCallback: null });
    const empty = await rc(t).bundles(bundle.sid).evaluations.create();
    complete(empty, [
      "sid",
      "accountSid",
      "regulationSid",
      "bundleSid",
      "status",
      "results",
      "dateCreated",
      "url",
    ]);
    expect(empty.status).toBe("noncompliant");
    expect((empty.results as any[]).map((r) => [r.requirement_name, r.error_code])).toEqual([
      ["business_info", 22214],
      ["proof_of_address", 22216],
    ]);
    const user = await rc(t).endUsers.create({
      friendlyName: "Acme",
      type: "business",
      attributes: { business_name: "Acme Ltd" },
    });
    await rc(t).bundles(bundle.sid).itemAssignments.create({ objectSid: user.sid });
    const paris = await addressIn(t, "FR", "Paris");
    const bill = await rc(t).supportingDocuments.create({
      friendlyName: "Bill",
      type: "utility_bill",
      attributes: { address_sids: [paris], business_name: "Acme Ltd" },
    });
    await rc(t).bundles(bundle.sid).itemAssignments.create({ objectSid: bill.sid });
    const partial = await rc(t).bundles(bundle.sid).evaluations.create();
    const [info, proof] = partial.results as any[];
    expect(info.invalid.map((f: any) => [f.object_field, f.error_code])).toEqual([
      ["business_registration_number", 22215],
    ]);
    expect(proof).toMatchObject({ passed: false, error_code: 22219 });
    expect(proof.failure_reason).toContain("needs an address in GB");
    const refused = await twilioError(rc(t).bundles(bundle.sid).update({ status: "pending-review" }));
    expect(refused).toMatchObject({ status: 400, code: 20001 });

    await rc(t)
      .endUsers(user.sid)
      .update({ attributes: { business_name: "Acme Ltd", business_registration_number: "0123" } });
    const london = await addressIn(t, "GB", "London");
    await rc(t)
      .supportingDocuments(bill.sid)
      .update({ attributes: { address_sids: [london], business_name: "Acme Ltd" } });
    const ok = await rc(t).bundles(bundle.sid).evaluations.create();
    expect(ok.status).toBe("compliant");
    expect((await rc(t).bundles(bundle.sid).evaluations.list()).map((e) => e.status)).toEqual([
      "noncompliant",
      "noncompliant",
      "compliant",
    ]);
    expect((await rc(t).bundles(bundle.sid).itemAssignments.list()).map((a) => a.objectSid).sort()).toEqual(
      [user.sid, bill.sid].sort(),
    );
  });

  it("GB mobile: submitted, pending-review → in-review → twilio-approved on the emulated clock, with callbacks", async () => {
    const t = await tenant("UK mobile");
    const callback = sink.url(`/rc/${t.sid}`);
    const draft = await draftBundle(t, {
      isoCountry: "GB",
      numberType: "mobile",
      endUserType: "individual",
      endUser: JANE,
      documents: [
        { type: "passport", attributes: { ...JANE, document_number: "5", expiration_date: "2099-01-01" } },
      ],
      statusCallback: callback,
    });
    expect(draft.evaluation.status).toBe("compliant");
    const submitted = await rc(t).bundles(draft.bundle.sid).update({ status: "pending-review" });
    expect(submitted.status).toBe("pending-review");
    expect(
      (
        await twilioError(
          rc(t).bundles(draft.bundle.sid).itemAssignments.create({ objectSid: draft.endUser.sid }),
        )
      ).code,
    ).toBe(20001);
    await em.advance(2);
    expect((await rc(t).bundles(draft.bundle.sid).fetch()).status).toBe("in-review");
    await em.advance(18);
    await em.emulator.world.callbacks.settle();
    expect((await rc(t).bundles(draft.bundle.sid).fetch()).status).toBe("twilio-approved");
    expect((await rc(t).supportingDocuments(draft.documents[0].sid).fetch()).status).toBe("approved");
    const mine: ReceivedCallback[] = sink.received.filter((c) => c.params.BundleSid === draft.bundle.sid);
    expect(mine.map((c) => c.params.Status)).toEqual(["pending-review", "in-review", "twilio-approved"]);
    for (const c of mine) {
      expect(c.params).toMatchObject({ AccountSid: t.sid, RegulationSid: draft.bundle.regulationSid });
      expect(twilio.validateRequest(t.authToken, c.signature, c.url, c.params)).toBe(true);
    }
    const listed = await rc(t).bundles.list({ status: "twilio-approved", isoCountry: "GB" });
    expect(listed.map((b) => b.sid)).toEqual([draft.bundle.sid]);
  });

  it("DE local: a registration naming another business is rejected; the corrected document is approved", async () => {
    const t = await tenant("Acme Berlin");
    const callback = sink.url(`/rc/${t.sid}`);
    const berlin = await addressIn(t, "DE", "Berlin", "Acme GmbH");
    const rejected = await reviewedBundle(em, t, {
      isoCountry: "DE",
      numberType: "local",
      endUserType: "business",
      endUser: ACME,
      documents: [
        {
          type: "commercial_registrar_excerpt",
          attributes: {
            business_name: "Acme Holding AG",
            business_registration_number: "HRB 1",
            address_sids: [berlin],
          },
        },
      ],
      statusCallback: callback,
    });
    expect(rejected.bundle.status).toBe("twilio-rejected");
    const doc = await rc(t).supportingDocuments(rejected.documents[0].sid).fetch();
    expect(doc).toMatchObject({ status: "rejected" });
    expect(doc.failureReason).toContain("does not match the end user's business name");
    expect((doc.errors as any[])[0].code).toBe(18001);
    await em.emulator.world.callbacks.settle();
    const last = sink.received.filter((c) => c.params.BundleSid === rejected.bundle.sid).at(-1)!;
    expect(last.params).toMatchObject({ Status: "twilio-rejected" });
    expect(last.params.FailureReason).toContain("does not match");

    await rc(t)
      .supportingDocuments(doc.sid)
      .update({
        attributes: { ...ACME, address_sids: [berlin] },
      });
    expect((await rc(t).supportingDocuments(doc.sid).fetch()).status).toBe("draft");
    const again = await rc(t).bundles(rejected.bundle.sid).update({ status: "pending-review" });
    expect(again.status).toBe("pending-review");
    await em.advance(20);
    expect((await rc(t).bundles(rejected.bundle.sid).fetch()).status).toBe("twilio-approved");
  });

  it("AU mobile: a blurry proof of address is rejected; replacing the item gets it approved", async () => {
    const t = await tenant("Sydney");
    const sydney = await addressIn(t, "AU", "Sydney");
    const first = await reviewedBundle(em, t, {
      isoCountry: "AU",
      numberType: "mobile",
      endUserType: "individual",
      endUser: JANE,
      documents: [
        {
          type: "utility_bill",
          friendlyName: "blurry photo of a bill",
          attributes: { address_sids: [sydney], ...JANE },
        },
      ],
    });
    expect(first.bundle.status).toBe("twilio-rejected");
    const [assignment] = (await rc(t).bundles(first.bundle.sid).itemAssignments.list()).filter(
      (a) => a.objectSid === first.documents[0].sid,
    );
    await rc(t).bundles(first.bundle.sid).itemAssignments(assignment.sid).remove();
    const scan = await rc(t).supportingDocuments.create({
      friendlyName: "Electricity bill",
      type: "utility_bill",
      attributes: { address_sids: [sydney], ...JANE },
    });
    await rc(t).bundles(first.bundle.sid).itemAssignments.create({ objectSid: scan.sid });
    await rc(t).bundles(first.bundle.sid).update({ status: "pending-review" });
    await em.advance(20);
    expect((await rc(t).bundles(first.bundle.sid).fetch()).status).toBe("twilio-approved");
  });

  it("an expired passport is rejected; IN has no regulation for individuals", async () => {
    const t = await tenant("Expired");
    const { bundle } = await reviewedBundle(em, t, {
      isoCountry: "GB",
      numberType: "mobile",
      endUserType: "individual",
      endUser: JANE,
      documents: [
        { type: "passport", attributes: { ...JANE, document_number: "1", expiration_date: "2001-01-01" } },
      ],
    });
    expect(bundle.status).toBe("twilio-rejected");
    const none = await twilioError(
      rc(t).bundles.create({
        friendlyName: "x",
        email: "a@b.example.com",
        isoCountry: "IN",
        numberType: "local",
        endUserType: "individual",
      }),
    );
    expect(none.code).toBe(20001);
  });
});

describe("numbers abroad", () => {
  it("offers numbers in GB, DE, AU, BR and IN", async () => {
    const countries = await em.parent.availablePhoneNumbers.list();
    expect(countries.map((c) => c.countryCode).sort()).toEqual(["AU", "BR", "CA", "DE", "GB", "IN", "US"]);
    const berlin = await em.parent.availablePhoneNumbers("DE").local.list({ inLocality: "Berlin", limit: 2 });
    for (const n of berlin)
      expect(n).toMatchObject({ isoCountry: "DE", locality: "Berlin", addressRequirements: "local" });
    for (const n of berlin) expect(n.phoneNumber).toMatch(/^\+4930\d{8}$/);
    const au = await em.parent.availablePhoneNumbers("AU").mobile.list({ smsEnabled: true, limit: 2 });
    for (const n of au) expect(n.phoneNumber).toMatch(/^\+6149157[01]\d{3}$/);
    expect(await em.parent.availablePhoneNumbers("BR").local.list({ limit: 1 })).toHaveLength(1);
    expect(await em.parent.availablePhoneNumbers("IN").local.list({ limit: 1 })).toHaveLength(1);
  });

  it("buys a regulated number only with an approved bundle (21649) and an address (21631)", async () => {
    const t = await tenant("UK buyer");
    const [mobile] = await t.client.availablePhoneNumbers("GB").mobile.list({ limit: 1 });
    const bare = await twilioError(t.client.incomingPhoneNumbers.create({ phoneNumber: mobile.phoneNumber }));
    expect(bare).toMatchObject({ status: 400, code: 21649 });
    const { bundleSid, addressSid } = await gbMobileBundle(em, t);
    const noAddress = await twilioError(
      t.client.incomingPhoneNumbers.create({ phoneNumber: mobile.phoneNumber, bundleSid }),
    );
    expect(noAddress.code).toBe(21631);
    const bought = await t.client.incomingPhoneNumbers.create({
      phoneNumber: mobile.phoneNumber,
      bundleSid,
      addressSid,
    });
    expect(bought).toMatchObject({
      bundleSid,
      addressSid,
      capabilities: expect.objectContaining({ sms: true }),
    });

    const [local] = await t.client.availablePhoneNumbers("GB").local.list({ limit: 1 });
    const wrongBundle = await twilioError(
      t.client.incomingPhoneNumbers.create({ phoneNumber: local.phoneNumber, bundleSid, addressSid }),
    );
    expect(wrongBundle.code).toBe(21649);
    const other = await tenant("Not the owner");
    const stolen = await twilioError(
      other.client.incomingPhoneNumbers.create({ phoneNumber: local.phoneNumber, bundleSid }),
    );
    expect(stolen.code).toBe(21649);
    // US numbers need no bundle.
    expect((await t.client.incomingPhoneNumbers.create({ areaCode: "415" })).bundleSid).toBeNull();
  });

  it("DE local needs its address in the number's locality", async () => {
    const t = await tenant("Acme Munich");
    const munich = await addressIn(t, "DE", "Munich", "Acme GmbH");
    const berlin = await addressIn(t, "DE", "Berlin", "Acme GmbH");
    const { bundle } = await reviewedBundle(em, t, {
      isoCountry: "DE",
      numberType: "local",
      endUserType: "business",
      endUser: ACME,
      documents: [{ type: "commercial_registrar_excerpt", attributes: { ...ACME, address_sids: [munich] } }],
    });
    expect(bundle.status).toBe("twilio-approved");
    const [n] = await t.client.availablePhoneNumbers("DE").local.list({ inLocality: "Berlin", limit: 1 });
    const far = await twilioError(
      t.client.incomingPhoneNumbers.create({
        phoneNumber: n.phoneNumber,
        bundleSid: bundle.sid,
        addressSid: munich,
      }),
    );
    expect(far.code).toBe(21631);
    const ok = await t.client.incomingPhoneNumbers.create({
      phoneNumber: n.phoneNumber,
      bundleSid: bundle.sid,
      addressSid: berlin,
    });
    expect(ok).toMatchObject({ bundleSid: bundle.sid, addressRequirements: "local" });
  });
});

describe("forcing a regulatory review", () => {
  it("the control API approves or rejects a regulatory bundle at once", async () => {
    const t = await tenant("Forced");
    const { bundle } = await draftBundle(t, {
      isoCountry: "AU",
      numberType: "mobile",
      endUserType: "business",
      endUser: ACME,
      documents: [],
    });
    expect(
      await em.control("POST", `reviews/${bundle.sid}/outcome`, {
        outcome: "rejected",
        reason: "Missing page",
      }),
    ).toMatchObject({
      resource: "regulatory_bundle",
      status: "twilio-rejected",
    });
    await em.control("POST", `reviews/${bundle.sid}/outcome`, { outcome: "approved" });
    expect((await rc(t).bundles(bundle.sid).fetch()).status).toBe("twilio-approved");
  });
});
