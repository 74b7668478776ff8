import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { whatsappSendCheck } from "../../src/messaging/whatsapp/session.js";
import { messagingOf } from "../../src/messaging/module.js";
import { tenantTwilio } from "../../src/tenancy/credentials.js";
import { findTenant } from "../../src/tenancy/tenants.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: Awaited<ReturnType<Stack["newTenant"]>>;
let b: Awaited<ReturnType<Stack["newTenant"]>>;
let aNumber: string;
let template: { id: string; content_sid: string };

const HOUR = 3_600_000;
const contact = "+14155550401";

async function clientOf(tenantId: string) {
  return tenantTwilio(stack.services, (await findTenant(stack.db, tenantId))!);
}

async function advanceEmulator(seconds: number) {
  await stack.emulator.control("POST", "clock/advance", { seconds });
  await stack.emulator.running.world.callbacks.settle();
}

/** A WhatsApp user writes to the tenant's sender (through Twilio, to the inbound webhook). */
const userWrites = (from: string, to: string, body: string, media_urls?: string[]) =>
  stack.emulator.control("POST", `handsets/${encodeURIComponent(`whatsapp:${from}`)}/messages`, {
    to: `whatsapp:${to}`,
    body,
    ...(media_urls ? { media_urls } : {}),
  });

const send = (key: string, body: Record<string, unknown>) =>
  stack.api("POST", "/v1/messages", { token: key, body });

/** Dispatches, lets Twilio deliver and call back, and waits for our message to reach `status`. */
async function delivered(id: string, status = "delivered") {
  for (let i = 0; i < 20; i++) {
    stack.clock.advance(1_000);
    await stack.jobs.runDue();
    await messagingOf(stack.services).dispatcher.tick();
    await messagingOf(stack.services).dispatcher.drain();
    await advanceEmulator(5);
    const m = await stack.api("GET", `/v1/messages/${id}`, { token: a.key });
    if (m.body.status === status) return m.body;
  }
  throw new Error(`${id} did not become ${status}`);
}

beforeAll(async () => {
  stack = await startStack();
  a = await stack.newTenant({ name: "Acme Shop" });
  b = await stack.newTenant({ name: "Bolt Shop" });
  aNumber = (await (await clientOf(a.tenant.id)).incomingPhoneNumbers.create({ areaCode: "415" } as never))
    .phoneNumber;
}, 120_000);
afterAll(() => stack?.close());

describe("WhatsApp", () => {
  it("registers a tenant's number as its sender, with incoming messages routed to the inbound webhook", async () => {
    const res = await stack.api("POST", "/v1/whatsapp/senders", {
      token: a.key,
      body: { phone_number: aNumber },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phone_number: aNumber, address: `whatsapp:${aNumber}` });
    const [number] = await (await clientOf(a.tenant.id)).incomingPhoneNumbers.list({ phoneNumber: aNumber });
    expect(number.smsUrl).toBe(`${stack.url}/twilio/messages/inbound/${a.tenant.id}`);
    const again = await stack.api("POST", "/v1/whatsapp/senders", {
      token: a.key,
      body: { phone_number: aNumber },
    });
    expect(again.status).toBe(409);
    const notOurs = await stack.api("POST", "/v1/whatsapp/senders", {
      token: b.key,
      body: { phone_number: aNumber },
    });
    expect(notOurs.body.error.code).toBe("unknown_phone_number");
    const listed = await stack.api("GET", "/v1/whatsapp/senders", { token: a.key });
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([res.body.id]);
  });

  it("creates a Content template, submits it, and follows WhatsApp's review until approved", async () => {
    const missing = await stack.api("POST", "/v1/whatsapp/templates", {
      token: a.key,
      body: {
        name: "order_ready",
        language: "en",
        category: "UTILITY",
        body: "Hi {{1}}, your order {{2}} is ready.",
      },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details[0].code).toBe("sample_values_required");

    const created = await stack.api("POST", "/v1/whatsapp/templates", {
      token: a.key,
      body: {
        name: "order_ready",
        language: "en",
        category: "UTILITY",
        body: "Hi {{1}}, your order {{2}} is ready for pickup.",
        variables: { "1": "Ann", "2": "1234" },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      approval_status: "received",
      types: { "twilio/text": { body: "Hi {{1}}, your order {{2}} is ready for pickup." } },
    });
    expect(created.body.content_sid).toMatch(/^HX[0-9a-f]{32}$/);
    template = created.body;
    const content = await (await clientOf(a.tenant.id)).content.v1.contents(template.content_sid).fetch();
    expect(content.friendlyName).toBe("order_ready");

    await advanceEmulator(65);
    stack.clock.advance(30_000);
    await stack.jobs.runDue();
    const read = await stack.api("GET", `/v1/whatsapp/templates/${template.id}`, { token: a.key });
    expect(read.body.approval_status).toBe("approved");
    const approved = await stack.api("GET", "/v1/whatsapp/templates?status=approved", { token: a.key });
    expect(approved.body.data.map((t: { id: string }) => t.id)).toEqual([template.id]);
  });

  it("refuses a free-form message to someone who never wrote, before anything is sent", async () => {
    const before = (await stack.emulator.control("GET", "messages")).messages.length;
    const res = await send(a.key, { to: `whatsapp:${contact}`, body: "Hello!" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "whatsapp_session_closed" });
    expect(res.body.error.hint).toMatch(/template/);
    const viaChannel = await send(a.key, { to: contact, channel: "whatsapp", body: "Hello!" });
    expect(viaChannel.body.error.code).toBe("whatsapp_session_closed");
    expect((await stack.emulator.control("GET", "messages")).messages.length).toBe(before);
  });

  it("a contact's message (with media) opens the 24-hour window and opts them in", async () => {
    const inbound = await userWrites(contact, aNumber, "Hi, is my order ready?", [
      "https://example.com/receipt.jpg",
    ]);
    expect(inbound.webhook.status).toBe(200);
    const sessions = await stack.api(
      "GET",
      `/v1/whatsapp/sessions?phone_number=${encodeURIComponent(contact)}`,
      { token: a.key },
    );
    expect(sessions.body.data).toEqual([
      expect.objectContaining({ sender: `whatsapp:${aNumber}`, contact: `whatsapp:${contact}`, open: true }),
    ]);
    const expires = Date.parse(sessions.body.data[0].expires_at) - stack.clock.now().getTime();
    expect(expires).toBe(24 * HOUR);
    const optIns = await stack.api("GET", "/v1/whatsapp/opt-ins", { token: a.key });
    expect(optIns.body.data).toContainEqual(
      expect.objectContaining({ phone_number: contact, status: "opted_in", source: "inbound" }),
    );
    // Routed like an SMS: stored and announced to the tenant by the messaging module.
    const received = await stack.api("GET", "/v1/events?type=message.received", { token: a.key });
    expect(received.body.data[0].data.message).toMatchObject({
      from: `whatsapp:${contact}`,
      media_urls: ["https://example.com/receipt.jpg"],
    });
  });

  it("sends a free-form reply inside the window through /v1/messages, which Twilio delivers and reports read", async () => {
    const check = await whatsappSendCheck(stack.db, a.tenant.id, {
      to: `whatsapp:${contact}`,
      body: "Yes, it is ready!",
      now: stack.clock.now(),
    });
    expect(check).toMatchObject({
      ok: true,
      kind: "session",
      from: `whatsapp:${aNumber}`,
      to: `whatsapp:${contact}`,
    });
    const tooLong = await send(a.key, { to: `whatsapp:${contact}`, body: "x".repeat(1025) });
    expect(tooLong.body.error.code).toBe("whatsapp_body_too_long");
    const mismatch = await send(a.key, { to: `whatsapp:${contact}`, channel: "sms", body: "Hi" });
    expect(mismatch.body.error.code).toBe("channel_mismatch");

    // No A2P registration: WhatsApp is not 10DLC, the tenant sends on its WhatsApp sender.
    const res = await send(a.key, { to: contact, channel: "whatsapp", body: "Yes, it is ready! 🎉" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "queued",
      channel: "whatsapp",
      to: `whatsapp:${contact}`,
      from: `whatsapp:${aNumber}`,
      segments: 1,
      price_estimate: { amount: "0.005" },
    });
    const lanes = await stack.api("GET", "/v1/lanes", { token: a.key });
    expect(lanes.body.data).toContainEqual(
      expect.objectContaining({
        kind: "whatsapp_sender",
        rate_kind: "whatsapp",
        mps: 80,
        sender: `whatsapp:${aNumber}`,
      }),
    );
    // In a batch, each WhatsApp item passes the window rules on its own.
    const batch = await stack.api("POST", "/v1/messages/batch", {
      token: a.key,
      body: {
        messages: [
          { to: `whatsapp:${contact}`, body: "We close at 6." },
          { to: "whatsapp:+14155550499", body: "Hi" },
        ],
      },
    });
    expect(batch.body.results.map((r: any) => r.error?.code ?? r.status)).toEqual([
      "queued",
      "whatsapp_session_closed",
    ]);
    const done = await delivered(res.body.id);
    expect(done.twilio_sid).toMatch(/^SM/);
    const sent = (await stack.emulator.control("GET", "messages")).messages.filter(
      (m: { to: string; body: string }) =>
        m.to === `whatsapp:${contact}` && m.body === "Yes, it is ready! 🎉",
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ sid: done.twilio_sid, from: `whatsapp:${aNumber}` });
    // Metered as WhatsApp, per message: the contact's one, and our two replies.
    await delivered(batch.body.results[0].id);
    const usage = await stack.api("GET", "/v1/usage?group_by=channel", { token: a.key });
    expect(usage.body.data).toEqual([
      expect.objectContaining({ channel: "whatsapp", direction: "inbound", messages: 1, cost: "0.005" }),
      expect.objectContaining({ channel: "whatsapp", direction: "outbound", messages: 2, cost: "0.01" }),
    ]);
  });

  it("refuses free-form after 24 hours, but lets an approved template through, which Twilio delivers", async () => {
    stack.clock.advance(25 * HOUR);
    await advanceEmulator(25 * 3600);
    const late = await send(a.key, { to: `whatsapp:${contact}`, body: "Still there?" });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("whatsapp_session_closed");

    const unknown = await send(a.key, {
      to: `whatsapp:${contact}`,
      content_sid: "HX00000000000000000000000000000099",
      content_variables: { "1": "Ann" },
    });
    expect(unknown.body.error.code).toBe("whatsapp_template_unknown");
    const res = await send(a.key, {
      to: `whatsapp:${contact}`,
      content_sid: template.content_sid,
      content_variables: { "1": "Ann", "2": "1234" },
    });
    expect(res.status).toBe(202);
    const done = await delivered(res.body.id);
    const [fetched] = (await stack.emulator.control("GET", "messages")).messages.filter(
      (m: { sid: string }) => m.sid === done.twilio_sid,
    );
    expect(fetched).toMatchObject({ body: "Hi Ann, your order 1234 is ready for pickup." });
    const check = await whatsappSendCheck(stack.db, a.tenant.id, {
      to: contact,
      contentSid: template.content_sid,
      now: stack.clock.now(),
    });
    if (!check.ok) throw check.error;
    // What we would have refused, Twilio refuses too (63016).
    const freeForm = await (await clientOf(a.tenant.id)).messages.create({
      from: check.from,
      to: check.to,
      body: "Still there?",
    });
    await advanceEmulator(5);
    expect((await (await clientOf(a.tenant.id)).messages(freeForm.sid).fetch()).errorCode).toBe(63016);
  });

  it("needs an opt-in for templates to contacts who never wrote; STOP revokes it and START restores it", async () => {
    const stranger = "+14155550402";
    const noOptIn = await send(a.key, {
      to: `whatsapp:${stranger}`,
      content_sid: template.content_sid,
      content_variables: { "1": "Bo" },
    });
    expect(noOptIn.body.error.code).toBe("whatsapp_opt_in_required");
    const optIn = await stack.api("POST", "/v1/whatsapp/opt-ins", {
      token: a.key,
      body: { phone_number: stranger, evidence: "checkout form" },
    });
    expect(optIn.status).toBe(201);
    expect(
      (
        await whatsappSendCheck(stack.db, a.tenant.id, {
          to: stranger,
          contentSid: template.content_sid,
          now: stack.clock.now(),
        })
      ).ok,
    ).toBe(true);

    await userWrites(stranger, aNumber, "STOP");
    const stopped = await send(a.key, { to: `whatsapp:${stranger}`, body: "Sorry to see you go" });
    expect(stopped.body.error.code).toBe("whatsapp_opted_out");
    await userWrites(stranger, aNumber, "START");
    expect(
      (
        await whatsappSendCheck(stack.db, a.tenant.id, {
          to: stranger,
          body: "Welcome back",
          now: stack.clock.now(),
        })
      ).ok,
    ).toBe(true);
    const revoked = await stack.api("DELETE", `/v1/whatsapp/opt-ins/${encodeURIComponent(stranger)}`, {
      token: a.key,
    });
    expect(revoked.body.status).toBe("opted_out");
  });

  it("a 63016 from Twilio fails the message with its explanation and closes our window too", async () => {
    const late = "+14155550403";
    await userWrites(late, aNumber, "Hello?");
    // Twilio's clock moves past the window while ours has not: Twilio's word wins.
    await stack.emulator.control("POST", "clock/advance", { seconds: 25 * 3600 });
    const res = await send(a.key, { to: `whatsapp:${late}`, body: "Hi there" });
    expect(res.status).toBe(202);
    const failed = await delivered(res.body.id, "failed");
    expect(failed.error).toMatchObject({
      twilio_code: 63016,
      explanation: expect.stringMatching(/template/),
    });
    const again = await send(a.key, { to: `whatsapp:${late}`, body: "Hi again" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("whatsapp_session_closed");
  });

  it("keeps senders, templates, sessions and opt-ins to their tenant", async () => {
    const [sender] = (await stack.api("GET", "/v1/whatsapp/senders", { token: a.key })).body.data;
    expect((await stack.api("GET", `/v1/whatsapp/senders/${sender.id}`, { token: b.key })).status).toBe(404);
    expect((await stack.api("GET", `/v1/whatsapp/templates/${template.id}`, { token: b.key })).status).toBe(
      404,
    );
    expect(
      (await stack.api("POST", `/v1/whatsapp/templates/${template.id}/submit`, { token: b.key })).status,
    ).toBe(404);
    expect((await stack.api("GET", "/v1/whatsapp/templates", { token: b.key })).body.data).toEqual([]);
    expect((await stack.api("GET", "/v1/whatsapp/sessions", { token: b.key })).body.data).toEqual([]);
    expect((await stack.api("GET", "/v1/whatsapp/opt-ins", { token: b.key })).body.data).toEqual([]);
    expect(
      (await stack.api("DELETE", `/v1/whatsapp/opt-ins/${encodeURIComponent(contact)}`, { token: b.key }))
        .status,
    ).toBe(404);
    // B has no sender and cannot use A's template.
    const bSend = await send(b.key, { to: `whatsapp:${contact}`, content_sid: template.content_sid });
    expect(bSend.body.error.code).toBe("whatsapp_sender_required");
  });
});
