/**
 * Several campaigns per brand, their deletion, and leaving low-volume standard through
 * secondary vetting (docs/onboarding.md, "Several campaigns" and "Leaving low-volume standard"),
 * over HTTP against the emulator.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAll, readyToSend, sentToAtTwilio } from "../support/messaging.js";
import { driveRegistrations } from "../support/onboarding.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let t: { tenant: any; key: string; registration: any };
let base: string;

const campaign = (useCase: string, what: string) => ({
  use_case: useCase,
  description: `Acme Sandwich Company sends ${what} to customers who asked for them on acmesandwich.com.`,
  message_flow:
    "Customers enter their mobile number and tick the unchecked SMS consent box at https://acmesandwich.com/account. Terms: https://acmesandwich.com/terms; privacy: https://acmesandwich.com/privacy.",
  message_samples: [
    `Acme Sandwich Company: your ${what} [code] is here. Reply STOP to opt out.`,
    `Acme Sandwich Company: more ${what} for [first_name]. Reply HELP for help, STOP to opt out.`,
  ],
  has_embedded_links: false,
  has_embedded_phone: false,
});

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });
}

const phone = (n: number) => `+1415720${String(n).padStart(4, "0")}`;

async function addAndApprove(useCase: string, what: string) {
  const added = await stack.api("POST", `${base}/campaigns`, { token: t.key, body: campaign(useCase, what) });
  expect(added.status).toBe(202);
  expect(added.body).toMatchObject({ use_case: useCase, first: false, registration_id: t.registration.id });
  await driveRegistrations(stack, [{ tenantId: t.tenant.id, id: added.body.id }]);
  const view = await stack.api("GET", `${base}/campaigns/${added.body.id}`, { token: t.key });
  expect(view.body).toMatchObject({ state: "approved", campaign_status: "VERIFIED" });
  return view.body;
}

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await readyToSend(stack, "low_volume_standard");
  base = `/v1/tenants/${t.tenant.id}/registrations/${t.registration.id}`;
}, 300_000);
afterAll(() => stack?.close());

describe("several campaigns per brand", () => {
  let twoFa: any;
  let marketing: any;

  it("refuses campaigns it cannot register, with stable codes, and creates nothing", async () => {
    const invalid = await stack.api("POST", `${base}/campaigns`, {
      token: t.key,
      body: { ...campaign("2FA", "codes"), message_samples: ["one"] },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe("registration_invalid");
    expect(invalid.body.error.details.some((f: any) => f.path.startsWith("campaign.message_samples"))).toBe(
      true,
    );
    const same = await stack.api("POST", `${base}/campaigns`, {
      token: t.key,
      body: campaign("ACCOUNT_NOTIFICATION", "order updates"),
    });
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe("campaign_use_case_exists");
    const political = await stack.api("POST", `${base}/campaigns`, {
      token: t.key,
      body: campaign("POLITICAL", "election reminders"),
    });
    expect(political.status).toBe(409);
    expect(political.body.error.code).toBe("campaign_verify_required");
    const list = await stack.api("GET", `${base}/campaigns`, { token: t.key });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: t.registration.id, first: true, state: "approved" });
    const unknown = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(1), body: "Your code is 1234", use_case: "2FA" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe("unknown_use_case");
  });

  it("gives each campaign its own Messaging Service, number and lane, and routes sends by use case", {
    timeout: 300_000,
  }, async () => {
    const pending = await stack.api("POST", `${base}/campaigns`, {
      token: t.key,
      body: campaign("2FA", "codes"),
    });
    expect(pending.status).toBe(202);
    const early = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(2), body: "Acme: code 1234", use_case: "2FA" },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("registration_pending");
    await driveRegistrations(stack, [{ tenantId: t.tenant.id, id: pending.body.id }]);
    twoFa = (await stack.api("GET", `${base}/campaigns/${pending.body.id}`, { token: t.key })).body;
    marketing = await addAndApprove("MARKETING", "offers");

    const all = (await stack.api("GET", `${base}/campaigns`, { token: t.key })).body.data;
    expect(all.map((c: any) => c.use_case)).toEqual(["ACCOUNT_NOTIFICATION", "2FA", "MARKETING"]);
    const services = new Set(all.map((c: any) => c.messaging_service_sid));
    const numbers = new Set(all.map((c: any) => c.numbers[0].phone_number));
    expect(services.size).toBe(3);
    expect(numbers.size).toBe(3);
    expect(all.every((c: any) => c.lane.key === `campaign:${c.messaging_service_sid}`)).toBe(true);

    const sends = [
      { to: phone(3), use_case: "2FA", service: twoFa.messaging_service_sid },
      { to: phone(4), use_case: "MARKETING", service: marketing.messaging_service_sid },
      { to: phone(5), use_case: undefined, service: t.registration.resources.messaging_service_sid },
    ];
    for (const s of sends) {
      const res = await stack.api("POST", "/v1/messages", {
        token: t.key,
        body: {
          to: s.to,
          body: "Acme Sandwich Company: hello",
          ...(s.use_case ? { use_case: s.use_case } : {}),
        },
      });
      expect(res.status).toBe(202);
      expect(res.body.messaging_service_id).toBe(s.service);
    }
    // A number of the 2FA campaign as `from` goes through that campaign too.
    const viaFrom = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(6), body: "Acme Sandwich Company: hi", from: twoFa.numbers[0].phone_number },
    });
    expect(viaFrom.body.messaging_service_id).toBe(twoFa.messaging_service_sid);
    const mismatch = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: {
        to: phone(7),
        body: "x",
        use_case: "2FA",
        messaging_service_id: marketing.messaging_service_sid,
      },
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.code).toBe("use_case_service_mismatch");
    await dispatchAll(stack);
    for (const s of sends) {
      const [atTwilio] = await sentToAtTwilio(stack, s.to);
      expect(atTwilio.messaging_service_sid).toBe(s.service);
    }
    const lanes = (await stack.api("GET", "/v1/lanes", { token: t.key })).body.data;
    expect(new Set(lanes.map((l: any) => l.messaging_service_sid))).toEqual(services);
    expect(lanes.every((l: any) => l.rate_kind === "low_volume_standard" && l.mps === 3.75)).toBe(true);
  });

  it("keeps one tenant's campaigns from another", async () => {
    const other = await stack.newTenant();
    for (const path of [`${base}/campaigns`, `${base}/campaigns/${twoFa.id}`, `${base}/vettings`]) {
      expect((await stack.api("GET", path, { token: other.key })).status).toBe(404);
    }
    const own = `/v1/tenants/${other.tenant.id}/registrations/${t.registration.id}/campaigns`;
    expect((await stack.api("GET", own, { token: other.key })).status).toBe(404);
    expect((await stack.api("DELETE", `${own}/${twoFa.id}`, { token: other.key })).status).toBe(404);
    const foreign = await stack.api("POST", "/v1/messages", {
      token: other.key,
      body: { to: phone(8), body: "x", messaging_service_id: twoFa.messaging_service_sid },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("registration_required");
  });

  it("deletes an added campaign: its Usa2p goes, sends naming it are refused, its queue is canceled", {
    timeout: 120_000,
  }, async () => {
    const queued: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await stack.api("POST", "/v1/messages", {
        token: t.key,
        body: { to: phone(20 + i), body: "Acme Sandwich Company: offer", use_case: "MARKETING" },
      });
      queued.push(res.body.id);
    }
    const first = await stack.api("DELETE", `${base}/campaigns/${t.registration.id}`, { token: t.key });
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe("campaign_is_registration");

    const deleted = await stack.api("DELETE", `${base}/campaigns/${marketing.id}`, { token: t.key });
    expect(deleted.status).toBe(202);
    expect(deleted.body).toMatchObject({ state: "deleted", campaign_status: "DELETED" });
    const client = await subaccountClient(t.tenant.subaccount_sid);
    const left = await client.messaging.v1.services(marketing.messaging_service_sid).usAppToPerson.list();
    expect(left).toHaveLength(0);
    const kept = await client.messaging.v1.services(twoFa.messaging_service_sid).usAppToPerson.list();
    expect(kept).toHaveLength(1);

    const refused = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(30), body: "x", use_case: "MARKETING" },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("campaign_deleted");
    await dispatchAll(stack);
    for (const id of queued) {
      const m = (await stack.api("GET", `/v1/messages/${id}`, { token: t.key })).body;
      expect(m.status).toBe("canceled");
    }
    expect(await sentToAtTwilio(stack, phone(20))).toHaveLength(0);
    const lanes = (await stack.api("GET", "/v1/lanes", { token: t.key })).body.data;
    const gone = lanes.find((l: any) => l.messaging_service_sid === marketing.messaging_service_sid);
    expect(gone).toMatchObject({ held_reason: "campaign_deleted", queued: 0 });
    // The other campaigns still send.
    const still = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(31), body: "Acme Sandwich Company: code", use_case: "2FA" },
    });
    expect(still.status).toBe(202);
    // The use case is free again: a new campaign on a new service.
    const again = await stack.api("POST", `${base}/campaigns`, {
      token: t.key,
      body: campaign("MARKETING", "offers"),
    });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(marketing.id);
    const list = (await stack.api("GET", `${base}/campaigns`, { token: t.key })).body.data;
    expect(list.map((c: any) => [c.use_case, c.state])).toEqual([
      ["ACCOUNT_NOTIFICATION", "approved"],
      ["2FA", "approved"],
      ["MARKETING", "deleted"],
      ["MARKETING", "submitted"],
    ]);
  });

  it("watches an added campaign daily: a suspension closes its gate only", { timeout: 120_000 }, async () => {
    await stack.emulator.control("POST", `reviews/${twoFa.messaging_service_sid}/outcome`, {
      outcome: "suspended",
    });
    await stack.emulator.control("POST", "clock/advance", { seconds: 86_400 });
    stack.clock.advance(86_400_000);
    await stack.jobs.runDue();
    const view = (await stack.api("GET", `${base}/campaigns/${twoFa.id}`, { token: t.key })).body;
    expect(view).toMatchObject({ state: "suspended", campaign_status: "SUSPENDED" });
    expect(view.failure).toMatchObject({ stage: "campaign", remediable: false });
    const refused = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(40), body: "Acme Sandwich Company: code", use_case: "2FA" },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("registration_suspended");
    const first = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: phone(41), body: "Acme Sandwich Company: order update" },
    });
    expect(first.status).toBe(202);
    expect((await stack.api("GET", base, { token: t.key })).body.state).toBe("approved");
  });
});
