import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyKeyword } from "../src/api/2010/messages/keywords.js";
import { calculatorSegments, segmentsOf } from "../src/api/2010/messages/segments.js";
import { parseMessagingTwiml } from "../src/api/2010/messages/twiml.js";
import { schemaFindings } from "./conformance/oai.js";
import { RecordingRequestClient } from "./conformance/recorder.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

/** A local web app that receives status callbacks and checks Twilio's signature on each. */
const app = {
  server: null as Server | null,
  url: "",
  hits: [] as { path: string; params: Record<string, string>; valid: boolean; account: string }[],
  tokens: new Map<string, string>(),
};
beforeAll(async () => {
  app.server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(raw));
      const token = app.tokens.get(params.AccountSid) ?? "";
      const url = `${app.url}${req.url}`;
      const valid = twilio.validateRequest(token, String(req.headers["x-twilio-signature"]), url, params);
      app.hits.push({ path: req.url ?? "", params, valid, account: params.AccountSid });
      res.writeHead(200, { "content-type": "text/xml" });
      res.end("<Response/>");
    });
  });
  await new Promise<void>((r) => app.server!.listen(0, "127.0.0.1", r));
  app.url = `http://127.0.0.1:${(app.server!.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => app.server?.close(() => r())));

async function tenant(name: string, { compliance = false } = {}) {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  app.tokens.set(sub.sid, sub.authToken);
  if (!compliance) await em.control("PUT", "compliance", { account_sid: sub.sid, enforce: false });
  const client = em.client(sub.sid, sub.authToken);
  return {
    sid: sub.sid,
    client,
    buy: (areaCode = "415") => client.incomingPhoneNumbers.create({ areaCode }),
  };
}

/** Moves emulated time and waits until the callbacks it caused have been answered. */
async function advance(seconds: number) {
  await em.advance(seconds);
  await em.emulator.world.callbacks.settle();
}

const statuses = (path: string) => app.hits.filter((h) => h.path === path).map((h) => h.params.MessageStatus);

describe("sending a message", () => {
  it("is queued with exact segments, then sends signed callbacks for each later status", async () => {
    const { sid, client, buy } = await tenant("Callbacks");
    const n = await buy();
    const body = "x".repeat(161);
    const m = await client.messages.create({
      to: "+14155550100",
      from: n.phoneNumber,
      body,
      statusCallback: `${app.url}/status/plain`,
    });
    expect(m).toMatchObject({ status: "queued", numSegments: "2", numMedia: "0", direction: "outbound-api" });
    expect(m.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(m.dateSent).toBeNull();
    await advance(2);
    expect(statuses("/status/plain")).toEqual(["sending", "sent", "delivered"]);
    const hits = app.hits.filter((h) => h.path === "/status/plain");
    expect(hits.every((h) => h.valid && h.account === sid)).toBe(true);
    expect(hits[2].params).toMatchObject({
      MessageSid: m.sid,
      SmsSid: m.sid,
      From: n.phoneNumber,
      ApiVersion: "2010-04-01",
    });
    expect(hits[2].params.RawDlrDoneDate).toMatch(/^\d{10}$/);
    const log = await em.control("GET", `callbacks?url=${encodeURIComponent("/status/plain")}`);
    expect(log.callbacks.map((c: any) => c.params.MessageStatus)).toEqual(["sending", "sent", "delivered"]);
    const done = await client.messages(m.sid).fetch();
    expect(done).toMatchObject({ status: "delivered", price: "-0.01580", priceUnit: "USD" });
    expect(done.dateSent).toBeInstanceOf(Date);
  });

  it("through a service is accepted, gets its sender, and calls the service's status callback", async () => {
    const { client, buy } = await tenant("Service callbacks");
    const service = await client.messaging.v1.services.create({
      friendlyName: "Alerts",
      statusCallback: `${app.url}/status/service`,
    });
    const n = await buy();
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const m = await client.messages.create({
      to: "+14155550101",
      messagingServiceSid: service.sid,
      body: "Hi 👋",
    });
    expect(m).toMatchObject({
      status: "accepted",
      from: null,
      numSegments: "0",
      messagingServiceSid: service.sid,
    });
    await advance(2);
    expect(statuses("/status/service")).toEqual(["queued", "sending", "sent", "delivered"]);
    // Every callback names the sender chosen from the pool, as Twilio's do.
    const hits = app.hits.filter((h) => h.path === "/status/service");
    expect(hits.map((h) => h.params.From)).toEqual(Array(4).fill(n.phoneNumber));
    expect(hits.at(-1)!.params.MessagingServiceSid).toBe(service.sid);
    expect(await client.messages(m.sid).fetch()).toMatchObject({ from: n.phoneNumber, numSegments: "1" });
  });

  it("ends undelivered or failed with the error code chosen for the destination's carrier", async () => {
    const { client, buy } = await tenant("Carrier outcomes");
    const n = await buy();
    await em.control("PUT", "carriers/+14155550102", { outcome: "undelivered", error_code: 30005 });
    await em.control("PUT", "carriers/+14155550103", { outcome: "failed", error_code: 30007 });
    const cb = `${app.url}/status/outcomes`;
    const lost = await client.messages.create({
      to: "+14155550102",
      from: n.phoneNumber,
      body: "a",
      statusCallback: cb,
    });
    await advance(2);
    const blocked = await client.messages.create({
      to: "+14155550103",
      from: n.phoneNumber,
      body: "b",
      statusCallback: cb,
    });
    await advance(2);
    expect(await client.messages(lost.sid).fetch()).toMatchObject({
      status: "undelivered",
      errorCode: 30005,
    });
    expect(await client.messages(blocked.sid).fetch()).toMatchObject({ status: "failed", errorCode: 30007 });
    expect(statuses("/status/outcomes")).toEqual(["sending", "sent", "undelivered", "sending", "failed"]);
    const undelivered = app.hits.find((h) => h.params.MessageStatus === "undelivered")!;
    expect(undelivered.params.ErrorCode).toBe("30005");
  });

  it("counts segments as Twilio does: UCS-2 for emoji, smart encoding for look-alikes", async () => {
    const { client, buy } = await tenant("Segments");
    const n = await buy();
    const send = (body: string, smartEncoded?: boolean) =>
      client.messages.create({ to: "+14155550104", from: n.phoneNumber, body, smartEncoded });
    expect((await send("😀".repeat(35))).numSegments).toBe("1");
    expect((await send("😀".repeat(36))).numSegments).toBe("2");
    expect((await send("“quoted” text — ".repeat(5), false)).numSegments).toBe("2");
    expect((await send("“quoted” text — ".repeat(5), true)).numSegments).toBe("1");
  });

  it("carries media as an MMS with its media list", async () => {
    const { client, buy } = await tenant("Media");
    const n = await buy();
    const m = await client.messages.create({
      to: "+14155550105",
      from: n.phoneNumber,
      body: "Your receipt",
      mediaUrl: ["https://cdn.example.com/receipt.png", "https://cdn.example.com/terms.pdf"],
    });
    expect(m.sid).toMatch(/^MM/);
    expect(m.numMedia).toBe("2");
    const media = await client.messages(m.sid).media.list();
    expect(media.map((x) => x.contentType)).toEqual(["image/png", "application/pdf"]);
    expect(media[0].sid).toMatch(/^ME[0-9a-f]{32}$/);
    expect((await client.messages(m.sid).media(media[0].sid).fetch()).parentSid).toBe(m.sid);
  });

  it("renders a Content template with its variables", async () => {
    const { sid, client, buy } = await tenant("Templates");
    const n = await buy();
    em.emulator.world.store.put("contents", {
      sid: "HX00000000000000000000000000000001",
      account_sid: sid,
      types: { "twilio/text": { body: "Hi {{1}}, your order {{2}} shipped." } },
      variables: { "1": "there", "2": "#0" },
      approval: null,
    });
    const m = await client.messages.create({
      to: "+14155550106",
      from: n.phoneNumber,
      contentSid: "HX00000000000000000000000000000001",
      contentVariables: JSON.stringify({ "1": "Ann" }),
    });
    expect(m.body).toBe("Hi Ann, your order #0 shipped.");
    const unknown = await twilioError(
      client.messages.create({
        to: "+14155550106",
        from: n.phoneNumber,
        contentSid: "HX00000000000000000000000000000002",
      }),
    );
    expect(unknown.code).toBe(21655);
  });
});

describe("validation", () => {
  it("answers Twilio's error codes for a bad send", async () => {
    const { client, buy } = await tenant("Validation");
    const n = await buy();
    const otherNumber = await em.parent.incomingPhoneNumbers.create({ areaCode: "503" });
    await em.control("PUT", "carriers/+14155550107", { line_type: "landline" });
    const send = (params: Record<string, unknown>) => twilioError(client.messages.create(params as any));
    expect((await send({ to: "", from: n.phoneNumber, body: "x" })).code).toBe(21604);
    expect((await send({ to: "+14155550100", body: "x" })).code).toBe(21603);
    expect((await send({ to: "+14155550100", from: n.phoneNumber })).code).toBe(21602);
    expect((await send({ to: "+14155550100", from: n.phoneNumber, body: "x".repeat(1601) })).code).toBe(
      21617,
    );
    expect((await send({ to: "+1415", from: n.phoneNumber, body: "x" })).code).toBe(21211);
    expect((await send({ to: "+14155550100", from: "not-a-number", body: "x" })).code).toBe(21212);
    expect((await send({ to: "+14155550100", from: otherNumber.phoneNumber, body: "x" })).code).toBe(21606);
    expect((await send({ to: "+14155550107", from: n.phoneNumber, body: "x" })).code).toBe(21614);
    expect((await send({ to: "whatsapp:+14155550100", from: n.phoneNumber, body: "x" })).code).toBe(21910);
    expect(
      (
        await send({
          to: "+14155550100",
          messagingServiceSid: "MG00000000000000000000000000000000",
          body: "x",
        })
      ).code,
    ).toBe(21701);
    const empty = await client.messaging.v1.services.create({ friendlyName: "Empty" });
    expect((await send({ to: "+14155550100", messagingServiceSid: empty.sid, body: "x" })).code).toBe(21704);
    const error = await send({ to: "+14155550100", from: n.phoneNumber });
    expect(error).toMatchObject({ status: 400, message: "Message body is required." });
  });

  it("answers Twilio's magic test numbers", async () => {
    const { client } = await tenant("Magic");
    const send = (from: string, to = "+14155550100") => client.messages.create({ from, to, body: "test" });
    expect((await twilioError(send("+15005550001"))).code).toBe(21212);
    expect((await twilioError(send("+15005550007"))).code).toBe(21606);
    expect((await twilioError(send("+15005550008"))).code).toBe(21611);
    for (const [to, code] of [
      ["+15005550001", 21211],
      ["+15005550002", 21612],
      ["+15005550003", 21408],
      ["+15005550004", 21610],
      ["+15005550009", 21614],
    ] as const)
      expect((await twilioError(send("+15005550006", to))).code).toBe(code);
    const ok = await send("+15005550006");
    expect(ok).toMatchObject({ status: "queued", from: "+15005550006" });
    await advance(2);
    expect((await client.messages(ok.sid).fetch()).status).toBe("delivered");
  });
});

describe("scheduled messages", () => {
  it("waits until SendAt, then follows the service path; a canceled one never goes", async () => {
    const { client, buy } = await tenant("Scheduler");
    const service = await client.messaging.v1.services.create({ friendlyName: "Reminders" });
    const n = await buy();
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const now = Date.parse((await em.control("GET", "clock")).now);
    const sendAt = new Date(now + 20 * 60_000);
    const schedule = (to: string) =>
      client.messages.create({
        to,
        messagingServiceSid: service.sid,
        body: "Reminder",
        scheduleType: "fixed",
        sendAt,
      });
    const kept = await schedule("+14155550110");
    const dropped = await schedule("+14155550111");
    expect(kept).toMatchObject({ status: "scheduled", numSegments: "0", from: null });
    expect((await client.messages(dropped.sid).update({ status: "canceled" })).status).toBe("canceled");
    await advance(60);
    expect((await client.messages(kept.sid).fetch()).status).toBe("scheduled");
    await advance(20 * 60);
    expect(await client.messages(kept.sid).fetch()).toMatchObject({
      status: "delivered",
      from: n.phoneNumber,
    });
    expect((await client.messages(dropped.sid).fetch()).status).toBe("canceled");
    const late = await twilioError(client.messages(kept.sid).update({ status: "canceled" }));
    expect(late.status).toBe(400);
  });

  it("refuses a schedule without a service, without SendAt, or outside 15 minutes to 35 days", async () => {
    const { client, buy } = await tenant("Bad schedules");
    const service = await client.messaging.v1.services.create({ friendlyName: "S" });
    const n = await buy();
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const now = Date.parse((await em.control("GET", "clock")).now);
    const base = { to: "+14155550112", body: "x", scheduleType: "fixed" as const };
    const code = async (p: Record<string, unknown>) =>
      (await twilioError(client.messages.create({ ...base, ...p } as any))).code;
    expect(await code({ from: n.phoneNumber, sendAt: new Date(now + 3_600_000) })).toBe(35118);
    expect(await code({ messagingServiceSid: service.sid })).toBe(35111);
    expect(await code({ messagingServiceSid: service.sid, sendAt: new Date(now + 60_000) })).toBe(35114);
    expect(await code({ messagingServiceSid: service.sid, sendAt: new Date(now + 36 * 86_400_000) })).toBe(
      35115,
    );
  });
});

describe("the US compliance gate", () => {
  it("fails 10DLC traffic without a VERIFIED campaign (30034) and lets it through with one", async () => {
    const { sid, client, buy } = await tenant("Unregistered", { compliance: true });
    const service = await client.messaging.v1.services.create({ friendlyName: "10DLC" });
    const n = await buy();
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const cb = `${app.url}/status/gate`;
    const blocked = await client.messages.create({
      to: "+14155550120",
      messagingServiceSid: service.sid,
      body: "x",
      statusCallback: cb,
    });
    await advance(2);
    expect(await client.messages(blocked.sid).fetch()).toMatchObject({ status: "failed", errorCode: 30034 });
    expect(app.hits.filter((h) => h.path === "/status/gate").at(-1)?.params).toMatchObject({
      MessageStatus: "failed",
      ErrorCode: "30034",
    });

    em.emulator.world.store.put("usa2p", {
      sid: service.sid,
      account_sid: sid,
      messaging_service_sid: service.sid,
      campaign_status: "VERIFIED",
    });
    const ok = await client.messages.create({
      to: "+14155550120",
      messagingServiceSid: service.sid,
      body: "x",
    });
    await advance(2);
    expect((await client.messages(ok.sid).fetch()).status).toBe("delivered");
    expect((await client.messaging.v1.services(service.sid).fetch()).usAppToPersonRegistered).toBe(true);

    const loose = await buy("212");
    const outside = await client.messages.create({ to: "+14155550120", from: loose.phoneNumber, body: "x" });
    await advance(2);
    expect((await client.messages(outside.sid).fetch()).errorCode).toBe(30034);
  });

  it("fails toll-free traffic without an approved verification (30032)", async () => {
    const { sid, client } = await tenant("Toll-free", { compliance: true });
    const [tf] = await client.availablePhoneNumbers("US").tollFree.list({ limit: 1 });
    const n = await client.incomingPhoneNumbers.create({ phoneNumber: tf.phoneNumber });
    const first = await client.messages.create({ to: "+14155550121", from: n.phoneNumber, body: "x" });
    await advance(2);
    expect(await client.messages(first.sid).fetch()).toMatchObject({ status: "failed", errorCode: 30032 });
    em.emulator.world.store.put("tollfree_verifications", {
      sid: "HH00000000000000000000000000000001",
      account_sid: sid,
      tollfree_phone_number_sid: n.sid,
      status: "TWILIO_APPROVED",
    });
    const second = await client.messages.create({ to: "+14155550121", from: n.phoneNumber, body: "x" });
    await advance(2);
    expect((await client.messages(second.sid).fetch()).status).toBe("delivered");
  });

  it("can be switched off for one account", async () => {
    const { sid, client, buy } = await tenant("Unregistered but exempt", { compliance: true });
    const n = await buy();
    await em.control("PUT", "compliance", { account_sid: sid, enforce: false });
    const m = await client.messages.create({ to: "+14155550122", from: n.phoneNumber, body: "x" });
    await advance(2);
    expect((await client.messages(m.sid).fetch()).status).toBe("delivered");
  });
});

describe("throughput", () => {
  it("paces a sender at its MPS counted in segments, and queues the rest", async () => {
    const { client, buy } = await tenant("Pacing");
    const n = await buy();
    const sids = [];
    for (let i = 0; i < 4; i++)
      sids.push(
        (await client.messages.create({ to: `+1415555013${i}`, from: n.phoneNumber, body: "y".repeat(200) }))
          .sid,
      );
    await advance(3);
    const statuses = await Promise.all(sids.map(async (s) => (await client.messages(s).fetch()).status));
    // 2 segments each at 1 segment/s: starts at 0 s and 2 s; the others wait for 4 s and 6 s.
    expect(statuses).toEqual(["delivered", "delivered", "queued", "queued"]);
    await advance(5);
    const later = await Promise.all(sids.map(async (s) => (await client.messages(s).fetch()).status));
    expect(later).toEqual(["delivered", "delivered", "delivered", "delivered"]);
  });

  it("fails a message whose validity period runs out in the queue (30036)", async () => {
    const { client, buy } = await tenant("Validity");
    const n = await buy();
    const send = () =>
      client.messages.create({
        to: "+14155550140",
        from: n.phoneNumber,
        body: "z".repeat(400),
        validityPeriod: 5,
      });
    const [a, b, c] = [await send(), await send(), await send()];
    await advance(10);
    expect((await client.messages(a.sid).fetch()).status).toBe("delivered");
    expect((await client.messages(b.sid).fetch()).status).toBe("delivered");
    expect(await client.messages(c.sid).fetch()).toMatchObject({ status: "failed", errorCode: 30036 });
  });

  it("refuses a send once the sender's queue holds more than 10 hours (21611)", async () => {
    const { client, buy } = await tenant("Backlog");
    const n = await buy();
    await em.control("PUT", "throughput", { phone_number: n.phoneNumber, per_number_mps: 1 / 1600 });
    // 1600 s a message: after 23 of them the queue holds 10 h 13 min.
    for (let i = 0; i < 23; i++)
      await client.messages.create({ to: "+14155550150", from: n.phoneNumber, body: "q" });
    const full = await twilioError(
      client.messages.create({ to: "+14155550150", from: n.phoneNumber, body: "q" }),
    );
    expect(full.code).toBe(21611);
  });
  it("through a service, a message finding more than 10 hours of queue fails 30001", async () => {
    const { client, buy } = await tenant("Service backlog");
    const service = await client.messaging.v1.services.create({ friendlyName: "Busy" });
    const n = await buy();
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    await em.control("PUT", "throughput", { phone_number: n.phoneNumber, per_number_mps: 1 / 1600 });
    const sids = [];
    for (let i = 0; i < 24; i++)
      sids.push(
        (await client.messages.create({ to: "+14155550151", messagingServiceSid: service.sid, body: "q" }))
          .sid,
      );
    await advance(1);
    expect((await client.messages(sids[22]).fetch()).status).toBe("queued");
    expect(await client.messages(sids[23]).fetch()).toMatchObject({ status: "failed", errorCode: 30001 });
  });
});

describe("reading and changing messages", () => {
  it("lists newest first, page by page, and filters by To, From and DateSent", async () => {
    const { client, buy } = await tenant("Lister");
    const n = await buy();
    const sids = [];
    for (let i = 0; i < 7; i++)
      sids.push(
        (await client.messages.create({ to: `+1415555016${i % 2}`, from: n.phoneNumber, body: `m${i}` })).sid,
      );
    await advance(10);
    const page = await client.messages.page({ pageSize: 3 });
    expect(page.instances.map((m) => m.sid)).toEqual(sids.slice(-3).reverse());
    expect(page.nextPageUrl).toContain("PageToken=");
    const all = await client.messages.list({ pageSize: 3 });
    expect(all.map((m) => m.sid)).toEqual([...sids].reverse());
    expect((await client.messages.list({ to: "+14155550160" })).length).toBe(4);
    expect((await client.messages.list({ from: n.phoneNumber, to: "+14155550161" })).length).toBe(3);
    const today = new Date(Date.parse((await em.control("GET", "clock")).now));
    expect((await client.messages.list({ dateSent: today })).length).toBe(7);
    expect(
      (await client.messages.list({ dateSentBefore: new Date(today.getTime() - 3 * 86_400_000) })).length,
    ).toBe(0);
  });

  it("redacts a body, deletes a finished message, and refuses to delete one in flight", async () => {
    const { client, buy } = await tenant("Editor");
    const n = await buy();
    const m = await client.messages.create({ to: "+14155550170", from: n.phoneNumber, body: "secret" });
    expect((await twilioError(client.messages(m.sid).remove())).code).toBe(20009);
    await advance(2);
    expect((await client.messages(m.sid).update({ body: "" })).body).toBe("");
    await client.messages(m.sid).remove();
    expect((await twilioError(client.messages(m.sid).fetch())).status).toBe(404);
  });

  it("every response validates against Twilio's OpenAPI documents", async () => {
    const { sid, buy } = await tenant("Conformance");
    const token = app.tokens.get(sid)!;
    const recorder = new RecordingRequestClient(em.url);
    const sdk = twilio(sid, token, { httpClient: recorder });
    const n = await buy();
    await sdk.availablePhoneNumbers.list();
    await sdk.availablePhoneNumbers("US").fetch();
    await sdk.availablePhoneNumbers("US").local.list({ areaCode: 415, limit: 2 });
    await sdk.availablePhoneNumbers("US").tollFree.list({ limit: 2 });
    const [tf] = await sdk.availablePhoneNumbers("US").tollFree.list({ limit: 1 });
    await sdk.incomingPhoneNumbers.tollFree.create({ phoneNumber: tf.phoneNumber });
    await sdk.incomingPhoneNumbers.tollFree.list();
    const bought = await sdk.incomingPhoneNumbers.create({ areaCode: "213" });
    await sdk.incomingPhoneNumbers.list({ limit: 5 });
    await sdk.incomingPhoneNumbers(bought.sid).update({ smsUrl: "https://app.example.com/sms" });
    await sdk.incomingPhoneNumbers(bought.sid).fetch();
    const address = await sdk.addresses.create({
      customerName: "A",
      street: "1 Main St",
      city: "Springfield",
      region: "IL",
      postalCode: "62701",
      isoCountry: "US",
    });
    await sdk.addresses.list();
    await sdk.addresses(address.sid).update({ friendlyName: "HQ" });
    await sdk.addresses(address.sid).dependentPhoneNumbers.list();
    const service = await sdk.messaging.v1.services.create({ friendlyName: "Conformance" });
    await sdk.messaging.v1.services.list();
    await sdk.messaging.v1.services(service.sid).update({ stickySender: false });
    await sdk.messaging.v1.usecases.fetch();
    await sdk.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    await sdk.messaging.v1.services(service.sid).phoneNumbers.list();
    await sdk.messaging.v1.services(service.sid).phoneNumbers(n.sid).fetch();
    const accepted = await sdk.messages.create({
      to: "+14155550180",
      messagingServiceSid: service.sid,
      body: "hi",
    });
    const mms = await sdk.messages.create({
      to: "+14155550181",
      from: n.phoneNumber,
      body: "pic",
      mediaUrl: ["https://cdn.example.com/a.jpg"],
    });
    await advance(3);
    await sdk.messages(accepted.sid).fetch();
    await sdk.messages.list({ limit: 5 });
    const [media] = await sdk.messages(mms.sid).media.list();
    await sdk.messages(mms.sid).media(media.sid).fetch();
    await sdk.messages(mms.sid).update({ body: "" });
    await sdk.messages(mms.sid).media(media.sid).remove();
    await sdk.messages(mms.sid).remove();
    await sdk.messaging.v1.services(service.sid).phoneNumbers(n.sid).remove();
    await sdk.messaging.v1.services(service.sid).remove();
    await sdk.addresses(address.sid).remove();
    await sdk.incomingPhoneNumbers(bought.sid).remove();
    const exchanges = recorder.take();
    expect(exchanges.length).toBeGreaterThan(30);
    expect(schemaFindings(exchanges)).toEqual([]);
  });
});

describe("pure rules", () => {
  it.each([
    ["STOP", "STOP"],
    ["  stop ", "STOP"],
    ["Unsubscribe", "STOP"],
    ["revoke", "STOP"],
    ["OPTOUT", "STOP"],
    ["start", "START"],
    ["unstop", "START"],
    ["YES", "START"],
    ["info", "HELP"],
    ["stop please", null],
    ["STOP.", null],
  ])("keyword %j is %s", (body, keyword) => {
    expect(classifyKeyword(body)).toBe(keyword);
  });

  it.each([
    [1, "a".repeat(160)],
    [2, "a".repeat(161)],
    [2, "a".repeat(306)],
    [3, "a".repeat(307)],
    [1, "€".repeat(80)],
    [2, "€".repeat(81)],
    [1, "é".repeat(160)],
    [1, "ñ and ü, ok".repeat(14)],
    [2, "ñ and ü, ok".repeat(15)],
  ])("%i segment(s) for body %#, as the calculator counts", (segments, body) => {
    expect(segmentsOf(body, false).segments).toBe(segments);
    expect(calculatorSegments(body, false)).toBe(segments);
  });

  it("the plain-GSM fast path agrees with the calculator at every length", () => {
    const alphabet = "abcXYZ019 @$!\"#%&'()*+,-./:;<=>?_\n";
    for (let length = 1; length <= 700; length += 7) {
      const body = Array.from({ length }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
      expect(segmentsOf(body, false).segments).toBe(calculatorSegments(body, false));
    }
  });

  it("reads <Message> verbs from TwiML", () => {
    expect(
      parseMessagingTwiml(
        '<?xml version="1.0"?><Response><Message>Thanks &amp; bye</Message><Message to="+15550001111"><Body>Hi</Body><Media>https://x/y.png</Media></Message></Response>',
      ),
    ).toEqual([
      { body: "Thanks & bye", media: [] },
      { body: "Hi", media: ["https://x/y.png"], to: "+15550001111" },
    ]);
    expect(parseMessagingTwiml("<Response/>")).toEqual([]);
    expect(parseMessagingTwiml("ok")).toEqual([]);
  });
});
