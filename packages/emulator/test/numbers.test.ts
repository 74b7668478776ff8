import { describe, expect, it } from "vitest";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

async function tenant(name: string) {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  return { sid: sub.sid, client: em.client(sub.sid, sub.authToken) };
}

describe("available phone numbers", () => {
  it("lists the countries on sale and fetches one with its number types", async () => {
    const countries = await em.parent.availablePhoneNumbers.list();
    expect(countries.map((c) => c.countryCode).sort()).toEqual(["AU", "BR", "CA", "DE", "GB", "IN", "US"]);
    const us = await em.parent.availablePhoneNumbers("US").fetch();
    expect(us.country).toBe("United States");
    expect(Object.keys(us.subresourceUris).sort()).toEqual(["local", "toll_free"]);
  });

  it("offers plausible local numbers in an area code, the same ones for the same search", async () => {
    const first = await em.parent.availablePhoneNumbers("US").local.list({ areaCode: 415, limit: 5 });
    expect(first).toHaveLength(5);
    for (const n of first) {
      expect(n.phoneNumber).toMatch(/^\+1415[2-9]\d{6}$/);
      expect(n.phoneNumber.slice(5, 8)).not.toBe("555");
      expect(n.friendlyName).toBe(`(415) ${n.phoneNumber.slice(5, 8)}-${n.phoneNumber.slice(8)}`);
      expect(n).toMatchObject({ region: "CA", locality: "San Francisco", isoCountry: "US" });
      expect(n.capabilities).toMatchObject({ sms: true, mms: true, voice: true });
    }
    const again = await em.parent.availablePhoneNumbers("US").local.list({ areaCode: 415, limit: 5 });
    expect(again.map((n) => n.phoneNumber)).toEqual(first.map((n) => n.phoneNumber));
  });

  it("stops offering a number once someone owns it", async () => {
    const [n] = await em.parent.availablePhoneNumbers("US").local.list({ areaCode: 512, limit: 3 });
    await em.parent.incomingPhoneNumbers.create({ phoneNumber: n.phoneNumber });
    const after = await em.parent.availablePhoneNumbers("US").local.list({ areaCode: 512, limit: 3 });
    expect(after.map((a) => a.phoneNumber)).not.toContain(n.phoneNumber);
  });

  it("searches by a Contains pattern with keypad letters and by region", async () => {
    const vanity = await em.parent.availablePhoneNumbers("US").local.list({ contains: "STORE", limit: 3 });
    expect(vanity.length).toBeGreaterThan(0);
    for (const n of vanity) expect(n.phoneNumber).toMatch(/78673$/);
    const texas = await em.parent.availablePhoneNumbers("US").local.list({ inRegion: "TX", limit: 10 });
    expect(texas.length).toBe(10);
    for (const n of texas) expect(["512", "214", "713"]).toContain(n.phoneNumber.slice(2, 5));
  });

  it("offers toll-free 8xx numbers and UK mobiles, and UK landlines that cannot text", async () => {
    const tollFree = await em.parent.availablePhoneNumbers("US").tollFree.list({ limit: 5 });
    for (const n of tollFree) expect(n.phoneNumber).toMatch(/^\+18(00|33|44|55|66|77|88)\d{7}$/);
    const mobiles = await em.parent.availablePhoneNumbers("GB").mobile.list({ limit: 2 });
    for (const n of mobiles) expect(n.phoneNumber).toMatch(/^\+447700900\d{3}$/);
    const landlines = await em.parent.availablePhoneNumbers("GB").local.list({ limit: 2 });
    expect(landlines[0].capabilities.sms).toBe(false);
    const none = await em.parent.availablePhoneNumbers("GB").local.list({ smsEnabled: true, limit: 2 });
    expect(none).toEqual([]);
  });

  it("has no numbers in the magic area code 533", async () => {
    expect(await em.parent.availablePhoneNumbers("US").local.list({ areaCode: 533 })).toEqual([]);
  });
});

describe("incoming phone numbers", () => {
  it("buys a number by area code, fetches it and lists it with filters", async () => {
    const { client } = await tenant("Area code buyer");
    const bought = await client.incomingPhoneNumbers.create({ areaCode: "303" });
    expect(bought.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(bought.phoneNumber).toMatch(/^\+1303/);
    expect(bought).toMatchObject({ status: "in-use", origin: "twilio", smsMethod: "POST" });
    expect((await client.incomingPhoneNumbers(bought.sid).fetch()).phoneNumber).toBe(bought.phoneNumber);
    const other = await client.incomingPhoneNumbers.create({ areaCode: "404" });
    const listed = await client.incomingPhoneNumbers.list({ phoneNumber: bought.phoneNumber });
    expect(listed.map((n) => n.sid)).toEqual([bought.sid]);
    expect((await client.incomingPhoneNumbers.list()).map((n) => n.sid)).toEqual([bought.sid, other.sid]);
  });

  it("buys local and toll-free numbers through their own paths and lists them apart", async () => {
    const { client } = await tenant("Typed buyer");
    const [local] = await client.availablePhoneNumbers("US").local.list({ areaCode: 617, limit: 1 });
    const [tollFree] = await client.availablePhoneNumbers("US").tollFree.list({ areaCode: 888, limit: 1 });
    const l = await client.incomingPhoneNumbers.local.create({ phoneNumber: local.phoneNumber });
    const t = await client.incomingPhoneNumbers.tollFree.create({ phoneNumber: tollFree.phoneNumber });
    expect((await client.incomingPhoneNumbers.local.list()).map((n) => n.sid)).toEqual([l.sid]);
    expect((await client.incomingPhoneNumbers.tollFree.list()).map((n) => n.sid)).toEqual([t.sid]);
    const wrong = await twilioError(
      client.incomingPhoneNumbers.tollFree.create({ phoneNumber: "+16175550123" }),
    );
    expect(wrong.code).toBe(21421);
  });

  it("updates a number's webhooks and releases it with 204", async () => {
    const { client } = await tenant("Webhook owner");
    const n = await client.incomingPhoneNumbers.create({ areaCode: "206" });
    const updated = await client.incomingPhoneNumbers(n.sid).update({
      smsUrl: "https://app.example.com/sms",
      smsMethod: "GET",
      voiceUrl: "https://app.example.com/voice",
      statusCallback: "https://app.example.com/status",
      friendlyName: "Front desk",
    });
    expect(updated).toMatchObject({
      smsUrl: "https://app.example.com/sms",
      smsMethod: "GET",
      voiceUrl: "https://app.example.com/voice",
      statusCallback: "https://app.example.com/status",
      friendlyName: "Front desk",
    });
    expect(await client.incomingPhoneNumbers(n.sid).remove()).toBe(true);
    expect((await twilioError(client.incomingPhoneNumbers(n.sid).fetch())).status).toBe(404);
    const again = await client.availablePhoneNumbers("US").local.list({ areaCode: 206, limit: 50 });
    expect(again.map((a) => a.phoneNumber)).toContain(n.phoneNumber);
  });

  it("refuses a number someone already owns", async () => {
    const { client } = await tenant("Second buyer");
    const n = await em.parent.incomingPhoneNumbers.create({ areaCode: "702" });
    expect((await twilioError(client.incomingPhoneNumbers.create({ phoneNumber: n.phoneNumber }))).code).toBe(
      21422,
    );
  });

  it("answers Twilio's magic purchase numbers", async () => {
    const c = em.parent.incomingPhoneNumbers;
    expect((await twilioError(c.create({ phoneNumber: "+15005550000" }))).code).toBe(21422);
    expect((await twilioError(c.create({ phoneNumber: "+15005550001" }))).code).toBe(21421);
    expect((await twilioError(c.create({ areaCode: "533" }))).code).toBe(21452);
    expect((await c.create({ areaCode: "500" })).phoneNumber).toBe("+15005550006");
  });

  it("moves a number from the parent to a subaccount with AccountSid", async () => {
    const { sid, client } = await tenant("Receiver of a number");
    const n = await em.parent.incomingPhoneNumbers.create({ areaCode: "612" });
    const moved = await em.parent.incomingPhoneNumbers(n.sid).update({ accountSid: sid });
    expect(moved.accountSid).toBe(sid);
    expect((await client.incomingPhoneNumbers.list()).map((x) => x.sid)).toEqual([n.sid]);
    expect((await twilioError(em.parent.incomingPhoneNumbers(n.sid).fetch())).status).toBe(404);
  });
});

describe("addresses", () => {
  it("creates, lists, updates and deletes an address, and lists the numbers that depend on it", async () => {
    const { client } = await tenant("Address owner");
    const address = await client.addresses.create({
      customerName: "Jane's Bakery",
      street: "1 Main St",
      city: "Springfield",
      region: "IL",
      postalCode: "62701",
      isoCountry: "US",
      friendlyName: "Shop",
    });
    expect(address.sid).toMatch(/^AD[0-9a-f]{32}$/);
    expect(address).toMatchObject({
      customerName: "Jane's Bakery",
      validated: false,
      emergencyEnabled: false,
    });
    const missing = await twilioError(
      client.addresses.create({
        customerName: "x",
        street: "y",
        city: "z",
        region: "IL",
        postalCode: "",
        isoCountry: "US",
      }),
    );
    expect(missing.status).toBe(400);
    expect((await client.addresses.list({ customerName: "Jane's Bakery" })).map((a) => a.sid)).toEqual([
      address.sid,
    ]);
    const updated = await client
      .addresses(address.sid)
      .update({ street: "2 Main St", emergencyEnabled: true });
    expect(updated).toMatchObject({ street: "2 Main St", emergencyEnabled: true, isoCountry: "US" });

    const n = await client.incomingPhoneNumbers.create({ areaCode: "217", addressSid: address.sid });
    const dependents = await client.addresses(address.sid).dependentPhoneNumbers.list();
    expect(dependents.map((d) => d.phoneNumber)).toEqual([n.phoneNumber]);

    await client.addresses(address.sid).remove();
    expect((await twilioError(client.addresses(address.sid).fetch())).status).toBe(404);
  });
});
