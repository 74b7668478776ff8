import { describe, expect, it } from "vitest";
import { AUTO_REPLIES } from "../src/api/2010/messages/keywords.js";
import { segmentsOf } from "../src/api/2010/messages/segments.js";
import { USAGE_CATEGORIES } from "../src/api/2010/usage/records/categories.js";
import { twilioError, useEmulator } from "./setup.js";
import { DAY, date, day, usageFixtures, ymd } from "./usage-fixtures.js";

const em = useEmulator();
const { tenant, freshDay, dayOf } = usageFixtures(em);

const text = (handset: string, to: string, body: string, media_urls?: string[]) =>
  em.control("POST", `handsets/${encodeURIComponent(handset)}/messages`, { to, body, media_urls });

describe("usage records", () => {
  it("derive a month of daily records from what was sent and received, per UTC day and category", async () => {
    const first = await freshDay();
    const { client, local } = await tenant("A month of traffic");
    const [tf] = await client.availablePhoneNumbers("US").tollFree.list({ limit: 1 });
    const tollFree = (await client.incomingPhoneNumbers.create({ phoneNumber: tf.phoneNumber })).phoneNumber;
    const expected: Record<string, { longcode: number; tollfree: number; inbound: number }> = {};
    for (let d = 0; d < 30; d++) {
      const today = day(date(first).getTime() + d * DAY);
      expected[today] = {
        longcode: (d % 3) + 1,
        tollfree: d % 2 === 0 ? 2 : 0,
        inbound: d % 5 === 0 ? 1 : 0,
      };
      for (let i = 0; i < expected[today].longcode; i++)
        await client.messages.create({ from: local, to: "+14155550100", body: `Day ${d}: code ${i}` });
      if (expected[today].tollfree)
        await client.messages.create({ from: tollFree, to: "+14155550101", body: "x".repeat(200) });
      if (expected[today].inbound) await text("+14155550102", local, "Thanks!");
      await em.advance(86_400);
    }
    const last = day(date(first).getTime() + 29 * DAY);
    const records = client.usage.records;

    const longcode = await records.daily.list({
      category: "sms-outbound-longcode",
      startDate: date(first),
      endDate: date(last),
    });
    expect(longcode.map((r) => [ymd(r.startDate), ymd(r.endDate), r.count, String(r.price)])).toEqual(
      Object.entries(expected).map(([d, e]) => [d, d, String(e.longcode), (e.longcode * 0.0079).toFixed(5)]),
    );
    expect(longcode[0]).toMatchObject({
      countUnit: "messages",
      usage: longcode[0].count,
      usageUnit: "messages",
    });
    expect(longcode[0].priceUnit).toBe("usd");

    // Every category, every day (zeros included), through the SDK's paging: rollups are sums.
    const all = await records.daily.list({ startDate: date(first), endDate: date(last) });
    expect(all).toHaveLength(30 * USAGE_CATEGORIES.length);
    for (const [d, e] of Object.entries(expected)) {
      const of = (category: string) => all.find((r) => ymd(r.startDate) === d && r.category === category)!;
      expect(of("sms-outbound-tollfree").count).toBe(String(e.tollfree));
      expect(of("sms-inbound-longcode").count).toBe(String(e.inbound));
      expect(of("sms-outbound").count).toBe(String(e.longcode + e.tollfree));
      expect(of("sms").count).toBe(String(e.longcode + e.tollfree + e.inbound));
      expect(String(of("sms").price)).toBe(
        ((e.longcode + e.inbound) * 0.0079 + e.tollfree * 0.0083).toFixed(5),
      );
      expect(of("mms").count).toBe("0");
    }

    const total = Object.values(expected).reduce((n, e) => n + e.longcode + e.tollfree, 0);
    const [allTime] = await records.allTime.list({
      category: "sms-outbound",
      startDate: date(first),
      endDate: date(last),
    });
    expect(allTime).toMatchObject({ count: String(total), category: "sms-outbound" });
    const monthly = await records.monthly.list({
      category: "sms-outbound",
      startDate: date(first),
      endDate: date(last),
    });
    expect(monthly.reduce((n, r) => n + Number(r.count), 0)).toBe(total);
    expect([ymd(monthly[0].startDate), ymd(monthly.at(-1)!.endDate)]).toEqual([first, last]);
    const [yesterday] = await records.yesterday.list({ category: "sms-outbound-longcode" });
    expect([ymd(yesterday.startDate), yesterday.count]).toEqual([last, String(expected[last].longcode)]);
  });

  it("bill smart-encoded bodies at the smart-encoded segment count, and survive the message's deletion", async () => {
    const d = await freshDay();
    const { client, local } = await tenant("Smart encoding");
    const send = (body: string, smartEncoded?: boolean) =>
      client.messages.create({ to: "+14155550110", from: local, body, smartEncoded });
    const sent = [
      await send("“quoted” text — ".repeat(5), true),
      await send("“quoted” text — ".repeat(5), false),
      await send("😀".repeat(36)),
    ];
    expect(sent.map((m) => m.numSegments)).toEqual(["1", "2", "2"]);
    await em.advance(60);
    const usage = await dayOf(client, d);
    expect(usage["sms-outbound-longcode"]).toEqual({ count: "5", price: "0.03950" });

    await client.messages(sent[0].sid).remove();
    expect((await dayOf(client, d))["sms-outbound-longcode"].count).toBe("5");
  });

  it("count received SMS and Twilio's keyword auto-replies in segments, and MMS per message", async () => {
    const d = await freshDay();
    const { client, local } = await tenant("Keywords and MMS");
    const handset = "+14155550120";
    await text(handset, local, "STOP");
    await text(handset, local, "HELP");
    await client.messages.create({
      to: "+14155550121",
      from: local,
      body: "Your receipt",
      mediaUrl: ["https://cdn.example.com/receipt.png"],
    });
    await text("+14155550122", local, "Here it is", ["https://cdn.example.com/photo.jpg"]);
    const long = await text("+14155550123", local, "y".repeat(200));
    expect((await client.messages(long.sid).fetch()).price).toBe("-0.01580");
    await em.advance(60);

    const replies =
      segmentsOf(AUTO_REPLIES.STOP, false).segments + segmentsOf(AUTO_REPLIES.HELP, false).segments;
    const usage = await dayOf(client, d);
    expect(usage["sms-inbound-longcode"]).toEqual({ count: "4", price: "0.03160" });
    expect(usage["sms-outbound-longcode"]).toEqual({
      count: String(replies),
      price: (replies * 0.0079).toFixed(5),
    });
    expect(usage["mms-outbound-longcode"]).toEqual({ count: "1", price: "0.02000" });
    expect(usage["mms-inbound-longcode"]).toEqual({ count: "1", price: "0.02000" });
    expect(usage.mms.count).toBe("2");
    expect(usage.sms.count).toBe(String(4 + replies));
  });

  it("cover the account they name; the parent's add up its subaccounts unless IncludeSubaccounts=false", async () => {
    const d = await freshDay();
    const a = await tenant("Tenant A");
    const b = await tenant("Tenant B");
    await em.control("PUT", "compliance", { account_sid: em.emulator.parent.sid, enforce: false });
    const own = await em.parent.incomingPhoneNumbers.create({ areaCode: "415" });
    const send = (client: typeof a.client, from: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, () => client.messages.create({ from, to: "+14155550130", body: "Hi" })),
      );
    await send(a.client, a.local, 2);
    await send(b.client, b.local, 3);
    await send(em.parent, own.phoneNumber, 1);
    await em.advance(60);

    expect((await dayOf(a.client, d)).sms.count).toBe("2");
    expect((await dayOf(a.client, d, true)).sms.count).toBe("2");
    expect((await dayOf(b.client, d)).sms.count).toBe("3");
    const ofA = await em.parent.api.v2010.accounts(a.sid).usage.records.daily.list({
      category: "sms",
      startDate: date(d),
      endDate: date(d),
    });
    expect(ofA.map((r) => [r.accountSid, r.count])).toEqual([[a.sid, "2"]]);
    expect((await dayOf(em.parent, d)).sms).toEqual({ count: "6", price: "0.04740" });
    expect((await dayOf(em.parent, d, false)).sms).toEqual({ count: "1", price: "0.00790" });

    const sibling = await twilioError(
      b.client.api.v2010.accounts(a.sid).usage.records.daily.list({ startDate: date(d), endDate: date(d) }),
    );
    expect(sibling).toMatchObject({ status: 401, code: 20003 });
  });

  it("read StartDate/EndDate as GMT dates or offsets, and refuse dates that are neither", async () => {
    const d = await freshDay();
    const { sid, client } = await tenant("Dates");
    const records = client.usage.records;
    const offsets = await records.daily.list({ category: "sms", startDate: "-2days" as unknown as Date });
    expect(offsets.map((r) => ymd(r.startDate))).toEqual(
      [-2, -1, 0].map((n) => day(date(d).getTime() + n * DAY)),
    );
    const [root] = await records.list({ category: "sms" });
    expect(root).toMatchObject({ startDate: date(d), endDate: date(d), accountSid: sid });
    expect(root.uri).toBe(
      `/2010-04-01/Accounts/${sid}/Usage/Records.json?Category=sms&StartDate=${d}&EndDate=${d}`,
    );
    expect(root.subresourceUris.daily).toBe(
      `/2010-04-01/Accounts/${sid}/Usage/Records/Daily.json?Category=sms`,
    );
    expect(root.asOf).toMatch(new RegExp(`^${d}T\\d{2}:\\d{2}:\\d{2}\\+00:00$`));
    const [thisMonth] = await records.thisMonth.list({ category: "sms" });
    expect([ymd(thisMonth.startDate), ymd(thisMonth.endDate)]).toEqual([`${d.slice(0, 8)}01`, d]);
    const [lastMonth] = await records.lastMonth.list({ category: "sms" });
    expect(ymd(lastMonth.endDate)).toBe(day(date(`${d.slice(0, 8)}01`).getTime() - DAY));

    expect(await records.daily.list({ category: "calls" })).toEqual([]);
    expect(
      await records.daily.list({ startDate: date(d), endDate: date(day(date(d).getTime() - DAY)) }),
    ).toEqual([]);
    const bad = await twilioError(records.daily.list({ startDate: "2025-02-30" as unknown as Date }));
    expect(bad).toMatchObject({ status: 400, code: 20001 });
  });
});
