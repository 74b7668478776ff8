import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PRICES, estimatePrice, fromMicros, toMicros } from "../../src/usage/prices.js";
import { type UsageRecord, recordUsage } from "../../src/usage/record.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
});
afterAll(() => stack?.close());

const record = (u: UsageRecord) => stack.db.tx((tx) => recordUsage(tx, u));

describe("usage metering", () => {
  it("counts messages, segments and minutes per day, channel and direction, priced at list price", async () => {
    const t = await stack.newTenant();
    const id = t.tenant.id;
    await record({
      tenantId: id,
      channel: "sms",
      direction: "outbound",
      segments: 3,
      at: new Date("2030-01-05T23:59:59Z"),
    });
    await record({
      tenantId: id,
      channel: "sms",
      direction: "outbound",
      segments: 1,
      at: new Date("2030-01-05T08:00:00Z"),
    });
    await record({
      tenantId: id,
      channel: "sms",
      direction: "inbound",
      at: new Date("2030-01-05T09:00:00Z"),
    });
    await record({
      tenantId: id,
      channel: "mms",
      direction: "outbound",
      at: new Date("2030-01-06T00:00:00Z"),
    });
    await record({
      tenantId: id,
      channel: "voice",
      direction: "outbound",
      minutes: 2.2,
      at: new Date("2030-01-06T10:00:00Z"),
    });
    // Twilio's own price (negative, as Twilio reports charges) wins over the table.
    await record({
      tenantId: id,
      channel: "sms",
      direction: "outbound",
      segments: 2,
      price: "-0.0170",
      at: new Date("2030-01-06T11:00:00Z"),
    });

    const res = await stack.api("GET", "/v1/usage?from=2030-01-01&to=2030-01-31&group_by=day,channel", {
      token: t.key,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        day: "2030-01-05",
        channel: "sms",
        direction: "inbound",
        messages: 1,
        segments: 1,
        minutes: 0,
        cost: "0.0083",
      },
      {
        day: "2030-01-05",
        channel: "sms",
        direction: "outbound",
        messages: 2,
        segments: 4,
        minutes: 0,
        cost: "0.0332",
      },
      {
        day: "2030-01-06",
        channel: "mms",
        direction: "outbound",
        messages: 1,
        segments: 1,
        minutes: 0,
        cost: "0.022",
      },
      {
        day: "2030-01-06",
        channel: "sms",
        direction: "outbound",
        messages: 1,
        segments: 2,
        minutes: 0,
        cost: "0.017",
      },
      // Voice is billed per started minute: 2.2 minutes cost 3 × $0.013.
      {
        day: "2030-01-06",
        channel: "voice",
        direction: "outbound",
        messages: 1,
        segments: 0,
        minutes: 2.2,
        cost: "0.039",
      },
    ]);
    expect(res.body.totals).toEqual({ messages: 6, segments: 8, minutes: 2.2, cost: "0.1195" });

    const byChannel = await stack.api("GET", "/v1/usage?from=2030-01-01&to=2030-01-31&group_by=channel", {
      token: t.key,
    });
    expect(byChannel.body.data.map((r: any) => [r.channel, r.direction, r.cost])).toEqual([
      ["mms", "outbound", "0.022"],
      ["sms", "inbound", "0.0083"],
      ["sms", "outbound", "0.0502"],
      ["voice", "outbound", "0.039"],
    ]);
  });

  it("keeps counts exact when many transactions meter the same tenant at once", async () => {
    const t = await stack.newTenant();
    await Promise.all(
      Array.from({ length: 40 }, () =>
        record({
          tenantId: t.tenant.id,
          channel: "sms",
          direction: "outbound",
          segments: 2,
          at: new Date("2030-02-01T12:00:00Z"),
        }),
      ),
    );
    const res = await stack.api("GET", "/v1/usage?from=2030-02-01&to=2030-02-01", { token: t.key });
    expect(res.body.data).toEqual([
      { day: "2030-02-01", messages: 40, segments: 80, minutes: 0, cost: "0.664" },
    ]);
  });

  it("shows a tenant only its own usage, and the operator every tenant's", async () => {
    const a = await stack.newTenant();
    const b = await stack.newTenant();
    const at = new Date("2030-03-10T12:00:00Z");
    await record({ tenantId: a.tenant.id, channel: "whatsapp", direction: "outbound", at });
    await record({ tenantId: b.tenant.id, channel: "verify", direction: "outbound", at });
    await record({ tenantId: b.tenant.id, channel: "lookup", direction: "outbound", at });

    const own = await stack.api("GET", "/v1/usage?from=2030-03-01&to=2030-03-31&group_by=tenant", {
      token: a.key,
    });
    expect(own.body.data).toEqual([
      { tenant_id: a.tenant.id, messages: 1, segments: 1, minutes: 0, cost: "0.005" },
    ]);
    const foreign = await stack.api(
      "GET",
      `/v1/usage?from=2030-03-01&to=2030-03-31&tenant_id=${b.tenant.id}`,
      { token: a.key },
    );
    expect(foreign.status).toBe(404);

    const all = await stack.api("GET", "/v1/usage?from=2030-03-01&to=2030-03-31&group_by=tenant");
    expect(all.body.data).toEqual(
      expect.arrayContaining([
        { tenant_id: a.tenant.id, messages: 1, segments: 1, minutes: 0, cost: "0.005" },
        { tenant_id: b.tenant.id, messages: 2, segments: 0, minutes: 0, cost: "0.058" },
      ]),
    );
    const one = await stack.api(
      "GET",
      `/v1/usage?from=2030-03-01&to=2030-03-31&group_by=channel&tenant_id=${b.tenant.id}`,
    );
    expect(one.body.data.map((r: any) => r.channel)).toEqual(["lookup", "verify"]);
  });

  it("exports usage as CSV", async () => {
    const t = await stack.newTenant();
    await record({
      tenantId: t.tenant.id,
      channel: "sms",
      direction: "outbound",
      segments: 2,
      at: new Date("2030-04-02T00:00:00Z"),
    });
    const res = await stack.api(
      "GET",
      "/v1/usage?from=2030-04-01&to=2030-04-30&group_by=day,channel&format=csv",
      { token: t.key },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toContain("usage-2030-04-01-2030-04-30.csv");
    expect(res.body).toBe(
      "day,channel,direction,messages,segments,minutes,cost\r\n2030-04-02,sms,outbound,1,2,0,0.0166\r\n",
    );
  });

  it("prices new usage with the operator's prices, and a reset returns to list price", async () => {
    const t = await stack.newTenant();
    const denied = await stack.api("PUT", "/v1/prices", { token: t.key, body: { prices: [] } });
    expect(denied.status).toBe(403);

    const put = await stack.api("PUT", "/v1/prices", {
      body: { prices: [{ channel: "sms", direction: "outbound", unit_price: "0.01" }] },
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toContainEqual({
      channel: "sms",
      direction: "outbound",
      unit: "segment",
      unit_price: "0.01",
      source: "custom",
    });
    await record({
      tenantId: t.tenant.id,
      channel: "sms",
      direction: "outbound",
      segments: 3,
      at: new Date("2030-05-01T00:00:00Z"),
    });

    await stack.api("PUT", "/v1/prices", {
      body: { prices: [{ channel: "sms", direction: "outbound", unit_price: null }] },
    });
    await record({
      tenantId: t.tenant.id,
      channel: "sms",
      direction: "outbound",
      segments: 1,
      at: new Date("2030-05-02T00:00:00Z"),
    });
    const res = await stack.api("GET", "/v1/usage?from=2030-05-01&to=2030-05-31", { token: t.key });
    expect(res.body.data.map((r: any) => r.cost)).toEqual(["0.03", "0.0083"]);
    const prices = await stack.api("GET", "/v1/prices");
    expect(prices.body.data).toContainEqual({
      channel: "sms",
      direction: "outbound",
      unit: "segment",
      unit_price: "0.0083",
      source: "default",
    });
  });

  it("refuses bad ranges and groupings with stable codes", async () => {
    const t = await stack.newTenant();
    const cases: [string, number, string][] = [
      ["/v1/usage?group_by=week", 422, "invalid_group_by"],
      ["/v1/usage?from=2030-02-01&to=2030-01-01", 422, "invalid_range"],
      ["/v1/usage?from=2030-02-31", 422, "invalid_date"],
      ["/v1/usage?from=2020-01-01&to=2030-01-01", 422, "range_too_long"],
      ["/v1/usage?from=yesterday", 400, "invalid_request"],
      ["/v1/usage?format=xml", 400, "invalid_request"],
    ];
    for (const [path, status, code] of cases) {
      const res = await stack.api("GET", path, { token: t.key });
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status, code });
    }
  });
});

describe("price estimates", () => {
  it.each([
    ["sms", 1, {}, "0.0083"],
    ["sms", 3, {}, "0.0249"],
    ["sms", 2, { direction: "inbound" }, "0.0166"],
    ["mms", 5, {}, "0.022"],
    ["whatsapp", 1, {}, "0.005"],
    ["voice", 0, { minutes: 0.5 }, "0.013"],
    ["voice", 0, { minutes: 3 }, "0.039"],
    ["verify", 0, {}, "0.05"],
    ["lookup", 0, {}, "0.008"],
  ] as const)("%s with %i segments %j costs $%s", (channel, segments, options, expected) => {
    expect(estimatePrice(channel, segments, options)).toBe(expected);
  });

  it("uses an operator's table when given", () => {
    const table = { ...structuredClone(DEFAULT_PRICES), sms: { outbound: "0.0079", inbound: "0.0079" } };
    expect(estimatePrice("sms", 10, { table })).toBe("0.079");
  });

  it("does decimal arithmetic without float error", () => {
    expect(fromMicros(toMicros("0.1") + toMicros("0.2"))).toBe("0.30");
    expect(fromMicros(toMicros("-0.0170"))).toBe("-0.017");
    expect(fromMicros(toMicros("12"))).toBe("12.00");
  });
});
