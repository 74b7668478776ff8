import twilio from "twilio";
import { beforeAll, describe, expect, it } from "vitest";
import { carrierIndex } from "../src/lookups/v2/lineType.js";
import { parseNumber } from "../src/lookups/v2/numbering.js";
import { schemaFindings } from "./conformance/oai.js";
import { RecordingRequestClient } from "./conformance/recorder.js";
import { useEmulator } from "./setup.js";

const em = useEmulator();
let recorder: RecordingRequestClient;
let client: twilio.Twilio;

beforeAll(() => {
  recorder = new RecordingRequestClient(em.url);
  client = twilio(em.emulator.parent.sid, em.emulator.parent.authToken, { httpClient: recorder });
});

function expectConformance() {
  expect(schemaFindings(recorder.take().filter((e) => e.status < 400))).toEqual([]);
}

const lookup = (n: string, fields = "line_type_intelligence") =>
  client.lookups.v2.phoneNumbers(n).fetch({ fields });

describe("Lookups v2", () => {
  it("formats and validates a number and leaves packages not asked for as null", async () => {
    const r = await client.lookups.v2.phoneNumbers("+14159929960").fetch();
    expect(r).toMatchObject({
      phoneNumber: "+14159929960",
      nationalFormat: "(415) 992-9960",
      countryCode: "US",
      callingCountryCode: "1",
      valid: true,
      validationErrors: [],
      lineTypeIntelligence: null,
      callerName: null,
    });
    const canada = await client.lookups.v2.phoneNumbers("+16135550123").fetch();
    expect(canada.countryCode).toBe("CA");
    const uk = await client.lookups.v2.phoneNumbers("+447772000001").fetch();
    expect(uk).toMatchObject({ countryCode: "GB", nationalFormat: "07772 000001", callingCountryCode: "44" });
    expectConformance();
  });

  it("reports why a number is invalid, as Twilio names it", async () => {
    const long = await client.lookups.v2.phoneNumbers("+141599299600").fetch();
    expect(long).toMatchObject({ valid: false, validationErrors: ["TOO_LONG"], countryCode: null });
    const national = await client.lookups.v2.phoneNumbers("4159929960").fetch({ countryCode: "US" });
    expect(national.phoneNumber).toBe("+14159929960");
    expectConformance();
  });

  it("gives a mobile number a carrier that depends only on the number", async () => {
    const numbers = ["+14155550111", "+14155550112", "+14155550113"];
    const names = ["T-Mobile USA, Inc.", "AT&T Wireless", "Verizon Wireless"];
    for (const n of numbers) {
      const r = await lookup(n);
      expect(r.lineTypeIntelligence).toMatchObject({ type: "mobile", carrierName: names[carrierIndex(n)] });
      expect(r.lineTypeIntelligence.mobileCountryCode).toMatch(/^31[01]$/);
      expect((await lookup(n)).lineTypeIntelligence).toEqual(r.lineTypeIntelligence);
    }
    expect(new Set(numbers.map(carrierIndex)).size).toBe(3);
    expectConformance();
  });

  it("reads line type and carrier scripted through the carriers control API", async () => {
    await em.control("PUT", `carriers/${encodeURIComponent("+14155550120")}`, {
      line_type: "landline",
      carrier: "Pacific Bell",
    });
    const r = await lookup("+14155550120");
    expect(r.lineTypeIntelligence).toMatchObject({ type: "landline", carrierName: "Pacific Bell" });
    await em.control("PUT", `carriers/${encodeURIComponent("+14155550121")}`, { line_type: "voip" });
    expect((await lookup("+14155550121")).lineTypeIntelligence.type).toBe("nonFixedVoip");
    expect((await lookup("+18005550199")).lineTypeIntelligence.type).toBe("tollFree");
    expect((await lookup("+15005550009")).lineTypeIntelligence.type).toBe("landline");
    expectConformance();
  });

  it("reports our own Twilio numbers as Twilio's non-fixed VoIP", async () => {
    const bought = await client.incomingPhoneNumbers.create({ areaCode: "415" });
    const r = await lookup(bought.phoneNumber);
    expect(r.lineTypeIntelligence).toMatchObject({
      type: "nonFixedVoip",
      carrierName: "Twilio - SMS/MMS-SVR",
    });
  });
});

describe("number parsing", () => {
  it.each([
    ["+14155552671", true, null],
    ["+1415555267", false, "TOO_SHORT"],
    ["+1415555267111", false, "TOO_LONG"],
    ["+10155552671", false, "INVALID_BUT_POSSIBLE"],
    ["+99912345678", false, "INVALID_COUNTRY_CODE"],
    ["call me", false, "NOT_A_NUMBER"],
  ])("%s is valid: %s (%s)", (n, valid, error) => {
    const p = parseNumber(n);
    expect(p.valid).toBe(valid);
    if (error) expect(p.validation_errors).toEqual([error]);
  });
});
