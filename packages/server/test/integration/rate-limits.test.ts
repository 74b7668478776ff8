/**
 * Rate limits at the door: requests per second per API key, messages per minute per tenant,
 * each the deployment's default or the tenant's own; 429 `rate_limited` with Retry-After and
 * the RateLimit-* headers, nothing stored; windows follow the platform's clock (advanced here);
 * on PostgreSQL, shared by every API process; Twilio's callbacks never limited.
 */
import { randomBytes } from "node:crypto";
import { twilioSignature } from "subtext-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/db/postgres.js";
import { driveUntil, readyToSend } from "../support/messaging.js";
import { createLogger } from "../../src/kernel/logger.js";
import { openRuntime } from "../../src/app/runtime.js";
import { startServer } from "../../src/app/server.js";
import { keyringFromKeys } from "../../src/vault/keyring.js";
import { ENGINE, type Stack, TEST_DATABASE_URL, startStack } from "./harness.js";

const LIMIT = 3;
let stack: Stack;
let a: { tenant: any; key: string };

beforeAll(async () => {
  stack = await startStack({
    workers: "manual",
    env: {
      SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: String(LIMIT),
      SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "1000",
    },
  });
  a = await readyToSend(stack);
});
afterAll(() => stack?.close());

/** A new key for the tenant: a key of its own, so a fresh per-key window. */
async function newKey(tenantId: string): Promise<string> {
  const res = await stack.api("POST", `/v1/tenants/${tenantId}/api-keys`, { body: {} });
  expect(res.status).toBe(201);
  return res.body.key;
}

async function stored(tenantId: string): Promise<number> {
  return (
    await stack.db.one<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE tenant_id = $1", [
      tenantId,
    ])
  ).n;
}

/** Into the next window of every limit (a minute is a whole number of seconds). */
const nextMinute = () => stack.clock.advance(60_000 - (stack.clock.now().getTime() % 60_000));
let n = 0;
const send = (key: string, extra: object = {}) =>
  stack.api("POST", "/v1/messages", {
    token: key,
    body: { to: `+1415740${String(n++).padStart(4, "0")}`, body: "Your order is ready", ...extra },
  });

describe("requests per second per API key", () => {
  it("refuses the request over the limit with 429, Retry-After and RateLimit-* headers, storing nothing", async () => {
    nextMinute();
    const key = await newKey(a.tenant.id);
    for (let i = 1; i <= LIMIT; i++) {
      const res = await stack.api("GET", "/v1/messages?limit=1", { token: key });
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe(String(LIMIT));
      expect(res.headers.get("ratelimit-remaining")).toBe(String(LIMIT - i));
      expect(res.headers.get("ratelimit-reset")).toBe("1");
    }
    const before = await stored(a.tenant.id);
    const refused = await send(key);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "rate_limited",
      message: expect.stringContaining("3 requests"),
    });
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("ratelimit-limit")).toBe(String(LIMIT));
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("ratelimit-reset")).toBe("1");
    expect(await stored(a.tenant.id)).toBe(before);

    // The window follows the platform's clock: a second later the key may send again.
    stack.clock.advance(1_000);
    const next = await send(key);
    expect(next.status).toBe(202);
    expect(await stored(a.tenant.id)).toBe(before + 1);
  });

  it("limits each key on its own: the tenant's other key and another tenant are unaffected", async () => {
    nextMinute();
    const key = await newKey(a.tenant.id);
    const other = await newKey(a.tenant.id);
    const b = await stack.newTenant();
    for (let i = 0; i < LIMIT; i++) await stack.api("GET", "/v1/messages?limit=1", { token: key });
    expect((await stack.api("GET", "/v1/messages?limit=1", { token: key })).status).toBe(429);
    expect((await stack.api("GET", "/v1/messages?limit=1", { token: other })).status).toBe(200);
    expect((await stack.api("GET", `/v1/tenants/${b.tenant.id}`, { token: b.key })).status).toBe(200);
    // The operator's admin token is not limited.
    for (let i = 0; i < LIMIT * 3; i++)
      expect((await stack.api("GET", "/v1/tenants?limit=1")).status).toBe(200);
  });

  it("follows the tenant's own limit, set by the operator on the tenant", async () => {
    nextMinute();
    const key = await newKey(a.tenant.id);
    const set = await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: 5 } },
    });
    expect(set.status).toBe(200);
    expect(set.body.rate_limits).toEqual({ requests_per_second: 5, messages_per_minute: null });
    // The tenant cannot change its own limits.
    const self = await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      token: key,
      body: { rate_limits: { requests_per_second: 0 } },
    });
    expect(self.status).toBe(403);
    // The refused PATCH did not count: authentication refused it before the limit was counted.
    for (let i = 0; i < 5; i++)
      expect((await stack.api("GET", "/v1/messages?limit=1", { token: key })).status).toBe(200);
    const over = await stack.api("GET", "/v1/messages?limit=1", { token: key });
    expect(over.status).toBe(429);
    expect(over.headers.get("ratelimit-limit")).toBe("5");

    // 0 lifts the limit for this tenant; null returns it to the deployment's default.
    await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: 0 } },
    });
    for (let i = 0; i < 10; i++)
      expect((await stack.api("GET", "/v1/messages?limit=1", { token: key })).status).toBe(200);
    const back = await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: null } },
    });
    expect(back.body.rate_limits.requests_per_second).toBeNull();
    stack.clock.advance(1_000);
    for (let i = 0; i < LIMIT; i++) await stack.api("GET", "/v1/messages?limit=1", { token: key });
    expect(
      (await stack.api("GET", "/v1/messages?limit=1", { token: key })).headers.get("ratelimit-limit"),
    ).toBe("3");
  });

  it("admits a concurrent burst that fits the limit, and refuses exactly what is over it", async () => {
    nextMinute();
    const key = await newKey(a.tenant.id);
    const set = await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: 160 } },
    });
    expect(set.status).toBe(200);
    try {
      // All at once, before any process holds a share of the window: on PostgreSQL, each
      // request taking its own share spent the window after sixteen of them.
      const statuses = await Promise.all(
        Array.from({ length: 170 }, () => stack.api("GET", "/v1/messages?limit=1", { token: key })),
      ).then((all) => all.map((r) => r.status));
      expect(statuses.filter((s) => s === 200)).toHaveLength(160);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    } finally {
      await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
        body: { rate_limits: { requests_per_second: null } },
      });
    }
  });

  it("refuses a limit that is not a whole number ≥ 0", async () => {
    const bad = await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: -1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    expect(bad.body.error.details.map((d: any) => d.path)).toEqual(["/rate_limits/requests_per_second"]);
    const tenant = await stack.api("GET", `/v1/tenants/${a.tenant.id}`);
    expect(tenant.body.rate_limits).toEqual({ requests_per_second: null, messages_per_minute: null });
  });
});

describe("messages per minute per tenant", () => {
  it("counts a batch as its messages, refuses what does not fit with 429 and stores nothing", async () => {
    nextMinute();
    // Requests are not what this test limits.
    await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: 0, messages_per_minute: 10 } },
    });
    const key = await newKey(a.tenant.id);
    const batch = (size: number) =>
      stack.api("POST", "/v1/messages/batch", {
        token: key,
        body: {
          messages: Array.from({ length: size }, () => ({
            to: `+1415750${String(n++).padStart(4, "0")}`,
            body: "Sale today",
          })),
        },
      });
    const before = await stored(a.tenant.id);
    expect((await batch(6)).status).toBe(202);
    const refused = await batch(5);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.headers.get("ratelimit-limit")).toBe("10");
    expect(refused.headers.get("ratelimit-remaining")).toBe("4");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-reset")).toBe(refused.headers.get("retry-after"));
    expect(await stored(a.tenant.id)).toBe(before + 6);
    // What fits still goes: a refused batch used none of the minute.
    expect((await batch(4)).status).toBe(202);
    expect((await send(key)).status).toBe(429);
    // The admin token has no request limit, but what it sends for the tenant is the tenant's.
    const byAdmin = await stack.api("POST", "/v1/messages", {
      token: stack.adminToken,
      headers: { "subtext-tenant": a.tenant.id },
      body: { to: "+14157409999", body: "From the operator" },
    });
    expect(byAdmin.status).toBe(429);
    // A batch larger than the whole limit could never pass: a clear 422 instead of a 429.
    const tooBig = await batch(11);
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.code).toBe("batch_over_rate_limit");
    expect(await stored(a.tenant.id)).toBe(before + 10);

    // Another tenant is unaffected; and the next minute the tenant may send again.
    const b = await readyToSend(stack);
    expect((await send(b.key)).status).toBe(202);
    nextMinute();
    expect((await batch(5)).status).toBe(202);
    expect(await stored(a.tenant.id)).toBe(before + 15);
    await stack.api("PATCH", `/v1/tenants/${a.tenant.id}`, {
      body: { rate_limits: { requests_per_second: null, messages_per_minute: null } },
    });
  });
});

describe("Twilio's callbacks", () => {
  it("are never rate limited: Twilio does not retry a refused status callback", async () => {
    nextMinute();
    const key = await newKey(a.tenant.id);
    const sent = await send(key);
    const m = await driveUntil(stack, "handed to Twilio", async () => {
      const row = await stack.db.maybeOne<{ twilio_sid: string | null }>(
        "SELECT twilio_sid FROM messages WHERE id = $1",
        [sent.body.id],
      );
      return row?.twilio_sid ? row : null;
    });
    const { accounts } = await stack.emulator.control("GET", "accounts");
    const authToken = accounts.find((acc: any) => acc.sid === a.tenant.subaccount_sid).auth_token;
    const url = `${stack.url}/twilio/messages/status/${a.tenant.id}`;
    const statuses = ["sent", ...Array.from({ length: LIMIT * 4 }, () => "delivered")];
    for (const status of statuses) {
      const params = {
        AccountSid: a.tenant.subaccount_sid,
        ApiVersion: "2010-04-01",
        MessageSid: m.twilio_sid!,
        SmsSid: m.twilio_sid!,
        MessageStatus: status,
        SmsStatus: status,
        To: sent.body.to,
      };
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": twilioSignature(authToken, url, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});

describe.skipIf(ENGINE !== "postgres")("two API processes on one PostgreSQL", () => {
  it("share each key's limit", async () => {
    nextMinute();
    // A second API over the same schema, with its own connections and counters.
    const db = await openPostgres(TEST_DATABASE_URL, { schema: stack.testDb.schema!, max: 3 });
    const runtime = await openRuntime({
      config: stack.services.config,
      db,
      clock: stack.clock,
      log: createLogger("silent"),
      keyring: keyringFromKeys([randomBytes(32)]),
      emulator: {
        url: stack.emulator.url,
        parent: { accountSid: stack.emulator.parent.sid, authToken: stack.emulator.parent.authToken },
      },
    });
    const second = await startServer(runtime, "api");
    try {
      const key = await newKey(a.tenant.id);
      const get = (base: string) =>
        fetch(`${base}/v1/messages?limit=1`, { headers: { authorization: `Bearer ${key}` } });
      const answers = [];
      for (const base of [stack.url, second.url!, stack.url]) answers.push((await get(base)).status);
      expect(answers).toEqual([200, 200, 200]);
      expect((await get(second.url!)).status).toBe(429);
      expect((await get(stack.url)).status).toBe(429);
      stack.clock.advance(1_000);
      expect((await get(second.url!)).status).toBe(200);
    } finally {
      await second.close();
      await runtime.close();
      await db.close();
    }
  });

  it("gives no weight to a window stored by a clock far ahead of this process's", async () => {
    nextMinute();
    const key = await newKey(a.tenant.id);
    expect((await stack.api("GET", "/v1/messages?limit=1", { token: key })).status).toBe(200);
    // Another process, its clock an hour fast, has spent the window it believes in.
    await stack.db.query(
      "UPDATE rate_limit_windows SET window_start = window_start + 3600000, hits = 1000000 WHERE key LIKE 'requests:%'",
    );
    stack.clock.advance(1_000);
    expect((await stack.api("GET", "/v1/messages?limit=1", { token: key })).status).toBe(200);
  });
});
