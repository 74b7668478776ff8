/**
 * What the logs say about end users: every line Subtext writes (all levels) while it sends a
 * message, receives one, records and lifts an opt-out and answers searches by number. No full
 * phone number and no message text may appear in any of them; the masked form (see
 * docs/deploy.md) does, so the lines still say which number it was about.
 */
import { twilioSignature } from "subtext-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveUntil, readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

const RECIPIENT = "+14156207311";
const HANDSET = "+14156207322";
const OPTED_OUT = "+14156207333";
const BODY = "Kestrel quartz pumpkin";
const INBOUND_BODY = "Marmalade zeppelin";

const lines: string[] = [];
let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual", logTo: { write: (line: string) => void lines.push(line) } });
  const ready = await readyToSend(stack);
  key = ready.key;
  const ourNumber = ready.profile.senders[0].phoneNumber;

  // Send, and follow it to delivered (dispatch, Twilio's status callbacks).
  const sent = await stack.api("POST", "/v1/messages", { token: key, body: { to: RECIPIENT, body: BODY } });
  expect(sent.status).toBe(202);
  await driveUntil(stack, "delivered", async () => {
    const m = await stack.api("GET", `/v1/messages/${sent.body.id}`, { token: key });
    return m.body.status === "delivered";
  });
  // Receive.
  const inbound = await stack.emulator.control("POST", `handsets/${encodeURIComponent(HANDSET)}/messages`, {
    to: ourNumber,
    body: INBOUND_BODY,
  });
  expect(inbound.webhook.status).toBe(200);
  // An anomalous inbound message (a body over 1,600 characters) is logged, without its text.
  const { accounts } = await stack.emulator.control("GET", "accounts");
  const authToken = accounts.find((a: any) => a.sid === ready.tenant.subaccount_sid).auth_token;
  const url = `${stack.url}/twilio/messages/inbound/${ready.tenant.id}`;
  const params = {
    AccountSid: ready.tenant.subaccount_sid,
    MessageSid: `SM${"7".repeat(32)}`,
    From: HANDSET,
    To: ourNumber,
    Body: `${INBOUND_BODY} ${"x".repeat(2_000)}`,
  };
  const long = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(authToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  expect(long.status).toBe(200);
  // Opt-outs: recorded, read back, refused to send to, lifted (the number in the path too).
  const phone = encodeURIComponent(OPTED_OUT);
  expect((await stack.api("POST", "/v1/opt-outs", { token: key, body: { phone: OPTED_OUT } })).status).toBe(
    201,
  );
  expect((await stack.api("GET", `/v1/opt-outs/${phone}/history`, { token: key })).status).toBe(200);
  const refused = await stack.api("POST", "/v1/messages", {
    token: key,
    body: { to: OPTED_OUT, body: BODY },
  });
  expect(refused.status).toBeGreaterThanOrEqual(400);
  expect((await stack.api("DELETE", `/v1/opt-outs/${phone}`, { token: key })).status).toBeLessThan(300);
  // Searches by number, encoded and not ("+" in a query string is how careless clients send it).
  for (const q of [`to=${encodeURIComponent(RECIPIENT)}`, `to=${RECIPIENT}`, `from=${HANDSET}`]) {
    expect((await stack.api("GET", `/v1/messages?${q}`, { token: key })).status).toBe(200);
  }
  expect((await stack.api("GET", `/v1/opt-outs?phone=${phone}`, { token: key })).status).toBe(200);
  // A number that is not E.164, refused: the refusal is logged, the number is not.
  expect((await stack.api("GET", "/v1/opt-outs/4156207344/history", { token: key })).status).toBe(422);
}, 180_000);
afterAll(() => stack?.close());

const digits = (e164: string) => e164.slice(1);

describe("logs", () => {
  it("were written at all (the capture works), one JSON object a line (masking broke none)", () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    if (process.env.SUBTEXT_TEST_PRINT_LOGS) console.log(lines.join(""));
    expect(lines.some((l) => l.includes('"msg":"incoming request"'))).toBe(true);
  });

  it("carry no full phone number, in any form", () => {
    const leaks: string[] = [];
    for (const phone of [RECIPIENT, HANDSET, OPTED_OUT, "+14156207344"]) {
      for (const form of [phone, encodeURIComponent(phone), digits(phone), digits(phone).slice(1)]) {
        for (const line of lines) if (line.includes(form)) leaks.push(`${form}: ${line.slice(0, 400)}`);
      }
    }
    expect(leaks, leaks.join("\n")).toEqual([]);
  });

  it("show the masked number instead, so a line still says which number it was about", () => {
    const all = lines.join("");
    for (const phone of [RECIPIENT, HANDSET, OPTED_OUT]) {
      expect(all, phone).toContain(`${phone.slice(0, 5)}***${phone.slice(-2)}`);
    }
  });

  it("warn of an anomalous inbound message with its length, not its text", () => {
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.event === "messaging.inbound_anomaly");
    expect(warning).toMatchObject({ level: 40, characters: INBOUND_BODY.length + 2_001 });
  });

  it("carry no message text", () => {
    const leaks = lines.filter((l) => l.includes(BODY) || l.includes(INBOUND_BODY));
    expect(leaks, leaks.join("\n")).toEqual([]);
  });
});
