import { describe, expect, it, onTestFinished } from "vitest";
import { newTenant, schemaFindings } from "./compliance-fixtures.js";
import { gbMobileBundle } from "./regulatory-fixtures.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();

async function tenant(name: string) {
  const sub = await em.parent.api.v2010.accounts.create({ friendlyName: name });
  return { sid: sub.sid, authToken: sub.authToken, client: em.client(sub.sid, sub.authToken) };
}

/** A message once the emulated carrier has taken it (sent: priced). */
async function settled(t: { client: ReturnType<typeof em.client> }, sid: string) {
  await em.advance(5);
  return t.client.messages(sid).fetch();
}

describe("pricing: messaging countries", () => {
  it("lists the countries with prices and fetches one with outbound prices per carrier and inbound prices", async () => {
    const countries = await em.parent.pricing.v1.messaging.countries.list();
    expect(countries.map((c) => c.isoCountry)).toEqual(["US", "CA", "GB", "DE", "AU", "BR", "IN"]);
    const gb = await em.parent.pricing.v1.messaging.countries("GB").fetch();
    expect(gb).toMatchObject({ country: "United Kingdom", isoCountry: "GB", priceUnit: "USD" });
    expect(gb.url).toBe("https://pricing.twilio.com/v1/Messaging/Countries/GB");
    expect(gb.outboundSmsPrices.map((p: any) => p.carrier)).toEqual(["EE", "Vodafone", "O2"]);
    expect(gb.outboundSmsPrices[0]).toMatchObject({ mcc: "234", mnc: "30" });
    expect((gb.outboundSmsPrices[0] as any).prices).toContainEqual({
      number_type: "mobile",
      base_price: 0.0463,
      current_price: 0.0463,
    });
    const us = await em.parent.pricing.v1.messaging.countries("US").fetch();
    expect(us.inboundSmsPrices).toContainEqual(
      expect.objectContaining({ numberType: "toll free", basePrice: 0.0083, currentPrice: 0.0083 }),
    );
    expect((await twilioError(em.parent.pricing.v1.messaging.countries("ZZ").fetch())).status).toBe(404);
  });
});

describe("messaging geo permissions", () => {
  it("reads and sets an account's countries; a send to a disabled country is refused with 21408", async () => {
    const t = await tenant("Geo");
    const accounts = t.client.accounts.v1.messagingGeopermissions;
    const de = await accounts.fetch({ countryCode: "DE" });
    expect(de.permissions).toEqual([{ country_code: "DE", type: "country", enabled: true }]);
    const updated = await accounts.update({
      permissions: [
        { country_code: "DE", type: "country", enabled: false },
        { country_code: "NG", type: "country", enabled: true },
      ],
    });
    expect(updated.permissions).toEqual([
      { country_code: "DE", type: "country", enabled: false, error_code: 0, error_messages: [] },
      expect.objectContaining({ country_code: "NG", error_code: 30649 }),
    ]);
    const all = await accounts.fetch();
    expect(all.permissions).toContainEqual({ country_code: "DE", type: "country", enabled: false });
    expect(all.permissions).toContainEqual({ country_code: "GB", type: "country", enabled: true });

    const refused = await twilioError(
      t.client.messages.create({ from: "+15005550006", to: "+4915112345678", body: "Hallo" }),
    );
    expect(refused).toMatchObject({ status: 400, code: 21408 });
    expect(refused.message).toContain("Permission to send an SMS has not been enabled for the region");
    const ok = await t.client.messages.create({ from: "+15005550006", to: "+447700900123", body: "Hello" });
    expect(ok.status).toBe("queued");
  });

  it("a subaccount follows its parent's setting unless it has its own", async () => {
    const isv = { client: em.parent };
    const sub = await isv.client.api.v2010.accounts.create({ friendlyName: "Geo tenant" });
    const child = em.client(sub.sid, sub.authToken);
    await isv.client.accounts.v1.messagingGeopermissions.update({
      permissions: [{ country_code: "BR", type: "country", enabled: false }],
    });
    onTestFinished(async () => {
      await isv.client.accounts.v1.messagingGeopermissions.update({
        permissions: [{ country_code: "BR", type: "country", enabled: true }],
      });
    });
    const refused = await twilioError(
      child.messages.create({ from: "+15005550006", to: "+5511987654321", body: "Oi" }),
    );
    expect(refused.code).toBe(21408);
    await child.accounts.v1.messagingGeopermissions.update({
      permissions: [{ country_code: "BR", type: "country", enabled: true }],
    });
    expect(
      (await child.messages.create({ from: "+15005550006", to: "+5511987654321", body: "Oi" })).status,
    ).toBe("queued");
  });
});

describe("alphanumeric sender IDs", () => {
  it("sends from an alphanumeric From to a country that takes it, at the destination's price; refuses the US (21612)", async () => {
    const t = await tenant("Sleepwell UK");
    const msg = await t.client.messages.create({
      from: "Sleepwell",
      to: "+447700900123",
      body: "Your room is ready.",
    });
    expect(msg.from).toBe("Sleepwell");
    const sent = await settled(t, msg.sid);
    expect(sent.status).toBe("delivered");
    expect(sent.price).toBe("-0.04630");
    const us = await twilioError(
      t.client.messages.create({ from: "Sleepwell", to: "+14155550100", body: "Hi" }),
    );
    expect(us).toMatchObject({ status: 400, code: 21612 });
    const ca = await twilioError(
      t.client.messages.create({ from: "Sleepwell", to: "+14165550100", body: "Hi" }),
    );
    expect(ca.code).toBe(21612);
  });

  it("needs a registration where the country requires one (India)", async () => {
    const t = await tenant("Sleepwell India");
    const before = await twilioError(
      t.client.messages.create({ from: "SLEEPW", to: "+919812345678", body: "Hi" }),
    );
    expect(before.code).toBe(21612);
    await em.control("POST", "alpha-senders/registrations", {
      account_sid: t.sid,
      alpha_sender: "SLEEPW",
      iso_country: "IN",
    });
    const after = await t.client.messages.create({ from: "SLEEPW", to: "+919812345678", body: "Hi" });
    expect((await settled(t, after.sid)).price).toBe("-0.08320");
  });

  it("a service's alpha sender goes to countries that take it; the US gets a number of the pool", async () => {
    const t = await newTenant(em, "Alpha service");
    const service = await t.client.messaging.v1.services.create({ friendlyName: "Global" });
    const alpha = await t.client.messaging.v1
      .services(service.sid)
      .alphaSenders.create({ alphaSender: "Sleepwell" });
    expect(alpha).toMatchObject({ alphaSender: "Sleepwell", capabilities: ["SMS"], serviceSid: service.sid });
    expect(alpha.sid).toMatch(/^AI[0-9a-f]{32}$/);
    expect((await t.client.messaging.v1.services(service.sid).alphaSenders.list()).map((a) => a.sid)).toEqual(
      [alpha.sid],
    );
    const second = await twilioError(
      t.client.messaging.v1.services(service.sid).alphaSenders.create({ alphaSender: "Other" }),
    );
    expect(second.code).toBe(20001);
    const invalid = await twilioError(
      t.client.messaging.v1.services(service.sid).alphaSenders.create({ alphaSender: "12345" }),
    );
    expect(invalid.code).toBe(21212);
    expect(schemaFindings(t)).toEqual([]);

    // With the alpha sender only, the US cannot be reached: the message fails with 21612.
    const lonely = await t.client.messages.create({
      messagingServiceSid: service.sid,
      to: "+14155550123",
      body: "Hi",
    });
    expect(await settled(t, lonely.sid)).toMatchObject({ status: "failed", errorCode: 21612 });

    const number = await t.client.incomingPhoneNumbers.create({ areaCode: "415" });
    await t.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    const uk = await t.client.messages.create({
      messagingServiceSid: service.sid,
      to: "+447700900555",
      body: "Hi",
    });
    const de = await t.client.messages.create({
      messagingServiceSid: service.sid,
      to: "+4915112345678",
      body: "Hallo",
    });
    const us = await t.client.messages.create({
      messagingServiceSid: service.sid,
      to: "+14155550124",
      body: "Hi",
    });
    await em.advance(5);
    expect((await t.client.messages(uk.sid).fetch()).from).toBe("Sleepwell");
    const german = await t.client.messages(de.sid).fetch();
    expect(german).toMatchObject({ from: "Sleepwell", price: "-0.09370" });
    expect((await t.client.messages(us.sid).fetch()).from).toBe(number.phoneNumber);
    await t.client.messaging.v1.services(service.sid).alphaSenders(alpha.sid).remove();
    expect(await t.client.messaging.v1.services(service.sid).alphaSenders.list()).toEqual([]);
  });

  it("cannot be replied to: a handset cannot text an alphanumeric sender", async () => {
    await expect(
      em.control("POST", "handsets/%2B447700900123/messages", { to: "Sleepwell", body: "STOP" }),
    ).rejects.toThrow(/→ 4\d\d/);
  });
});

describe("short codes", () => {
  it("are provisioned by the control API, then listed, fetched and updated through the 2010 API", async () => {
    const t = await newTenant(em, "Short code owner");
    const code = await em.control("POST", "short-codes", { account_sid: t.sid, short_code: "12345" });
    expect(code.sid).toMatch(/^SC[0-9a-f]{32}$/);
    const list = await t.client.shortCodes.list();
    expect(list.map((c) => c.shortCode)).toEqual(["12345"]);
    const updated = await t.client.shortCodes(code.sid).update({ smsUrl: "https://tenant.example.com/sms" });
    expect(updated).toMatchObject({ smsUrl: "https://tenant.example.com/sms", friendlyName: "12345" });
    expect((await t.client.shortCodes(code.sid).fetch()).smsUrl).toBe("https://tenant.example.com/sms");
    expect(schemaFindings(t)).toEqual([]);
    const other = await tenant("Not the owner of the short code");
    expect((await twilioError(other.client.shortCodes(code.sid).fetch())).status).toBe(404);
  });

  it("send from their own country only (21606), at the short code rate; a service prefers its short code", async () => {
    const t = await newTenant(em, "Short code sender");
    const code = await em.control("POST", "short-codes", { account_sid: t.sid, short_code: "54321" });
    const direct = await t.client.messages.create({
      from: "54321",
      to: "+14155550150",
      body: "Your code is 1234",
    });
    const sent = await settled(t, direct.sid);
    expect(sent).toMatchObject({ from: "54321", status: "delivered", price: "-0.00790" });
    const abroad = await twilioError(
      t.client.messages.create({ from: "54321", to: "+447700900123", body: "Hi" }),
    );
    expect(abroad.code).toBe(21606);
    const notMine = await twilioError(
      t.client.messages.create({ from: "99999", to: "+14155550150", body: "Hi" }),
    );
    expect(notMine.code).toBe(21606);

    const service = await t.client.messaging.v1.services.create({ friendlyName: "Alerts" });
    const number = await t.client.incomingPhoneNumbers.create({ areaCode: "415" });
    await t.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    const entry = await t.client.messaging.v1
      .services(service.sid)
      .shortCodes.create({ shortCodeSid: code.sid });
    expect(entry).toMatchObject({ shortCode: "54321", countryCode: "US", capabilities: ["SMS"] });
    const again = await twilioError(
      t.client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: code.sid }),
    );
    expect(again.code).toBe(21710);
    const viaService = await t.client.messages.create({
      messagingServiceSid: service.sid,
      to: "+14155550151",
      body: "Hi",
    });
    const uk = await t.client.messages.create({
      messagingServiceSid: service.sid,
      to: "+447700900124",
      body: "Hi",
    });
    await em.advance(5);
    expect((await t.client.messages(viaService.sid).fetch()).from).toBe("54321");
    expect((await t.client.messages(uk.sid).fetch()).from).toBe(number.phoneNumber);
    expect(schemaFindings(t)).toEqual([]);
  });
});

describe("sending abroad from numbers abroad", () => {
  it("a UK mobile bought with its bundle texts the UK at the UK price", async () => {
    const t = await tenant("UK sender");
    const { bundleSid, addressSid } = await gbMobileBundle(em, t);
    const [available] = await t.client.availablePhoneNumbers("GB").mobile.list({ limit: 1 });
    const mobile = await t.client.incomingPhoneNumbers.create({
      phoneNumber: available.phoneNumber,
      bundleSid,
      addressSid,
    });
    const msg = await t.client.messages.create({
      from: mobile.phoneNumber,
      to: "+447700900999",
      body: "Hello",
    });
    expect((await settled(t, msg.sid)).price).toBe("-0.04630");
  });
});
