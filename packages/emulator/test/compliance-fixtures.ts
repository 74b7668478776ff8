import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { schemaFindings as findings } from "./conformance/oai.js";
import { RecordingRequestClient } from "./conformance/recorder.js";
import type { useEmulator } from "./setup.js";

/** Shared set-up for the compliance tests (trusthub, brands, campaigns, tollfree, sole-proprietor). */
type Em = Pick<ReturnType<typeof useEmulator>, "control">;

/** The control API of an emulator started by the test itself (not through useEmulator). */
export function controlAt(url: string): Em {
  return {
    async control(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}/_emulator/${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status >= 400) throw new Error(`control ${method} ${path} → ${res.status}`);
      const text = await res.text();
      return text ? JSON.parse(text) : undefined;
    },
  };
}

export const POLICY = {
  PRIMARY: "RN6433641899984f951173ef1738c3bdd0",
  SECONDARY: "RNdfbf3fae0e1107f8aded0e7cead80bf5",
  STARTER: "RN806dd6cd175f314e1f96a9727ee271f4",
  STANDARD_A2P: "RNb0d4771c2c98518d916a3d4cd70a8f8b",
  SOLE_PROPRIETOR_A2P: "RN670d5d2e282a6130ae063b234b6019c8",
};
export const CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b";

export interface Tenant {
  sid: string;
  authToken: string;
  client: twilio.Twilio;
}

/** A subaccount whose SDK client records every exchange for the schema check (`schemaFindings`). */
export async function newTenant(
  em: ReturnType<typeof useEmulator>,
  name: string,
): Promise<Tenant & { recorder: RecordingRequestClient }> {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  const recorder = new RecordingRequestClient(em.url);
  const client = twilio(sub.sid, sub.authToken, { httpClient: recorder });
  return { sid: sub.sid, authToken: sub.authToken, client, recorder };
}

/**
 * Schema findings for every successful exchange a tenant made so far (Twilio's OpenAPI documents
 * do not describe error answers, which are checked by the tests themselves).
 */
export function schemaFindings(t: { recorder: RecordingRequestClient }) {
  return findings(t.recorder.take().filter((e) => e.status < 400));
}

export async function primaryProfileSid(em: Em): Promise<string> {
  return (await em.control("GET", "trusthub/primary-profile")).sid;
}

export async function address(
  t: Tenant,
  fields: Partial<{
    street: string;
    city: string;
    region: string;
    postalCode: string;
    isoCountry: string;
  }> = {},
) {
  const a = await t.client.addresses.create({
    customerName: "Jane Doe",
    street: "1 Main St",
    city: "Springfield",
    region: "IL",
    postalCode: "62701",
    isoCountry: "US",
    ...fields,
  });
  return a.sid;
}

/** Sole proprietor walkthrough, part 1: the starter customer profile, submitted (in-review). */
export async function starterProfile(
  em: Em,
  t: Tenant,
  opts: { email?: string; statusCallback?: string; addressSid?: string; info?: Record<string, string> } = {},
) {
  const th = t.client.trusthub.v1;
  const profile = await th.customerProfiles.create({
    friendlyName: "Jane's Bakery (starter)",
    email: opts.email ?? "jane@janesbakery.com",
    policySid: POLICY.STARTER,
    ...(opts.statusCallback ? { statusCallback: opts.statusCallback } : {}),
  });
  const info = await th.endUsers.create({
    friendlyName: "Jane Doe",
    type: "starter_customer_profile_information",
    attributes: {
      first_name: "Jane",
      last_name: "Doe",
      email: opts.email ?? "jane@janesbakery.com",
      phone_number: "+14155550123",
      ...opts.info,
    },
  });
  const doc = await th.supportingDocuments.create({
    friendlyName: "Jane's address",
    type: "customer_profile_address",
    attributes: { address_sids: opts.addressSid ?? (await address(t)) },
  });
  const assign = th.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  await assign.create({ objectSid: info.sid });
  await assign.create({ objectSid: doc.sid });
  await assign.create({ objectSid: await primaryProfileSid(em) });
  const evaluation = await th.customerProfiles(profile.sid).customerProfilesEvaluations.create({
    policySid: POLICY.STARTER,
  });
  const submitted = await th.customerProfiles(profile.sid).update({ status: "pending-review" });
  return { sid: profile.sid, evaluation, submitted };
}

/** Sole proprietor walkthrough, part 2: the sole proprietor trust bundle, submitted (in-review). */
export async function soleProprietorBundle(
  t: Tenant,
  starterSid: string,
  attributes: Record<string, string> = {},
  statusCallback?: string,
) {
  const th = t.client.trusthub.v1;
  const bundle = await th.trustProducts.create({
    friendlyName: "Jane's Bakery (sole proprietor)",
    email: "jane@janesbakery.com",
    policySid: POLICY.SOLE_PROPRIETOR_A2P,
    ...(statusCallback ? { statusCallback } : {}),
  });
  const info = await th.endUsers.create({
    friendlyName: "Jane's Bakery brand",
    type: "sole_proprietor_information",
    attributes: {
      brand_name: "Jane's Bakery",
      vertical: "RETAIL",
      mobile_phone_number: "+14155550124",
      ...attributes,
    },
  });
  const assign = th.trustProducts(bundle.sid).trustProductsEntityAssignments;
  await assign.create({ objectSid: info.sid });
  await assign.create({ objectSid: starterSid });
  const evaluation = await th.trustProducts(bundle.sid).trustProductsEvaluations.create({
    policySid: POLICY.SOLE_PROPRIETOR_A2P,
  });
  const submitted = await th.trustProducts(bundle.sid).update({ status: "pending-review" });
  return { sid: bundle.sid, endUserSid: info.sid, evaluation, submitted };
}

export const GOOD_BUSINESS = {
  business_name: "Acme Sandwich Co.",
  business_type: "Corporation",
  business_registration_identifier: "EIN",
  business_registration_number: "12-3456780",
  business_identity: "direct_customer",
  business_industry: "FOOD_AND_BEVERAGE",
  website_url: "https://www.acmesandwich.com",
  business_regions_of_operation: "USA_AND_CANADA",
};

/** Standard brand sequence, steps 1–8: a secondary customer profile, submitted unless `submit` is false. */
export async function secondaryProfile(
  em: Em,
  t: Tenant,
  opts: { business?: Record<string, string>; email?: string; statusCallback?: string; submit?: boolean } = {},
) {
  const th = t.client.trusthub.v1;
  const profile = await th.customerProfiles.create({
    friendlyName: "Acme Sandwich (secondary)",
    email: opts.email ?? "compliance@acmesandwich.com",
    policySid: POLICY.SECONDARY,
    ...(opts.statusCallback ? { statusCallback: opts.statusCallback } : {}),
  });
  const business = await th.endUsers.create({
    friendlyName: "Acme business",
    type: "customer_profile_business_information",
    attributes: { ...GOOD_BUSINESS, ...opts.business },
  });
  const rep = await th.endUsers.create({
    friendlyName: "Acme representative",
    type: "authorized_representative_1",
    attributes: {
      first_name: "Ann",
      last_name: "Smith",
      email: "ann@acmesandwich.com",
      phone_number: "+14155550111",
      business_title: "Owner",
      job_position: "CEO",
    },
  });
  const doc = await th.supportingDocuments.create({
    friendlyName: "Acme HQ",
    type: "customer_profile_address",
    attributes: {
      address_sids: await address(t, {
        street: "2 Market St",
        city: "San Francisco",
        region: "CA",
        postalCode: "94105",
      }),
    },
  });
  const assign = th.customerProfiles(profile.sid).customerProfilesEntityAssignments;
  for (const sid of [business.sid, rep.sid, doc.sid, await primaryProfileSid(em)])
    await assign.create({ objectSid: sid });
  const evaluation = await th.customerProfiles(profile.sid).customerProfilesEvaluations.create({
    policySid: POLICY.SECONDARY,
  });
  if (opts.submit !== false) await th.customerProfiles(profile.sid).update({ status: "pending-review" });
  return { sid: profile.sid, businessSid: business.sid, evaluation };
}

/** Standard brand sequence, steps 9–12: the standard A2P trust product, submitted. */
export async function a2pTrustProduct(
  t: Tenant,
  profileSid: string,
  attributes: Record<string, string> = {},
) {
  const th = t.client.trusthub.v1;
  const product = await th.trustProducts.create({
    friendlyName: "Acme A2P",
    email: "compliance@acmesandwich.com",
    policySid: POLICY.STANDARD_A2P,
  });
  const info = await th.endUsers.create({
    friendlyName: "Acme A2P profile",
    type: "us_a2p_messaging_profile_information",
    attributes: { company_type: "private", ...attributes },
  });
  const assign = th.trustProducts(product.sid).trustProductsEntityAssignments;
  await assign.create({ objectSid: info.sid });
  await assign.create({ objectSid: profileSid });
  await th.trustProducts(product.sid).trustProductsEvaluations.create({ policySid: POLICY.STANDARD_A2P });
  await th.trustProducts(product.sid).update({ status: "pending-review" });
  return { sid: product.sid };
}

export async function messagingService(t: Tenant, name = "Tenant notifications") {
  return (await t.client.messaging.v1.services.create({ friendlyName: name })).sid;
}

export const SOLE_PROPRIETOR_CAMPAIGN = {
  description: "Order updates from Jane's Bakery to customers who opted in at checkout.",
  messageFlow:
    "Customers opt in by checking an unchecked SMS box at janesbakery.com/checkout; terms at janesbakery.com/terms, privacy at janesbakery.com/privacy.",
  messageSamples: [
    "Jane's Bakery: your order [order_id] is ready for pickup. Reply STOP to opt out.",
    "Jane's Bakery: we open at [time] tomorrow. Reply HELP for help, STOP to opt out.",
  ],
  usAppToPersonUsecase: "SOLE_PROPRIETOR",
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
};

export const STANDARD_CAMPAIGN = {
  description: "Acme Sandwich Co. sends order status and delivery notifications to customers who opted in.",
  messageFlow:
    "End users opt in by checking a box at www.acmesandwich.com/order when they place an order. Terms at www.acmesandwich.com/tc, privacy at www.acmesandwich.com/privacy.",
  messageSamples: [
    "Acme Sandwich: your order for [sandwich] will be delivered by [time]. Reply STOP to opt out.",
    "Acme Sandwich: your driver [name] is on the way with order [order_id]. Reply HELP for help.",
  ],
  usAppToPersonUsecase: "ACCOUNT_NOTIFICATION",
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
};

export interface ReceivedCallback {
  path: string;
  url: string;
  signature: string;
  params: Record<string, string>;
}

/** A local webhook receiver: records each form POST with its X-Twilio-Signature. */
export async function callbackSink() {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        url: `${base}${req.url}`,
        signature: String(req.headers["x-twilio-signature"] ?? ""),
        params: Object.fromEntries(new URLSearchParams(raw)),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path: string) => `${base}${path}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
