/**
 * The SMS pumping alert (docs/monitoring.md, docs/international.md): a `pumping_suspected` rule
 * compares a tenant's outbound traffic per destination prefix over its recent window with the
 * baseline before it. Steady traffic raises nothing; a burst to a prefix the tenant never texted
 * opens one alert naming the prefix, its counts and its country, and sends `alert.triggered`.
 * Traffic goes through the real send path (POST /v1/messages) to US numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToSend } from "../support/messaging.js";
import { type Receiver, startReceiver } from "./events-receiver.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let receiver: Receiver;
let t: { tenant: any; key: string };

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  receiver = await startReceiver();
  t = await readyToSend(stack);
}, 300_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

const MINUTE = 60_000;

async function advance(ms: number) {
  await stack.emulator.control("POST", "clock/advance", { seconds: ms / 1000 });
  stack.clock.advance(ms);
  await stack.jobs.runDue();
}

async function send(numbers: string[]) {
  for (const to of numbers) {
    const res = await stack.api("POST", "/v1/messages", {
      token: t.key,
      body: { to, body: "Your order shipped" },
    });
    expect(res.status).toBe(202);
  }
}
const range = (base: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `${base}${String(from + i).padStart(4, "0")}`);

describe("SMS pumping alert", () => {
  it("validates a pumping rule: defaults, and pumping fields refused on other kinds", async () => {
    const other = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "messages_above", threshold: 10, baseline_minutes: 120 },
    });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({
      code: "invalid_alert_rule",
      details: [expect.objectContaining({ path: "/baseline_minutes", code: "not_applicable" })],
    });
    const ratio = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "pumping_suspected", threshold: 0.5 },
    });
    expect(ratio.status).toBe(422);

    const defaults = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: { kind: "pumping_suspected", threshold: 5 },
    });
    expect(defaults.status).toBe(201);
    expect(defaults.body).toMatchObject({
      kind: "pumping_suspected",
      threshold: 5,
      window_minutes: 60,
      min_messages: 20,
      baseline_minutes: 10080,
      high_risk_threshold: 2,
      high_risk_min_messages: 5,
      prefix_digits: 6,
    });
    expect((await stack.api("DELETE", `/v1/alert-rules/${defaults.body.id}`, { token: t.key })).status).toBe(
      204,
    );
  });

  it("raises nothing on steady traffic, and one alert naming the prefix on a burst to a new one", async () => {
    const endpoint = await stack.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: `${receiver.url}/${t.tenant.id}`, event_types: ["alert.triggered"] },
    });
    expect(endpoint.status).toBe(201);
    const rule = await stack.api("POST", "/v1/alert-rules", {
      token: t.key,
      body: {
        kind: "pumping_suspected",
        threshold: 5,
        min_messages: 8,
        window_minutes: 60,
        baseline_minutes: 180,
      },
    });
    expect(rule.status).toBe(201);

    // The baseline: 12 messages to one San Francisco range, then 90 minutes pass.
    await send(range("+1415600", 1000, 12));
    await advance(90 * MINUTE);
    // The same range again within the hour: 10 where the baseline predicts 4 (×2.5 < ×5).
    await send(range("+1415600", 2000, 10));
    await advance(MINUTE);
    expect((await stack.api("GET", "/v1/alerts", { token: t.key })).body.data).toEqual([]);
    expect(receiver.at(`/${t.tenant.id}`)).toEqual([]);

    // A burst to a New York range this tenant never texted.
    await send(range("+1212555", 3000, 9));
    await advance(MINUTE);
    const open = await stack.api("GET", "/v1/alerts?state=open", { token: t.key });
    expect(open.body.data).toEqual([
      expect.objectContaining({ rule_id: rule.body.id, kind: "pumping_suspected", state: "open", value: 1 }),
    ]);
    const alert = open.body.data[0];
    expect(alert.message).toContain("+121255 (US): 9 messages");
    expect(alert.details).toMatchObject({
      window_minutes: 60,
      baseline_minutes: 180,
      flagged: 1,
      prefixes: [
        {
          prefix: "+121255",
          country: "US",
          reason: "new_prefix",
          recent: 9,
          baseline: 0,
          high_risk: false,
        },
      ],
    });
    const [notice] = receiver.at(`/${t.tenant.id}`);
    expect(notice.json).toMatchObject({
      type: "alert.triggered",
      data: {
        alert_id: alert.id,
        kind: "pumping_suspected",
        details: { prefixes: [expect.objectContaining({ prefix: "+121255", recent: 9 })] },
      },
    });

    // Still unusual a minute later: the same alert, no second notice.
    await advance(MINUTE);
    expect((await stack.api("GET", "/v1/alerts", { token: t.key })).body.data).toHaveLength(1);
    expect(receiver.at(`/${t.tenant.id}`)).toHaveLength(1);
    // Once the burst has left the recent window (and nothing new is unusual), it is resolved.
    await advance(61 * MINUTE);
    const after = await stack.api("GET", "/v1/alerts", { token: t.key });
    expect(after.body.data).toEqual([expect.objectContaining({ state: "resolved" })]);
  });
});
