import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BUDGET_CACHE_MS } from "../../src/usage/budget/reserve.js";
import { fromMicros, toMicros } from "../../src/usage/prices.js";
import { operatorSession } from "../proof/staff-session.js";
import { readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: { tenant: any; key: string };
let b: { tenant: any; key: string };

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  a = await readyToSend(stack);
  b = await readyToSend(stack);
});
afterAll(() => stack?.close());
beforeEach(async () => {
  // Each test sets the limits it is about.
  for (const t of [a, b]) expect((await setBudget(t.tenant.id, {})).status).toBe(200);
});

let n = 0;
const recipient = () => `+1415600${String(1000 + n++).padStart(4, "0")}`;
const send = (key: string, body = "Your order is ready") =>
  stack.api("POST", "/v1/messages", { token: key, body: { to: recipient(), body } });
const budget = async (tenantId: string, token?: string) => {
  const res = await stack.api("GET", `/v1/tenants/${tenantId}/budget`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const setBudget = (tenantId: string, body: Record<string, unknown>, token?: string) =>
  stack.api("PUT", `/v1/tenants/${tenantId}/budget`, { token, body });
const storedMessages = async (tenantId: string) =>
  (
    await stack.db.one<{ n: number }>(
      "SELECT count(*)::int8 AS n FROM messages WHERE tenant_id = $1 AND direction = 'outbound'",
      [tenantId],
    )
  ).n;
const reachedEvents = async (key: string) =>
  (await stack.api("GET", "/v1/events?type=usage.budget_reached&limit=100", { token: key })).body.data;
const usd = (micros: bigint) => fromMicros(micros);
const nextUtcMidnight = () => {
  const now = stack.clock.now();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
};

describe("budgets", () => {
  it("shows what a tenant without limits accepted today and this month, counted from its messages", async () => {
    const before = await budget(a.tenant.id, a.key);
    expect(before).toMatchObject({
      tenant_id: a.tenant.id,
      currency: "USD",
      daily_messages: null,
      daily_spend: null,
      monthly_messages: null,
      monthly_spend: null,
      day: {
        start: stack.clock.now().toISOString().slice(0, 10),
        resets_at: nextUtcMidnight().toISOString(),
      },
    });
    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key, "x".repeat(200))).status).toBe(202);
    const after = await budget(a.tenant.id, a.key);
    expect(after.day.messages).toBe(before.day.messages + 2);
    expect(after.month.messages).toBe(before.month.messages + 2);
    // One segment and two, at $0.0083 a segment.
    expect(after.day.spend).toBe(usd(toMicros(before.day.spend) + 24_900n));
  });

  it("refuses the send past a daily message limit with budget_exceeded, tells the tenant once, and sends again once the limit is raised", async () => {
    const used = (await budget(a.tenant.id)).day.messages;
    const set = await setBudget(a.tenant.id, { daily_messages: used + 2 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ daily_messages: used + 2, day: { messages: used, reached: [] } });
    const eventsBefore = (await reachedEvents(a.key)).length;
    const stored = await storedMessages(a.tenant.id);

    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key)).status).toBe(202);
    const refused = await send(a.key);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: "budget_exceeded",
      details: [
        {
          limit: "daily_messages",
          period: "day",
          maximum: used + 2,
          used: used + 2,
          resets_at: nextUtcMidnight().toISOString(),
        },
      ],
    });
    expect(refused.body.error.hint).toContain(`PUT /v1/tenants/${a.tenant.id}/budget`);
    expect((await send(a.key)).status).toBe(403);
    expect(await storedMessages(a.tenant.id)).toBe(stored + 2);

    const full = await budget(a.tenant.id, a.key);
    expect(full.day).toMatchObject({ messages: used + 2, reached: ["daily_messages"] });
    // Reached when the second message filled it: one event, however many sends are refused.
    const events = await reachedEvents(a.key);
    expect(events).toHaveLength(eventsBefore + 1);
    expect(events[0].data).toMatchObject({
      limit: "daily_messages",
      period: "day",
      maximum: used + 2,
      used: used + 2,
      currency: "USD",
    });

    expect((await setBudget(a.tenant.id, { daily_messages: used + 3 })).body.day.reached).toEqual([]);
    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key)).status).toBe(403);
    expect(await reachedEvents(a.key)).toHaveLength(eventsBefore + 2);

    expect((await setBudget(a.tenant.id, { daily_messages: null })).body.daily_messages).toBeNull();
    expect((await send(a.key)).status).toBe(202);
  });

  it("lets exactly the room left through when many sends and batches race for it", async () => {
    let used = (await budget(a.tenant.id)).day.messages;
    await setBudget(a.tenant.id, { daily_messages: used + 5 });
    const stored = await storedMessages(a.tenant.id);
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(a.key)));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(5);
    expect(answers.filter((r) => r.status === 403 && r.body.error.code === "budget_exceeded")).toHaveLength(
      15,
    );
    expect(await storedMessages(a.tenant.id)).toBe(stored + 5);
    expect((await budget(a.tenant.id)).day.messages).toBe(used + 5);

    used += 5;
    await setBudget(a.tenant.id, { daily_messages: used + 10 });
    const batch = () =>
      stack.api("POST", "/v1/messages/batch", {
        token: a.key,
        body: { messages: Array.from({ length: 8 }, () => ({ to: recipient(), body: "Batch" })) },
      });
    const mixed = await Promise.all([batch(), batch(), ...Array.from({ length: 4 }, () => send(a.key))]);
    const accepted =
      mixed[0].body.accepted + mixed[1].body.accepted + mixed.slice(2).filter((r) => r.status === 202).length;
    expect(accepted).toBe(10);
    expect(await storedMessages(a.tenant.id)).toBe(stored + 15);
  });

  it("takes a batch item by item under a spend limit: what fits is sent, the rest refused", async () => {
    const spent = toMicros((await budget(a.tenant.id)).day.spend);
    // Room for $0.02: two one-segment messages ($0.0083 each), not a three-segment one ($0.0249).
    const set = await setBudget(a.tenant.id, { daily_spend: usd(spent + 20_000n) });
    expect(set.body.daily_spend).toBe(usd(spent + 20_000n));
    const res = await stack.api("POST", "/v1/messages/batch", {
      token: a.key,
      body: {
        messages: [
          { to: recipient(), body: "x".repeat(400) },
          { to: recipient(), body: "One" },
          { to: "not a number", body: "Two" },
          { to: recipient(), body: "Three" },
          { to: recipient(), body: "Four" },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 3 });
    expect(res.body.results.map((r: any) => r.accepted)).toEqual([false, true, false, true, false]);
    expect(res.body.results[0].error).toMatchObject({
      code: "budget_exceeded",
      details: [{ limit: "daily_spend", maximum: usd(spent + 20_000n), price_estimate: "0.0249" }],
    });
    expect(res.body.results[2].error.code).not.toBe("budget_exceeded");
    expect(res.body.results[4].error).toMatchObject({
      code: "budget_exceeded",
      details: [{ limit: "daily_spend", used: usd(spent + 16_600n), price_estimate: "0.0083" }],
    });
    const after = await budget(a.tenant.id);
    expect(after.day).toMatchObject({ spend: usd(spent + 16_600n), reached: ["daily_spend"] });
  });

  it("starts over at UTC midnight for a daily limit and on the first of the month for a monthly one", async () => {
    // The 10th of next month, a minute before midnight (UTC).
    const now = stack.clock.now();
    stack.clock.set(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 10, 23, 59)));
    const fresh = await budget(a.tenant.id);
    expect(fresh.day).toMatchObject({ messages: 0, spend: "0.00" });
    expect(fresh.month).toMatchObject({ messages: 0, start: `${fresh.day.start.slice(0, 8)}01` });
    await setBudget(a.tenant.id, { daily_messages: 2, monthly_messages: 3 });
    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key)).body.error.details[0].limit).toBe("daily_messages");

    stack.clock.advance(2 * 60_000);
    const nextDay = await budget(a.tenant.id);
    expect(nextDay.day).toMatchObject({ messages: 0, reached: [] });
    expect(nextDay.month.messages).toBe(2);
    expect((await send(a.key)).status).toBe(202);
    // Room left today, none this month.
    const monthly = await send(a.key);
    expect(monthly.body.error.details[0]).toMatchObject({ limit: "monthly_messages", maximum: 3, used: 3 });
    const firstOfNext = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
    expect(monthly.body.error.details[0].resets_at).toBe(firstOfNext.toISOString());

    stack.clock.set(new Date(firstOfNext.getTime() + 60_000));
    expect((await send(a.key)).status).toBe(202);
    expect((await budget(a.tenant.id)).month).toMatchObject({ messages: 1, reached: [] });
  });

  it("keeps its counts in the database: a process with cold caches refuses as the one that counted", async () => {
    const used = (await budget(a.tenant.id)).day.messages;
    await setBudget(a.tenant.id, { daily_messages: used + 1 });
    expect((await send(a.key)).status).toBe(202);
    stack.services.caches.clear();
    expect((await send(a.key)).status).toBe(403);
  });

  it("counts again, a minute after a budget is set, what a process that had not heard of it yet accepted", async () => {
    const used = (await budget(a.tenant.id)).day.messages;
    await setBudget(a.tenant.id, { daily_messages: used + 3 });
    // As a process whose cache still says "no budget" (the change feed's news not yet there).
    stack.services.caches.space<boolean>("budgets", { ttlMs: BUDGET_CACHE_MS }).set(a.tenant.id, false);
    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key)).status).toBe(202);
    expect((await budget(a.tenant.id)).day.messages).toBe(used);

    stack.clock.advance(BUDGET_CACHE_MS + 10_000);
    await stack.jobs.runDue();
    expect((await budget(a.tenant.id)).day.messages).toBe(used + 2);
    expect((await send(a.key)).status).toBe(202);
    expect((await send(a.key)).status).toBe(403);
  });

  it("holds one tenant's sends without touching another's, and shows each tenant only its own budget", async () => {
    const used = (await budget(a.tenant.id)).day.messages;
    await setBudget(a.tenant.id, { daily_messages: used });
    expect((await send(a.key)).status).toBe(403);
    expect((await send(b.key)).status).toBe(202);
    expect((await budget(b.tenant.id, b.key)).daily_messages).toBeNull();

    const peek = await stack.api("GET", `/v1/tenants/${a.tenant.id}/budget`, { token: b.key });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe("not_found");
    expect(JSON.stringify(peek.body)).not.toContain("daily_messages");
    // A's refusal reached A's limit: the event is A's alone.
    const [reached] = await reachedEvents(a.key);
    expect(reached).toMatchObject({
      tenant_id: a.tenant.id,
      data: { limit: "daily_messages", maximum: used },
    });
    expect(await reachedEvents(b.key)).toEqual([]);
  });

  it("lets only the operator's staff who manage tenants set a budget; a tenant key and other roles read it", async () => {
    const own = await setBudget(a.tenant.id, { daily_messages: 1_000_000 }, a.key);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe("admin_required");
    for (const role of ["developer", "billing", "read_only"]) {
      const token = await operatorSession(stack, role);
      const res = await setBudget(a.tenant.id, { daily_messages: 1_000_000 }, token);
      expect(res.status, role).toBe(403);
      expect((await stack.api("GET", `/v1/tenants/${a.tenant.id}/budget`, { token })).status, role).toBe(200);
    }
    expect((await budget(a.tenant.id)).daily_messages).toBeNull();
    const admin = await operatorSession(stack, "admin");
    const set = await setBudget(a.tenant.id, { monthly_spend: "250" }, admin);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ monthly_spend: "250.00", daily_messages: null });
  });

  it.each([
    ["daily_messages", -1],
    ["daily_messages", 1.5],
    ["daily_messages", "10"],
    ["monthly_messages", 1e13],
    ["daily_spend", "1e3"],
    ["daily_spend", "-1"],
    ["daily_spend", 12.5],
    ["monthly_spend", "1.1234567"],
    ["monthly_spend", "123456789"],
    ["weekly_messages", 10],
  ])("refuses %s = %j with 400 invalid_request and changes nothing", async (field, value) => {
    await setBudget(a.tenant.id, { daily_messages: 1_000_000 });
    const res = await setBudget(a.tenant.id, { [field]: value });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect((await budget(a.tenant.id)).daily_messages).toBe(1_000_000);
  });

  it("answers 404 for a tenant that does not exist", async () => {
    const missing = await stack.api("GET", "/v1/tenants/ten_01JC0000000000000000000000/budget");
    expect(missing.status).toBe(404);
    const put = await setBudget("ten_01JC0000000000000000000000", { daily_messages: 1 });
    expect(put.status).toBe(404);
    expect((await stack.api("GET", `/v1/tenants/${"x".repeat(65)}/budget`)).status).toBe(400);
  });
});
