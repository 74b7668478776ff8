import twilio from "twilio";
import { beforeAll, describe, expect, it } from "vitest";
import { decideCheck, decideSend } from "../src/verify/v2/rules.js";
import { schemaFindings } from "./conformance/oai.js";
import { RecordingRequestClient } from "./conformance/recorder.js";
import { twilioError, useEmulator } from "./setup.js";

const em = useEmulator();
let recorder: RecordingRequestClient;
let client: twilio.Twilio;

beforeAll(() => {
  recorder = new RecordingRequestClient(em.url);
  client = twilio(em.emulator.parent.sid, em.emulator.parent.authToken, { httpClient: recorder });
});

/** Every successful answer the SDK received so far validates against Twilio's OpenAPI documents. */
function expectConformance() {
  expect(schemaFindings(recorder.take().filter((e) => e.status < 400))).toEqual([]);
}

async function codeFor(to: string): Promise<{ sid: string; code: string; status: string; message: string }> {
  const { verifications } = await em.control("GET", `verify/verifications?to=${encodeURIComponent(to)}`);
  return verifications[0];
}

const newService = (friendlyName = "Subtext", extra: Record<string, unknown> = {}) =>
  client.verify.v2.services.create({ friendlyName, ...extra });

describe("Verify v2", () => {
  it("an SMS code is refused when wrong and approves the verification when right", async () => {
    const service = await newService();
    const to = "+14155550101";
    const started = await client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" });
    expect(started).toMatchObject({ status: "pending", valid: false, channel: "sms", to });
    expect(started.sid).toMatch(/^VE[0-9a-f]{32}$/);
    expect(started.sendCodeAttempts[0].attempt_sid).toMatch(/^VL[0-9a-f]{32}$/);
    expect(started.dateCreated).toBeInstanceOf(Date);

    const delivered = await codeFor(to);
    expect(delivered.code).toMatch(/^\d{6}$/);
    expect(delivered.message).toContain(`Your Subtext verification code is: ${delivered.code}`);

    const wrong = await client.verify.v2
      .services(service.sid)
      .verificationChecks.create({ to, code: delivered.code === "000000" ? "111111" : "000000" });
    expect(wrong).toMatchObject({ status: "pending", valid: false });
    const right = await client.verify.v2
      .services(service.sid)
      .verificationChecks.create({ to, code: delivered.code });
    expect(right).toMatchObject({ status: "approved", valid: true, sid: started.sid });

    // An approved verification is gone: fetching or checking it again answers 20404.
    const fetched = await twilioError(
      client.verify.v2.services(service.sid).verifications(started.sid).fetch(),
    );
    expect(fetched).toMatchObject({ status: 404, code: 20404 });
    const again = await twilioError(
      client.verify.v2.services(service.sid).verificationChecks.create({ to, code: delivered.code }),
    );
    expect(again).toMatchObject({ status: 404, code: 20404 });
    expectConformance();
  });

  it("after five wrong checks the next check answers 60202, even with the right code", async () => {
    const service = await newService();
    const to = "+14155550102";
    const v = await client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" });
    const { code } = await codeFor(to);
    const wrongCode = code === "999999" ? "888888" : "999999";
    for (let i = 0; i < 5; i++) {
      const check = await client.verify.v2
        .services(service.sid)
        .verificationChecks.create({ verificationSid: v.sid, code: wrongCode });
      expect(check.status).toBe("pending");
    }
    const locked = await twilioError(
      client.verify.v2.services(service.sid).verificationChecks.create({ to, code }),
    );
    expect(locked).toMatchObject({ status: 429, code: 60202 });
    expect((await codeFor(to)).status).toBe("max_attempts_reached");
    expectConformance();
  });

  it("starting again while pending resends within the same verification, up to five sends (60203)", async () => {
    const service = await newService();
    const to = "+14155550103";
    const first = await client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" });
    let last = first;
    for (let i = 0; i < 4; i++)
      last = await client.verify.v2
        .services(service.sid)
        .verifications.create({ to, channel: i === 3 ? "call" : "sms" });
    expect(last.sid).toBe(first.sid);
    expect(last.sendCodeAttempts.map((a: any) => a.channel)).toEqual(["SMS", "SMS", "SMS", "SMS", "CALL"]);
    expect(new Set(last.sendCodeAttempts.map((a: any) => a.attempt_sid)).size).toBe(5);
    const sixth = await twilioError(
      client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" }),
    );
    expect(sixth).toMatchObject({ status: 429, code: 60203 });
    expectConformance();
  });

  it("a verification expires after ten minutes of emulated time", async () => {
    const service = await newService();
    const to = "+14155550104";
    await client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" });
    const { code } = await codeFor(to);
    await em.advance(9 * 60);
    expect((await codeFor(to)).status).toBe("pending");
    await em.advance(61);
    expect((await codeFor(to)).status).toBe("expired");
    const late = await twilioError(
      client.verify.v2.services(service.sid).verificationChecks.create({ to, code }),
    );
    expect(late).toMatchObject({ status: 404, code: 20404 });
    expectConformance();
  });

  it("SMS to a landline is refused with 60205 while a voice call to it is accepted", async () => {
    const service = await newService();
    const to = "+14155550105";
    await em.control("PUT", `carriers/${encodeURIComponent(to)}`, {
      line_type: "landline",
      carrier: "AT&T Local",
    });
    const sms = await twilioError(
      client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" }),
    );
    expect(sms).toMatchObject({ status: 403, code: 60205 });
    const call = await client.verify.v2.services(service.sid).verifications.create({ to, channel: "call" });
    expect(call.status).toBe("pending");
    expectConformance();
  });

  it("a channel switched off for a service answers 60223; an invalid To answers 60200", async () => {
    const service = await newService();
    const switched = await em.control("PUT", `verify/services/${service.sid}/channels`, { whatsapp: false });
    expect(switched.channels).toMatchObject({ sms: true, whatsapp: false });
    const off = await twilioError(
      client.verify.v2
        .services(service.sid)
        .verifications.create({ to: "+14155550106", channel: "whatsapp" }),
    );
    expect(off).toMatchObject({ status: 400, code: 60223 });
    const bad = await twilioError(
      client.verify.v2.services(service.sid).verifications.create({ to: "555-0106", channel: "sms" }),
    );
    expect(bad).toMatchObject({ status: 400, code: 60200 });
    const email = await client.verify.v2
      .services(service.sid)
      .verifications.create({ to: "jane@example.com", channel: "email" });
    expect(email.sendCodeAttempts[0].channel).toBe("EMAIL");
  });

  it("more than five new verifications for one number in ten minutes answer 20429 with Retry-After", async () => {
    const to = "+14155550107";
    for (let i = 0; i < 5; i++) {
      const s = await newService(`Tenant ${i}`);
      await client.verify.v2.services(s.sid).verifications.create({ to, channel: "sms" });
    }
    const sixth = await newService("Tenant six");
    const res = await fetch(`${em.url}/verify/v2/Services/${sixth.sid}/Verifications`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${em.emulator.parent.sid}:${em.emulator.parent.authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: to, Channel: "sms" }).toString(),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { code: number }).code).toBe(20429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.headers.get("twilio-reached-rate-limit")).toBeTruthy();
  });

  it("a service keeps its settings: custom code length, custom codes, update, cancel and delete", async () => {
    const service = await newService("Acme", { codeLength: 8, customCodeEnabled: true });
    expect(service).toMatchObject({ codeLength: 8, customCodeEnabled: true, friendlyName: "Acme" });
    const renamed = await client.verify.v2.services(service.sid).update({ friendlyName: "Acme Login" });
    expect(renamed.friendlyName).toBe("Acme Login");
    const listed = await client.verify.v2.services.list();
    expect(listed.map((s) => s.sid)).toContain(service.sid);

    const to = "+14155550108";
    const v = await client.verify.v2.services(service.sid).verifications.create({ to, channel: "sms" });
    expect((await codeFor(to)).code).toMatch(/^\d{8}$/);
    const canceled = await client.verify.v2
      .services(service.sid)
      .verifications(v.sid)
      .update({ status: "canceled" });
    expect(canceled.status).toBe("canceled");
    const custom = await client.verify.v2
      .services(service.sid)
      .verifications.create({ to, channel: "sms", customCode: "4321" });
    const ok = await client.verify.v2.services(service.sid).verificationChecks.create({ to, code: "4321" });
    expect(ok).toMatchObject({ status: "approved", sid: custom.sid });

    const tooLong = await twilioError(newService("A name that is far too long for Verify"));
    expect(tooLong).toMatchObject({ status: 400, code: 60200 });
    await client.verify.v2.services(service.sid).remove();
    expect((await twilioError(client.verify.v2.services(service.sid).fetch())).code).toBe(20404);
    expectConformance();
  });
});

describe("Verify rules", () => {
  const v = (attempts: number, sends = 1, created = 0) =>
    ({
      status: "pending",
      check_attempts: attempts,
      code: "123456",
      send_code_attempts: Array.from({ length: sends }, () => ({})),
      date_created: created,
    }) as any;

  it.each([
    [0, "123456", "approved"],
    [0, "000000", "wrong"],
    [4, "123456", "approved"],
    [5, "123456", "locked"],
  ])("a check after %i wrong attempts with code %s is %s", (attempts, code, outcome) => {
    expect(decideCheck(v(attempts), code)).toBe(outcome);
  });

  it.each([
    ["a pending verification with 4 sends", v(0, 4), [], "resend"],
    ["a pending verification with 5 sends", v(0, 5), [], "refuse"],
    ["no pending, 4 recent for the number", undefined, [v(0), v(0), v(0), v(0)], "new"],
    ["no pending, 5 recent for the number", undefined, [v(0), v(0), v(0), v(0), v(0)], "refuse"],
    [
      "no pending, 5 older than ten minutes",
      undefined,
      Array.from({ length: 5 }, () => v(0, 1, -700_000)),
      "new",
    ],
  ])("starting with %s: %s", (_label, pending, recent, kind) => {
    expect(decideSend(pending, recent as any, 0).kind).toBe(kind);
  });
});
