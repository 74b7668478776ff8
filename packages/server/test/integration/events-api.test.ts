import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitEvent } from "../../src/events/emit.js";
import {
  MAX_ATTEMPTS,
  RETRY_DELAYS_MS,
  nextRetryDelay,
  shouldDisableEndpoint,
} from "../../src/events/schedule.js";
import { checkUrl, isNonPublicAddress } from "../../src/events/url-policy.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
});
afterAll(() => stack?.close());

describe("webhook endpoints and events are tenant-scoped", () => {
  it("answers 404 when a tenant asks for another tenant's endpoints, deliveries or events", async () => {
    const a = await stack.newTenant();
    const b = await stack.newTenant();
    const endpoint = await stack.api("POST", "/v1/webhook-endpoints", {
      token: b.key,
      body: { url: "https://example.com/hooks" },
    });
    expect(endpoint.status).toBe(201);
    const event = await stack.db.tx((tx) =>
      emitEvent(tx, { tenantId: b.tenant.id, type: "message.sent", data: { message_id: "msg_b" } }),
    );

    for (const [method, path] of [
      ["GET", `/v1/webhook-endpoints/${endpoint.body.id}`],
      ["PATCH", `/v1/webhook-endpoints/${endpoint.body.id}`],
      ["DELETE", `/v1/webhook-endpoints/${endpoint.body.id}`],
      ["GET", `/v1/webhook-endpoints/${endpoint.body.id}/deliveries`],
      ["GET", `/v1/events/${event.id}`],
      ["POST", `/v1/events/${event.id}/replay`],
      ["GET", `/v1/events?tenant_id=${b.tenant.id}`],
    ] as const) {
      const res = await stack.api(method, path, {
        token: a.key,
        body: method === "PATCH" ? { enabled: false } : undefined,
      });
      expect({ path, method, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        method,
        status: 404,
        code: "not_found",
      });
    }
    expect((await stack.api("GET", "/v1/webhook-endpoints", { token: a.key })).body.data).toEqual([]);
    expect((await stack.api("GET", "/v1/events", { token: a.key })).body.data).toEqual([]);

    const own = await stack.api("GET", "/v1/events", { token: b.key });
    expect(own.body.data.map((e: any) => e.id)).toEqual([event.id]);
    const admin = await stack.api("GET", `/v1/events?tenant_id=${b.tenant.id}`);
    expect(admin.body.data.map((e: any) => e.id)).toEqual([event.id]);
    expect(
      (await stack.api("GET", `/v1/webhook-endpoints/${endpoint.body.id}`, { token: b.key })).status,
    ).toBe(200);
  });

  it("lists a tenant's events newest first, by type, after a time, page by page", async () => {
    const t = await stack.newTenant();
    const ids: string[] = [];
    for (const type of ["message.sent", "message.delivered", "message.sent"] as const) {
      ids.push((await stack.db.tx((tx) => emitEvent(tx, { tenantId: t.tenant.id, type, data: {} }))).id);
    }
    const first = await stack.api("GET", "/v1/events?limit=2", { token: t.key });
    expect(first.body).toMatchObject({ has_more: true, next_cursor: ids[1] });
    expect(first.body.data.map((e: any) => e.id)).toEqual([ids[2], ids[1]]);
    const rest = await stack.api("GET", `/v1/events?limit=2&cursor=${first.body.next_cursor}`, {
      token: t.key,
    });
    expect(rest.body.data.map((e: any) => e.id)).toEqual([ids[0]]);
    const sent = await stack.api("GET", "/v1/events?type=message.sent", { token: t.key });
    expect(sent.body.data.map((e: any) => e.id)).toEqual([ids[2], ids[0]]);
    const later = await stack.api(
      "GET",
      `/v1/events?after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      {
        token: t.key,
      },
    );
    expect(later.body.data).toEqual([]);
  });

  it("deletes an endpoint: it is gone from the API and receives nothing more", async () => {
    const t = await stack.newTenant();
    const endpoint = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: "https://example.com/x" },
    });
    expect(
      (await stack.api("DELETE", `/v1/webhook-endpoints/${endpoint.body.id}`, { token: t.key })).status,
    ).toBe(204);
    expect(
      (await stack.api("GET", `/v1/webhook-endpoints/${endpoint.body.id}`, { token: t.key })).status,
    ).toBe(404);
    const event = await stack.db.tx((tx) =>
      emitEvent(tx, { tenantId: t.tenant.id, type: "message.sent", data: {} }),
    );
    expect((await stack.api("GET", `/v1/events/${event.id}`, { token: t.key })).body.deliveries).toEqual([]);
  });
});

describe("bad webhook input is refused with stable codes", () => {
  it.each([
    ["ftp://example.com/hooks", "unsupported_scheme"],
    ["javascript:alert(1)", "unsupported_scheme"],
    ["not a url", "malformed_url"],
    ["https://user:pass@example.com/", "credentials_in_url"],
  ])("refuses %s (%s)", async (url, code) => {
    const t = await stack.newTenant();
    const res = await stack.api("POST", "/v1/webhook-endpoints", { token: t.key, body: { url } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "invalid_webhook_url", details: [{ path: "/url", code }] });
  });

  it("refuses unknown event types when subscribing and when listing", async () => {
    const t = await stack.newTenant();
    const res = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: "https://example.com/hooks", event_types: ["message.sent", "message.teleported"] },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: "unknown_event_type",
      details: [{ path: "/event_types", code: "unknown_event_type" }],
    });
    const list = await stack.api("GET", "/v1/events?type=nope", { token: t.key });
    expect(list.status).toBe(422);
    expect(list.body.error.code).toBe("unknown_event_type");
  });

  it("refuses unknown fields and wrong types as malformed (400)", async () => {
    const t = await stack.newTenant();
    const extra = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: "https://example.com/hooks", secret: "mine" },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe("invalid_request");
    const wrong = await stack.api("POST", "/v1/webhook-endpoints", { token: t.key, body: { url: 42 } });
    expect(wrong.status).toBe(400);
  });

  it("asks the admin token which tenant an endpoint is for", async () => {
    const res = await stack.api("POST", "/v1/webhook-endpoints", {
      body: { url: "https://example.com/hooks" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("tenant_required");
  });
});

describe("webhooks cannot be aimed at internal addresses in production", () => {
  let live: Stack;
  beforeAll(async () => {
    live = await startStack({ workers: "manual", env: { SUBTEXT_ALLOW_PRIVATE_WEBHOOKS: "false" } });
  });
  afterAll(() => live?.close());

  it.each([
    ["http://127.0.0.1:8080/hook", "private_address"],
    ["http://localhost/hook", "private_address"],
    ["http://169.254.169.254/latest/meta-data", "link_local_address"],
    ["http://10.1.2.3/", "private_address"],
    ["http://[::1]/", "private_address"],
    ["http://[::ffff:192.168.0.1]/", "embedded_ipv4_address"],
  ])("refuses %s (%s)", async (url, code) => {
    const t = await live.newTenant();
    const res = await live.api("POST", "/v1/webhook-endpoints", { token: t.key, body: { url } });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].code).toBe(code);
  });
});

describe("delivery rules", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.0.0.8", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["8.8.8.8", false],
    ["::1", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["2606:4700:4700::1111", false],
    ["example.com", false],
  ])("%s is non-public: %s", (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });

  it("allows private addresses only when told to", () => {
    const policy = (allowPrivate: boolean) => ({ allowPrivate, ownPorts: [] });
    expect(checkUrl("http://127.0.0.1/x", policy(true))).toBeNull();
    expect(checkUrl("http://127.0.0.1/x", policy(false))?.code).toBe("private_address");
    expect(checkUrl("https://hooks.example.com/x", policy(false))).toBeNull();
  });

  it("retries for more than 24 hours even with the shortest jitter, then stops", () => {
    const shortest = RETRY_DELAYS_MS.map((_, i) => nextRetryDelay(i + 1, () => 0)!);
    const longest = RETRY_DELAYS_MS.map((_, i) => nextRetryDelay(i + 1, () => 0.999999)!);
    expect(shortest.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000);
    expect(shortest[0]).toBe(4_500);
    expect(longest[0]).toBe(5_500);
    expect(nextRetryDelay(MAX_ATTEMPTS, () => 0.5)).toBeNull();
  });

  it.each([
    [8, 25, true],
    [8, 23, false],
    [7, 30, false],
    [0, 0, false],
  ])("%i failures over %i h → disable: %s", (failures, hours, expected) => {
    const now = new Date("2030-01-02T00:00:00Z");
    const failingSince = failures === 0 ? null : new Date(now.getTime() - hours * 3_600_000);
    expect(shouldDisableEndpoint({ consecutiveFailures: failures, failingSince, now })).toBe(expected);
  });
});
