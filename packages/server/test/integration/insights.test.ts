import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollUp } from "../../src/insights/rollup.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let tenantId: string;
let otherId: string;
beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  tenantId = (await stack.newTenant({ name: "Insightful Bakery" })).tenant.id;
  otherId = (await stack.newTenant({ name: "Quiet Dental", environment: "staging" })).tenant.id;
});
afterAll(() => stack?.close());

/** Messages with known outcomes, written as the messaging module writes them (the aggregates are under test). */
async function addMessages(
  tenant: string,
  n: number,
  o: { status: string; errorCode?: number; latencyMs: number; agoMs: number },
) {
  const now = stack.clock.now().getTime();
  for (let i = 0; i < n; i++) {
    const created = new Date(now - o.agoMs - i * 1000);
    const final = ["delivered", "undelivered", "failed"].includes(o.status);
    await stack.db.query(
      `INSERT INTO messages (id, tenant_id, direction, channel, status, to_number, segments, encoding, not_before,
         created_at, updated_at, completed_at, error_code)
       VALUES ($1, $2, 'outbound', 'sms', $3, '+14155550100', 2, 'GSM-7', $4, $4, $4, $5, $6)`,
      [
        `msg_t${Math.random().toString(36).slice(2)}`,
        tenant,
        o.status,
        created,
        final ? new Date(created.getTime() + o.latencyMs) : null,
        o.errorCode ?? null,
      ],
    );
  }
}

describe("insights", () => {
  it("count the same before and after the rollup, and after more messages arrive", async () => {
    await addMessages(tenantId, 8, { status: "delivered", latencyMs: 2_000, agoMs: 3 * 3600_000 });
    await addMessages(tenantId, 2, {
      status: "undelivered",
      errorCode: 30007,
      latencyMs: 4_000,
      agoMs: 3 * 3600_000,
    });
    await addMessages(otherId, 5, {
      status: "failed",
      errorCode: 21610,
      latencyMs: 500,
      agoMs: 20 * 3600_000,
    });
    await addMessages(tenantId, 3, { status: "queued", latencyMs: 0, agoMs: 60_000 });

    const live = (await stack.api("GET", `/v1/insights/overview?range=24h&tenant_id=${tenantId}`)).body;
    expect(live.totals).toMatchObject({
      accepted: 13,
      segments: 26,
      delivered: 8,
      undelivered: 2,
      failed: 0,
      delivery_rate: 0.8,
    });
    expect(live.error_codes).toEqual([
      { code: 30007, count: 2, explanation: expect.stringMatching(/filter|carrier/i) },
    ]);
    expect(live.totals.latency_p50_ms).toBeGreaterThan(1_800);
    expect(live.totals.latency_p50_ms).toBeLessThan(2_200);

    await rollUp(stack.db, stack.clock.now());
    const rolled = (await stack.api("GET", `/v1/insights/overview?range=24h&tenant_id=${tenantId}`)).body;
    expect(rolled.rolled_until).not.toBeNull();
    expect(rolled.totals).toEqual(live.totals);
    expect(rolled.series).toEqual(live.series);

    await addMessages(tenantId, 4, { status: "delivered", latencyMs: 1_000, agoMs: 10_000 });
    const platform = (await stack.api("GET", "/v1/insights/overview?range=24h")).body;
    expect(platform.totals).toMatchObject({ accepted: 22, delivered: 12, undelivered: 2, failed: 5 });
    expect(platform.error_codes.map((e: any) => e.code)).toEqual([21610, 30007]);
  });

  it("the tenants table searches, filters, sorts by messages today and pages on the server", async () => {
    const all = (await stack.api("GET", "/v1/insights/tenants?sort=messages_today&limit=1")).body;
    expect(all.total).toBe(2);
    expect(all.data).toHaveLength(1);
    expect(all.data[0]).toMatchObject({
      id: tenantId,
      messages_today: expect.any(Number),
      registration: null,
    });
    expect(all.data[0].delivery_rate_7d).toBeCloseTo(12 / 14, 3);
    const page2 = (await stack.api("GET", "/v1/insights/tenants?sort=messages_today&limit=1&offset=1")).body;
    expect(page2.data[0].id).toBe(otherId);
    const searched = (await stack.api("GET", "/v1/insights/tenants?q=dental")).body;
    expect(searched.data.map((t: any) => t.id)).toEqual([otherId]);
    const staging = (await stack.api("GET", "/v1/insights/tenants?environment=staging&registration=none"))
      .body;
    expect(staging.total).toBe(1);
    const underscore = (await stack.api("GET", "/v1/insights/tenants?q=_")).body;
    expect(underscore.total).toBe(0);
  });

  it("a tenant key sees its own insights only", async () => {
    const { key } = await stack.newTenant({ name: "Nosy" });
    const mine = await stack.api("GET", "/v1/insights/overview?range=7d", { token: key });
    expect(mine.status).toBe(200);
    expect(mine.body.totals.accepted).toBe(0);
    expect(
      (await stack.api("GET", `/v1/insights/overview?tenant_id=${tenantId}`, { token: key })).status,
    ).toBe(404);
    expect((await stack.api("GET", "/v1/insights/tenants", { token: key })).status).toBe(403);
  });
});
