/**
 * Short codes as a tracked application (docs/international.md, "Short codes"), over HTTP against
 * the emulator: applied for (`submitted`), put in carrier review by the operator, found by the
 * polling job once the approved short code is in the tenant's subaccount (the emulator's control
 * route provisions it, as Twilio would after the carriers' approval), then added to the
 * Messaging Service with a lane of its own at 100 MPS; or taken live by the operator naming the
 * SID. Messages to US recipients go out from the short code, and a STOP to it reaches the
 * tenant's inbound handler and opts the sender out.
 */
import { emulatorHttpClient, twilioSignature } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHORT_CODE_POLL_MS } from "../../src/onboarding/shortcodes/short-codes.js";
import { driveUntil, readyToSend, sentToAtTwilio } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let t: { tenant: any; key: string; profile: any };
let account: { sid: string; auth_token: string };

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  t = await readyToSend(stack);
  const { accounts } = await stack.emulator.control("GET", "accounts");
  account = accounts.find((a: any) => a.sid === t.tenant.subaccount_sid);
}, 300_000);
afterAll(() => stack?.close());

const client = () =>
  twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(stack.emulator.url) });

const application = {
  use_case: "Order notifications and sign-in codes for Acme's customers",
  message_samples: ["Acme: your order 1234 has shipped. Reply STOP to opt out, HELP for help."],
  opt_in_flow: "Customers tick an SMS box at checkout (https://acme.example/checkout)",
  expected_monthly_volume: 200_000,
};

async function advance(ms: number) {
  await stack.emulator.control("POST", "clock/advance", { seconds: ms / 1000 });
  stack.clock.advance(ms);
  await stack.jobs.runDue();
}

const path = () => `/v1/tenants/${t.tenant.id}/short-codes`;

describe("short codes", () => {
  let applied: any;

  it("refuses an application where short codes are not offered or with no service to join", async () => {
    const where = await stack.api("POST", path(), { token: t.key, body: { ...application, country: "ZZ" } });
    expect(where.status).toBe(422);
    expect(where.body.error.code).toBe("short_code_unavailable");
    const fresh = await stack.newTenant();
    const none = await stack.api("POST", `/v1/tenants/${fresh.tenant.id}/short-codes`, {
      token: fresh.key,
      body: application,
    });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe("messaging_service_required");
    expect((await stack.api("GET", path(), { token: t.key })).body.data).toEqual([]);
  });

  it("tracks the application through carrier review and goes live when the short code is provisioned", async () => {
    const res = await stack.api("POST", path(), { token: t.key, body: application });
    expect(res.status).toBe(201);
    applied = res.body;
    expect(applied).toMatchObject({
      id: expect.stringMatching(/^shc_/),
      state: "submitted",
      country: "US",
      application: { expected_monthly_volume: 200_000 },
      messaging_service_id: expect.stringMatching(/^MG/),
      short_code: null,
    });

    // Only the operator records the carriers' review.
    const byTenant = await stack.api("POST", `${path()}/${applied.id}/review`, {
      token: t.key,
      body: { state: "in_carrier_review" },
    });
    expect(byTenant.status).toBe(403);
    const review = await stack.api("POST", `${path()}/${applied.id}/review`, {
      body: { state: "in_carrier_review" },
    });
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ state: "in_carrier_review", review_started_at: expect.any(String) });

    // Weeks of review: the job looks and finds nothing yet.
    await advance(SHORT_CODE_POLL_MS);
    expect((await stack.api("GET", `${path()}/${applied.id}`, { token: t.key })).body.state).toBe(
      "in_carrier_review",
    );

    // Approved: Twilio puts the short code in the subaccount; the next poll finds it.
    const provisioned = await stack.emulator.control("POST", "short-codes", {
      account_sid: account.sid,
      short_code: "24680",
    });
    await advance(SHORT_CODE_POLL_MS);
    const live = await stack.api("GET", `${path()}/${applied.id}`, { token: t.key });
    expect(live.body).toMatchObject({
      state: "live",
      short_code: "24680",
      short_code_sid: provisioned.sid,
      live_at: expect.any(String),
    });
    const inService = await client().messaging.v1.services(applied.messaging_service_id).shortCodes.list();
    expect(inService.map((c) => c.sid)).toEqual([provisioned.sid]);

    // Its own lane, at the short code's rate, next to the campaign's.
    const lanes = await stack.api("GET", "/v1/lanes", { token: t.key });
    const lane = lanes.body.data.find((l: any) => l.kind === "short_code");
    expect(lane).toMatchObject({
      kind: "short_code",
      rate_kind: "short_code",
      mps: 100,
      sender: "24680",
      messaging_service_sid: applied.messaging_service_id,
    });
    const list = await stack.api("GET", path(), { token: t.key });
    expect(list.body.data.map((s: any) => s.id)).toEqual([applied.id]);
  });

  it("sends to US recipients from the short code, and a STOP to it reaches the inbound handler", async () => {
    const to = "+14155557301";
    const sent = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to, body: "Order shipped" },
    });
    expect(sent.status).toBe(202);
    // Twilio picks the service's sender once the message leaves its queue (the emulator's clock).
    const atTwilio = await driveUntil(stack, "Twilio sends the message", async () => {
      await stack.emulator.control("POST", "clock/advance", { seconds: 1 });
      const [found] = await sentToAtTwilio(stack, to);
      return found?.from ? found : null;
    });
    expect(atTwilio.from).toBe("24680");
    // Paced on the short code's own lane (100 MPS), not the campaign's.
    const message = await stack.api("GET", `/v1/messages/${sent.body.id}`, { token: t.key });
    const lane = await stack.api("GET", `/v1/lanes/${message.body.lane_id}`, { token: t.key });
    expect(lane.body).toMatchObject({ kind: "short_code", sender: "24680", mps: 100 });
    // A send naming one of the campaign's numbers keeps the campaign's lane.
    const viaNumber = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: "+14155557302", body: "Order shipped", from: t.profile.senders[0].phoneNumber },
    });
    expect(viaNumber.status).toBe(202);
    const numberLane = await stack.api("GET", `/v1/lanes/${viaNumber.body.lane_id}`, { token: t.key });
    expect(numberLane.body.kind).toBe("10dlc_campaign");

    // The emulator does not deliver messages to short codes; Twilio posts them to the
    // service's inbound URL, which is the tenant's.
    const service = await client().messaging.v1.services(applied.messaging_service_id).fetch();
    const url = service.inboundRequestUrl;
    expect(url).toBe(`${stack.url}/twilio/messages/inbound/${t.tenant.id}`);
    const params = {
      AccountSid: account.sid,
      MessageSid: `SM${"7".repeat(32)}`,
      MessagingServiceSid: applied.messaging_service_id,
      From: to,
      To: "24680",
      Body: "STOP",
      NumMedia: "0",
    };
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(account.auth_token, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    const optedOut = await stack.db.query<{ keyword: string }>(
      "SELECT keyword FROM opt_outs WHERE tenant_id = $1 AND phone = $2",
      [t.tenant.id, to],
    );
    expect(optedOut.rows.map((r) => r.keyword)).toContain("STOP");
    const received = await stack.db.query<{ body: string }>(
      "SELECT body FROM messages WHERE tenant_id = $1 AND direction = 'inbound' AND from_number = $2 AND to_number = '24680'",
      [t.tenant.id, to],
    );
    expect(received.rows.map((r) => r.body)).toEqual(["STOP"]);
  });

  it("goes live at once when the operator names the approved short code's SID, and refuses a wrong one", async () => {
    const second = await stack.api("POST", path(), { token: t.key, body: application });
    expect(second.status).toBe(201);
    const unknown = await stack.api("POST", `${path()}/${second.body.id}/review`, {
      body: { state: "live", short_code_sid: `SC${"0".repeat(32)}` },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe("short_code_not_found");
    const taken = await stack.api("POST", `${path()}/${second.body.id}/review`, {
      body: { state: "live", short_code_sid: applied.short_code_sid ?? (await firstSid()) },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("short_code_taken");
    const noSid = await stack.api("POST", `${path()}/${second.body.id}/review`, { body: { state: "live" } });
    expect(noSid.status).toBe(422);

    const code = await stack.emulator.control("POST", "short-codes", {
      account_sid: account.sid,
      short_code: "13579",
    });
    const live = await stack.api("POST", `${path()}/${second.body.id}/review`, {
      body: { state: "live", short_code_sid: code.sid },
    });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ state: "live", short_code: "13579" });
    const lanes = await stack.api("GET", "/v1/lanes", { token: t.key });
    expect(
      lanes.body.data
        .filter((l: any) => l.kind === "short_code")
        .map((l: any) => l.sender)
        .sort(),
    ).toEqual(["13579", "24680"]);
    const again = await stack.api("POST", `${path()}/${second.body.id}/review`, {
      body: { state: "rejected" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_short_code_transition");

    const third = await stack.api("POST", path(), { token: t.key, body: application });
    const rejected = await stack.api("POST", `${path()}/${third.body.id}/review`, {
      body: { state: "rejected", reason: "Opt-in flow not shown" },
    });
    expect(rejected.body).toMatchObject({
      state: "rejected",
      failure: { code: "short_code_rejected", message: "Opt-in flow not shown" },
    });
  });
});

async function firstSid(): Promise<string> {
  const list = await stack.api("GET", path(), { token: t.key });
  return list.body.data.find((s: any) => s.short_code === "24680").short_code_sid;
}
