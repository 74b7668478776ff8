import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { refreshStaleStatuses } from "../../src/messaging/dispatch/reconcile.js";
import { messagingOf } from "../../src/messaging/module.js";
import { dispatchAll, driveUntil, readyToSend, sentToAtTwilio } from "../support/messaging.js";
import { tenantTwilio } from "../../src/tenancy/credentials.js";
import { findTenant } from "../../src/tenancy/tenants.js";
import { withAbortSignal } from "../../src/twilio/gateway.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let key: string;
let tenantId: string;
let ourNumber: string;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const ready = await readyToSend(stack);
  key = ready.key;
  tenantId = ready.tenant.id;
  ourNumber = ready.profile.senders[0].phoneNumber;
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

/**
 * Twilio receives the create but works on it for 3 s (real time) before creating the message,
 * with its status callbacks dropped; we give up after 300 ms, so the attempt is ambiguous.
 */
async function sendLandingLate(body: string) {
  await stack.emulator.control("POST", "faults", {
    kind: "latency",
    latency_ms: 3_000,
    count: 1,
    ...messagesPath,
  });
  await stack.emulator.control("POST", "faults", {
    kind: "drop_callbacks",
    path: "/twilio/messages/status/",
  });
  const { policy } = messagingOf(stack.services).options;
  const to = recipient();
  const id = await send(to, body);
  await dispatchAll(stack);
  return { policy, to, id };
}

/** Moves time until reconciliation has found the message at Twilio (its callbacks are dropped). */
function untilFound(id: string, stepMs: number) {
  return driveUntil(
    stack,
    "reconciled",
    async () => {
      const v = await message(id);
      return v.events.some((e: any) => e.name === "reconciled_found") && v;
    },
    { stepMs },
  );
}

/** Faults off: the stale-status refresh brings the final status, and Twilio holds one message. */
async function deliveredOnce(id: string, to: string) {
  await stack.emulator.control("DELETE", "faults");
  await driveUntil(stack, "delivered", statusIs(id, "delivered"), { stepMs: 60_000 });
  expect(await sentToAtTwilio(stack, to)).toHaveLength(1);
}

/** Waits (real time, bounded) until Twilio has delivered the message to `to`. */
async function deliveredAtTwilio(to: string) {
  for (let i = 0; i < 200 && (await sentToAtTwilio(stack, to))[0]?.status !== "delivered"; i++)
    await new Promise((r) => setTimeout(r, 50));
}

/** Waits (real time, bounded) until the late create has landed at Twilio. */
async function landedAtTwilio(to: string) {
  for (let i = 0; i < 200 && (await sentToAtTwilio(stack, to)).length === 0; i++)
    await new Promise((r) => setTimeout(r, 50));
}

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

  it("learns the sender Twilio chose from Twilio's record when every status callback was lost", async () => {
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const to = recipient();
    const id = await send(to);
    await dispatchAll(stack);
    expect((await message(id)).from).toBeNull();
    // Twilio delivers it (emulated time runs on its own) and we hear nothing, until the sweep's
    // stale-status refresh asks Twilio.
    await deliveredAtTwilio(to);
    const { staleStatusAfterMs } = messagingOf(stack.services).options;
    stack.clock.advance(staleStatusAfterMs + 1_000);
    expect(await refreshStaleStatuses(stack.services, stack.clock.now(), staleStatusAfterMs)).toBeGreaterThan(
      0,
    );
    expect(await message(id)).toMatchObject({ status: "delivered", from: ourNumber });
    const { rows } = await stack.db.query<{ from: string | null }>(
      `SELECT data->'message'->>'from' AS from FROM events WHERE type = 'message.delivered' AND data->'message'->>'id' = $1`,
      [id],
    );
    expect(rows).toEqual([{ from: ourNumber }]);
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
    await dispatchAll(stack);
    // Twilio has picked the sender from the Messaging Service by the time we search.
    for (let i = 0; i < 200 && !(await sentToAtTwilio(stack, to))[0]?.from; i++)
      await new Promise((r) => setTimeout(r, 50));
    const m = await untilFound(id, 5_000);
    expect(m.twilio_sid).toMatch(/^SM/);
    expect(m.attempts).toBe(1);
    // Found by listing, with the sender Twilio's record names.
    expect(m.from).toBe(ourNumber);
    // Its callbacks were lost: the reconciliation job asks Twilio for the final status.
    await deliveredOnce(id, to);
  });

  it("does not resend a create that lands at Twilio after the first search: it searches again past the horizon", async () => {
    // Meanwhile our clock runs past the first reconciliation.
    const { policy, to, id } = await sendLandingLate("A body that lands late");
    stack.clock.advance(policy.reconcileDelayMs + 1_000);
    await stack.jobs.runDue();
    let m = await message(id);
    expect(m.events.map((e: any) => e.name)).toEqual(
      expect.arrayContaining(["ambiguous", "reconcile_waiting"]),
    );
    expect(m.events.some((e: any) => e.name === "reconciled_absent")).toBe(false);
    expect(m.status).toBe("sending");
    expect(await sentToAtTwilio(stack, to)).toHaveLength(0);

    // Now the create lands at Twilio, after our first search found nothing.
    await landedAtTwilio(to);
    expect(await sentToAtTwilio(stack, to)).toHaveLength(1);

    // Its callbacks are still dropped: only the second search can find it.
    m = await untilFound(id, 10_000);
    expect(m.attempts).toBe(1);
    expect(m.twilio_sid).toMatch(/^SM/);
    await deliveredOnce(id, to);
  });

  it("searches twice before resending, even when the reconciliation runs after the horizon", async () => {
    const { policy, to, id } = await sendLandingLate("A body that lands after a late search");
    // The reconciliation job runs late (a backlog): already past the horizon at its first search.
    stack.clock.advance(policy.absentAfterMs + 1_000);
    await stack.jobs.runDue();
    let m = await message(id);
    expect(m.events.map((e: any) => e.name)).toContain("reconcile_waiting");
    expect(m.events.some((e: any) => e.name === "reconciled_absent")).toBe(false);
    await landedAtTwilio(to);
    stack.clock.advance(policy.secondSearchAfterMs);
    await stack.jobs.runDue();
    m = await message(id);
    expect(m.events.some((e: any) => e.name === "reconciled_found")).toBe(true);
    expect(m.attempts).toBe(1);
    await stack.emulator.control("DELETE", "faults");
    expect(await sentToAtTwilio(stack, to)).toHaveLength(1);
  });

  it("aborts a create it gave up on: a request that has not left yet never reaches Twilio", async () => {
    const tenant = (await findTenant(stack.services.db, tenantId))!;
    const client = await tenantTwilio(stack.services, tenant);
    const sender = await stack.services.db.one<{ messaging_service_sid: string }>(
      "SELECT messaging_service_sid FROM messages WHERE tenant_id = $1 AND messaging_service_sid IS NOT NULL LIMIT 1",
      [tenantId],
    );
    const params = { to: recipient(), messagingServiceSid: sender.messaging_service_sid };
    const to = params.to;
    const gaveUp = new AbortController();
    gaveUp.abort();
    await expect(
      withAbortSignal(gaveUp.signal, () => client.messages.create({ ...params, body: "Too late" })),
    ).rejects.toMatchObject({ name: "CanceledError" });
    // The same client, without the signal, still sends: only the aborted request was dropped.
    await client.messages.create({ ...params, body: "On time" });
    const atTwilio = await sentToAtTwilio(stack, to);
    expect(atTwilio.map((m) => m.body)).toEqual(["On time"]);
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
