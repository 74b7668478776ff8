import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

/** The tenant's web app: answers each path with its TwiML and checks every signature. */
const app = {
  server: null as Server | null,
  url: "",
  hits: [] as { path: string; params: Record<string, string>; valid: boolean }[],
  twiml: new Map<string, string>(),
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
      const valid = twilio.validateRequest(
        token,
        String(req.headers["x-twilio-signature"]),
        `${app.url}${req.url}`,
        params,
      );
      app.hits.push({ path: req.url ?? "", params, valid });
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(app.twiml.get(req.url ?? "") ?? "<Response/>");
    });
  });
  await new Promise<void>((r) => app.server!.listen(0, "127.0.0.1", r));
  app.url = `http://127.0.0.1:${(app.server!.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => app.server?.close(() => r())));

async function tenant(name: string) {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  app.tokens.set(sub.sid, sub.authToken);
  await em.control("PUT", "compliance", { account_sid: sub.sid, enforce: false });
  return { sid: sub.sid, client: em.client(sub.sid, sub.authToken) };
}

async function advance(seconds: number) {
  await em.advance(seconds);
  await em.emulator.world.callbacks.settle();
}

const text = (handset: string, to: string, body: string, media_urls?: string[]) =>
  em.control("POST", `handsets/${encodeURIComponent(handset)}/messages`, { to, body, media_urls });
const inbox = async (handset: string) =>
  (await em.control("GET", `handsets/${encodeURIComponent(handset)}/messages`)).messages as any[];

describe("opt-out keywords", () => {
  it("STOP opts the handset out with Twilio's auto-reply; sends then fail 21610 until START", async () => {
    const { client } = await tenant("Opt-out");
    const n = await client.incomingPhoneNumbers.create({ areaCode: "415" });
    const handset = "+14155550200";
    const stop = await text(handset, n.phoneNumber, "Stop");
    expect(stop).toMatchObject({ direction: "inbound", status: "received", opt_out_type: "STOP" });
    expect(stop.replies[0].body).toMatch(/unsubscribed/);
    await advance(2);
    expect((await inbox(handset)).at(-1).body).toMatch(/Reply START to resubscribe/);

    const refused = await twilioError(
      client.messages.create({ to: handset, from: n.phoneNumber, body: "Sale!" }),
    );
    expect(refused).toMatchObject({ status: 400, code: 21610 });

    const help = await text(handset, n.phoneNumber, "help");
    expect(help.opt_out_type).toBe("HELP");
    expect(help.replies[0].body).toMatch(/Reply STOP to unsubscribe/);
    expect(
      (await twilioError(client.messages.create({ to: handset, from: n.phoneNumber, body: "x" }))).code,
    ).toBe(21610);

    const start = await text(handset, n.phoneNumber, "START");
    expect(start.replies[0].body).toMatch(/re-subscribed/);
    const again = await client.messages.create({ to: handset, from: n.phoneNumber, body: "Welcome back" });
    // The auto-replies went first from the same 1-MPS number.
    await advance(5);
    expect((await client.messages(again.sid).fetch()).status).toBe("delivered");
    expect((await inbox(handset)).at(-1).body).toBe("Welcome back");
  });

  it("a STOP to one number of a service opts the handset out of the whole service", async () => {
    const { client } = await tenant("Service opt-out");
    const service = await client.messaging.v1.services.create({ friendlyName: "Pool" });
    const a = await client.incomingPhoneNumbers.create({ areaCode: "415" });
    const b = await client.incomingPhoneNumbers.create({ areaCode: "212" });
    for (const n of [a, b])
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    await text("+14155550201", a.phoneNumber, "unsubscribe");
    const viaService = await twilioError(
      client.messages.create({ to: "+14155550201", messagingServiceSid: service.sid, body: "x" }),
    );
    expect(viaService.code).toBe(21610);
    const viaOther = await twilioError(
      client.messages.create({ to: "+14155550201", from: b.phoneNumber, body: "x" }),
    );
    expect(viaOther.code).toBe(21610);
    const someoneElse = await client.messages.create({
      to: "+14155550202",
      messagingServiceSid: service.sid,
      body: "x",
    });
    expect(someoneElse.status).toBe("accepted");
  });
});

describe("Twilio's exact keyword rule", () => {
  it.each(["STOP!", "Stop.", " stop please", "ＳＴＯＰ"])(
    "%j is an ordinary message: no opt-out, no auto-reply",
    async (body) => {
      const { client } = await tenant(`Not a keyword ${body}`);
      const n = await client.incomingPhoneNumbers.create({ areaCode: "415" });
      const handset = "+14155550210";
      const res = await text(handset, n.phoneNumber, body);
      expect(res).toMatchObject({ opt_out_type: null, replies: [] });
      const sent = await client.messages.create({ to: handset, from: n.phoneNumber, body: "Still here" });
      expect(sent.status).toBe("queued");
    },
  );
});

describe("an account whose keyword handling Twilio Support turned off", () => {
  it("gets STOP, START and HELP as ordinary messages: no opt-out list, no auto-reply, no OptOutType", async () => {
    const { sid, client } = await tenant("Own keywords");
    expect(await em.control("GET", `accounts/${sid}/keyword-handling`)).toEqual({
      account_sid: sid,
      enabled: true,
    });
    expect(await em.control("PUT", `accounts/${sid}/keyword-handling`, { enabled: false })).toEqual({
      account_sid: sid,
      enabled: false,
    });
    const n = await client.incomingPhoneNumbers.create({ areaCode: "415", smsUrl: `${app.url}/own` });
    const handset = "+14155550211";
    for (const body of ["STOP", "HELP"]) {
      const res = await text(handset, n.phoneNumber, body);
      expect(res).toMatchObject({ opt_out_type: null, replies: [] });
      expect(app.hits.at(-1)?.params.OptOutType).toBeUndefined();
    }
    const sent = await client.messages.create({
      to: handset,
      from: n.phoneNumber,
      body: "Not blocked by Twilio",
    });
    expect(sent.status).toBe("queued");
  });

  it("refuses an unknown account and a value that is not a boolean", async () => {
    await expect(
      em.control("PUT", "accounts/AC00000000000000000000000000000000/keyword-handling", { enabled: false }),
    ).rejects.toThrow(/→ 404 .*20404/);
    const { sid } = await tenant("Bad switch");
    await expect(em.control("PUT", `accounts/${sid}/keyword-handling`, { enabled: "maybe" })).rejects.toThrow(
      /→ 400 .*20001/,
    );
    expect((await em.control("GET", `accounts/${sid}/keyword-handling`)).enabled).toBe(true);
  });
});

describe("inbound messages", () => {
  it("reach the number's webhook signed, with media and opt-out fields, and TwiML replies are sent", async () => {
    const { sid, client } = await tenant("Inbound");
    const n = await client.incomingPhoneNumbers.create({ areaCode: "617", smsUrl: `${app.url}/sms/inbound` });
    app.twiml.set("/sms/inbound", "<Response><Message>Thanks, we got your photo!</Message></Response>");
    const handset = "+16175550203";
    const received = await text(handset, n.phoneNumber, "Here it is", ["https://cdn.example.com/photo.jpg"]);
    expect(received.sid).toMatch(/^MM/);
    expect(received.webhook).toMatchObject({ url: `${app.url}/sms/inbound`, status: 200 });
    const hit = app.hits.filter((h) => h.path === "/sms/inbound").at(-1)!;
    expect(hit.valid).toBe(true);
    expect(hit.params).toMatchObject({
      AccountSid: sid,
      MessageSid: received.sid,
      SmsMessageSid: received.sid,
      From: handset,
      To: n.phoneNumber,
      Body: "Here it is",
      NumMedia: "1",
      MediaUrl0: "https://cdn.example.com/photo.jpg",
      MediaContentType0: "image/jpeg",
      SmsStatus: "received",
      NumSegments: "1",
    });
    expect(received.replies).toHaveLength(1);
    expect(received.replies[0]).toMatchObject({
      direction: "outbound-reply",
      to: handset,
      from: n.phoneNumber,
    });
    await advance(2);
    expect((await inbox(handset)).map((m) => m.body)).toEqual(["Thanks, we got your photo!"]);
    const listed = await client.messages.list({ to: n.phoneNumber });
    expect(listed.map((m) => m.direction)).toEqual(["inbound"]);

    await text(handset, n.phoneNumber, "STOP");
    expect(app.hits.at(-1)?.params.OptOutType).toBe("STOP");
  });

  it("go to the service's inbound URL, or to the number's when the service defers to it", async () => {
    const { client } = await tenant("Service inbound");
    const service = await client.messaging.v1.services.create({
      friendlyName: "Inbox",
      inboundRequestUrl: `${app.url}/sms/service`,
    });
    const n = await client.incomingPhoneNumbers.create({ areaCode: "312", smsUrl: `${app.url}/sms/number` });
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const first = await text("+13125550204", n.phoneNumber, "hello");
    expect(first.webhook.url).toBe(`${app.url}/sms/service`);
    expect(app.hits.at(-1)?.params.MessagingServiceSid).toBe(service.sid);
    await client.messaging.v1.services(service.sid).update({ useInboundWebhookOnNumber: true });
    const second = await text("+13125550204", n.phoneNumber, "hello again");
    expect(second.webhook.url).toBe(`${app.url}/sms/number`);
  });

  it("to a number nobody owns is refused", async () => {
    await expect(text("+13125550205", "+13125550999", "anyone?")).rejects.toThrow(/404/);
  });
});

describe("WhatsApp", () => {
  it("free-form messages go within 24 h of the user's last message, and fail 63016 after", async () => {
    const { client } = await tenant("WhatsApp");
    const n = await client.incomingPhoneNumbers.create({ areaCode: "415", smsUrl: `${app.url}/wa` });
    const user = "whatsapp:+14155550206";
    const business = `whatsapp:${n.phoneNumber}`;
    const inbound = await text(user, business, "Hi, is my order ready?");
    expect(inbound).toMatchObject({ channel: "whatsapp", from: user, to: business });
    expect(app.hits.at(-1)?.params).toMatchObject({ WaId: "14155550206", From: user, To: business });

    const reply = await client.messages.create({
      to: user,
      from: business,
      body: "Yes!",
      statusCallback: `${app.url}/wa/status`,
    });
    await advance(5);
    expect((await client.messages(reply.sid).fetch()).status).toBe("read");
    const statuses = app.hits.filter((h) => h.path === "/wa/status").map((h) => h.params.MessageStatus);
    expect(statuses).toEqual(["sending", "sent", "delivered", "read"]);
    expect(app.hits.at(-1)?.params).toMatchObject({ ChannelPrefix: "whatsapp", To: user });

    await advance(25 * 3600);
    const late = await client.messages.create({ to: user, from: business, body: "Still there?" });
    expect(late.status).toBe("queued");
    await advance(2);
    expect(await client.messages(late.sid).fetch()).toMatchObject({ status: "failed", errorCode: 63016 });
  });

  it("an approved template may open the conversation; an unapproved one may not", async () => {
    const { sid, client } = await tenant("WhatsApp templates");
    const n = await client.incomingPhoneNumbers.create({ areaCode: "212" });
    const template = (hx: string, status: string) =>
      em.emulator.world.store.put("contents", {
        sid: hx,
        account_sid: sid,
        types: { "twilio/text": { body: "Your code is {{1}}" } },
        variables: {},
        approval: { name: "otp", category: "AUTHENTICATION", status },
      });
    template("HX00000000000000000000000000000010", "approved");
    template("HX00000000000000000000000000000011", "pending");
    const send = (contentSid: string) =>
      client.messages.create({
        to: "whatsapp:+12125550207",
        from: `whatsapp:${n.phoneNumber}`,
        contentSid,
        contentVariables: JSON.stringify({ "1": "123456" }),
      });
    const approved = await send("HX00000000000000000000000000000010");
    const pending = await send("HX00000000000000000000000000000011");
    expect(approved.body).toBe("Your code is 123456");
    await advance(5);
    expect((await client.messages(approved.sid).fetch()).status).toBe("read");
    expect((await client.messages(pending.sid).fetch()).errorCode).toBe(63016);
    expect((await inbox("+12125550207")).map((m) => m.body)).toEqual(["Your code is 123456"]);
  });
});
