import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { messagingOf } from "../../src/messaging/module.js";
import { driveUntil, readyToSend, sentToAtTwilio } from "../../src/messaging/testing.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  ({ key } = await readyToSend(stack));
  const options = messagingOf(stack.services).options;
  options.policy.random = () => 0.5;
  options.sendTimeoutMs = 300;
}, 120_000);
afterAll(() => stack?.close());
afterEach(() => stack.emulator.control("DELETE", "faults"));

let n = 0;
const recipient = () => `+1415610${String(1000 + n++).padStart(4, "0")}`;

const send = async (to: string, body = "Your code is 1234") => {
  const res = await stack.api("POST", "/v1/messages", { token: key, body: { to, body } });
  expect(res.status).toBe(202);
  return res.body.id as string;
};
const message = async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: key })).body;
const statusIs = (id: string, status: string) => async () => {
  const m = await message(id);
  return m.status === status && m;
};
const messagesPath = { path: "/Messages.json", method: "POST" };

describe("dispatching through Twilio's failures", () => {
  it("retries through a 429 storm with backoff, then delivers each message exactly once", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 429,
      count: 6,
      ...messagesPath,
    });
    const tos = [recipient(), recipient(), recipient()];
    const ids = [];
    for (const to of tos) ids.push(await send(to));
    for (const id of ids) await driveUntil(stack, `${id} delivered`, statusIs(id, "delivered"));
    for (const to of tos) expect(await sentToAtTwilio(stack, to)).toHaveLength(1);
    const retried = await Promise.all(ids.map(message));
    expect(retried.reduce((sum, m) => sum + m.attempts, 0)).toBe(3 + 6);
    const retries = retried.flatMap((m) =>
      m.events.filter((e: any) => e.type === "attempt" && e.name === "retry"),
    );
    expect(retries).toHaveLength(6);
    expect(retries[0].data).toMatchObject({ twilio_code: 20429 });
  });

  it("reconciles a 5xx before retrying: Twilio never had it, so it is sent once", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 500,
      count: 1,
      ...messagesPath,
    });
    const to = recipient();
    const id = await send(to);
    const m = await driveUntil(stack, "delivered", statusIs(id, "delivered"), { stepMs: 5_000 });
    const notes = m.events.map((e: any) => `${e.type}:${e.name}`);
    expect(notes).toEqual(
      expect.arrayContaining(["attempt:ambiguous", "note:reconciled_absent", "attempt:retry"]),
    );
    expect(await sentToAtTwilio(stack, to)).toHaveLength(1);
  });

  it("adopts a message whose create answer timed out, from the marked status callback, without resending", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "hang_after",
      latency_ms: 2_000,
      count: 1,
      ...messagesPath,
    });
    const to = recipient();
    const id = await send(to);
    const m = await driveUntil(stack, "delivered", statusIs(id, "delivered"), { stepMs: 5_000 });
    expect(m.events.some((e: any) => e.type === "note" && e.name === "adopted_from_callback")).toBe(true);
    expect(m.attempts).toBe(1);
    expect(await sentToAtTwilio(stack, to)).toHaveLength(1);
  });

  it("finds a timed-out message by listing Twilio's messages when no callback comes, and never resends it", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "hang_after",
      latency_ms: 2_000,
      count: 1,
      ...messagesPath,
    });
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const to = recipient();
    const id = await send(to, "A body only this message has");
    const m = await driveUntil(
      stack,
      "reconciled",
      async () => {
        const v = await message(id);
        return v.events.some((e: any) => e.name === "reconciled_found") && v;
      },
      { stepMs: 5_000 },
    );
    expect(m.twilio_sid).toMatch(/^SM/);
    expect(m.attempts).toBe(1);
    await stack.emulator.control("DELETE", "faults");
    // Its callbacks were lost: the reconciliation job asks Twilio for the final status.
    await driveUntil(stack, "delivered", statusIs(id, "delivered"), { stepMs: 60_000 });
    expect(await sentToAtTwilio(stack, to)).toHaveLength(1);
  });

  it("fails a message Twilio refuses for good, with its code and a plain explanation, without retrying", async () => {
    const id = await send("+15005550009");
    const m = await driveUntil(stack, "failed", statusIs(id, "failed"));
    expect(m.attempts).toBe(1);
    expect(m.error).toMatchObject({ twilio_code: 21614 });
    expect(m.error.explanation).toMatch(/cannot receive text messages/);
  });

  it("fails a message the carrier rejects, from the status callback, with the explanation", async () => {
    const to = recipient();
    await stack.emulator.control("PUT", `carriers/${encodeURIComponent(to)}`, {
      outcome: "undelivered",
      error_code: 30007,
    });
    const id = await send(to);
    const m = await driveUntil(stack, "undelivered", statusIs(id, "undelivered"));
    expect(m.error).toMatchObject({ twilio_code: 30007 });
    expect(m.error.explanation).toMatch(/filtered/);
  });

  it("records the opt-out when Twilio answers 21610, and refuses the next send itself", async () => {
    const to = "+15005550004";
    const id = await send(to);
    const m = await driveUntil(stack, "failed", statusIs(id, "failed"));
    expect(m.error.twilio_code).toBe(21610);
    const list = await stack.api("GET", `/v1/opt-outs?phone=${encodeURIComponent(to)}`, { token: key });
    expect(list.body.data).toEqual([expect.objectContaining({ phone: to, source: "twilio_21610" })]);
    const again = await stack.api("POST", "/v1/messages", { token: key, body: { to, body: "again" } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "recipient_opted_out", twilio_code: 21610 });
  });
});
