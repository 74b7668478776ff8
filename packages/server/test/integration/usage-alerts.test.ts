import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids.js";
import { EVALUATION_INTERVAL_MS } from "../../src/usage/alerts/evaluate.js";
import { type AlertRule, decide } from "../../src/usage/alerts/rules.js";
import { recordUsage } from "../../src/usage/record.js";
import { dailyWindow } from "@subtext/telecom/lanes";
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
beforeEach(async () => {
  receiver.reset();
  // Rules are global state for the evaluator: each test starts without any.
  await stack.db.query("UPDATE alert_rules SET deleted_at = now(), enabled = false");
});

const MINUTE = 60_000;

/**
 * Outbound messages that reached a final status `agoMs` before now. Seeded in the messaging
 * module's table directly: these tests are about the evaluator, not the send path.
 */
async function finishedMessages(
  tenantId: string,
  n: number,
  status: string,
  errorCode: number | null = null,
  agoMs = MINUTE,
) {
  const at = new Date(stack.clock.now().getTime() - agoMs);
  for (let i = 0; i < n; i++) {
    await stack.db.query(
      `INSERT INTO messages (id, tenant_id, direction, channel, status, to_number, segments, encoding, not_before,
         error_code, created_at, updated_at, completed_at)
       VALUES ($1, $2, 'outbound', 'sms', $3, '+14155550100', 1, 'GSM-7', $4, $5, $4, $4, $4)`,
      [newId("msg"), tenantId, status, at, errorCode],
    );
  }
}

async function tenantListening() {
  const t = await stack.newTenant();
  const endpoint = await stack.api("POST", "/v1/webhook-endpoints", {
    token: t.key,
    body: { url: `${receiver.url}/${t.tenant.id}`, event_types: ["alert.triggered"] },
  });
  expect(endpoint.status).toBe(201);
  return t;
}

describe("alerts", () => {
  it("raises one alert while the delivery rate stays below the threshold, and resolves it when it recovers", async () => {
    const t = await tenantListening();
    await finishedMessages(t.tenant.id, 6, "delivered");
    await finishedMessages(t.tenant.id, 4, "undelivered", 30003);
    const rule = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "delivery_rate_below", threshold: 90, window_minutes: 60, min_messages: 5 },
    });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ tenant_id: t.tenant.id, kind: "delivery_rate_below", threshold: 90 });

    await stack.jobs.runDue();
    const open = await stack.api("GET", "/v1/alerts?state=open", { token: t.key });
    expect(open.body.data).toEqual([
      expect.objectContaining({
        rule_id: rule.body.id,
        kind: "delivery_rate_below",
        state: "open",
        value: 60,
        threshold: 90,
      }),
    ]);
    const [notice] = receiver.at(`/${t.tenant.id}`);
    expect(notice.json).toMatchObject({
      type: "alert.triggered",
      data: { alert_id: open.body.data[0].id, kind: "delivery_rate_below", value: 60 },
    });

    stack.clock.advance(EVALUATION_INTERVAL_MS);
    await stack.jobs.runDue();
    expect((await stack.api("GET", "/v1/alerts", { token: t.key })).body.data).toHaveLength(1);
    expect(receiver.at(`/${t.tenant.id}`)).toHaveLength(1);

    stack.clock.advance(60 * MINUTE);
    await stack.jobs.runDue();
    const after = await stack.api("GET", "/v1/alerts", { token: t.key });
    expect(after.body.data).toEqual([
      expect.objectContaining({ state: "resolved", resolved_at: expect.any(String) }),
    ]);
  });

  it("applies a global error-code rule to every tenant and shows each tenant only its own alerts", async () => {
    const a = await tenantListening();
    const b = await tenantListening();
    await finishedMessages(a.tenant.id, 3, "failed", 30007);
    await finishedMessages(a.tenant.id, 5, "failed", 30003);
    await finishedMessages(b.tenant.id, 1, "failed", 30007);
    const rule = await stack.api("POST", "/v1/alert-rules", {
      body: { kind: "error_code_spike", threshold: 3, error_code: 30007, window_minutes: 15 },
    });
    expect(rule.body.tenant_id).toBeNull();

    await stack.jobs.runDue();
    const mine = await stack.api("GET", "/v1/alerts", { token: a.key });
    expect(mine.body.data).toEqual([
      expect.objectContaining({
        tenant_id: a.tenant.id,
        value: 3,
        details: expect.objectContaining({ error_code: 30007 }),
      }),
    ]);
    expect((await stack.api("GET", "/v1/alerts", { token: b.key })).body.data).toEqual([]);
    expect((await stack.api("GET", `/v1/alerts?tenant_id=${a.tenant.id}`, { token: b.key })).status).toBe(
      404,
    );
    expect(receiver.at(`/${b.tenant.id}`)).toEqual([]);

    const rules = await stack.api("GET", "/v1/alert-rules", { token: b.key });
    expect(rules.body.data.map((r: any) => r.id)).toContain(rule.body.id);
    const refused = await stack.api("DELETE", `/v1/alert-rules/${rule.body.id}`, { token: b.key });
    expect(refused.status).toBe(403);
    expect((await stack.api("DELETE", `/v1/alert-rules/${rule.body.id}`)).status).toBe(204);
    expect((await stack.api("GET", "/v1/alerts?state=open", { token: a.key })).body.data).toEqual([]);
  });

  it("warns when a lane has used a share of its daily cap", async () => {
    const t = await tenantListening();
    const day = dailyWindow(stack.clock.now()).day;
    await stack.db.query(
      `INSERT INTO lanes (id, tenant_id, key, kind, rate_kind, brand_id, mps, burst, daily_cap, tmobile_daily_cap)
       VALUES ($1, $2, 'campaign', '10dlc_campaign', 'standard', 'BN_cap_test', 4.5, 5, 2000, 1000)`,
      [newId("lane"), t.tenant.id],
    );
    await stack.db.query(
      "INSERT INTO brand_daily_usage (brand_id, day, segments, tmobile_segments) VALUES ('BN_cap_test', $1::date, 900, 850)",
      [day],
    );
    await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "daily_cap_usage", threshold: 80 },
    });

    await stack.jobs.runDue();
    const [alert] = (await stack.api("GET", "/v1/alerts", { token: t.key })).body.data;
    expect(alert).toMatchObject({ kind: "daily_cap_usage", value: 85, details: { cap: "t-mobile" } });
  });

  it("fires on a tenant's spend today and resolves when the next UTC day starts", async () => {
    const t = await tenantListening();
    const other = await stack.newTenant();
    // Late in a UTC day, so that the next day is minutes away.
    const now = stack.clock.now();
    stack.clock.set(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 23, 50)),
    );
    const meter = (tenantId: string, u: { channel: "sms" | "voice"; segments?: number; minutes?: number }) =>
      stack.db.tx((tx) => recordUsage(tx, { tenantId, direction: "outbound", at: stack.clock.now(), ...u }));
    const rule = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "spend_above", threshold: 0.05, period: "day" },
    });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ kind: "spend_above", threshold: 0.05, period: "day" });

    // 6 segments ($0.0498), then a voice minute ($0.013): under, then over $0.05.
    await meter(t.tenant.id, { channel: "sms", segments: 6 });
    await meter(other.tenant.id, { channel: "sms", segments: 50 });
    await stack.jobs.runDue();
    expect((await stack.api("GET", "/v1/alerts", { token: t.key })).body.data).toEqual([]);
    await meter(t.tenant.id, { channel: "voice", minutes: 1 });
    stack.clock.advance(EVALUATION_INTERVAL_MS);
    await stack.jobs.runDue();
    const [open] = (await stack.api("GET", "/v1/alerts?state=open", { token: t.key })).body.data;
    expect(open).toMatchObject({
      rule_id: rule.body.id,
      kind: "spend_above",
      value: 0.063,
      threshold: 0.05,
      details: { period: "day", spend: "0.0628", currency: "USD" },
    });
    expect(open.message).toContain("$0.0628");
    const [notice] = receiver.at(`/${t.tenant.id}`);
    expect(notice.json).toMatchObject({
      type: "alert.triggered",
      data: { alert_id: open.id, kind: "spend_above", details: { spend: "0.0628" } },
    });
    // The other tenant spent more, but the rule is this tenant's.
    expect((await stack.api("GET", "/v1/alerts", { token: other.key })).body.data).toEqual([]);

    stack.clock.advance(15 * MINUTE);
    await stack.jobs.runDue();
    const [resolved] = (await stack.api("GET", "/v1/alerts", { token: t.key })).body.data;
    expect(resolved).toMatchObject({ id: open.id, state: "resolved" });
    expect(receiver.at(`/${t.tenant.id}`)).toHaveLength(1);
  });

  it("counts a month's outbound messages for every tenant, through the day's end, until the month ends", async () => {
    const a = await tenantListening();
    const b = await tenantListening();
    const now = stack.clock.now();
    // Five minutes before next month ends (UTC), and a day before that first.
    const nextMonthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1) - 5 * MINUTE;
    stack.clock.set(new Date(nextMonthEnd - 86_400_000));
    const meter = (
      tenantId: string,
      channel: "sms" | "mms" | "lookup",
      direction: "outbound" | "inbound",
      n: number,
    ) =>
      stack.db.tx((tx) =>
        recordUsage(tx, { tenantId, channel, direction, messages: n, at: stack.clock.now() }),
      );
    const rule = await stack.api("POST", "/v1/alert-rules", {
      body: { kind: "messages_above", threshold: 3, period: "month" },
    });
    expect(rule.body).toMatchObject({ tenant_id: null, period: "month" });
    await meter(a.tenant.id, "sms", "outbound", 2);
    await meter(a.tenant.id, "sms", "inbound", 5);
    await meter(a.tenant.id, "lookup", "outbound", 5);
    await meter(b.tenant.id, "sms", "outbound", 2);
    await stack.jobs.runDue();
    // Earlier tests' alerts stay open (their rules were removed behind the evaluator's back).
    const ofRule = async (state: string) =>
      (await stack.api("GET", `/v1/alerts?state=${state}`)).body.data.filter(
        (x: any) => x.rule_id === rule.body.id,
      );
    expect(await ofRule("open")).toEqual([]);

    // A day later, still the same month: the month's messages add up.
    stack.clock.set(new Date(nextMonthEnd));
    await meter(a.tenant.id, "mms", "outbound", 1);
    await stack.jobs.runDue();
    const open = await ofRule("open");
    expect(open).toEqual([
      expect.objectContaining({ tenant_id: a.tenant.id, kind: "messages_above", value: 3, threshold: 3 }),
    ]);
    expect(open[0].details).toMatchObject({ period: "month", messages: 3 });
    expect(receiver.at(`/${b.tenant.id}`)).toEqual([]);

    // The month ends: a new one starts from nothing.
    stack.clock.advance(10 * MINUTE);
    await stack.jobs.runDue();
    expect(await ofRule("open")).toEqual([]);
    expect(await ofRule("resolved")).toEqual([expect.objectContaining({ id: open[0].id })]);
  });

  it("refuses rules that cannot mean anything", async () => {
    const t = await stack.newTenant();
    const percent = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "delivery_rate_below", threshold: 150 },
    });
    expect(percent.status).toBe(422);
    expect(percent.body.error.code).toBe("invalid_alert_rule");
    const kind = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "moon_phase", threshold: 1 },
    });
    expect(kind.status).toBe(400);
    const code = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "daily_cap_usage", threshold: 80, error_code: 30007 },
    });
    expect(code.status).toBe(422);
    const period = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "delivery_rate_below", threshold: 80, period: "month" },
    });
    expect(period.status).toBe(422);
    expect(period.body.error.details[0]).toMatchObject({ path: "/period", code: "not_applicable" });
    const fraction = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "messages_above", threshold: 10.5 },
    });
    expect(fraction.status).toBe(422);
    const week = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "spend_above", threshold: 10, period: "week" },
    });
    expect(week.status).toBe(400);
    expect(week.body.error.code).toBe("invalid_request");
    // A spend threshold is money, not a percentage: above 100 is fine.
    const big = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "spend_above", threshold: 2500 },
    });
    expect(big.status).toBe(201);
    expect(big.body.period).toBe("day");
    const rules = (await stack.api("GET", "/v1/alert-rules", { token: t.key })).body.data;
    expect(rules.map((r: any) => r.id)).toEqual([big.body.id]);
  });

  it.each([
    ["error_code", { kind: "error_code_spike", threshold: 3, error_code: 2 ** 31 }],
    ["error_code", { kind: "error_code_spike", threshold: 3, error_code: -(2 ** 31) - 1 }],
    ["error_code", { kind: "error_code_spike", threshold: 3, error_code: 999 }],
    ["threshold", { kind: "error_code_spike", threshold: 1e12 }],
    ["min_messages", { kind: "delivery_rate_below", threshold: 90, min_messages: 2 ** 31 }],
  ])("refuses an out-of-range %s with 400 invalid_request, and stores nothing", async (field, body) => {
    const t = await stack.newTenant();
    const res = await stack.api("POST", "/v1/alert-rules", { token: t.key, body });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: `/${field}` })]),
    );
    expect((await stack.api("GET", "/v1/alert-rules", { token: t.key })).body.data).toEqual([]);
  });

  it("takes any five-digit Twilio error code", async () => {
    const t = await stack.newTenant();
    for (const error_code of [10000, 99999]) {
      const res = await stack.api("POST", "/v1/alert-rules", {
        token: t.key,
        body: { kind: "error_code_spike", threshold: 3, error_code },
      });
      expect(res.status).toBe(201);
      expect(res.body.error_code).toBe(error_code);
    }
  });
});

describe("alert decisions", () => {
  const rule = (kind: AlertRule["kind"], threshold: number): AlertRule => ({
    id: "alr_x",
    tenant_id: null,
    kind,
    threshold,
    window_minutes: 60,
    min_messages: 20,
    error_code: null,
    period: kind === "spend_above" || kind === "messages_above" ? "day" : null,
  });

  it.each([
    [100, 80, true],
    [100, 95, false],
    [10, 0, false],
    [20, 17, true],
  ])("%i finished, %i delivered, threshold 90%% → fires: %s", (finished, delivered, fires) => {
    expect(
      decide(rule("delivery_rate_below", 90), { kind: "delivery_rate_below", finished, delivered }).firing,
    ).toBe(fires);
  });

  it.each([
    [4, false],
    [5, true],
  ])("%i failures with threshold 5 → fires: %s", (count, fires) => {
    expect(
      decide(rule("error_code_spike", 5), { kind: "error_code_spike", errorCode: 30007, count }).firing,
    ).toBe(fires);
  });

  it.each([
    ["9.99", false],
    ["10", true],
    ["10.0001", true],
  ])("$%s spent with threshold $10 → fires: %s", (spend, fires) => {
    const d = decide(rule("spend_above", 10), { kind: "spend_above", spend, periodStart: "2030-01-31" });
    expect(d.firing).toBe(fires);
    expect(d.details).toMatchObject({ spend, period: "day", period_start: "2030-01-31" });
  });

  it.each([
    [99, false],
    [100, true],
  ])("%i messages with threshold 100 → fires: %s", (messages, fires) => {
    expect(
      decide(rule("messages_above", 100), { kind: "messages_above", messages, periodStart: "2030-01-31" })
        .firing,
    ).toBe(fires);
  });
});
