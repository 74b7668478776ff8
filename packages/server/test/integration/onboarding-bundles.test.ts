/**
 * Regulatory bundles (docs/international.md, "Regulatory bundles"), over HTTP against the
 * emulator: a country's requirements read from Twilio's regulations; bundles in three countries
 * with different rules (GB mobile for an individual, DE local for a business with an address in
 * the number's city, AU mobile for a business) submitted, reviewed and approved; one rejected by
 * the review (an illegible document), edited and approved; each approved bundle buying a number
 * in its country; a purchase without a bundle refused with bundle_required; bad input refused
 * with 422 and nothing written; and a job that finds what an interrupted attempt created.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAll, sentToAtTwilio } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let t: { tenant: any; key: string };

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await stack.newTenant();
}, 300_000);
afterAll(() => stack?.close());

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

const bundles = () => `/v1/tenants/${t.tenant.id}/bundles`;

async function readBundle(id: string) {
  const res = await stack.api("GET", `${bundles()}/${id}`, { token: t.key });
  expect(res.status).toBe(200);
  return res.body;
}

/** Moves both clocks until the bundle's review is over (the emulator decides in 10–20 s). */
async function reviewed(id: string) {
  for (let i = 0; i < 10; i++) {
    const b = await readBundle(id);
    if (b.state === "approved" || b.state === "rejected") return b;
    await stack.emulator.control("POST", "clock/advance", { seconds: 31 });
    await stack.clock.advance(31_000);
    await stack.jobs.runDue();
  }
  return readBundle(id);
}

const GB_ADDRESS = {
  customer_name: "Ada Lovelace",
  street: "12 Example Street",
  city: "London",
  region: "London",
  postal_code: "SW1A 1AA",
  iso_country: "GB",
};
const BERLIN = {
  customer_name: "Beispiel GmbH",
  street: "Beispielstrasse 1",
  city: "Berlin",
  region: "Berlin",
  postal_code: "10115",
  iso_country: "DE",
};
const SYDNEY = {
  customer_name: "Example Pty Ltd",
  street: "1 Example Road",
  city: "Sydney",
  region: "NSW",
  postal_code: "2000",
  iso_country: "AU",
};

const gbMobile = () => ({
  country: "GB",
  number_type: "mobile",
  end_user_type: "individual",
  email: "ada@example.com",
  end_user: { first_name: "Ada", last_name: "Lovelace" },
  documents: [
    {
      type: "passport",
      attributes: {
        first_name: "Ada",
        last_name: "Lovelace",
        document_number: "123456789",
        expiration_date: "2099-01-01",
      },
    },
  ],
  address: GB_ADDRESS,
});

const excerpt = (name?: string) => ({
  type: "commercial_registrar_excerpt",
  ...(name ? { name } : {}),
  attributes: { business_name: "Beispiel GmbH", business_registration_number: "HRB 12345" },
});

const deLocal = (documents: any[] = [excerpt()]) => ({
  country: "DE",
  number_type: "local",
  end_user_type: "business",
  email: "ops@beispiel.example",
  end_user: { business_name: "Beispiel GmbH", business_registration_number: "HRB 12345" },
  documents,
  address: BERLIN,
});

const auMobile = () => ({
  country: "AU",
  number_type: "mobile",
  end_user_type: "business",
  email: "ops@example.com.au",
  end_user: { business_name: "Example Pty Ltd", business_registration_number: "ABN 51 824 753 556" },
  documents: [{ type: "utility_bill", attributes: { business_name: "Example Pty Ltd" } }],
  address: SYDNEY,
});

/** Buys a number of the country and type (the first for sale, or the first in `locality`). */
async function buyIn(country: string, type: string, locality?: string) {
  const found = await stack.api("GET", `/v1/numbers/available?country=${country}&type=${type}&limit=20`, {
    token: t.key,
  });
  expect(found.status).toBe(200);
  const pick = found.body.data.find((n: any) => !locality || n.locality === locality);
  expect(pick, `a ${country} ${type} number for sale`).toBeDefined();
  return stack.api("POST", "/v1/numbers", {
    token: t.key,
    body: { country, type, phone_number: pick.phone_number },
  });
}

describe("regulatory bundles", () => {
  it("reads a country's requirements from Twilio's regulations", async () => {
    const de = await stack.api("GET", "/v1/regulations?country=de&number_type=local&end_user_type=business", {
      token: t.key,
    });
    expect(de.status).toBe(200);
    expect(de.body).toMatchObject({
      country: "DE",
      number_type: "local",
      end_user_type: "business",
      bundle_required: true,
      address: { required: true, where: "locality" },
      review_time: { min_days: 1, max_days: 3 },
    });
    expect(de.body.regulation_sid).toMatch(/^RN/);
    expect(de.body.end_user.fields.map((f: any) => f.name)).toEqual([
      "business_name",
      "business_registration_number",
    ]);
    expect(de.body.documents.map((g: any) => g.requirement)).toEqual([
      "business_registration",
      "proof_of_address",
    ]);
    expect(de.body.documents[0].accepted[0]).toMatchObject({
      type: "commercial_registrar_excerpt",
      fields: [
        expect.objectContaining({ name: "business_name" }),
        expect.objectContaining({ name: "business_registration_number" }),
      ],
    });

    const gb = await stack.api(
      "GET",
      "/v1/regulations?country=GB&number_type=mobile&end_user_type=individual",
      {
        token: t.key,
      },
    );
    expect(gb.body.end_user.fields.map((f: any) => f.name)).toEqual(["first_name", "last_name"]);
    expect(gb.body.documents[0].accepted.map((a: any) => a.type)).toEqual([
      "passport",
      "government_issued_document",
    ]);

    const us = await stack.api("GET", "/v1/regulations?country=US&number_type=local&end_user_type=business", {
      token: t.key,
    });
    expect(us.body).toMatchObject({ bundle_required: false, regulation_sid: null, documents: [] });

    const individualDe = await stack.api(
      "GET",
      "/v1/regulations?country=IN&number_type=local&end_user_type=individual",
      { token: t.key },
    );
    expect([individualDe.status, individualDe.body.error.code]).toEqual([422, "end_user_type_not_accepted"]);
    const bad = await stack.api(
      "GET",
      "/v1/regulations?country=Germany&number_type=local&end_user_type=business",
      {
        token: t.key,
      },
    );
    expect(bad.status).toBe(400);
  });

  it("refuses bad bundles with every problem named, before anything reaches Twilio", async () => {
    const client = await subaccountClient(t.tenant.subaccount_sid);
    const before = await client.numbers.v2.regulatoryCompliance.endUsers.list();
    const cases: [any, number, string, string[]][] = [
      [
        {
          ...deLocal([{ type: "passport", attributes: {} }]),
          end_user: { business_name: "Beispiel GmbH", nickname: "B" },
          address: undefined,
        },
        422,
        "bundle_invalid",
        [
          "/end_user/business_registration_number",
          "/end_user/nickname",
          "/documents/0/type",
          "/documents",
          "/documents",
          "/address",
        ],
      ],
      [
        { ...deLocal(), address: { ...BERLIN, iso_country: "AT" } },
        422,
        "bundle_invalid",
        ["/address/iso_country"],
      ],
      [
        {
          ...gbMobile(),
          documents: [{ type: "passport", attributes: { first_name: "Ada", expiration_date: "soon" } }],
        },
        422,
        "bundle_invalid",
        [
          "/documents/0/attributes/last_name",
          "/documents/0/attributes/document_number",
          "/documents/0/attributes/expiration_date",
        ],
      ],
      [{ ...gbMobile(), country: "US", number_type: "local" }, 422, "bundle_invalid", ["/country"]],
      [{ ...gbMobile(), documents: [] }, 400, "invalid_request", []],
      [{ ...gbMobile(), email: "not an email" }, 400, "invalid_request", []],
    ];
    for (const [body, status, code, paths] of cases) {
      const res = await stack.api("POST", bundles(), { token: t.key, body });
      expect([res.status, res.body.error?.code], JSON.stringify(res.body)).toEqual([status, code]);
      if (paths.length) expect(res.body.error.details.map((d: any) => d.path)).toEqual(paths);
    }
    const list = await stack.api("GET", bundles(), { token: t.key });
    expect(list.body.data).toEqual([]);
    expect(await client.numbers.v2.regulatoryCompliance.endUsers.list()).toHaveLength(before.length);
  });

  it("refuses a number abroad without an approved bundle, before asking Twilio", async () => {
    const res = await buyIn("GB", "mobile");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("bundle_required");
    expect(res.body.error.hint).toContain("country GB, number_type mobile");
    const numbers = await stack.api("GET", "/v1/numbers?include_released=true", { token: t.key });
    expect(numbers.body.data).toEqual([]);
  });

  let gb: any;
  it("takes a GB mobile bundle for an individual through review and buys a number with it", async () => {
    const created = await stack.api("POST", bundles(), { token: t.key, body: gbMobile() });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      state: "submitted",
      country: "GB",
      twilio_status: "pending-review",
    });
    expect(created.body.bundle_sid).toMatch(/^BU/);
    expect(created.body.end_user_sid).toMatch(/^IT/);
    expect(created.body.address_sid).toMatch(/^AD/);
    expect(created.body.document_sids).toHaveLength(1);

    // The data is sealed: neither the names nor the document number are readable in the table.
    const raw = await stack.db.query<{ row: string }>(
      "SELECT row_to_json(b)::text AS row FROM regulatory_bundles b WHERE id = $1",
      [created.body.id],
    );
    expect(raw.rows[0].row).not.toContain("Lovelace");
    const secrets = await stack.db.query<{ ciphertext: string }>(
      "SELECT s.ciphertext FROM secrets s JOIN regulatory_bundles b ON b.data_secret_id = s.id WHERE b.id = $1",
      [created.body.id],
    );
    expect(secrets.rows[0].ciphertext).not.toContain("123456789");

    await stack.emulator.control("POST", "clock/advance", { seconds: 31 });
    await stack.clock.advance(31_000);
    await stack.jobs.runDue();
    expect((await readBundle(created.body.id)).state).toMatch(/in_review|approved/);
    gb = await reviewed(created.body.id);
    expect(gb).toMatchObject({ state: "approved", twilio_status: "twilio-approved", failure: null });

    const bought = await buyIn("GB", "mobile");
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ country: "GB", type: "mobile", state: "active" });
    expect(bought.body.phone_number).toMatch(/^\+447/);
    const client = await subaccountClient(t.tenant.subaccount_sid);
    const atTwilio = await client.incomingPhoneNumbers(bought.body.phone_number_sid).fetch();
    expect([atTwilio.bundleSid, atTwilio.addressSid]).toEqual([gb.bundle_sid, gb.address_sid]);

    const events = (await stack.api("GET", "/v1/events?type=bundle.updated", { token: t.key })).body.data;
    const mine = events.filter((e: any) => e.data.bundle_id === gb.id).map((e: any) => e.data.state);
    expect(mine).toContain("submitted");
    expect(mine).toContain("approved");
  });

  it("rejects a DE bundle with an illegible document, takes the fix, approves it and buys a Berlin number", async () => {
    const created = await stack.api("POST", bundles(), {
      token: t.key,
      body: deLocal([excerpt("Handelsregister blurry scan")]),
    });
    expect(created.status).toBe(202);
    const rejected = await reviewed(created.body.id);
    expect(rejected.state).toBe("rejected");
    expect(rejected.failure.reasons[0]).toMatchObject({
      code: "document_rejected",
      document: 0,
      twilio_code: 18001,
    });
    expect(rejected.failure.reasons[0].message).toMatch(/illegible/);

    // Still no DE number: the bundle is not approved.
    expect((await buyIn("DE", "local", "Berlin")).body.error.code).toBe("bundle_required");

    const tooEarly = await stack.api("POST", `${bundles()}/${gb.id}/resubmit`, { token: t.key });
    expect([tooEarly.status, tooEarly.body.error.code]).toEqual([409, "bundle_not_rejected"]);
    const badPatch = await stack.api("PATCH", `${bundles()}/${created.body.id}`, {
      token: t.key,
      body: { documents: [{ type: "utility_bill", attributes: {} }] },
    });
    expect([badPatch.status, badPatch.body.error.code]).toEqual([422, "bundle_invalid"]);
    expect((await readBundle(created.body.id)).submission).toBe(1);

    const patched = await stack.api("PATCH", `${bundles()}/${created.body.id}`, {
      token: t.key,
      body: { documents: [excerpt("Handelsregister, new scan")] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ state: "rejected", submission: 2, document_sids: [] });
    const resubmitted = await stack.api("POST", `${bundles()}/${created.body.id}/resubmit`, { token: t.key });
    expect(resubmitted.status).toBe(202);
    expect(resubmitted.body).toMatchObject({
      state: "submitted",
      failure: null,
      bundle_sid: rejected.bundle_sid,
    });
    expect(resubmitted.body.document_sids[0]).not.toBe(rejected.document_sids[0]);
    const approved = await reviewed(created.body.id);
    expect(approved.state).toBe("approved");

    // At Twilio, the bundle holds the new items only.
    const client = await subaccountClient(t.tenant.subaccount_sid);
    const items = await client.numbers.v2.regulatoryCompliance
      .bundles(approved.bundle_sid)
      .itemAssignments.list();
    expect(items.map((i) => i.objectSid).sort()).toEqual(
      [approved.end_user_sid, ...approved.document_sids].sort(),
    );

    const events = (await stack.api("GET", "/v1/events?type=bundle.updated", { token: t.key })).body.data;
    const states = events.filter((e: any) => e.data.bundle_id === approved.id).map((e: any) => e.data.state);
    expect(states).toEqual(expect.arrayContaining(["submitted", "rejected", "approved"]));
    expect(
      events.find((e: any) => e.data.bundle_id === approved.id && e.data.state === "rejected").data.failure,
    ).toMatchObject({ reasons: [expect.objectContaining({ code: "document_rejected" })] });

    const bought = await buyIn("DE", "local", "Berlin");
    expect(bought.status).toBe(201);
    expect(bought.body.phone_number).toMatch(/^\+4930/);
  });

  it("finds what an interrupted attempt created instead of creating it again (AU mobile)", async () => {
    // Twilio fails the evaluation once: the inline attempt stops after creating every item.
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 503,
      path: "/Evaluations",
      method: "POST",
      count: 1,
    });
    const created = await stack.api("POST", bundles(), { token: t.key, body: auMobile() });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ state: "submitted", twilio_status: null });
    const first = created.body;
    expect(first.bundle_sid).toMatch(/^BU/);
    // As if the process had died before it recorded what Twilio answered.
    await stack.db.query(
      "UPDATE regulatory_bundles SET bundle_sid = NULL, end_user_sid = NULL, address_sid = NULL, document_sids = '[]' WHERE id = $1",
      [first.id],
    );
    const approved = await reviewed(first.id);
    expect(approved).toMatchObject({
      state: "approved",
      bundle_sid: first.bundle_sid,
      end_user_sid: first.end_user_sid,
      address_sid: first.address_sid,
      document_sids: first.document_sids,
    });
    const client = await subaccountClient(t.tenant.subaccount_sid);
    const rc = client.numbers.v2.regulatoryCompliance;
    expect(await rc.bundles.list({ friendlyName: `subtext:${first.id}` })).toHaveLength(1);
    const named = (xs: { friendlyName: string }[]) => xs.filter((x) => x.friendlyName.includes(first.id));
    expect(named(await rc.endUsers.list())).toHaveLength(1);
    expect(named(await rc.supportingDocuments.list())).toHaveLength(1);
    expect(named(await client.addresses.list())).toHaveLength(1);

    const bought = await buyIn("AU", "mobile");
    expect(bought.status).toBe(201);
    expect(bought.body.phone_number).toMatch(/^\+614/);
  });

  it("sends to GB and AU from the number bought there, at each country's price; a landline is no sender", async () => {
    await stack.emulator.control("PUT", "throughput", { per_number_mps: 10_000 });
    const declared = await stack.api("PUT", `/v1/tenants/${t.tenant.id}/countries`, {
      token: t.key,
      body: { countries: ["GB", "DE", "AU"] },
    });
    expect(declared.status).toBe(200);
    const numbers = (await stack.api("GET", "/v1/numbers", { token: t.key })).body.data;
    const numberIn = (country: string) => numbers.find((n: any) => n.country === country).phone_number;
    // The Berlin number takes calls only (German landlines send no SMS): nothing sends to DE yet.
    expect(numbers.find((n: any) => n.country === "DE").capabilities.sms).toBe(false);
    const de = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: "+4915123456789", body: "Your order has shipped.", purpose: "transactional" },
    });
    expect(de.status).toBe(422);
    expect(de.body.error.code).toBe("sender_required_for_country");
    const sends = [
      { to: "+447400123456", country: "GB" },
      { to: "+61412345678", country: "AU" },
    ];
    const estimates: Record<string, string> = {};
    for (const s of sends) {
      const res = await stack.api("POST", "/v1/messages", {
        token: t.key,
        body: { to: s.to, body: "Your order has shipped.", purpose: "transactional" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      estimates[s.country] = res.body.price_estimate.amount;
    }
    // Each country has its own price: none is the US table's.
    expect(new Set(Object.values(estimates)).size).toBe(2);
    expect(Object.values(estimates)).not.toContain("0.0079");
    await dispatchAll(stack);
    // Twilio charges once the carrier takes the message.
    await stack.emulator.control("POST", "clock/advance", { seconds: 10 });
    const client = await subaccountClient(t.tenant.subaccount_sid);
    for (const s of sends) {
      const [sent] = await sentToAtTwilio(stack, s.to);
      expect(sent.from, s.country).toBe(numberIn(s.country));
      // What Twilio (the emulator) charges is what Subtext estimated.
      const charged = await client.messages(sent.sid).fetch();
      expect(Math.abs(Number(charged.price)), s.country).toBeCloseTo(Number(estimates[s.country]), 4);
    }
  });

  it("lists the tenant's bundles and hides them from other tenants", async () => {
    const list = await stack.api("GET", bundles(), { token: t.key });
    expect(list.body.data.map((b: any) => [b.country, b.state])).toEqual([
      ["GB", "approved"],
      ["DE", "approved"],
      ["AU", "approved"],
    ]);
    const other = await stack.newTenant();
    const res = await stack.api("GET", `${bundles()}/${gb.id}`, { token: other.key });
    expect(res.status).toBe(404);
  });
});
