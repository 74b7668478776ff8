/**
 * The drift report against the emulator's Usage Records: a month of real traffic (sends of one
 * and several segments, smart encoding on and off, MMS, inbound texts, Twilio's keyword
 * auto-replies and a custom keyword's TwiML reply) bills exactly what Subtext metered, so the
 * report is empty; a skew makes the emulator bill differently, and the report names that tenant,
 * day and category until the skew goes.
 */
import { emulatorHttpClient } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIFT_JOB, ensureDriftJob } from "../../src/usage/drift.js";
import { dispatchAll, driveUntil, readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let tenant: any;
let key: string;
let ourNumber: string;
let subaccount: string;
/** The first day of the month of traffic, and every day of it. */
const days: string[] = [];

const DAY_S = 86_400;
const CURLY =
  "Your order is ready for pickup at Jane’s Bakery, 12 Main Street — see you soon, and thanks again!";
const LONG = `Jane's Bakery: ${"fresh bread every morning, ".repeat(7)}see you soon.`;

/** Moves both clocks by the same amount (the emulator's runs what falls due on the way). */
async function advanceBoth(seconds: number) {
  await stack.emulator.control("POST", "clock/advance", { seconds });
  stack.clock.advance(seconds * 1000);
}

/** Both clocks at the next UTC noon, so that a day's traffic falls on the same UTC day in both. */
async function alignAtNoon() {
  const emulator = Date.parse((await stack.emulator.control("GET", "clock")).now);
  const base = Math.max(emulator, stack.clock.now().getTime());
  const noon = new Date(base);
  noon.setUTCHours(12, 0, 0, 0);
  if (noon.getTime() <= base) noon.setUTCDate(noon.getUTCDate() + 1);
  await stack.emulator.control("POST", "clock/advance", { seconds: (noon.getTime() - emulator) / 1000 });
  stack.clock.set(noon);
}

const today = () => stack.clock.now().toISOString().slice(0, 10);
const send = (body: Record<string, unknown>) =>
  stack.api("POST", "/v1/messages", { token: key, body }).then((r) => {
    if (r.status !== 202) throw new Error(`send refused: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  });
const text = (from: string, body: string, media_urls?: string[]) =>
  stack.emulator.control("POST", `handsets/${encodeURIComponent(from)}/messages`, {
    to: ourNumber,
    body,
    ...(media_urls ? { media_urls } : {}),
  });

/** Everything sent today is final at both ends, Twilio's replies included. */
async function settle() {
  await dispatchAll(stack);
  await advanceBoth(60);
  await driveUntil(stack, "every message final at Subtext and at Twilio", async () => {
    const { rows } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages
       WHERE tenant_id = $1 AND direction = 'outbound' AND status NOT IN ('delivered', 'undelivered', 'failed')`,
      [tenant.id],
    );
    const twilioSide = await stack.emulator.control<{ messages: any[] }>(
      "GET",
      `messages?account_sid=${subaccount}`,
    );
    const pending = twilioSide.messages.filter(
      (m) => m.direction !== "inbound" && !["delivered", "undelivered", "failed"].includes(m.status),
    );
    return rows[0].n === 0 && pending.length === 0;
  });
}

/** The emulator's daily records of the subaccount, read with the parent's credentials. */
async function twilioDaily(category: string, from: string, to: string) {
  const parent = twilio(stack.emulator.parent.sid, stack.emulator.parent.authToken, {
    httpClient: emulatorHttpClient(stack.emulator.url),
  });
  const records = await parent.api.v2010.accounts(subaccount).usage.records.daily.list({
    category,
    startDate: new Date(`${from}T00:00:00Z`),
    endDate: new Date(`${to}T00:00:00Z`),
  });
  return records.map((r) => ({ day: r.startDate.toISOString().slice(0, 10), count: Number(r.count) }));
}

async function usageOf(day: string) {
  const res = await stack.api("GET", `/v1/usage?from=${day}&to=${day}&group_by=channel`, { token: key });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.data.map((r: any) => [`${r.channel}-${r.direction}`, r]));
}

const check = (body: Record<string, unknown> = {}) => stack.api("POST", "/v1/usage/drift/check", { body });
const driftEvents = async () =>
  (await stack.api("GET", "/v1/events?type=usage.drift&limit=100", { token: key })).body.data;

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const ready = await readyToSend(stack);
  tenant = ready.tenant;
  key = ready.key;
  ourNumber = ready.profile.senders[0].phoneNumber;
  subaccount = (await stack.api("GET", `/v1/tenants/${tenant.id}`)).body.subaccount_sid;
  const custom = await stack.api("PUT", "/v1/keyword-replies", {
    token: key,
    body: {
      keywords: { help: ["AIDE"] },
      replies: {
        help: "Jane’s Bakery: call us on 415-555-0123 between 8 and 6 — or reply STOP to opt out of our texts.",
      },
    },
  });
  expect(custom.status).toBe(200);
  await alignAtNoon();
}, 180_000);
afterAll(() => stack?.close());

describe("the drift report", () => {
  it("is empty after a month of traffic that Twilio billed as Subtext metered it", {
    timeout: 300_000,
  }, async () => {
    for (let i = 0; i < 30; i++) {
      days.push(today());
      const to = `+1415777${String(1000 + i).padStart(4, "0")}`;
      await send({ to, body: `Day ${i}: your order is ready.` });
      await send({ to, body: LONG });
      // Smart encoding on (1 segment), off (2), and left out (off: 2), as Twilio is told.
      await send({ to, body: CURLY, ...(i % 3 === 2 ? {} : { smart_encoding: i % 3 === 0 }) });
      if (i % 5 === 0)
        await send({ to, body: "Your receipt", media_urls: ["https://example.com/receipt.png"] });
      const handset = `+1415888${String(1000 + i).padStart(4, "0")}`;
      if (i % 4 === 0) await text(handset, "Is my order ready?");
      if (i % 6 === 1) await text(handset, "Here it is", ["https://example.com/photo.jpg"]);
      if (i === 7) await text(handset, "HELP");
      if (i === 10) await text("+14158880010", "STOP");
      if (i === 11) await text("+14158880010", "START");
      if (i === 14) await text(handset, "aide");
      await settle();
      await advanceBoth(DAY_S);
    }
    const [first, last] = [days[0], days[days.length - 1]];

    // Not a vacuous comparison: the month has traffic in every category, and the days with
    // Twilio's own replies meter them (HELP: one auto-reply; AIDE: our TwiML reply).
    // 30 days of 1 + 2 + (1 or 2) segments, and Twilio's replies to HELP, STOP, START and AIDE.
    const billed = await twilioDaily("sms-outbound", first, last);
    expect(billed.reduce((n, d) => n + d.count, 0)).toBe(10 * 4 + 20 * 5 + 4);
    const helpDay = await usageOf(days[7]);
    const plainDay = await usageOf(days[6]);
    expect(helpDay["sms-outbound"].messages).toBe(plainDay["sms-outbound"].messages + 1);
    expect((await usageOf(days[14]))["sms-outbound"].messages).toBe(
      (await usageOf(days[13]))["sms-outbound"].messages + 1,
    );
    expect((await usageOf(days[10]))["sms-outbound"].messages).toBe(
      (await usageOf(days[9]))["sms-outbound"].messages + 1,
    );
    for (const category of ["sms-inbound", "mms-outbound", "mms-inbound"])
      expect(
        (await twilioDaily(category, first, last)).some((d) => d.count > 0),
        category,
      ).toBe(true);

    const res = await check({ from: first, to: last });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: first,
      to: last,
      tenants: 1,
      opened: [],
      resolved: [],
      open: 0,
      failed: [],
    });
    expect((await stack.api("GET", "/v1/usage/drift")).body).toEqual({
      data: [],
      has_more: false,
      next_cursor: null,
    });
    expect(await driftEvents()).toEqual([]);
  });

  it("names the tenant, day and category the emulator billed differently, once, until the bill agrees again", async () => {
    const [first, last] = [days[0], days[days.length - 1]];
    const day = days[12];
    const ours = (await usageOf(day))["sms-outbound"].segments;
    const skew = await stack.emulator.control("POST", "usage/skews", {
      account_sid: subaccount,
      date: day,
      category: "sms-outbound",
      add_count: 2,
    });

    // Two checks at once (the daily job and the operator's) open it once.
    const [one, two] = await Promise.all([
      check({ from: first, to: last }),
      check({ from: first, to: last }),
    ]);
    expect([one.body.failed, two.body.failed]).toEqual([[], []]);
    expect([one.body.open, two.body.open]).toEqual([1, 1]);
    const opened = [...one.body.opened, ...two.body.opened];
    expect(opened).toEqual([expect.stringMatching(/^udr_/)]);
    const found = { body: { opened } };
    const list = await stack.api("GET", "/v1/usage/drift", { token: key });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    const [drift] = list.body.data;
    expect(drift).toMatchObject({
      id: found.body.opened[0],
      object: "usage_drift",
      tenant_id: tenant.id,
      day,
      category: "sms-outbound",
      unit: "segments",
      subtext: { count: ours },
      twilio: { count: ours + 2 },
      difference: { count: -2 },
      reasons: ["count"],
      state: "open",
      resolved_at: null,
    });
    const events = await driftEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: drift.event_id, type: "usage.drift" });
    expect(events[0].data.drift).toMatchObject({
      id: drift.id,
      day,
      category: "sms-outbound",
      state: "open",
    });

    // Checked again: the same difference, not a new one, and no second event.
    const again = await check({ from: first, to: last });
    expect(again.body).toMatchObject({ opened: [], resolved: [], open: 1 });
    expect((await stack.api("GET", "/v1/usage/drift", { token: key })).body.data).toHaveLength(1);
    expect(await driftEvents()).toHaveLength(1);

    await stack.emulator.control("DELETE", `usage/skews/${skew.id}`);
    const resolved = await check({ from: first, to: last });
    expect(resolved.body).toMatchObject({ opened: [], resolved: [drift.id], open: 0 });
    expect((await stack.api("GET", "/v1/usage/drift?state=open", { token: key })).body.data).toEqual([]);
    const history = (await stack.api("GET", "/v1/usage/drift?state=resolved", { token: key })).body.data;
    expect(history).toMatchObject([{ id: drift.id, state: "resolved", resolved_at: expect.any(String) }]);
    expect(await driftEvents()).toHaveLength(1);
  });

  it("reports a price billed at three times the rate under the category Subtext meters", async () => {
    const day = days[20];
    const skew = await stack.emulator.control("POST", "usage/skews", {
      account_sid: subaccount,
      date: day,
      category: "sms-outbound-longcode",
      price_multiplier: 3,
    });
    const found = await check({ from: day, to: day });
    expect(found.body).toMatchObject({ opened: [expect.any(String)], open: 1 });
    const [drift] = (await stack.api("GET", `/v1/usage/drift?state=open&from=${day}&to=${day}`)).body.data;
    expect(drift).toMatchObject({ tenant_id: tenant.id, day, category: "sms-outbound", reasons: ["price"] });
    expect(drift.subtext.count).toBe(drift.twilio.count);
    expect(Number(drift.twilio.price)).toBeGreaterThan(2 * Number(drift.subtext.cost));

    await stack.emulator.control("DELETE", `usage/skews/${skew.id}`);
    expect((await check({ from: day, to: day })).body).toMatchObject({ resolved: [drift.id], open: 0 });
  });

  it("runs daily at 04:00 UTC over the seven days before, and comes back the next day", async () => {
    // What a worker process does when it starts (the usage module's loop).
    await ensureDriftJob(stack.services);
    await ensureDriftJob(stack.services);
    const job = async () =>
      (
        await stack.db.query<{ run_at: Date }>("SELECT run_at FROM jobs WHERE kind = $1", [DRIFT_JOB])
      ).rows.map((r) => r.run_at.toISOString());
    const [runAt] = await job();
    expect(await job()).toHaveLength(1);
    expect(runAt).toMatch(/T04:00:00\.000Z$/);

    // Yesterday (as of the run) gets billed differently; the job finds it on its own.
    const runDay = runAt.slice(0, 10);
    const yesterday = new Date(Date.parse(`${runDay}T00:00:00Z`) - DAY_S * 1000).toISOString().slice(0, 10);
    await stack.emulator.control("POST", "usage/skews", {
      account_sid: subaccount,
      date: yesterday,
      category: "sms-inbound",
      add_count: 1,
      add_price: 0.0079,
    });
    stack.clock.set(new Date(runAt));
    await stack.jobs.runDue();
    const open = (await stack.api("GET", "/v1/usage/drift?state=open", { token: key })).body.data;
    expect(open).toMatchObject([
      { day: yesterday, category: "sms-inbound", difference: { count: -1 }, reasons: ["count"] },
    ]);
    expect(await job()).toEqual([new Date(Date.parse(runAt) + DAY_S * 1000).toISOString()]);
    await stack.emulator.control("DELETE", "usage/skews");
  });

  it("shows each tenant only its own differences, and lets only the operator run a check", async () => {
    const other = await stack.newTenant();
    const day = days[3];
    await stack.emulator.control("POST", "usage/skews", {
      account_sid: subaccount,
      date: day,
      category: "mms-outbound",
      add_count: 1,
    });
    const res = await check({ tenant_id: tenant.id, from: day, to: day });
    expect(res.body).toMatchObject({ tenants: 1, opened: [expect.any(String)] });
    const id = res.body.opened[0];

    const theirs = await stack.api("GET", "/v1/usage/drift", { token: other.key });
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toEqual([]);
    expect(
      (await stack.api("GET", `/v1/usage/drift?tenant_id=${tenant.id}`, { token: other.key })).status,
    ).toBe(404);
    const refused = await stack.api("POST", "/v1/usage/drift/check", { token: other.key, body: {} });
    expect(refused.status).toBe(403);

    const all = (await stack.api("GET", "/v1/usage/drift?state=open")).body.data;
    expect(all.map((d: any) => d.id)).toContain(id);
    const filtered = await stack.api("GET", `/v1/usage/drift?state=open&tenant_id=${other.tenant.id}`);
    expect(filtered.body.data).toEqual([]);
    const byCategory = await stack.api("GET", `/v1/usage/drift?category=mms-outbound&tenant_id=${tenant.id}`);
    expect(byCategory.body.data.map((d: any) => [d.id, d.unit])).toEqual([[id, "messages"]]);

    // Every tenant with a subaccount is compared; the new one has no usage and no difference.
    const everyone = await check({ from: day, to: day });
    expect(everyone.body).toMatchObject({ tenants: 2, opened: [], open: 1, failed: [] });
    await stack.emulator.control("DELETE", "usage/skews");
    expect((await check({ from: day, to: day })).body).toMatchObject({ resolved: [id], open: 0 });
  });

  it("refuses bad filters and ranges with stable codes, changing nothing", async () => {
    const t = today();
    const cases: [string, string, unknown, number, string][] = [
      ["GET", "/v1/usage/drift?from=2030-02-31", undefined, 422, "invalid_date"],
      ["GET", "/v1/usage/drift?from=2030-02-02&to=2030-02-01", undefined, 422, "invalid_range"],
      ["GET", "/v1/usage/drift?category=voice", undefined, 400, "invalid_request"],
      ["GET", "/v1/usage/drift?state=closed", undefined, 400, "invalid_request"],
      ["GET", "/v1/usage/drift?limit=0", undefined, 400, "invalid_request"],
      ["POST", "/v1/usage/drift/check", { from: "2030-01-10", to: "2030-01-01" }, 422, "invalid_range"],
      ["POST", "/v1/usage/drift/check", { from: "2030-02-30", to: "2030-03-01" }, 422, "invalid_date"],
      ["POST", "/v1/usage/drift/check", { from: t, to: "2999-01-01" }, 422, "invalid_range"],
      ["POST", "/v1/usage/drift/check", { from: days[0], to: t, extra: 1 }, 400, "invalid_request"],
      ["POST", "/v1/usage/drift/check", { from: "2020-01-01", to: t }, 422, "range_too_long"],
      ["POST", "/v1/usage/drift/check", { tenant_id: "ten_nope" }, 404, "not_found"],
    ];
    const before = await stack.db.query("SELECT count(*)::int AS n FROM usage_drift");
    for (const [method, path, body, status, code] of cases) {
      const res = await stack.api(method, path, { body });
      expect({ path, body, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        body,
        status,
        code,
      });
    }
    expect((await stack.db.query("SELECT count(*)::int AS n FROM usage_drift")).rows).toEqual(before.rows);
  });
});
