import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordUsage } from "../../src/usage/record.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
});
afterAll(() => stack?.close());

describe("monthly statements", () => {
  async function tenantWithJanuaryUsage() {
    const t = await stack.newTenant();
    const id = t.tenant.id;
    await stack.db.tx(async (tx) => {
      for (let i = 0; i < 100; i++) {
        await recordUsage(tx, {
          tenantId: id,
          channel: "sms",
          direction: "outbound",
          segments: 2,
          at: new Date(Date.UTC(2030, 0, 1 + (i % 31), 12)),
        });
      }
      await recordUsage(tx, {
        tenantId: id,
        channel: "sms",
        direction: "inbound",
        segments: 1,
        at: new Date("2030-01-15T00:00:00Z"),
      });
      await recordUsage(tx, {
        tenantId: id,
        channel: "voice",
        direction: "inbound",
        minutes: 10,
        at: new Date("2030-01-20T00:00:00Z"),
      });
      // Outside the month: on neither side of January.
      await recordUsage(tx, {
        tenantId: id,
        channel: "sms",
        direction: "outbound",
        at: new Date("2029-12-31T23:59:59Z"),
      });
      await recordUsage(tx, {
        tenantId: id,
        channel: "sms",
        direction: "outbound",
        at: new Date("2030-02-01T00:00:00Z"),
      });
    });
    return t;
  }

  it("lists each channel with cost and marked-up amount, and totals that add up to the cent", async () => {
    const t = await tenantWithJanuaryUsage();
    const markup = await stack.api("PUT", `/v1/tenants/${t.tenant.id}/billing`, {
      body: { markup_percent: "15" },
    });
    expect(markup.body).toEqual({ tenant_id: t.tenant.id, markup_percent: "15.00" });

    const res = await stack.api("GET", `/v1/tenants/${t.tenant.id}/statements/2030-01`, { token: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenant_id: t.tenant.id,
      month: "2030-01",
      period_start: "2030-01-01",
      period_end: "2030-01-31",
      currency: "USD",
      markup_percent: "15.00",
    });
    expect(res.body.lines).toEqual([
      {
        channel: "sms",
        direction: "inbound",
        unit: "segment",
        quantity: 1,
        messages: 1,
        segments: 1,
        minutes: 0,
        cost: "0.0083",
        amount: "0.009545",
      },
      {
        channel: "sms",
        direction: "outbound",
        unit: "segment",
        quantity: 200,
        messages: 100,
        segments: 200,
        minutes: 0,
        cost: "1.66",
        amount: "1.909",
      },
      {
        channel: "voice",
        direction: "inbound",
        unit: "minute",
        quantity: 10,
        messages: 1,
        segments: 0,
        minutes: 10,
        cost: "0.085",
        amount: "0.09775",
      },
    ]);
    // 1.7533 at cost → 1.75; 15 % of 1.7533 = 0.262995 → 0.26; total 2.01.
    expect(res.body).toMatchObject({ subtotal: "1.75", markup: "0.26", total: "2.01" });
  });

  it("takes the markup as a number or a decimal string, and answers it as a decimal string", async () => {
    const t = await stack.newTenant();
    const put = (markup_percent: unknown) =>
      stack.api("PUT", `/v1/tenants/${t.tenant.id}/billing`, { body: { markup_percent } });
    for (const [given, answered] of [
      [25, "25.00"],
      ["25", "25.00"],
      [12.5, "12.50"],
      ["12.125", "12.125"],
      [0, "0.00"],
    ] as const) {
      const res = await put(given);
      expect(res.status, JSON.stringify(given)).toBe(200);
      expect(res.body).toEqual({ tenant_id: t.tenant.id, markup_percent: answered });
      const read = await stack.api("GET", `/v1/tenants/${t.tenant.id}/billing`);
      expect(read.body.markup_percent).toBe(answered);
    }
    const statement = await stack.api("GET", `/v1/tenants/${t.tenant.id}/statements/2030-01`);
    expect(statement.body.markup_percent).toBe("0.00");
    for (const bad of [-1, 12.0625, 10_000, "1e2", "-5", true, null]) {
      const res = await put(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details[0].path).toBe("/markup_percent");
    }
    expect((await stack.api("GET", `/v1/tenants/${t.tenant.id}/billing`)).body.markup_percent).toBe("0.00");
  });

  it("exports the statement as CSV", async () => {
    const t = await tenantWithJanuaryUsage();
    const res = await stack.api("GET", `/v1/tenants/${t.tenant.id}/statements/2030-01?format=csv`);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.body.split("\r\n")).toEqual([
      "channel,direction,unit,quantity,cost_usd,amount_usd",
      "sms,inbound,segment,1,0.0083,0.0083",
      "sms,outbound,segment,200,1.66,1.66",
      "voice,inbound,minute,10,0.085,0.085",
      "subtotal,,,,1.75,",
      "markup 0.00%,,,,0.00,",
      "total,,,,,1.75",
      "",
    ]);
  });

  it("marks the current month open and past months closed", async () => {
    const t = await stack.newTenant();
    const now = stack.clock.now().toISOString().slice(0, 7);
    expect((await stack.api("GET", `/v1/tenants/${t.tenant.id}/statements/${now}`)).body).toMatchObject({
      status: "open",
      lines: [],
      total: "0.00",
    });
    expect((await stack.api("GET", `/v1/tenants/${t.tenant.id}/statements/2020-01`)).body.status).toBe(
      "closed",
    );
  });

  it("keeps statements and markup to the tenant itself and the operator", async () => {
    const a = await stack.newTenant();
    const b = await stack.newTenant();
    expect(
      (await stack.api("GET", `/v1/tenants/${b.tenant.id}/statements/2030-01`, { token: a.key })).status,
    ).toBe(404);
    expect((await stack.api("GET", `/v1/tenants/${b.tenant.id}/billing`, { token: a.key })).status).toBe(404);
    const set = await stack.api("PUT", `/v1/tenants/${a.tenant.id}/billing`, {
      token: a.key,
      body: { markup_percent: "0" },
    });
    expect(set.status).toBe(403);
    const bad = await stack.api("GET", `/v1/tenants/${a.tenant.id}/statements/2030-13`, { token: a.key });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("invalid_month");
  });
});
