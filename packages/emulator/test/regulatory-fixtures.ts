import type twilio from "twilio";
import type { useEmulator } from "./setup.js";

/** Shared set-up for tests that need regulatory bundles (numbers v2) and numbers abroad. */
type Em = ReturnType<typeof useEmulator>;

export interface Holder {
  client: twilio.Twilio;
}

const rc = (t: Holder) => t.client.numbers.v2.regulatoryCompliance;

/** An address of the tenant in a country and city. */
export async function addressIn(t: Holder, isoCountry: string, city: string, customerName = "Jane Doe") {
  const a = await t.client.addresses.create({
    customerName,
    street: "1 High Street",
    city,
    region: city,
    postalCode: "10115",
    isoCountry,
  });
  return a.sid;
}

export const JANE = { first_name: "Jane", last_name: "Doe" };
export const ACME = { business_name: "Acme GmbH", business_registration_number: "HRB 12345" };

/** Creates an end user and documents, a bundle with them assigned, and evaluates it. */
export async function draftBundle(
  t: Holder,
  spec: {
    isoCountry: string;
    numberType: string;
    endUserType: "individual" | "business";
    endUser: Record<string, unknown>;
    documents: { type: string; attributes: Record<string, unknown>; friendlyName?: string }[];
    statusCallback?: string;
  },
) {
  const bundle = await rc(t).bundles.create({
    friendlyName: `${spec.isoCountry} ${spec.numberType} ${spec.endUserType}`,
    email: "compliance@tenant.example.com",
    isoCountry: spec.isoCountry,
    numberType: spec.numberType,
    endUserType: spec.endUserType,
    ...(spec.statusCallback ? { statusCallback: spec.statusCallback } : {}),
  });
  const endUser = await rc(t).endUsers.create({
    friendlyName: "End user",
    type: spec.endUserType,
    attributes: spec.endUser,
  });
  await rc(t).bundles(bundle.sid).itemAssignments.create({ objectSid: endUser.sid });
  const documents = [];
  for (const d of spec.documents) {
    const doc = await rc(t).supportingDocuments.create({
      friendlyName: d.friendlyName ?? d.type,
      type: d.type,
      attributes: d.attributes,
    });
    documents.push(doc);
    await rc(t).bundles(bundle.sid).itemAssignments.create({ objectSid: doc.sid });
  }
  const evaluation = await rc(t).bundles(bundle.sid).evaluations.create();
  return { bundle, endUser, documents, evaluation };
}

/** A bundle submitted and reviewed (the review takes at most 20 s of emulated time). */
export async function reviewedBundle(em: Em, t: Holder, spec: Parameters<typeof draftBundle>[1]) {
  const draft = await draftBundle(t, spec);
  await rc(t).bundles(draft.bundle.sid).update({ status: "pending-review" });
  await em.advance(20);
  return { ...draft, bundle: await rc(t).bundles(draft.bundle.sid).fetch() };
}

/** An approved GB mobile bundle for an individual, with an address in GB: what a UK mobile needs. */
export async function gbMobileBundle(em: Em, t: Holder) {
  const addressSid = await addressIn(t, "GB", "London");
  const { bundle } = await reviewedBundle(em, t, {
    isoCountry: "GB",
    numberType: "mobile",
    endUserType: "individual",
    endUser: JANE,
    documents: [
      {
        type: "passport",
        attributes: { ...JANE, document_number: "123456789", expiration_date: "2099-01-01" },
      },
    ],
  });
  return { bundleSid: bundle.sid, addressSid };
}

/** An approved GB local bundle for an individual, with an address in GB: what a UK landline needs. */
export async function gbLocalBundle(em: Em, t: Holder) {
  const addressSid = await addressIn(t, "GB", "London");
  const { bundle } = await reviewedBundle(em, t, {
    isoCountry: "GB",
    numberType: "local",
    endUserType: "individual",
    endUser: JANE,
    documents: [{ type: "utility_bill", attributes: { ...JANE, address_sids: [addressSid] } }],
  });
  return { bundleSid: bundle.sid, addressSid };
}
