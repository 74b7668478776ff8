import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagingOf } from "../../src/messaging/module.js";
import { dispatchAll, driveUntil, readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let key: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  ({ key } = await readyToSend(stack));
}, 120_000);
afterAll(() => stack?.close());

const message = async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: key })).body;
const send = async (to: string, body = "Reminder: your appointment is tomorrow") =>
  (await stack.api("POST", "/v1/messages", { token: key, body: { to, body } })).body.id as string;

/** Moves our clock forward to the next instant that is hh:00 in the zone. */
function moveToLocalHour(timeZone: string, hour: number) {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hour: "2-digit", hourCycle: "h23" });
  const start = Math.ceil(stack.clock.now().getTime() / 3_600_000) * 3_600_000;
  for (let t = start; ; t += 3_600_000) {
    if (Number(format.format(new Date(t))) === hour) return stack.clock.set(new Date(t));
  }
}

describe("quiet hours", () => {
  it("holds a message until quiet hours end in the recipient's time zone, and sends others", async () => {
    const set = await stack.api("PATCH", "/v1/messaging/settings", {
      token: key,
      body: { quiet_hours: { start: "21:00", end: "08:00" } },
    });
    expect(set.status).toBe(200);
    moveToLocalHour("America/New_York", 23); // 20:00 in Los Angeles
    const newYork = await send("+12125550143");
    const losAngeles = await send("+13105550143");
    await dispatchAll(stack);
    const held = await message(newYork);
    expect(held.status).toBe("queued");
    expect(held.held.reason).toBe("quiet_hours");
    const resumes = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    expect(resumes.format(new Date(held.held.until))).toBe("08:00");
    expect((await message(losAngeles)).status).not.toBe("queued");

    stack.clock.set(new Date(new Date(held.held.until).getTime() + 1_000));
    await driveUntil(stack, "sent", async () => (await message(newYork)).status !== "queued");
    await stack.api("PATCH", "/v1/messaging/settings", { token: key, body: { quiet_hours: null } });
  });

  it("refuses quiet hours that are not HH:MM", async () => {
    const res = await stack.api("PATCH", "/v1/messaging/settings", {
      token: key,
      body: { quiet_hours: { start: "9pm", end: "08:00" } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("invalid_quiet_hours");
  });
});

describe("retention", () => {
  it("redacts bodies of finished messages after the tenant's retention days, keeping the rest", async () => {
    await stack.api("PATCH", "/v1/messaging/settings", { token: key, body: { retention_days: 2 } });
    const id = await send("+14155550177", "Your code is 424242");
    await driveUntil(stack, "delivered", async () => (await message(id)).status === "delivered");
    await messagingOf(stack.services).ensureRecurringJobs();
    await stack.jobs.runDue();
    expect((await message(id)).body).toBe("Your code is 424242");

    stack.clock.advance(3 * 86_400_000);
    await stack.jobs.runDue();
    const redacted = await message(id);
    expect(redacted).toMatchObject({
      body: null,
      body_redacted: true,
      status: "delivered",
      to: "+14155550177",
      segments: 1,
    });
    expect(redacted.events.length).toBeGreaterThan(1);
    // The events about it (webhook payloads, replays) no longer hold the body either.
    const events = await stack.api("GET", "/v1/events?limit=100", { token: key });
    const about = events.body.data.filter((e: any) => e.data.message?.id === id);
    expect(about.map((e: any) => e.type)).toEqual(
      expect.arrayContaining(["message.queued", "message.delivered"]),
    );
    for (const e of about) expect(e.data.message).toMatchObject({ body: null, body_redacted: true });
    expect(JSON.stringify(events.body)).not.toContain("424242");
  });
});
