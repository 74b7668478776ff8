import { describe, expect, it } from "vitest";
import { type SenderCandidate, chooseSender } from "../src/api/2010/messages/sender.js";
import { gbLocalBundle } from "./regulatory-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

/** A tenant whose sends skip the US compliance gate (sender selection is the point here). */
async function tenant(name: string) {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  await em.control("PUT", "compliance", { account_sid: sub.sid, enforce: false });
  return em.client(sub.sid, sub.authToken);
}

async function sentFrom(client: ReturnType<typeof em.client>, sid: string) {
  await em.advance(1);
  return (await client.messages(sid).fetch()).from;
}

describe("messaging services", () => {
  it("creates a service with Twilio's defaults, then lists, updates and deletes it", async () => {
    const client = await tenant("Service owner");
    const service = await client.messaging.v1.services.create({ friendlyName: "Notifications" });
    expect(service.sid).toMatch(/^MG[0-9a-f]{32}$/);
    expect(service).toMatchObject({
      stickySender: true,
      areaCodeGeomatch: true,
      validityPeriod: 36000,
      usecase: "undeclared",
      useInboundWebhookOnNumber: false,
      usAppToPersonRegistered: false,
      inboundRequestUrl: null,
    });
    expect(service.dateCreated).toBeInstanceOf(Date);
    expect(service.links.phone_numbers).toBe(
      `https://messaging.twilio.com/v1/Services/${service.sid}/PhoneNumbers`,
    );
    const updated = await client.messaging.v1.services(service.sid).update({
      statusCallback: "https://app.example.com/status",
      inboundRequestUrl: "https://app.example.com/inbound",
      stickySender: false,
      validityPeriod: 600,
      usecase: "notifications",
    });
    expect(updated).toMatchObject({ stickySender: false, validityPeriod: 600, usecase: "notifications" });
    expect((await client.messaging.v1.services.list()).map((s) => s.sid)).toEqual([service.sid]);
    const bad = await twilioError(client.messaging.v1.services(service.sid).update({ usecase: "spam" }));
    expect(bad.status).toBe(400);
    await client.messaging.v1.services(service.sid).remove();
    expect((await twilioError(client.messaging.v1.services(service.sid).fetch())).status).toBe(404);
  });

  it("answers the use-case catalogue", async () => {
    const catalogue = await em.parent.messaging.v1.usecases.fetch();
    expect(catalogue.usecases.map((u: any) => u.usecase)).toContain("notifications");
  });

  it("keeps a sender pool: add, list, fetch and remove numbers", async () => {
    const client = await tenant("Pool owner");
    const service = await client.messaging.v1.services.create({ friendlyName: "Pool" });
    const a = await client.incomingPhoneNumbers.create({ areaCode: "415" });
    const b = await client.incomingPhoneNumbers.create({ areaCode: "212" });
    const pool = client.messaging.v1.services(service.sid).phoneNumbers;
    const added = await pool.create({ phoneNumberSid: a.sid });
    expect(added).toMatchObject({
      sid: a.sid,
      phoneNumber: a.phoneNumber,
      countryCode: "US",
      serviceSid: service.sid,
    });
    expect(added.capabilities).toEqual(["MMS", "SMS", "Voice"]);
    await pool.create({ phoneNumberSid: b.sid });
    expect((await pool.list()).map((p) => p.phoneNumber)).toEqual([a.phoneNumber, b.phoneNumber]);
    expect((await pool(b.sid).fetch()).phoneNumber).toBe(b.phoneNumber);
    await pool(b.sid).remove();
    expect((await pool.list()).map((p) => p.sid)).toEqual([a.sid]);
  });

  it("refuses a number of another service (21712), one that cannot text (21715) and a foreign one", async () => {
    const client = await tenant("Pool rules");
    const first = await client.messaging.v1.services.create({ friendlyName: "First" });
    const second = await client.messaging.v1.services.create({ friendlyName: "Second" });
    const n = await client.incomingPhoneNumbers.create({ areaCode: "305" });
    await client.messaging.v1.services(first.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const taken = await twilioError(
      client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: n.sid }),
    );
    expect(taken).toMatchObject({ status: 400, code: 21712 });

    // A UK landline (it cannot text), bought as UK rules want: with an approved bundle and a UK address.
    const { bundleSid, addressSid } = await gbLocalBundle(em, { client });
    const [landline] = await client.availablePhoneNumbers("GB").local.list({ limit: 1 });
    const uk = await client.incomingPhoneNumbers.create({
      phoneNumber: landline.phoneNumber,
      bundleSid,
      addressSid,
    });
    const mute = await twilioError(
      client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: uk.sid }),
    );
    expect(mute.code).toBe(21715);

    const someoneElse = await em.parent.incomingPhoneNumbers.create({ areaCode: "407" });
    const foreign = await twilioError(
      client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: someoneElse.sid }),
    );
    expect(foreign.code).toBe(21421);
  });

  it("holds at most 400 numbers in a pool (21714)", async () => {
    const client = await tenant("Big pool");
    const service = await client.messaging.v1.services.create({ friendlyName: "Big" });
    const pool = client.messaging.v1.services(service.sid).phoneNumbers;
    const available = await client.availablePhoneNumbers("US").tollFree.list({ limit: 401 });
    expect(available).toHaveLength(401);
    for (let i = 0; i < 401; i += 50) {
      await Promise.all(
        available.slice(i, i + 50).map(async (a, j) => {
          const n = await client.incomingPhoneNumbers.create({ phoneNumber: a.phoneNumber });
          if (i + j < 400) await pool.create({ phoneNumberSid: n.sid });
        }),
      );
    }
    const last = (await client.incomingPhoneNumbers.list({ phoneNumber: available[400].phoneNumber }))[0];
    expect((await twilioError(pool.create({ phoneNumberSid: last.sid }))).code).toBe(21714);
  });
});

describe("sender selection", () => {
  it("a sticky service keeps answering a recipient from the same number", async () => {
    const client = await tenant("Sticky");
    const service = await client.messaging.v1.services.create({
      friendlyName: "Sticky",
      areaCodeGeomatch: false,
    });
    for (const areaCode of ["415", "212", "617"]) {
      const n = await client.incomingPhoneNumbers.create({ areaCode });
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    }
    const send = (to: string) => client.messages.create({ to, messagingServiceSid: service.sid, body: "hi" });
    const first = await sentFrom(client, (await send("+13125550101")).sid);
    for (let i = 0; i < 3; i++) expect(await sentFrom(client, (await send("+13125550101")).sid)).toBe(first);
    const others = new Set<string | null>();
    for (let i = 0; i < 3; i++) others.add(await sentFrom(client, (await send(`+1312555020${i}`)).sid));
    expect(others.size).toBe(3);
  });

  it("a non-sticky service rotates its senders", async () => {
    const client = await tenant("Round robin");
    const service = await client.messaging.v1.services.create({
      friendlyName: "Rotating",
      stickySender: false,
      areaCodeGeomatch: false,
    });
    for (const areaCode of ["415", "212"]) {
      const n = await client.incomingPhoneNumbers.create({ areaCode });
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    }
    const froms = [];
    for (let i = 0; i < 4; i++) {
      const m = await client.messages.create({
        to: "+13125550199",
        messagingServiceSid: service.sid,
        body: "hi",
      });
      froms.push(await sentFrom(client, m.sid));
    }
    expect(froms[0]).not.toBe(froms[1]);
    expect(froms[2]).toBe(froms[0]);
    expect(froms[3]).toBe(froms[1]);
  });

  it("geomatch picks the pool number with the recipient's area code", async () => {
    const client = await tenant("Geomatch");
    const service = await client.messaging.v1.services.create({ friendlyName: "Local presence" });
    const numbers: Record<string, string> = {};
    for (const areaCode of ["415", "212", "617"]) {
      const n = await client.incomingPhoneNumbers.create({ areaCode });
      numbers[areaCode] = n.phoneNumber;
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    }
    for (const areaCode of ["212", "617", "415"]) {
      const m = await client.messages.create({
        to: `+1${areaCode}5550123`,
        messagingServiceSid: service.sid,
        body: "hi",
      });
      expect(m).toMatchObject({ status: "accepted", from: null, numSegments: "0" });
      expect(await sentFrom(client, m.sid)).toBe(numbers[areaCode]);
    }
  });

  const pool: SenderCandidate[] = [
    { sid: "PN1", phone_number: "+14155550001", type: "local", sms: true, mms: true },
    { sid: "PN2", phone_number: "+12125550002", type: "local", sms: true, mms: false },
    { sid: "PN3", phone_number: "+18885550003", type: "toll_free", sms: true, mms: true },
    { sid: "PN4", phone_number: "+447700900004", type: "mobile", sms: true, mms: false },
  ];
  const rules = { channel: "sms" as const, media: false, sticky: null, geomatch: true, turn: 0 };
  it.each([
    ["the sticky sender first", { ...rules, to: "+12125550100", sticky: "PN3" }, "PN3", "sticky"],
    ["the recipient's area code", { ...rules, to: "+12125550100" }, "PN2", "geomatch"],
    ["a sender of the recipient's country", { ...rules, to: "+447700900111" }, "PN4", "country"],
    [
      "in turn among the country's senders without geomatch",
      { ...rules, to: "+12125550100", geomatch: false, turn: 5 },
      "PN3",
      "country",
    ],
    [
      "in turn over the pool for another country",
      { ...rules, to: "+33612345678", turn: 1 },
      "PN2",
      "round-robin",
    ],
    ["an MMS-capable sender for media", { ...rules, to: "+12125550100", media: true }, "PN1", "round-robin"],
  ])("chooses %s", (_name, given, sid, rule) => {
    expect(chooseSender(pool, given)).toMatchObject({ sender: { sid }, rule });
  });
});
