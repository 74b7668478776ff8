/**
 * Sending abroad (docs/international.md, "Sending abroad"): the tenant's declared countries set
 * its subaccount's geo permissions; alphanumeric sender IDs per country (active, registration
 * required, not supported); a send abroad goes from the tenant's sender for the country, on a
 * lane of that sender, at the country's price, after the country's rules (blocked content,
 * opt-out wording, quiet hours in the recipient's time zone). Over HTTP against the emulator,
 * with no US registration at all.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAll, sentToAtTwilio } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let tenant: any;
let key: string;
let alpha: any;

const GB = "+447400123456";
const GB2 = "+447400123457";
const IN = "+919876543210";
const FR = "+33612345678";

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

const send = (body: Record<string, unknown>) => stack.api("POST", "/v1/messages", { token: key, body });

/** The next instant (from the platform clock) at `hour`:00 in London. */
function nextLondonHour(hour: number): number {
  const now = stack.clock.now().getTime();
  for (let m = 1; m <= 48 * 60; m++) {
    const at = new Date(now + m * 60_000);
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/London",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(at);
    if (parts === `${String(hour).padStart(2, "0")}:00`) return at.getTime() - now;
  }
  throw new Error("no such hour");
}

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  ({ tenant, key } = await stack.newTenant());
  // Daytime in London for the sends that are not about quiet hours.
  stack.clock.advance(nextLondonHour(12));
}, 300_000);
afterAll(() => stack?.close());

describe("sending abroad", () => {
  it("refuses a country the tenant has not declared, before Twilio (403 country_not_permitted)", async () => {
    const res = await send({ to: GB, body: "Your order shipped.", purpose: "transactional" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("country_not_permitted");
    expect(res.body.error.hint).toContain(`/v1/tenants/${tenant.id}/countries`);
    expect(await sentToAtTwilio(stack, GB)).toEqual([]);
  });

  it("declares the tenant's countries and sets the subaccount's geo permissions to exactly those plus US and CA", async () => {
    const bad = await stack.api("PUT", `/v1/tenants/${tenant.id}/countries`, {
      token: key,
      body: { countries: ["GB", "G1"] },
    });
    expect(bad.status).toBe(400);

    const put = await stack.api("PUT", `/v1/tenants/${tenant.id}/countries`, {
      token: key,
      body: { countries: ["gb", "IN", "DE"] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ countries: ["DE", "GB", "IN"], synced: true });
    expect(put.body.permitted).toEqual(expect.arrayContaining(["US", "CA", "GB", "DE", "IN"]));

    // High-risk countries are set in Twilio's Console only: Twilio answers 30649 for them.
    const consoleOnly = put.body.geo_permissions
      .filter((p: any) => p.error_code === 30649)
      .map((p: any) => p.country);
    expect(consoleOnly).toContain("NG");
    const client = await subaccountClient(tenant.subaccount_sid);
    const geo = await client.accounts.v1.messagingGeopermissions.fetch();
    const enabled = (geo.permissions as any[])
      .filter((p) => p.enabled && !consoleOnly.includes(p.country_code))
      .map((p) => p.country_code)
      .sort();
    expect(enabled).toEqual(["CA", "DE", "GB", "IN", "US"]);
    expect((geo.permissions as any[]).find((p) => p.country_code === "FR").enabled).toBe(false);

    const got = await stack.api("GET", `/v1/tenants/${tenant.id}/countries`, { token: key });
    expect(got.body.countries).toEqual(["DE", "GB", "IN"]);
  });

  it("keeps a declaration Twilio could not take, and its job sets the geo permissions later", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 503,
      path: "/Messaging/GeoPermissions",
      method: "PATCH",
      count: 1,
    });
    const put = await stack.api("PUT", `/v1/tenants/${tenant.id}/countries`, {
      token: key,
      body: { countries: ["DE", "GB", "IN", "FR"] },
    });
    expect(put.status).toBe(503);
    const stored = await stack.api("GET", `/v1/tenants/${tenant.id}/countries`, { token: key });
    expect(stored.body).toMatchObject({ countries: ["DE", "FR", "GB", "IN"], synced: false });
    const client = await subaccountClient(tenant.subaccount_sid);
    const before = await client.accounts.v1.messagingGeopermissions.fetch();
    expect((before.permissions as any[]).find((p) => p.country_code === "FR").enabled).toBe(false);

    await stack.emulator.control("DELETE", "faults");
    await stack.emulator.control("POST", "clock/advance", { seconds: 120 });
    stack.clock.advance(120_000);
    await stack.jobs.runDue();
    const after = await client.accounts.v1.messagingGeopermissions.fetch();
    expect((after.permissions as any[]).find((p) => p.country_code === "FR").enabled).toBe(true);
    expect((await stack.api("GET", `/v1/tenants/${tenant.id}/countries`, { token: key })).body.synced).toBe(
      true,
    );

    // Back to what the tests below expect.
    const reset = await stack.api("PUT", `/v1/tenants/${tenant.id}/countries`, {
      token: key,
      body: { countries: ["DE", "GB", "IN"] },
    });
    expect(reset.status).toBe(200);
  });

  it("refuses a send abroad without a sender for the country, saying what to register", async () => {
    const res = await send({ to: GB, body: "Your order shipped.", purpose: "transactional" });
    expect(res.body.error).toMatchObject({ code: "sender_required_for_country" });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain("alphanumeric sender ID");
    expect(res.body.error.details[0].register.length).toBeGreaterThan(0);
  });

  it("refuses an alphanumeric sender ID for a country that takes none, storing nothing", async () => {
    const res = await stack.api("POST", "/v1/alpha-senders", {
      token: key,
      body: { alpha_sender_id: "Acme", countries: ["GB", "MX"] },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("alpha_sender_not_supported");
    expect(res.body.error.details[0]).toMatchObject({ country: "MX", path: "/countries/1" });
    const list = await stack.api("GET", "/v1/alpha-senders", { token: key });
    expect(list.body.data).toEqual([]);
  });

  it("sets up a sender ID: active at once in GB, registration pending in IN, on a Messaging Service of its own", async () => {
    const res = await stack.api("POST", "/v1/alpha-senders", {
      token: key,
      body: { alpha_sender_id: "Acme", countries: ["GB", "IN"] },
    });
    expect(res.status).toBe(201);
    alpha = res.body;
    expect(alpha.one_way).toBe(true);
    expect(alpha.replies).toContain("fallback number");
    expect(alpha.countries).toEqual([
      expect.objectContaining({ country: "GB", status: "active" }),
      expect.objectContaining({ country: "IN", status: "registration_pending" }),
    ]);
    const client = await subaccountClient(tenant.subaccount_sid);
    const senders = await client.messaging.v1.services(alpha.messaging_service_id).alphaSenders.list();
    expect(senders.map((s) => s.alphaSender)).toEqual(["Acme"]);

    const twice = await stack.api("POST", "/v1/alpha-senders", {
      token: key,
      body: { alpha_sender_id: "ACME", countries: ["DE"] },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe("alpha_sender_exists");
  });

  it("sends to GB from the sender ID, on its own lane, at the GB price", async () => {
    const res = await send({ to: GB, body: "Your order shipped.", purpose: "transactional" });
    expect(res.status).toBe(202);
    expect(res.body.from).toBe("Acme");
    expect(res.body.price_estimate).toEqual({ amount: "0.0463", currency: "USD" });
    await dispatchAll(stack);
    const [atTwilio] = await sentToAtTwilio(stack, GB);
    expect(atTwilio.from).toBe("Acme");
    expect(atTwilio.messaging_service_sid).toBe(alpha.messaging_service_id);
    // Twilio charges the GB rate once the carrier takes it.
    await stack.emulator.control("POST", "clock/advance", { seconds: 10 });
    const client = await subaccountClient(tenant.subaccount_sid);
    const charged = await client.messages(atTwilio.sid).fetch();
    expect(Math.abs(Number(charged.price))).toBeCloseTo(0.0463, 6);

    const lanes = await stack.api("GET", "/v1/lanes", { token: key });
    const lane = lanes.body.data.find((l: any) => l.kind === "intl_sender");
    expect(lane).toMatchObject({ rate_kind: "international", sender: "Acme", mps: 10 });
  });

  it("refuses content the country blocks, citing the rule's source", async () => {
    const res = await send({ to: GB, body: "Fresh cannabis delivered today", purpose: "transactional" });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("content_blocked_in_country");
    expect(res.body.error.details[0]).toMatchObject({ country: "GB", matched: "cannabis" });
    expect(res.body.error.details[0].source).toMatch(/^https:\/\//);
  });

  it("refuses marketing without the opt-out wording the country requires", async () => {
    const res = await send({ to: GB, body: "20% off all week!" });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("opt_out_wording_required");
    expect(res.body.error.details[0]).toMatchObject({ country: "GB", keywords: ["STOP"] });
    const ok = await send({ to: GB2, body: "20% off all week! Text STOP to +14155550100 to opt out." });
    expect(ok.status).toBe(202);
    expect(ok.body.status).toBe("queued");
  });

  it("refuses IN until the sender ID's registration is approved, then sends (with the DLT template)", async () => {
    const before = await send({
      to: IN,
      body: "Your code is 123456",
      purpose: "otp",
      dlt_template_id: "1107",
    });
    expect(before.status).toBe(422);
    expect(before.body.error.code).toBe("sender_required_for_country");
    expect(before.body.error.message).toContain("not approved");

    // The tenant cannot approve its own registration: the operator records the carriers' answer.
    const self = await stack.api("POST", `/v1/alpha-senders/${alpha.id}/registrations`, {
      token: key,
      body: { country: "IN", status: "approved" },
    });
    expect(self.status).toBe(403);

    // The carriers approve it (at Twilio), and the operator records it.
    await stack.emulator.control("POST", "alpha-senders/registrations", {
      account_sid: tenant.subaccount_sid,
      alpha_sender: "Acme",
      iso_country: "IN",
    });
    const approved = await stack.api("POST", `/v1/alpha-senders/${alpha.id}/registrations`, {
      token: stack.adminToken,
      headers: { "subtext-tenant": tenant.id },
      body: { country: "IN", status: "approved" },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.countries.find((c: any) => c.country === "IN").status).toBe("active");

    const noTemplate = await send({ to: IN, body: "Your code is 123456", purpose: "otp" });
    expect(noTemplate.status).toBe(422);
    expect(noTemplate.body.error.code).toBe("dlt_template_required");

    const res = await send({ to: IN, body: "Your code is 123456", purpose: "otp", dlt_template_id: "1107" });
    expect(res.status).toBe(202);
    expect(res.body.from).toBe("Acme");
    expect(res.body.price_estimate.amount).toBe("0.0832");
    await dispatchAll(stack);
    const [atTwilio] = await sentToAtTwilio(stack, IN);
    expect(atTwilio.from).toBe("Acme");
  });

  it("holds marketing to GB until 08:00 in London, then sends it", async () => {
    stack.clock.advance(nextLondonHour(2));
    const res = await send({ to: "+447400123458", body: "Sale! Text STOP to +14155550100 to opt out." });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("scheduled");
    const sendAt = new Date(res.body.send_at);
    expect(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/London",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(sendAt),
    ).toBe("08:00");
    await dispatchAll(stack);
    expect(await sentToAtTwilio(stack, "+447400123458")).toEqual([]);

    // A transactional message goes at night.
    const receipt = await send({ to: "+447400123459", body: "Receipt #42", purpose: "transactional" });
    expect(receipt.body.status).toBe("queued");

    stack.clock.advance(sendAt.getTime() - stack.clock.now().getTime() + 1_000);
    await dispatchAll(stack);
    const [sent] = await sentToAtTwilio(stack, "+447400123458");
    expect(sent.from).toBe("Acme");
  });

  it("refuses a country outside the declared ones even with a sender ID that would reach it", async () => {
    const res = await send({ to: FR, body: "Votre commande est prête.", purpose: "transactional" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("country_not_permitted");
  });

  it("deletes the sender ID: its Messaging Service goes, and sends to GB are refused again", async () => {
    const del = await stack.api("DELETE", `/v1/alpha-senders/${alpha.id}`, { token: key });
    expect(del.status).toBe(200);
    expect(del.body.deleted_at).not.toBeNull();
    const client = await subaccountClient(tenant.subaccount_sid);
    const services = await client.messaging.v1.services.list();
    expect(services.map((s) => s.sid)).not.toContain(alpha.messaging_service_id);
    const res = await send({ to: GB, body: "Your order shipped.", purpose: "transactional" });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("sender_required_for_country");
  });
});
