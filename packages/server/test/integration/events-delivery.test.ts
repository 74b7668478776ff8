import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emitEvent, emitEvents } from "../../src/events/emit.js";
import { RETRY_DELAYS_MS } from "../../src/events/schedule.js";
import { sendWebhook } from "../../src/events/sender.js";
import { type Receiver, startReceiver } from "./events-receiver.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});
beforeEach(() => {
  receiver.reset();
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

async function tenantWithEndpoint(path: string, body: Record<string, unknown> = {}) {
  const t = await stack.newTenant();
  const res = await stack.api("POST", "/v1/webhook-endpoints", {
    token: t.key,
    body: { url: `${receiver.url}${path}`, ...body },
  });
  expect(res.status).toBe(201);
  return { ...t, endpoint: res.body, secret: res.body.secret as string };
}

function emit(
  tenantId: string,
  type: "message.sent" | "message.delivered" | "message.failed",
  data: object,
  orderingKey?: string,
) {
  return stack.db.tx((tx) =>
    emitEvent(tx, { tenantId, type, data: data as Record<string, unknown>, orderingKey }),
  );
}

async function deliveries(key: string, endpointId: string) {
  const res = await stack.api("GET", `/v1/webhook-endpoints/${endpointId}/deliveries`, { token: key });
  expect(res.status).toBe(200);
  return res.body.data as any[];
}

describe("outbound webhooks", () => {
  it("delivers an event to a subscribed endpoint, signed with the endpoint's secret", async () => {
    const t = await tenantWithEndpoint("/signed");
    expect(t.secret).toMatch(/^whsec_/);
    const { id } = await emit(t.tenant.id, "message.delivered", { message_id: "msg_1", to: "+14155550100" });

    await stack.jobs.runDue();

    const [got] = receiver.at("/signed");
    expect(got.headers["webhook-id"]).toBe(id);
    expect(receiver.verify(got, t.secret)).toEqual({
      id,
      type: "message.delivered",
      created_at: expect.any(String),
      tenant_id: t.tenant.id,
      data: { message_id: "msg_1", to: "+14155550100" },
    });
    expect(() => receiver.verify(got, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toThrow(/signature/i);
    const [log] = await deliveries(t.key, t.endpoint.id);
    expect(log).toMatchObject({ event_id: id, status: "succeeded", attempts: 1, last_status_code: 200 });
    expect(log.attempt_log).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 200, latency_ms: expect.any(Number) }),
    ]);
  });

  it("retries a failing endpoint on the backoff schedule until it answers 2xx", async () => {
    const t = await tenantWithEndpoint("/flaky");
    receiver.script(500, 503);
    await emit(t.tenant.id, "message.sent", { message_id: "msg_2" });

    await stack.jobs.runDue();
    let [log] = await deliveries(t.key, t.endpoint.id);
    expect(log).toMatchObject({ status: "retrying", attempts: 1, last_status_code: 500 });
    const wait = Date.parse(log.next_attempt_at) - stack.clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0] * 0.9);
    expect(wait).toBeLessThanOrEqual(RETRY_DELAYS_MS[0] * 1.1);

    stack.clock.advance(RETRY_DELAYS_MS[0] * 0.85);
    await stack.jobs.runDue();
    expect(receiver.at("/flaky")).toHaveLength(1);

    stack.clock.advance(RETRY_DELAYS_MS[0] * 0.3);
    await stack.jobs.runDue();
    [log] = await deliveries(t.key, t.endpoint.id);
    expect(log).toMatchObject({ status: "retrying", attempts: 2, last_status_code: 503 });
    expect(Date.parse(log.next_attempt_at) - stack.clock.now().getTime()).toBeGreaterThanOrEqual(
      RETRY_DELAYS_MS[1] * 0.9,
    );

    stack.clock.advance(RETRY_DELAYS_MS[1] * 1.1);
    await stack.jobs.runDue();
    [log] = await deliveries(t.key, t.endpoint.id);
    expect(log).toMatchObject({ status: "succeeded", attempts: 3, next_attempt_at: null });
    expect(log.attempt_log.map((a: any) => a.status_code)).toEqual([500, 503, 200]);
    const ids = receiver.at("/flaky").map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(1);
  });

  it("holds later events with the same ordering key while an earlier one retries, and lets other keys pass", async () => {
    const t = await tenantWithEndpoint("/ordered");
    receiver.script(500);
    await emit(t.tenant.id, "message.sent", { n: 1 }, "msg_A");
    await emit(t.tenant.id, "message.delivered", { n: 2 }, "msg_A");
    await emit(t.tenant.id, "message.sent", { n: 3 }, "msg_B");

    await stack.jobs.runDue();
    expect(receiver.at("/ordered").map((r) => [r.json.data.n, r.status])).toEqual([
      [1, 500],
      [3, 200],
    ]);
    const log = await deliveries(t.key, t.endpoint.id);
    const first = log.find((d) => d.ordering_key === "msg_A" && d.event_type === "message.sent");
    const second = log.find((d) => d.ordering_key === "msg_A" && d.event_type === "message.delivered");
    expect(second).toMatchObject({ status: "pending", attempts: 0, waiting_for: first.id });

    stack.clock.advance(RETRY_DELAYS_MS[0] * 1.1);
    await stack.jobs.runDue();
    expect(receiver.at("/ordered").map((r) => [r.json.data.n, r.status])).toEqual([
      [1, 500],
      [3, 200],
      [1, 200],
      [2, 200],
    ]);
  });

  it("records a batch of events in one go, delivered as if emitted one by one", async () => {
    const t = await tenantWithEndpoint("/batch", { event_types: ["message.queued", "message.sent"] });
    const other = await stack.newTenant();
    receiver.script(500);
    const emitted = await stack.db.tx((tx) =>
      emitEvents(tx, [
        { tenantId: t.tenant.id, type: "message.queued", data: { n: 1 }, orderingKey: "msg_X" },
        { tenantId: other.tenant.id, type: "message.queued", data: { n: 2 }, orderingKey: "msg_Y" },
        { tenantId: t.tenant.id, type: "message.delivered", data: { n: 3 }, orderingKey: "msg_X" },
        { tenantId: t.tenant.id, type: "message.sent", data: { n: 4 }, orderingKey: "msg_X" },
      ]),
    );
    expect(emitted).toHaveLength(4);
    const listed = await stack.api("GET", "/v1/events", { token: t.key });
    expect(listed.body.data.map((e: any) => e.id)).toEqual([emitted[3].id, emitted[2].id, emitted[0].id]);

    await stack.jobs.runDue();
    stack.clock.advance(RETRY_DELAYS_MS[0] * 1.1);
    await stack.jobs.runDue();
    expect(receiver.at("/batch").map((r) => [r.json.data.n, r.status])).toEqual([
      [1, 500],
      [1, 200],
      [4, 200],
    ]);
  });

  it("sends an endpoint only the event types it subscribes to, and follows changed filters", async () => {
    const t = await tenantWithEndpoint("/filtered", { event_types: ["message.delivered"] });
    await emit(t.tenant.id, "message.sent", { n: 1 });
    await emit(t.tenant.id, "message.delivered", { n: 2 });
    await stack.jobs.runDue();
    expect(receiver.at("/filtered").map((r) => r.json.type)).toEqual(["message.delivered"]);

    const patched = await stack.api("PATCH", `/v1/webhook-endpoints/${t.endpoint.id}`, {
      token: t.key,
      body: { event_types: null },
    });
    expect(patched.body.event_types).toBeNull();
    await emit(t.tenant.id, "message.sent", { n: 3 });
    await stack.jobs.runDue();
    expect(receiver.at("/filtered").map((r) => r.json.data.n)).toEqual([2, 3]);
  });

  it("replays an event to every subscribed endpoint or to one, with the same webhook-id", async () => {
    const t = await tenantWithEndpoint("/replay-1");
    const second = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: `${receiver.url}/replay-2` },
    });
    const { id } = await emit(t.tenant.id, "message.failed", { message_id: "msg_3" });
    await stack.jobs.runDue();

    const all = await stack.api("POST", `/v1/events/${id}/replay`, { token: t.key });
    expect(all.status).toBe(202);
    expect(all.body.deliveries).toHaveLength(2);
    const one = await stack.api("POST", `/v1/events/${id}/replay`, {
      token: t.key,
      body: { endpoint_id: second.body.id },
    });
    expect(one.body.deliveries).toHaveLength(1);
    await stack.jobs.runDue();

    expect(receiver.at("/replay-1").map((r) => r.headers["webhook-id"])).toEqual([id, id]);
    expect(receiver.at("/replay-2").map((r) => r.headers["webhook-id"])).toEqual([id, id, id]);
    const event = await stack.api("GET", `/v1/events/${id}`, { token: t.key });
    expect(event.body.deliveries.filter((d: any) => d.replay)).toHaveLength(3);
    expect(event.body.deliveries.every((d: any) => d.status === "succeeded")).toBe(true);
  });

  it("keeps signing with the previous secret for a day after a rotation", async () => {
    const t = await tenantWithEndpoint("/rotated");
    const rotated = await stack.api("PATCH", `/v1/webhook-endpoints/${t.endpoint.id}`, {
      token: t.key,
      body: { rotate_secret: true },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(t.secret);
    expect(rotated.body.secret_rotation_ends_at).not.toBeNull();

    await emit(t.tenant.id, "message.sent", { n: 1 });
    await stack.jobs.runDue();
    stack.clock.advance(25 * HOUR);
    await emit(t.tenant.id, "message.sent", { n: 2 });
    await stack.jobs.runDue();

    const [during, after] = receiver.at("/rotated");
    expect(receiver.verify(during, t.secret)).toBeTruthy();
    expect(receiver.verify(during, rotated.body.secret)).toBeTruthy();
    expect(receiver.verify(after, rotated.body.secret)).toBeTruthy();
    expect(() => receiver.verify(after, t.secret)).toThrow();
  });

  it("disables an endpoint that fails for over a day and tells the tenant's other endpoints", async () => {
    const t = await tenantWithEndpoint("/dead", { event_types: ["message.sent"] });
    const watcher = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: `${receiver.url}/watcher`, event_types: ["endpoint.disabled"] },
    });
    receiver.script(...Array(20).fill(500));
    await emit(t.tenant.id, "message.sent", { message_id: "msg_4" });

    await stack.jobs.runDue();
    for (const delay of RETRY_DELAYS_MS) {
      stack.clock.advance(delay * 1.1);
      await stack.jobs.runDue();
    }

    expect(receiver.at("/dead")).toHaveLength(RETRY_DELAYS_MS.length + 1);
    const endpoint = await stack.api("GET", `/v1/webhook-endpoints/${t.endpoint.id}`, { token: t.key });
    expect(endpoint.body).toMatchObject({
      enabled: false,
      disabled_reason: "failing",
      consecutive_failures: 8,
    });
    const [log] = await deliveries(t.key, t.endpoint.id);
    expect(log).toMatchObject({ status: "failed", attempts: 8 });
    const notices = receiver.at("/watcher");
    expect(notices.map((r) => r.json.type)).toEqual(["endpoint.disabled"]);
    expect(notices[0].json.data).toMatchObject({ endpoint_id: t.endpoint.id, reason: "failing" });
    expect(watcher.body.enabled).toBe(true);

    await emit(t.tenant.id, "message.sent", { message_id: "msg_5" });
    await stack.jobs.runDue();
    expect(receiver.at("/dead")).toHaveLength(RETRY_DELAYS_MS.length + 1);

    const revived = await stack.api("PATCH", `/v1/webhook-endpoints/${t.endpoint.id}`, {
      token: t.key,
      body: { enabled: true },
    });
    expect(revived.body).toMatchObject({ enabled: true, disabled_reason: null, consecutive_failures: 0 });
  });
});

describe("one delivery attempt", () => {
  const attempt = (url: string, options: Partial<Parameters<typeof sendWebhook>[0]> = {}) =>
    sendWebhook({
      url,
      messageId: "evt_test",
      body: "{}",
      secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      timestamp: new Date(),
      userAgent: "test",
      policy: { allowPrivate: true, ownPorts: [] },
      ...options,
    });

  it("counts an answer slower than the timeout as a failure", async () => {
    const slow = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = slow.address() as AddressInfo;
      const result = await attempt(`http://127.0.0.1:${port}/`, { timeoutMs: 200 });
      expect(result).toMatchObject({ ok: false, statusCode: null, error: "no answer within 0.2 s" });
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("counts a redirect as a failure instead of following it", async () => {
    receiver.script(302);
    expect(await attempt(`${receiver.url}/moved`)).toMatchObject({
      ok: false,
      statusCode: 302,
      error: "HTTP 302",
    });
  });

  it("refuses, at connect time, a name that resolves to a private address when private targets are not allowed", async () => {
    const live = { policy: { allowPrivate: false, ownPorts: [] } };
    const result = await attempt(receiver.url.replace("127.0.0.1", "localhost"), live);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^refused: localhost \((127\.0\.0\.1|::1)\) is a loopback/);
    const literal = await attempt(receiver.url, live);
    expect(literal.error).toMatch(/^refused: 127\.0\.0\.1 is a loopback, private or reserved address/);
    expect(receiver.received).toHaveLength(0);
  });
});
