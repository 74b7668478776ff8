import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { backoffDelay } from "../../src/jobs/backoff.js";
import { ManualClock } from "../../src/jobs/clock.js";
import { enqueue, findJob, findJobByKey } from "../../src/jobs/queue.js";
import { JobFailure, JobRunner } from "../../src/jobs/runner.js";
import { type TestDb, eventually, openTestDb } from "./harness.js";

// The kinds these tests register: a test-only part of the registry (prefixed, apart from the product's).
declare module "../../src/jobs/kinds.js" {
  interface JobPayloads {
    "test.note": { n: string };
    "test.keyed": { v: number };
    "test.flaky": Record<string, never>;
    "test.doomed": Record<string, never>;
    "test.later": Record<string, never>;
    "test.poll": Record<string, never>;
    "test.work": { i: number };
    "test.long": Record<string, never>;
    "test.quick": Record<string, never>;
    "test.slow": Record<string, never>;
    "test.flood": { i: number };
    "test.urgent": Record<string, never>;
    "test.loop": { n: number };
    "test.due": { i: number };
    "test.inline": Record<string, never>;
  }
}

let test: TestDb;
let clock: ManualClock;
const T0 = Date.parse("2030-01-01T00:00:00Z");

beforeAll(async () => {
  test = await openTestDb();
  await migrate(test.db);
});
afterAll(() => test?.drop());
beforeEach(async () => {
  await test.db.query("DELETE FROM jobs");
  clock = new ManualClock(T0);
});

const at = (ms: number) => new Date(T0 + ms);
const runner = (opts: Partial<ConstructorParameters<typeof JobRunner>[0]> = {}) =>
  new JobRunner({ db: test.db, clock, random: () => 0.5, ...opts });

describe("durable jobs", () => {
  it("runs a job only once it is due, then deletes it", async () => {
    const seen: string[] = [];
    const jobs = runner();
    jobs.register("test.note", async (job) => {
      seen.push(job.payload.n);
    });
    const { id } = await enqueue(test.db, "test.note", { n: "later" }, { runAt: at(60_000) });

    expect(await jobs.runDue()).toMatchObject({ ran: 0 });
    clock.advance(59_999);
    expect(await jobs.runDue()).toMatchObject({ ran: 0 });
    clock.advance(1);
    expect(await jobs.runDue()).toMatchObject({ ran: 1, succeeded: 1 });
    expect(seen).toEqual(["later"]);
    expect(await findJob(test.db, id)).toBeNull();
  });

  it("enqueues idempotently by key, and can move a pending keyed job", async () => {
    const first = await enqueue(test.db, "test.keyed", { v: 1 }, { key: "k1", runAt: at(1000) });
    const second = await enqueue(test.db, "test.keyed", { v: 2 }, { key: "k1", runAt: at(5000) });
    expect(second).toEqual({ id: first.id, created: false });
    expect((await findJobByKey(test.db, "k1"))!.payload).toEqual({ v: 1 });

    await enqueue(test.db, "test.keyed", { v: 3 }, { key: "k1", runAt: at(9000), onConflict: "replace" });
    const moved = (await findJobByKey(test.db, "k1"))!;
    expect(moved).toMatchObject({ id: first.id, payload: { v: 3 } });
    expect(moved.run_at.getTime()).toBe(T0 + 9000);
    const { rows } = await test.db.query("SELECT id FROM jobs");
    expect(rows).toHaveLength(1);
  });

  it("retries a failing job with exponential backoff and full jitter, then marks it dead", async () => {
    const jobs = runner();
    let calls = 0;
    const dead: string[] = [];
    jobs.register("test.flaky", {
      handler: async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      maxAttempts: 4,
      backoff: { baseMs: 1000, capMs: 60_000, minMs: 1 },
      onDead: async (job) => {
        dead.push(job.id);
      },
    });
    const { id } = await enqueue(test.db, "test.flaky", {}, { runAt: at(0) });

    // random() = 0.5 → delays of 500, 1000, 2000 ms: half of base·2^(attempt-1).
    const expected = [500, 1000, 2000];
    for (const [i, delay] of expected.entries()) {
      expect(await jobs.runDue()).toMatchObject({ ran: 1, retried: 1 });
      const job = (await findJob(test.db, id))!;
      expect(job).toMatchObject({
        attempts: i + 1,
        last_error: `boom ${i + 1}`,
        locked_by: null,
        failed_at: null,
      });
      expect(job.run_at.getTime() - clock.now().getTime()).toBe(delay);
      clock.advance(delay - 1);
      expect(await jobs.runDue()).toMatchObject({ ran: 0 });
      clock.advance(1);
    }
    expect(await jobs.runDue()).toMatchObject({ ran: 1, dead: 1 });
    const final = (await findJob(test.db, id))!;
    expect(final.failed_at).not.toBeNull();
    expect(dead).toEqual([id]);
    clock.advance(24 * 3600_000);
    expect(await jobs.runDue()).toMatchObject({ ran: 0 });
    expect(calls).toBe(4);
  });

  it("draws backoff delays across the whole jittered window and caps them", () => {
    const policy = { baseMs: 1000, capMs: 10_000, minMs: 100 };
    expect(backoffDelay(1, policy, () => 0)).toBe(100);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(3996);
    expect(backoffDelay(30, policy, () => 0.999)).toBe(9990);
  });

  it("stops at once on a permanent failure, and honours a requested retry time", async () => {
    const jobs = runner();
    jobs.register("test.doomed", async () => {
      throw new JobFailure("cannot ever work", { permanent: true });
    });
    jobs.register("test.later", async () => {
      throw new JobFailure("not yet", { retryAt: at(30_000) });
    });
    const doomed = await enqueue(test.db, "test.doomed", {}, { runAt: at(0) });
    const later = await enqueue(test.db, "test.later", {}, { runAt: at(0) });
    await jobs.runDue();
    expect((await findJob(test.db, doomed.id))!).toMatchObject({
      attempts: 1,
      last_error: "cannot ever work",
    });
    expect((await findJob(test.db, doomed.id))!.failed_at).not.toBeNull();
    expect((await findJob(test.db, later.id))!.run_at.getTime()).toBe(T0 + 30_000);
  });

  it("snoozes a polling job without spending an attempt", async () => {
    const jobs = runner();
    let polls = 0;
    jobs.register("test.poll", async () => {
      polls++;
      if (polls < 3) return { retryAt: new Date(clock.now().getTime() + 10_000) };
    });
    const { id } = await enqueue(test.db, "test.poll", {}, { runAt: at(0) });
    await jobs.runDue();
    expect((await findJob(test.db, id))!).toMatchObject({ attempts: 0, last_error: null });
    clock.advance(10_000);
    await jobs.runDue();
    clock.advance(10_000);
    await jobs.runDue();
    expect(polls).toBe(3);
    expect(await findJob(test.db, id)).toBeNull();
  });

  it("never hands the same job to two workers, and recovers it when a worker's lease expires", async () => {
    const crashed = runner({ workerId: "w_crashed" });
    const healthy = runner({ workerId: "w_healthy" });
    const ran: string[] = [];
    crashed.register("test.work", { handler: async () => {}, leaseMs: 60_000 });
    healthy.register("test.work", {
      handler: async (job) => {
        ran.push(job.id);
      },
      leaseMs: 60_000,
    });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueue(test.db, "test.work", { i }, { runAt: at(0) })).id);

    // The first worker claims everything, then dies without finishing.
    const claimed = await crashed.claim(10);
    expect(claimed.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(await healthy.claim(10)).toEqual([]);
    expect(await healthy.runDue()).toMatchObject({ ran: 0 });

    clock.advance(60_000);
    expect(await healthy.runDue()).toMatchObject({ ran: 5, succeeded: 5 });
    expect(ran.sort()).toEqual([...ids].sort());
    const { rows } = await test.db.query("SELECT id FROM jobs");
    expect(rows).toEqual([]);
  });

  it("keeps the lease of a job that runs longer than it, and never starts that job twice", async () => {
    const jobs = runner({ workerId: "w_slow" });
    const other = runner({ workerId: "w_other" });
    let runs = 0;
    let finish = () => {};
    const held = new Promise<void>((r) => (finish = r));
    const def = {
      handler: async () => {
        runs++;
        await held;
      },
      leaseMs: 3_000,
    };
    jobs.register("test.long", def);
    other.register("test.long", def);
    const { id } = await enqueue(test.db, "test.long", {}, { runAt: at(0) });
    const first = jobs.runDue();
    await eventually("the job started", async () => runs === 1);

    // Its lease runs out (by the clock) while the call is still in progress: this process does
    // not take it again, and the renewal (every third of the lease) keeps others off it.
    clock.advance(3_000);
    expect(await jobs.claim(10)).toEqual([]);
    await eventually("the lease was renewed", async () => {
      const job = await findJob(test.db, id);
      return job!.locked_until!.getTime() > clock.now().getTime();
    });
    expect(await other.claim(10)).toEqual([]);
    expect(await jobs.runNow(id)).toEqual({ outcome: "busy" });

    finish();
    expect(await first).toMatchObject({ ran: 1, succeeded: 1 });
    expect(runs).toBe(1);
    expect(await findJob(test.db, id)).toBeNull();
  });

  it("names its worker after the host and process, so a lease says who holds it", () => {
    expect(runner().workerId).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
  });

  it("leases each job for its own kind's lease time", async () => {
    const crashed = runner({ workerId: "w_crashed" });
    const healthy = runner({ workerId: "w_healthy" });
    for (const r of [crashed, healthy]) {
      r.register("test.quick", { handler: async () => {}, leaseMs: 15_000 });
      r.register("test.slow", { handler: async () => {}, leaseMs: 10 * 60_000 });
    }
    const quick = await enqueue(test.db, "test.quick", {}, { runAt: at(0) });
    const slow = await enqueue(test.db, "test.slow", {}, { runAt: at(0) });
    expect(await crashed.claim(10)).toHaveLength(2);
    expect((await findJob(test.db, quick.id))!.locked_until!.getTime()).toBe(T0 + 15_000);
    expect((await findJob(test.db, slow.id))!.locked_until!.getTime()).toBe(T0 + 10 * 60_000);

    clock.advance(15_000);
    expect(await healthy.runDue()).toMatchObject({ ran: 1, succeeded: 1 });
    expect(await findJob(test.db, quick.id)).toBeNull();
    expect(await findJob(test.db, slow.id)).not.toBeNull();
  });

  it("lets concurrent claimers split due jobs without overlap (SKIP LOCKED)", async () => {
    for (let i = 0; i < 60; i++) await enqueue(test.db, "test.work", { i }, { runAt: at(0) });
    const workers = [1, 2, 3].map((n) => {
      const r = runner({ workerId: `w_${n}` });
      r.register("test.work", async () => {});
      return r;
    });
    const batches = await Promise.all(workers.flatMap((w) => [w.claim(15), w.claim(15)]));
    const all = batches.flat().map((j) => j.id);
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
  });

  it("keeps room for other kinds while a capped kind has a deep backlog (no head-of-line blocking)", async () => {
    const jobs = runner({ concurrency: 4, pollMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let floodRunning = 0;
    let floodPeak = 0;
    jobs.register("test.flood", {
      maxConcurrent: 2,
      handler: async () => {
        floodPeak = Math.max(floodPeak, ++floodRunning);
        await gate;
        floodRunning--;
      },
    });
    const urgent: string[] = [];
    jobs.register("test.urgent", async (job) => {
      urgent.push(job.id);
    });
    // The flood is due first (as webhook deliveries are, at the epoch); the urgent job later.
    for (let i = 0; i < 20; i++) await enqueue(test.db, "test.flood", { i }, { runAt: new Date(0) });
    const { id } = await enqueue(test.db, "test.urgent", {}, { runAt: at(0) });
    jobs.start();
    try {
      await eventually("the urgent job ran beside the blocked flood", async () => urgent.length === 1);
      expect(urgent).toEqual([id]);
      expect(floodRunning).toBe(2);
    } finally {
      release();
      await eventually("the flood drained", async () => {
        jobs.wake();
        return (await test.db.one<{ n: number }>("SELECT count(*)::int AS n FROM jobs")).n === 0;
      });
      await jobs.stop();
    }
    expect(floodPeak).toBe(2);
  });

  it("runs due jobs from its polling loop, woken when a job is enqueued", async () => {
    const jobs = runner({ pollMs: 60_000 });
    const seen: number[] = [];
    jobs.register("test.loop", async (job) => {
      seen.push(job.payload.n);
    });
    jobs.start();
    try {
      await jobs.enqueue(test.db, "test.loop", { n: 1 });
      await eventually("the loop ran the job", async () => seen.length === 1);
    } finally {
      await jobs.stop();
    }
    expect(seen).toEqual([1]);
  });

  it("returns from runDue only once the polling loop's jobs due by then are done too", async () => {
    // Tests move a ManualClock and call runDue while the loop polls: whichever leases a due job,
    // runDue must not return before it has run (a reminder was once read before it was sent).
    const jobs = runner({ pollMs: 1 });
    let done = 0;
    jobs.register("test.due", async () => {
      await test.db.query("SELECT pg_sleep(0.005)");
      done++;
    });
    jobs.start();
    try {
      for (let i = 1; i <= 40; i++) {
        await enqueue(test.db, "test.due", { i }, { runAt: at(i * 1000) });
        clock.advance(1000);
        await jobs.runDue();
        expect(done).toBe(i);
      }
    } finally {
      await jobs.stop();
    }
  });

  it("runs a just-enqueued job inline, and leaves it to the workers when another holds it", async () => {
    const jobs = runner();
    let runs = 0;
    jobs.register("test.inline", async () => {
      runs++;
    });
    const { id } = await enqueue(test.db, "test.inline", {}, { runAt: at(60_000) });
    const other = runner({ workerId: "w_other" });
    other.register("test.inline", async () => {});
    clock.advance(60_000);
    expect(await other.claim(1)).toHaveLength(1);
    expect(await jobs.runNow(id)).toEqual({ outcome: "busy" });
    expect(runs).toBe(0);

    const second = await enqueue(test.db, "test.inline", {}, { runAt: at(10 * 60_000) });
    expect((await jobs.runNow(second.id)).outcome).toBe("succeeded");
    expect(runs).toBe(1);
    expect(await findJob(test.db, second.id)).toBeNull();
  });
});
