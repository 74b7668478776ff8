/**
 * What Subtext tells Twilio so that the bill is what Subtext counted: SmartEncoded on every SMS
 * (the Messaging Service's own setting, on by default, never decides), ValidityPeriod when asked,
 * and the replies Twilio sends on its own (keyword auto-replies, our TwiML) metered as Twilio
 * bills them.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAll, driveUntil, readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let tenant: any;
let key: string;
let ourNumber: string;
let subaccount: string;

/** 103 characters: 2 UCS-2 segments as written, 1 GSM-7 segment once smart-encoded. */
const CURLY =
  "Your order is ready for pickup at Jane’s Bakery, 12 Main Street — see you soon, and thanks again!";

let n = 0;
const recipient = () => `+1415666${String(1000 + n++).padStart(4, "0")}`;
const send = (body: Record<string, unknown>) => stack.api("POST", "/v1/messages", { token: key, body });
const text = (from: string, body: string) =>
  stack.emulator.control("POST", `handsets/${encodeURIComponent(from)}/messages`, { to: ourNumber, body });
const atTwilio = async (to: string) =>
  (await stack.emulator.control<{ messages: any[] }>("GET", `messages?to=${encodeURIComponent(to)}`))
    .messages;
const message = async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: key })).body;

async function finalAtBothEnds() {
  await dispatchAll(stack);
  await stack.emulator.control("POST", "clock/advance", { seconds: 60 });
  await driveUntil(stack, "every message final at Subtext and at Twilio", async () => {
    const { rows } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages
       WHERE tenant_id = $1 AND direction = 'outbound' AND status NOT IN ('delivered', 'undelivered', 'failed')`,
      [tenant.id],
    );
    const twilioSide = await stack.emulator.control<{ messages: any[] }>(
      "GET",
      `messages?account_sid=${subaccount}`,
    );
    return (
      rows[0].n === 0 &&
      twilioSide.messages.every(
        (m) => m.direction === "inbound" || ["delivered", "undelivered", "failed"].includes(m.status),
      )
    );
  });
}

/** Subtext's metered SMS for the current UTC day, and Twilio's usage record of the subaccount. */
async function bothBills(direction: "outbound" | "inbound") {
  const day = stack.clock.now().toISOString().slice(0, 10);
  const ours = await stack.api("GET", `/v1/usage?from=${day}&to=${day}&group_by=channel`, { token: key });
  const row = ours.body.data.find((r: any) => r.channel === "sms" && r.direction === direction);
  const parent = twilio(stack.emulator.parent.sid, stack.emulator.parent.authToken, {
    httpClient: emulatorHttpClient(stack.emulator.url),
  });
  const [record] = await parent.api.v2010.accounts(subaccount).usage.records.today.list({
    category: `sms-${direction}`,
  });
  return {
    subtext: { messages: row?.messages ?? 0, segments: row?.segments ?? 0 },
    twilio: Number(record.count),
  };
}

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const ready = await readyToSend(stack);
  tenant = ready.tenant;
  key = ready.key;
  ourNumber = ready.profile.senders[0].phoneNumber;
  subaccount = (await stack.api("GET", `/v1/tenants/${tenant.id}`)).body.subaccount_sid;
  // Both clocks mid-day (UTC), so that what is sent and metered falls on one day at both ends.
  const emulator = Date.parse((await stack.emulator.control("GET", "clock")).now);
  const noon = new Date(Math.max(emulator, stack.clock.now().getTime()) + 86_400_000);
  noon.setUTCHours(12, 0, 0, 0);
  await stack.emulator.control("POST", "clock/advance", { seconds: (noon.getTime() - emulator) / 1000 });
  stack.clock.set(noon);
}, 120_000);
afterAll(() => stack?.close());

describe("smart encoding as Twilio is told", () => {
  it.each([
    ["on", { smart_encoding: true }, 1],
    ["off", { smart_encoding: false }, 2],
    ["left out (off, whatever the Messaging Service says)", {}, 2],
  ])("counts, estimates and bills the same segments with smart encoding %s", async (_, option, segments) => {
    const to = recipient();
    const before = await bothBills("outbound");
    const sent = await send({ to, body: CURLY, ...option });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      segments,
      smart_encoding: { applied: segments === 1, segments_saved: 1 },
      price_estimate: { amount: segments === 1 ? "0.0083" : "0.0166" },
    });
    await finalAtBothEnds();
    const [twilioMessage] = await atTwilio(to);
    expect(twilioMessage.num_segments).toBe(segments);
    expect((await message(sent.body.id)).status).toBe("delivered");
    const after = await bothBills("outbound");
    expect(after.subtext.segments - before.subtext.segments).toBe(segments);
    expect(after.twilio - before.twilio).toBe(segments);
    expect(after.subtext.segments).toBe(after.twilio);
  });
});

describe("Twilio's own replies", () => {
  it("meters Twilio's HELP auto-reply as one outbound segment, and an ordinary text as none", async () => {
    const handset = recipient();
    const before = await bothBills("outbound");
    const help = await text(handset, "HELP");
    expect(help.opt_out_type).toBe("HELP");
    expect(help.replies).toHaveLength(1);
    await text(handset, "Is my order ready?");
    await finalAtBothEnds();
    const after = await bothBills("outbound");
    expect(after.subtext.messages - before.subtext.messages).toBe(1);
    expect(after.subtext.segments - before.subtext.segments).toBe(1);
    expect(after.twilio - before.twilio).toBe(1);
    const inbound = await bothBills("inbound");
    expect(inbound.subtext.segments).toBe(inbound.twilio);
  });

  it("meters a custom keyword's TwiML reply once, smart-encoded as the Messaging Service sends it", async () => {
    // 98 characters with a curly apostrophe: 2 UCS-2 segments, 1 once the service smart-encodes it.
    const reply =
      "Jane’s Bakery: call us on 415-555-0123 between 8 and 6 — or reply STOP to opt out of our texts.";
    const put = await stack.api("PUT", "/v1/keyword-replies", {
      token: key,
      body: { keywords: { help: ["AIDE"] }, replies: { help: reply } },
    });
    expect(put.status).toBe(200);
    const before = await bothBills("outbound");
    const aide = await text(recipient(), "Aide");
    expect(aide.opt_out_type).toBeNull();
    expect(aide.replies.map((r: any) => r.body)).toEqual([reply]);
    await finalAtBothEnds();
    const after = await bothBills("outbound");
    expect(after.subtext.messages - before.subtext.messages).toBe(1);
    expect(after.subtext.segments - before.subtext.segments).toBe(1);
    expect(after.twilio - before.twilio).toBe(1);
    await stack.api("DELETE", "/v1/keyword-replies", { token: key });
  });
});

describe("validity period", () => {
  it("is stored, shown and passed to Twilio, whose queue drops the message when it runs out", async () => {
    // Our number sends one segment per 100 s at Twilio: the second message waits its turn there.
    await stack.emulator.control("PUT", "throughput", { per_number_mps: 0.01, phone_number: ourNumber });
    try {
      const first = await send({ to: recipient(), body: "First in line", from: ourNumber });
      const patient = await send({ to: recipient(), body: "Can wait", from: ourNumber });
      const urgent = await send({
        to: recipient(),
        body: "Your code is 123456",
        from: ourNumber,
        validity_period: 30,
      });
      expect(urgent.status).toBe(202);
      expect(urgent.body.validity_period).toBe(30);
      expect(patient.body.validity_period).toBeNull();
      // All three are in Twilio's queue before Twilio's time moves on.
      await driveUntil(stack, "all three handed to Twilio", async () => {
        const views = await Promise.all([first, patient, urgent].map((m) => message(m.body.id)));
        return views.every((v) => v.twilio_sid);
      });
      await stack.emulator.control("POST", "clock/advance", { seconds: 400 });
      const final = await driveUntil(stack, "all three final", async () => {
        const views = await Promise.all([first, patient, urgent].map((m) => message(m.body.id)));
        return views.every((v) => ["delivered", "failed"].includes(v.status)) && views;
      });
      expect(final.map((v) => v.status)).toEqual(["delivered", "delivered", "failed"]);
      expect(final[2]).toMatchObject({ validity_period: 30, error: { twilio_code: 30036 } });
    } finally {
      await stack.emulator.control("PUT", "throughput", { per_number_mps: 10_000, phone_number: ourNumber });
    }
  });

  it.each([
    [0, 422, "invalid_validity_period"],
    [36_001, 422, "invalid_validity_period"],
    [-5, 422, "invalid_validity_period"],
    [1.5, 400, "invalid_request"],
    ["600", 400, "invalid_request"],
  ])("refuses validity_period %j with %i %s, storing nothing", async (value, status, code) => {
    const to = recipient();
    const res = await send({ to, body: "Hello", validity_period: value });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    if (status === 422) expect(res.body.error.details[0]).toMatchObject({ path: "/validity_period", code });
    const { rows } = await stack.db.query("SELECT 1 FROM messages WHERE to_number = $1", [to]);
    expect(rows).toEqual([]);
  });

  it("accepts both ends of Twilio's range", async () => {
    for (const validity_period of [1, 36_000]) {
      const res = await send({ to: recipient(), body: "Hello", validity_period });
      expect(res.status).toBe(202);
      expect(res.body.validity_period).toBe(validity_period);
    }
    await finalAtBothEnds();
  });
});
