/**
 * Numbers as a resource (docs/onboarding.md, "Numbers"): search, buy into the tenant's
 * subaccount and attach to a campaign's service, move, release (refused for a live campaign's
 * last number unless forced), the sender pool's settings, and per-number toll-free verification
 * with a lane per verified number; over HTTP against the emulator.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAll, driveUntil, readyToSend, sentToAtTwilio } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let t: { tenant: any; key: string; registration: any };

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

const phone = (n: number) => `+1415730${String(n).padStart(4, "0")}`;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await readyToSend(stack, "standard");
}, 300_000);
afterAll(() => stack?.close());

describe("numbers", () => {
  let added: any;

  it("searches what is for sale, buys a number for voice only, and refuses bad purchases with stable codes", async () => {
    const { tenant, key } = await stack.newTenant();
    const found = await stack.api("GET", "/v1/numbers/available?area_code=415&sms=true&limit=5", {
      token: key,
    });
    expect(found.status).toBe(200);
    expect(found.body.data.length).toBeGreaterThan(0);
    expect(found.body.data.every((n: any) => n.phone_number.startsWith("+1415") && n.capabilities.sms)).toBe(
      true,
    );

    const bought = await stack.api("POST", "/v1/numbers", {
      token: key,
      body: { phone_number: found.body.data[0].phone_number },
    });
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({
      phone_number: found.body.data[0].phone_number,
      state: "active",
      type: "local",
      country: "US",
      messaging_service_id: null,
      toll_free_verification: null,
    });
    expect(bought.body.phone_number_sid).toMatch(/^PN/);
    const client = await subaccountClient(tenant.subaccount_sid);
    const atTwilio = await client.incomingPhoneNumbers.list({ phoneNumber: bought.body.phone_number });
    expect(atTwilio.map((n) => n.sid)).toEqual([bought.body.phone_number_sid]);
    expect(atTwilio[0].friendlyName).toBe(`subtext:${bought.body.id}`);

    // A tenant with a number and no registration can place calls (before: caller_id_required).
    const call = await stack.api("POST", "/v1/calls", {
      token: key,
      body: { to: phone(1), say: "Your table is ready." },
    });
    expect(call.status).toBe(201);
    expect(call.body.from).toBe(bought.body.phone_number);

    const again = await stack.api("POST", "/v1/numbers", {
      token: key,
      body: { phone_number: found.body.data[0].phone_number },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("number_unavailable");

    const cases: [any, number, string][] = [
      [{ phone_number: "4155550100" }, 422, "invalid_phone_number"],
      [{ messaging_service_id: `MG${"0".repeat(32)}` }, 422, "unknown_messaging_service"],
      [{ use_case: "MARKETING" }, 422, "unknown_use_case"],
      [{ area_code: "41" }, 400, "invalid_request"],
      [{ colour: "blue" }, 400, "invalid_request"],
    ];
    for (const [body, status, code] of cases) {
      const res = await stack.api("POST", "/v1/numbers", { token: key, body });
      expect([res.status, res.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const list = await stack.api("GET", "/v1/numbers", { token: key });
    expect(list.body.data.map((n: any) => n.id)).toEqual([bought.body.id]);
    // Another tenant's number is not found, whatever the call.
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { messaging_service_id: null }],
      ["DELETE", undefined],
    ] as const) {
      const res = await stack.api(method, `/v1/numbers/${bought.body.id}`, { token: t.key, body });
      expect(res.status).toBe(404);
    }
  });

  it("adds a second number to a campaign: it sends from either, and the pool's settings are the tenant's", {
    timeout: 120_000,
  }, async () => {
    const services = await stack.api("GET", "/v1/messaging-services", { token: t.key });
    expect(services.status).toBe(200);
    expect(services.body.data).toHaveLength(1);
    const service = services.body.data[0];
    expect(service).toMatchObject({ channel: "10dlc", live: true, registration_id: t.registration.id });
    expect(service.numbers).toHaveLength(1);

    const wrongType = await stack.api("POST", "/v1/numbers", {
      token: t.key,
      body: { type: "toll_free", messaging_service_id: service.id },
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error.code).toBe("number_type_mismatch");

    const bought = await stack.api("POST", "/v1/numbers", {
      token: t.key,
      body: {
        use_case: t.registration.document?.campaign?.use_case ?? "ACCOUNT_NOTIFICATION",
        area_code: "212",
      },
    });
    expect(bought.status).toBe(201);
    added = bought.body;
    expect(added).toMatchObject({ state: "active", messaging_service_id: service.id });
    expect(added.phone_number.startsWith("+1212")).toBe(true);

    const client = await subaccountClient(t.tenant.subaccount_sid);
    const pool = await client.messaging.v1.services(service.id).phoneNumbers.list();
    expect(pool.map((p) => p.phoneNumber).sort()).toEqual([...service.numbers, added.phone_number].sort());
    const campaigns = await stack.api(
      "GET",
      `/v1/tenants/${t.tenant.id}/registrations/${t.registration.id}/campaigns`,
      { token: t.key },
    );
    expect(campaigns.body.data[0].numbers.map((n: any) => n.phone_number).sort()).toEqual(
      pool.map((p) => p.phoneNumber).sort(),
    );

    const send = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(2), body: "Acme: from the new number", from: added.phone_number },
    });
    expect(send.status).toBe(202);
    await dispatchAll(stack);
    const [sent] = await sentToAtTwilio(stack, phone(2));
    expect(sent.from).toBe(added.phone_number);

    const settings = await stack.api("PATCH", `/v1/messaging-services/${service.id}`, {
      token: t.key,
      body: { sticky_sender: false, area_code_geomatch: true },
    });
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual({ id: service.id, sticky_sender: false, area_code_geomatch: true });
    const atTwilio = await client.messaging.v1.services(service.id).fetch();
    expect([atTwilio.stickySender, atTwilio.areaCodeGeomatch]).toEqual([false, true]);
    const listed = await stack.api("GET", "/v1/messaging-services", { token: t.key });
    expect(listed.body.data[0]).toMatchObject({ sticky_sender: false, area_code_geomatch: true });
    expect(listed.body.data[0].numbers).toHaveLength(2);
    const notMine = await stack.api("PATCH", `/v1/messaging-services/MG${"1".repeat(32)}`, {
      token: t.key,
      body: { sticky_sender: true },
    });
    expect(notMine.status).toBe(404);
  });

  it("releases a number, refuses the campaign's last one unless forced, and then the gate says no_sender", {
    timeout: 120_000,
  }, async () => {
    const all = (await stack.api("GET", "/v1/numbers", { token: t.key })).body.data;
    const first = all.find((n: any) => n.id !== added.id);
    const released = await stack.api("DELETE", `/v1/numbers/${first.id}`, { token: t.key });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ state: "released" });
    expect(released.body.released_at).not.toBeNull();
    const client = await subaccountClient(t.tenant.subaccount_sid);
    expect(await client.incomingPhoneNumbers.list({ phoneNumber: first.phone_number })).toEqual([]);
    const fromReleased = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(3), body: "Acme: hi", from: first.phone_number },
    });
    expect(fromReleased.status).toBe(422);
    expect(fromReleased.body.error.code).toBe("unknown_sender");

    const last = await stack.api("DELETE", `/v1/numbers/${added.id}`, { token: t.key });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe("last_number_of_campaign");
    const moveLast = await stack.api("PATCH", `/v1/numbers/${added.id}`, {
      token: t.key,
      body: { messaging_service_id: null },
    });
    expect(moveLast.status).toBe(409);
    expect(moveLast.body.error.code).toBe("last_number_of_campaign");
    const stillSends = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(4), body: "Acme: hi" },
    });
    expect(stillSends.status).toBe(202);

    const forced = await stack.api("DELETE", `/v1/numbers/${added.id}?force=true`, { token: t.key });
    expect(forced.status).toBe(200);
    const closed = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(5), body: "Acme: hi" },
    });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe("no_sender");
    const withReleased = await stack.api("GET", "/v1/numbers?include_released=true", { token: t.key });
    expect(withReleased.body.data.map((n: any) => n.state)).toEqual(["released", "released"]);
    expect((await stack.api("GET", "/v1/numbers", { token: t.key })).body.data).toEqual([]);

    // A number bought for the campaign opens it again.
    const again = await stack.api("POST", "/v1/numbers", {
      token: t.key,
      body: { messaging_service_id: all[0].messaging_service_id },
    });
    expect(again.status).toBe(201);
    const open = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(6), body: "Acme: back" },
    });
    expect(open.status).toBe(202);
    const sent = await driveUntil(stack, "Twilio picks the sender", async () => {
      const [m] = await sentToAtTwilio(stack, phone(6));
      return m?.from ? m : null;
    });
    expect(sent.from).toBe(again.body.phone_number);
  });

  it("verifies each toll-free number on its own, and each verified number is a lane of its own", {
    timeout: 300_000,
  }, async () => {
    const tf = await readyToSend(stack, "toll_free");
    const bought = await stack.api("POST", "/v1/numbers", { token: tf.key, body: { type: "toll_free" } });
    expect(bought.status).toBe(201);
    expect(bought.body.type).toBe("toll_free");
    expect(bought.body.registration_id).toBe(tf.registration.id);
    expect(bought.body.toll_free_verification.sid).toMatch(/^HH/);
    expect(bought.body.toll_free_verification.status).not.toBe("TWILIO_APPROVED");

    // Not a sender until Twilio approves its own verification.
    const early = await stack.api("POST", "/v1/messages", {
      token: tf.key,
      body: { to: phone(7), body: "Acme: hi", from: bought.body.phone_number },
    });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe("unknown_sender");

    // Twilio reviews for days: both clocks move six hours at a time.
    for (let round = 0; ; round++) {
      const n = await stack.api("GET", `/v1/numbers/${bought.body.id}`, { token: tf.key });
      if (n.body.toll_free_verification.status === "TWILIO_APPROVED") break;
      expect(round, JSON.stringify(n.body)).toBeLessThan(60);
      await stack.emulator.control("POST", "clock/advance", { seconds: 6 * 3_600 });
      stack.clock.advance(6 * 3_600_000);
      await stack.jobs.runDue();
    }
    const [first] = (await stack.api("GET", "/v1/numbers", { token: tf.key })).body.data;
    for (const [i, from] of [first.phone_number, bought.body.phone_number].entries()) {
      const res = await stack.api("POST", "/v1/messages", {
        token: tf.key,
        body: { to: phone(10 + i), body: "Acme: toll-free", from },
      });
      expect(res.status).toBe(202);
    }
    await dispatchAll(stack);
    const lanes = await stack.api("GET", "/v1/lanes", { token: tf.key });
    const senders = lanes.body.data.map((l: any) => [l.kind, l.sender, l.mps]).sort();
    expect(senders).toEqual(
      [
        ["toll_free_number", first.phone_number, 3],
        ["toll_free_number", bought.body.phone_number, 3],
      ].sort(),
    );
    expect((await sentToAtTwilio(stack, phone(11)))[0].from).toBe(bought.body.phone_number);
  });
});
