import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dispatcher } from "../../src/messaging/dispatch/dispatcher.js";
import { messagingOf } from "../../src/messaging/module.js";
import { readyToSend } from "../support/messaging.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: { key: string; tenant: any };
let b: { key: string; tenant: any };

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  a = await readyToSend(stack);
  b = await readyToSend(stack);
}, 180_000);
afterAll(() => stack?.close());

const TICK_MS = 50;
const number = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, "0")}`;

async function laneOf(key: string) {
  return (await stack.api("GET", "/v1/lanes", { token: key })).body.data[0];
}

async function setLane(key: string, change: Record<string, unknown>) {
  const lane = await laneOf(key);
  const res = await stack.api("PATCH", `/v1/lanes/${lane.id}`, { body: change });
  expect(res.status).toBe(200);
  return res.body;
}

async function batch(key: string, tos: string[], body = "Lane test"): Promise<string[]> {
  const res = await stack.api("POST", "/v1/messages/batch", {
    token: key,
    body: { messages: tos.map((to) => ({ to, body })) },
  });
  expect(res.body.accepted).toBe(tos.length);
  return res.body.results.map((r: any) => r.id as string);
}

/** Ticks the dispatcher every 50 ms of our clock for `ms`. */
async function run(ms: number, dispatcher = messagingOf(stack.services).dispatcher) {
  for (let t = 0; t < ms; t += TICK_MS) {
    stack.clock.advance(TICK_MS);
    await dispatcher.tick();
    // Let HTTP (calls to the emulator, its callbacks) progress between ticks, as real time would.
    await new Promise((r) => setImmediate(r));
  }
  await dispatcher.drain();
}

/** When each of a tenant's messages was handed to Twilio (first attempts), in ms of our clock. */
async function handedOver(tenantId: string, since: number): Promise<number[]> {
  const { rows } = await stack.db.query<{ at: Date }>(
    "SELECT started_at AS at FROM message_attempts WHERE tenant_id = $1 AND n = 1 AND started_at > $2 ORDER BY started_at",
    [tenantId, new Date(since)],
  );
  return rows.map((r) => r.at.getTime());
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe("lanes", () => {
  it("shapes a lane to its rate over 60 s within 1%, never bursting above it", {
    timeout: 120_000,
  }, async () => {
    // Delivery is not what this measures: spare the run the emulator's status callbacks.
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const lane = await setLane(a.key, { mps: 10 });
    expect(lane).toMatchObject({ mps: 10, burst: 1 });
    await batch(
      a.key,
      Array.from({ length: 700 }, (_, i) => number("+1415640", i)),
    );
    const t0 = stack.clock.now().getTime();
    await run(60_000);
    const times = await handedOver(a.tenant.id, t0);
    expect(Math.abs(times.length - 600)).toBeLessThanOrEqual(6);
    expect(maxInAnyWindow(times, 1_000)).toBeLessThanOrEqual(10 + lane.burst);
  });

  it("gives each tenant's lane its own budget: one tenant's flood does not delay another", {
    timeout: 120_000,
  }, async () => {
    await batch(
      a.key,
      Array.from({ length: 2_000 }, (_, i) => number("+1415641", i)),
    );
    await setLane(b.key, { mps: 10 });
    const t0 = stack.clock.now().getTime();
    await batch(
      b.key,
      Array.from({ length: 5 }, (_, i) => number("+1415642", i)),
    );
    await run(1_000);
    const bTimes = await handedOver(b.tenant.id, t0);
    expect(bTimes).toHaveLength(5);
    expect(Math.max(...bTimes) - t0).toBeLessThanOrEqual(600);
    expect((await laneOf(a.key)).queued).toBeGreaterThan(1_900);
  });

  it("waits for the bucket to refill for a long message instead of claiming in vain every tick", async () => {
    const c = await readyToSend(stack);
    const lane = await setLane(c.key, { mps: 1, burst: 2 });
    await batch(c.key, ["+14156430001"], "Short one");
    const [long] = await batch(c.key, ["+14156430002"], "Your order ".repeat(20));
    expect((await stack.api("GET", `/v1/messages/${long}`, { token: c.key })).body.segments).toBe(2);
    const dispatcher = messagingOf(stack.services).dispatcher;
    // Each claim transaction stamps the lane's last_dispatch_at, empty ones included.
    const claims: number[] = [];
    for (let t = 0; t <= 1_500; t += TICK_MS) {
      stack.clock.advance(TICK_MS);
      await dispatcher.tick();
      const row = await stack.db.one<{ at: Date | null }>(
        "SELECT last_dispatch_at AS at FROM lanes WHERE id = $1",
        [lane.id],
      );
      if (row.at && claims.at(-1) !== row.at.getTime()) claims.push(row.at.getTime());
    }
    await dispatcher.drain();
    // The short message took one token of two; the long one needs two: the next claim comes
    // exactly when the second token is back, one second later, and none in between.
    expect(claims).toHaveLength(2);
    expect(claims[1] - claims[0]).toBe(1_000);
    const times = await handedOver(c.tenant.id, claims[0] - 1);
    expect(times).toEqual(claims);
  });

  it("holds messages over the brand's daily cap until the next Pacific midnight, then sends them", {
    timeout: 120_000,
  }, async () => {
    const before = await laneOf(b.key);
    await setLane(b.key, { mps: 100, daily_cap: before.today.segments + 3 });
    const ids = await batch(
      b.key,
      Array.from({ length: 6 }, (_, i) => number("+1415643", i)),
    );
    await run(1_000);
    const statuses = async () =>
      Promise.all(
        ids.map(async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: b.key })).body),
      );
    let views = await statuses();
    expect(views.filter((m) => m.status === "queued")).toHaveLength(3);
    const held = views.find((m) => m.status === "queued");
    const lane = await laneOf(b.key);
    expect(lane).toMatchObject({ held_reason: "daily_cap", held_until: lane.today.resets_at });
    expect(held.held).toEqual({ reason: "daily_cap", until: lane.today.resets_at });
    // Pacific midnight: a wall-clock midnight in Los Angeles.
    const local = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Los_Angeles",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    expect(local.format(new Date(lane.today.resets_at))).toBe("00:00");

    stack.clock.set(new Date(new Date(lane.today.resets_at).getTime() - 2_000));
    await run(1_000);
    views = await statuses();
    expect(views.filter((m) => m.status === "queued")).toHaveLength(3);
    await run(2_000);
    views = await statuses();
    expect(views.filter((m) => m.status === "queued")).toHaveLength(0);
  });

  it("releases held messages first, in order, when the operator raises the cap", {
    timeout: 120_000,
  }, async () => {
    const before = await laneOf(b.key);
    await setLane(b.key, { mps: 100, daily_cap: before.today.segments + 1 });
    const held = await batch(
      b.key,
      Array.from({ length: 3 }, (_, i) => number("+1415647", i)),
    );
    await run(500);
    const since = stack.clock.now().getTime();
    const later = await batch(b.key, [number("+1415648", 0)]);
    await setLane(b.key, { daily_cap: before.today.segments + 100 });
    await run(1_000);
    const { rows } = await stack.db.query<{ message_id: string }>(
      "SELECT message_id FROM message_attempts WHERE tenant_id = $1 AND started_at > $2 ORDER BY started_at, id",
      [b.tenant.id, new Date(since)],
    );
    expect(rows.map((r) => r.message_id)).toEqual([...held.slice(1), ...later]);
    await setLane(b.key, { daily_cap: null });
  });

  it("refuses a daily cap beyond what its integer column holds with 400, and keeps the lane as it was", async () => {
    const before = await laneOf(b.key);
    for (const change of [{ daily_cap: 2 ** 31 }, { tmobile_daily_cap: 2 ** 53 }]) {
      const res = await stack.api("PATCH", `/v1/lanes/${before.id}`, { body: change });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(await laneOf(b.key)).toEqual(before);
  });

  it("counts T-Mobile's daily cap for recipients whose carrier Lookup says is T-Mobile", {
    timeout: 120_000,
  }, async () => {
    const settings = await stack.api("PATCH", "/v1/messaging/settings", {
      token: b.key,
      body: { carrier_lookup: true },
    });
    expect(settings.body.carrier_lookup).toBe(true);
    const before = await laneOf(b.key);
    await setLane(b.key, { tmobile_daily_cap: before.today.tmobile_segments + 2, daily_cap: null });
    // The emulator's Lookup: digit sum mod 3 = 0 → T-Mobile.
    const digitSum = (s: string) => [...s].reduce((n, c) => n + (/\d/.test(c) ? Number(c) : 0), 0);
    const candidates = Array.from({ length: 40 }, (_, i) => number("+1415644", i));
    const tmobile = candidates.filter((p) => digitSum(p) % 3 === 0).slice(0, 3);
    const others = candidates.filter((p) => digitSum(p) % 3 !== 0).slice(0, 2);
    const ids = await batch(b.key, [...tmobile, ...others]);
    await stack.jobs.runDue(); // the lookups
    await run(1_000);
    const views = await Promise.all(
      ids.map(async (id: string) => (await stack.api("GET", `/v1/messages/${id}`, { token: b.key })).body),
    );
    const waiting = views.filter((m) => m.status === "queued");
    expect(waiting).toHaveLength(1);
    expect(tmobile).toContain(waiting[0].to);
    expect(waiting[0].held.reason).toBe("tmobile_daily_cap");
    expect((await laneOf(b.key)).today.tmobile_segments).toBe(before.today.tmobile_segments + 2);
  });

  it("gives T-Mobile's cap back when Twilio turns out never to have taken the message", {
    timeout: 120_000,
  }, async () => {
    await setLane(b.key, {
      tmobile_daily_cap: (await laneOf(b.key)).today.tmobile_segments + 5,
      daily_cap: null,
    });
    await run(500); // the message the last test left waiting for the cap goes first
    const before = await laneOf(b.key);
    const digitSum = (s: string) => [...s].reduce((n, c) => n + (/\d/.test(c) ? Number(c) : 0), 0);
    const to = Array.from({ length: 40 }, (_, i) => number("+1415645", i)).find(
      (p) => digitSum(p) % 3 === 0,
    )!;
    await stack.jobs.runDue();
    // Twilio answers 500 without creating it: ambiguous, then reconciled as absent.
    await stack.emulator.control("POST", "faults", {
      kind: "status",
      status: 500,
      count: 1,
      path: `${b.tenant.subaccount_sid}/Messages.json`,
      method: "POST",
    });
    const [id] = await batch(b.key, [to]);
    await stack.jobs.runDue(); // the lookup
    await run(500);
    expect((await laneOf(b.key)).today.tmobile_segments).toBe(before.today.tmobile_segments + 1);
    stack.clock.advance(messagingOf(stack.services).options.policy.reconcileDelayMs + 1_000);
    await stack.jobs.runDue();
    const m = (await stack.api("GET", `/v1/messages/${id}`, { token: b.key })).body;
    expect(m.events.some((e: any) => e.name === "reconciled_absent")).toBe(true);
    expect((await laneOf(b.key)).today.tmobile_segments).toBe(before.today.tmobile_segments);
    await stack.emulator.control("DELETE", "faults");
  });

  it("lets only the lease holder dispatch a lane, and a new owner continue its bucket exactly", {
    timeout: 120_000,
  }, async () => {
    const first = messagingOf(stack.services).dispatcher;
    const second = new Dispatcher(stack.services, messagingOf(stack.services).options);
    const t0 = stack.clock.now().getTime();
    await run(2_000, first);
    const byFirst = (await handedOver(a.tenant.id, t0)).length;
    expect(byFirst).toBeGreaterThanOrEqual(19);
    // The second worker finds the lane leased: it claims nothing while the lease lasts.
    const t1 = stack.clock.now().getTime();
    await run(5_000, second);
    expect(await handedOver(a.tenant.id, t1)).toHaveLength(0);
    // The first worker dies (stops ticking without releasing); after the lease the second takes over.
    await run(messagingOf(stack.services).options.leaseMs, second);
    const t2 = stack.clock.now().getTime();
    await run(10_000, second);
    const after = await handedOver(a.tenant.id, t2);
    expect(Math.abs(after.length - 100)).toBeLessThanOrEqual(1);
    expect(maxInAnyWindow(await handedOver(a.tenant.id, t1), 1_000)).toBeLessThanOrEqual(11);
    const lane = await laneOf(a.key);
    const { rows } = await stack.db.query("SELECT lease_owner FROM lanes WHERE id = $1", [lane.id]);
    expect(rows[0].lease_owner).toBe(second.workerId);
    await second.drain();
    await second.stop();
  });
  it("spreads the lanes with work over the live dispatchers, the first one handing back its extra", {
    timeout: 120_000,
  }, async () => {
    const tenants: { key: string; tenant: any }[] = [];
    for (let i = 0; i < 4; i++) tenants.push(await readyToSend(stack));
    for (const [i, t] of tenants.entries()) {
      await setLane(t.key, { mps: 1, burst: 1, daily_cap: null });
      await batch(
        t.key,
        Array.from({ length: 20 }, (_, j) => number(`+141565${i}`, j)),
      );
    }
    const first = messagingOf(stack.services).dispatcher;
    await run(1_000, first);
    const owners = async () =>
      (
        await stack.db.query<{ lease_owner: string }>(
          "SELECT lease_owner FROM lanes WHERE tenant_id = ANY($1::text[]) AND lease_until > $2",
          [tenants.map((t) => t.tenant.id), stack.clock.now()],
        )
      ).rows.map((r) => r.lease_owner);
    expect(await owners()).toEqual(tenants.map(() => first.workerId));
    // A second worker starts: at the next lease round each holds half of the busy lanes.
    const second = new Dispatcher(stack.services, messagingOf(stack.services).options);
    for (let t = 0; t < 2_000; t += TICK_MS) {
      stack.clock.advance(TICK_MS);
      await first.tick();
      await second.tick();
    }
    // (Other tests' lanes may still have work too: count every lane each one holds.)
    const { rows: leases } = await stack.db.query<{ lease_owner: string; n: number }>(
      "SELECT lease_owner, count(*)::int AS n FROM lanes WHERE lease_until > $1 GROUP BY lease_owner",
      [stack.clock.now()],
    );
    const count = (w: Dispatcher) => leases.find((l) => l.lease_owner === w.workerId)?.n ?? 0;
    expect(count(second)).toBeGreaterThanOrEqual(2);
    expect(Math.abs(count(first) - count(second))).toBeLessThanOrEqual(1);
    expect((await owners()).filter((o) => o === second.workerId).length).toBeGreaterThanOrEqual(1);
    await Promise.all([first.drain(), second.drain()]);
    await second.stop();
    // Back to one worker: it takes the rest over once the second's leases are handed back.
    await run(2_000, first);
    expect(await owners()).toEqual(tenants.map(() => first.workerId));
  });
});
