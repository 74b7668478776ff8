import { describe, expect, it } from "vitest";
import { useEmulator } from "./setup.js";
import { DAY, date, day, usageFixtures, ymd } from "./usage-fixtures.js";

const em = useEmulator();
const { tenant, freshDay, dayOf } = usageFixtures(em);

describe("usage skews (control API)", () => {
  it("make one account's bill differ on one day and category, so a drift report names them", async () => {
    const before = await freshDay();
    const { sid, client, local } = await tenant("Skewed bill");
    await client.messages.create({ from: local, to: "+14155550140", body: "Day one" });
    await em.advance(86_400);
    const skewed = day(date(before).getTime() + DAY);
    for (const body of ["Day two", "Day two again"])
      await client.messages.create({ from: local, to: "+14155550140", body });
    await em.advance(60);

    const skew = await em.control("POST", "usage/skews", {
      account_sid: sid,
      date: skewed,
      category: "sms-outbound-longcode",
      add_count: 3,
      price_multiplier: 2,
    });
    expect(skew).toMatchObject({
      id: expect.stringMatching(/^UA/),
      add_count: 3,
      price_multiplier: 2,
      add_price: 0,
    });
    expect((await em.control("GET", `usage/skews?account_sid=${sid}`)).skews).toHaveLength(1);

    // What Subtext would have metered: the segments of what the account sent, per day.
    const metered: Record<string, number> = {};
    for (const m of await client.messages.list({ from: local }))
      metered[ymd(m.dateSent)] = (metered[ymd(m.dateSent)] ?? 0) + Number(m.numSegments);
    const billed = await client.usage.records.daily.list({
      category: "sms-outbound-longcode",
      startDate: date(before),
      endDate: date(skewed),
    });
    const drift = billed
      .filter((r) => Number(r.count) !== (metered[ymd(r.startDate)] ?? 0))
      .map((r) => ({ day: ymd(r.startDate), category: r.category, billed: r.count, price: String(r.price) }));
    expect(drift).toEqual([
      { day: skewed, category: "sms-outbound-longcode", billed: "5", price: "0.03160" },
    ]);

    // The rollups count the skew too, and so does the parent's total.
    const usage = await dayOf(client, skewed);
    expect([usage["sms-outbound"].count, usage.sms.count, usage["sms-outbound-tollfree"].count]).toEqual([
      "5",
      "5",
      "0",
    ]);
    expect((await dayOf(em.parent, skewed)).sms.count).toBe("5");
    expect((await dayOf(client, before))["sms-outbound-longcode"].count).toBe("1");

    await em.control("DELETE", `usage/skews/${skew.id}`);
    expect((await dayOf(client, skewed))["sms-outbound-longcode"]).toEqual({ count: "2", price: "0.01580" });
    await em.control("POST", "usage/skews", {
      account_sid: sid,
      date: before,
      category: "mms",
      add_price: 0.25,
    });
    expect((await dayOf(client, before)).mms).toEqual({ count: "0", price: "0.25000" });
    await em.control("DELETE", "usage/skews");
    expect((await em.control("GET", "usage/skews")).skews).toEqual([]);
  });

  it.each([
    [
      { date: "2025-01-15", category: "calls", add_count: 1 },
      /400 .*category must be one of sms, sms-outbound/,
    ],
    [{ date: "2025-02-30", category: "sms", add_count: 1 }, /400 .*date must be a UTC day/],
    [{ date: "2025-01-15", category: "sms", add_count: 1.5 }, /400 .*add_count is not valid/],
    [{ date: "2025-01-15", category: "sms", price_multiplier: -1 }, /400 .*price_multiplier is not valid/],
    [{ date: "2025-01-15", category: "sms" }, /400 .*needs add_count, price_multiplier or add_price/],
    [
      {
        account_sid: "AC00000000000000000000000000000000",
        date: "2025-01-15",
        category: "sms",
        add_count: 1,
      },
      /404/,
    ],
  ])("refuse %j", async (input, error) => {
    const skew = { account_sid: em.emulator.parent.sid, ...input };
    await expect(em.control("POST", "usage/skews", skew)).rejects.toThrow(error);
  });
});
