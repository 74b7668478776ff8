/**
 * Lane designs (issue 8): "lane throughput and daily caps stay exact with several workers".
 * Measures the two ways of sharing a lane's budget between W dispatcher workers, head to head:
 *
 *   A  lease per lane, first come takes all: a worker leases lanes (UPDATE … lease_owner,
 *      lease_until … FOR UPDATE SKIP LOCKED, up to 200 lanes, renewed every 500 ms) and only
 *      the owner claims a lane's messages, reading and writing the GCRA tat (and the brand's
 *      daily counter) in the claim's transaction. What shipped until this bench showed the
 *      first worker holding every lane.
 *   A' the same with at most ⌈lanes/W⌉ leases per worker (so lanes spread over workers):
 *      what dispatch/leases.ts ships now (its share: busy lanes / live dispatchers).
 *   B  shared counter: every worker claims from any due lane; each claim transaction locks the
 *      lane's counter row (SELECT … FOR UPDATE), takes tokens by GCRA, claims that many
 *      messages (SKIP LOCKED), commits. Workers start their round at different lanes.
 *   B0 control for the shaping check: B reading the counter WITHOUT the row lock. It must
 *      overshoot; if it did not, the check would have no teeth.
 *
 * The claim transaction is the shipped one in miniature (claim.ts): lock the lane row, FIFO
 * candidates SKIP LOCKED, the brand's daily usage row locked by an upsert when the lane has a
 * cap, messages → sending plus one attempt row each, then tat / hold / next-due hint and the
 * brand counter in one statement. Each worker has its own single-connection pool, standing in
 * for a worker process. Both designs skip a lane whose cached bucket is empty (as the
 * dispatcher does) and return early when the locked row shows no budget.
 *
 * Two measurements per engine × design × lanes × W:
 *   1. Shaping, in simulated time (independent of machine speed): the driver advances a shared
 *      clock in 50-ms ticks and at each tick all W workers tick concurrently (the worst case
 *      for contention). Lane 0 is busy at 100 MPS, burst 10; with 50 lanes the 49 others run at
 *      10DLC rates (12, 3.75, 3 and 1 MPS) in 7 brands, 4 of them with a daily cap set to about
 *      half of what their lanes could send. Messages are 1–3 segments. Checked: segments sent
 *      per uncapped lane vs an ideal single dispatcher (the same GCRA on the same ticks),
 *      the worst sliding 1-s window vs rate + max(burst, longest message), every capped brand
 *      filled to within one message of its cap and never over, and no message claimed twice.
 *   2. Raw claim capacity in wall time, lanes not binding (rate 1e6): workers claim back to
 *      back (up to 64 messages per claim: maxInflightPerLane) for 0.6 s; claimed msg/s (median
 *      of 3 runs, interleaved with the other designs' so that outside load hits all alike) and
 *      the p50/p99 of the claim transaction over all runs (lock waits included).
 *
 * PGlite is one connection in one process: single worker only.
 *
 *   npx tsx bench/lane-designs.ts [--quick]
 *     DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); PostgreSQL is skipped
 *     when unreachable. Works in a scratch schema, dropped at the end.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Db } from "../packages/server/src/db/db.js";
import { newId } from "../packages/server/src/db/ids.js";
import { openPglite } from "../packages/server/src/db/pglite.js";
import { openPostgres } from "../packages/server/src/db/postgres.js";
import {
  type GcraState,
  dailyWindow,
  gcraAvailable,
  gcraTake,
} from "../packages/server/src/messaging/lanes.js";

export type Design = "A" | "A'" | "B" | "B0";

export const DESIGNS: Record<Design, string> = {
  A: "A lease per lane, first takes all",
  "A'": "A' lease, ≤⌈L/W⌉ lanes/worker (shipped)",
  B: "B shared counter",
  B0: "B0 shared, no row lock (control)",
};

export interface LaneDesignsOptions {
  url?: string;
  /** Shorter runs (10 s / 4 s simulated, one 0.4-s capacity run each). */
  quick?: boolean;
  workers?: number[];
  laneCounts?: number[];
  /** Simulated seconds of shaping with 1 lane. */
  simSeconds?: number;
  /** Simulated seconds of shaping with many lanes (each tick costs a claim per lane with budget). */
  manyLanesSimSeconds?: number;
  tickMs?: number;
  /** Wall time of each capacity run. */
  capacityMs?: number;
  /** Capacity runs per design × lanes × W (interleaved; the median is reported). */
  repeats?: number;
  /** Messages per claim at most (the dispatcher's maxInflightPerLane). */
  batch?: number;
  pglite?: boolean;
  log?: (line: string) => void;
}

export interface ShapingFigures {
  simSeconds: number;
  /** Segments sent by the uncapped lanes vs the ideal single dispatcher, in %. */
  errorPct: number;
  sent: number;
  expected: number;
  /** The lane with the highest worst-window / limit ratio. */
  worstWindow: number;
  windowLimit: number;
  /** Capped brands: filled to within one message of the cap and never over. */
  capsExact: boolean | null;
  capDetail: string;
  doubleClaims: number;
  claimTxs: number;
  emptyTxs: number;
  claimedMsgs: number;
  p99Ms: number;
}

export interface CapacityFigures {
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
  claimTxs: number;
  /** Lanes each worker claimed from. */
  lanesPerWorker: number[];
}

export interface LaneDesignRow {
  engine: string;
  design: Design;
  lanes: number;
  workers: number;
  shaping?: ShapingFigures;
  capacity?: CapacityFigures;
}

// --- Scratch schema: the lanes / messages tables of 0200_messaging.sql, cut to what the claim uses.

const SCHEMA = `
  CREATE TABLE lanes (
    id text PRIMARY KEY,
    brand_id text,
    mps double precision NOT NULL,
    burst integer NOT NULL,
    daily_cap integer,
    tat_ms double precision,
    next_due_at timestamptz,
    held_until timestamptz,
    lease_owner text,
    lease_until timestamptz,
    last_dispatch_at timestamptz
  );
  CREATE INDEX lanes_due ON lanes (next_due_at) WHERE next_due_at IS NOT NULL;
  CREATE TABLE brand_daily_usage (
    brand_id text NOT NULL,
    day date NOT NULL,
    segments integer NOT NULL DEFAULT 0,
    PRIMARY KEY (brand_id, day)
  );
  CREATE TABLE messages (
    id text PRIMARY KEY,
    lane_id text NOT NULL REFERENCES lanes (id),
    status text NOT NULL,
    to_number text NOT NULL,
    body text NOT NULL,
    segments integer NOT NULL,
    not_before timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    claimed_ms double precision,
    claimed_by text,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX messages_queued ON messages (lane_id, id) WHERE status = 'queued';
  CREATE INDEX messages_queued_due ON messages (lane_id, not_before) WHERE status = 'queued';
  CREATE TABLE message_attempts (
    id text PRIMARY KEY,
    message_id text NOT NULL REFERENCES messages (id),
    n integer NOT NULL,
    worker_id text NOT NULL,
    started_at timestamptz NOT NULL
  );`;

interface LaneRow {
  id: string;
  brand_id: string | null;
  mps: number;
  burst: number;
  daily_cap: number | null;
  tat_ms: number | null;
  next_due_at: Date | null;
  held_until: Date | null;
}

interface LaneSpec {
  id: string;
  brand: string | null;
  mps: number;
  burst: number;
  cap: number | null;
  messages: number;
}

/** Message n of a lane: 1–3 segments, 1.4 on average. The SQL below uses the same formula. */
const segmentsOf = (n: number) => (n % 10 === 0 ? 3 : n % 4 === 0 ? 2 : 1);
const SEGMENTS_SQL = "CASE WHEN n % 10 = 0 THEN 3 WHEN n % 4 = 0 THEN 2 ELSE 1 END";
const MAX_SEGMENTS = 3;
const BODY =
  "Jane's Bakery: your order #1042 is ready for pickup at 1 Main St until 6 pm. Reply STOP to opt out. "
    .repeat(2)
    .slice(0, 160);

/** 10:00 Pacific: a simulated minute stays inside one Pacific day (the caps' window). */
const SIM_BASE = Date.UTC(2025, 0, 15, 18, 0, 0);
const ACQUIRE_EVERY_MS = 500;
const LEASE_MS = 15_000;
const LEASE_LIMIT = 200;
const IDLE_TICK_MS = 25;
const BUSY = { mps: 100, burst: 10 };
const SMALL_RATES = [12, 3.75, 3, 1];
const BRAND_SIZE = 7;

/** The ideal single dispatcher: the shipped GCRA and room rules on the same ticks, per lane. */
function reference(lane: Pick<LaneSpec, "mps" | "burst">, ticks: number, tickMs: number, batch: number) {
  const throttle = { mps: lane.mps, burst: lane.burst };
  let state: GcraState | null = null;
  let next = 0;
  let segments = 0;
  for (let k = 0; k < ticks; k++) {
    const now = SIM_BASE + k * tickMs;
    const available = gcraAvailable(state, now, throttle);
    if (available === 0) continue;
    for (let taken = 0; taken < Math.min(batch, available); taken++) {
      const d = gcraTake(state, now, segmentsOf(next), throttle);
      if (!d.allowed) break;
      state = d.state;
      segments += segmentsOf(next++);
    }
  }
  return { segments, messages: next };
}

function shapingLanes(count: number, ticks: number, tickMs: number, batch: number): LaneSpec[] {
  const lanes: LaneSpec[] = [];
  for (let i = 0; i < count; i++) {
    const mps = i === 0 ? BUSY.mps : SMALL_RATES[(i - 1) % SMALL_RATES.length];
    const burst = i === 0 ? BUSY.burst : Math.max(1, Math.floor(mps));
    const ref = reference({ mps, burst }, ticks, tickMs, batch);
    lanes.push({
      id: `lane_${String(i).padStart(3, "0")}`,
      brand: i === 0 ? null : `brand_${Math.floor((i - 1) / BRAND_SIZE)}`,
      mps,
      burst,
      cap: null,
      // Twice what the lane may send: a design that sends too fast shows in the total too.
      messages: 2 * ref.messages + 20,
    });
  }
  // Even brands get a daily cap of about half what their lanes could send in the run.
  const brands = new Map<string, LaneSpec[]>();
  for (const l of lanes) if (l.brand) brands.set(l.brand, [...(brands.get(l.brand) ?? []), l]);
  for (const [brand, members] of brands) {
    if (Number(brand.split("_")[1]) % 2 !== 0) continue;
    const could = members.reduce((s, l) => s + reference(l, ticks, tickMs, batch).segments, 0);
    for (const l of members) l.cap = Math.max(1, Math.round(could / 2));
  }
  return lanes;
}

function capacityLanes(count: number, messages: number): LaneSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `lane_${String(i).padStart(3, "0")}`,
    brand: null,
    mps: 1e6,
    burst: 1e6,
    cap: null,
    messages: Math.ceil(messages / count),
  }));
}

async function seed(db: Db, lanes: LaneSpec[], at: Date): Promise<void> {
  await db.exec("TRUNCATE message_attempts, messages, brand_daily_usage, lanes");
  await db.query(
    `INSERT INTO lanes (id, brand_id, mps, burst, daily_cap, next_due_at)
     SELECT * , $6::timestamptz FROM unnest($1::text[], $2::text[], $3::float8[], $4::int[], $5::int[])`,
    [
      lanes.map((l) => l.id),
      lanes.map((l) => l.brand),
      lanes.map((l) => l.mps),
      lanes.map((l) => l.burst),
      lanes.map((l) => l.cap),
      at,
    ],
  );
  await db.query(
    `INSERT INTO messages (id, lane_id, status, to_number, body, segments, not_before, updated_at)
     SELECT l.id || '-' || lpad(n::text, 7, '0'), l.id, 'queued', '+1415555' || lpad((n % 10000)::text, 4, '0'),
       $3, ${SEGMENTS_SQL}, $4, $4
     FROM unnest($1::text[], $2::int[]) AS l(id, cnt), generate_series(0, l.cnt - 1) AS n`,
    [lanes.map((l) => l.id), lanes.map((l) => l.messages), BODY, at],
  );
  await db.exec("ANALYZE lanes; ANALYZE messages");
}

// --- Workers --------------------------------------------------------------------------------

interface ClaimOutcome {
  lost: boolean;
  lane?: LaneRow;
  claimed: number;
}

class Worker {
  readonly id = `dsp_${randomBytes(4).toString("hex")}`;
  private lanes = new Map<string, LaneRow>();
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private turn = 0;
  readonly txMs: number[] = [];
  emptyTxs = 0;
  claimed = 0;
  readonly lanesUsed = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly design: Design,
    /** Where this worker starts its round (B: workers start at different lanes). */
    private readonly offset: number,
    private readonly leaseLimit: number,
  ) {}

  /** One dispatcher tick at `ms` (epoch ms, simulated or wall): how many messages it claimed. */
  async tick(ms: number, batch: number): Promise<number> {
    const now = new Date(ms);
    if (ms - this.lastRefresh >= ACQUIRE_EVERY_MS || ms < this.lastRefresh) {
      this.lastRefresh = ms;
      const rows = this.design.startsWith("A")
        ? // dispatch/leases.ts acquireLanes
          await this.db.query<LaneRow>(
            `WITH free AS (
               SELECT id FROM lanes
               WHERE next_due_at <= $2
                 AND (held_until IS NULL OR held_until <= $2)
                 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until <= $2)
               ORDER BY last_dispatch_at NULLS FIRST, id
               LIMIT $4
               FOR UPDATE SKIP LOCKED)
             UPDATE lanes l SET lease_owner = $1, lease_until = $3 FROM free WHERE l.id = free.id
             RETURNING l.*`,
            [this.id, now, new Date(ms + LEASE_MS), this.leaseLimit],
          )
        : // the shared counter needs no lease: just the lanes with due work
          await this.db.query<LaneRow>(
            `SELECT * FROM lanes WHERE next_due_at <= $1 AND (held_until IS NULL OR held_until <= $1)
             ORDER BY last_dispatch_at NULLS FIRST, id LIMIT $2`,
            [now, LEASE_LIMIT],
          );
      this.lanes = new Map(rows.rows.map((l) => [l.id, l]));
    }
    const lanes = [...this.lanes.values()];
    const start = lanes.length ? (this.turn++ + this.offset) % lanes.length : 0;
    let claimed = 0;
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[(start + i) % lanes.length];
      if (!lane.next_due_at || lane.next_due_at.getTime() > ms) continue;
      if (lane.held_until && lane.held_until.getTime() > ms) continue;
      const state = lane.tat_ms === null ? null : { tat: lane.tat_ms };
      if (gcraAvailable(state, ms, { mps: lane.mps, burst: lane.burst }) === 0) continue;
      const started = performance.now();
      const result = await this.claim(lane.id, now, batch);
      this.txMs.push(performance.now() - started);
      if (result.lost) this.lanes.delete(lane.id);
      else if (result.lane) this.lanes.set(lane.id, result.lane);
      if (result.claimed === 0) this.emptyTxs++;
      else this.lanesUsed.add(lane.id);
      claimed += result.claimed;
    }
    this.claimed += claimed;
    return claimed;
  }

  /** claim.ts claimLane in miniature. */
  private claim(laneId: string, now: Date, maxMessages: number): Promise<ClaimOutcome> {
    const ms = now.getTime();
    return this.db.tx(async (tx) => {
      const lane =
        this.design === "B0"
          ? await tx.maybeOne<LaneRow>("SELECT * FROM lanes WHERE id = $1", [laneId])
          : this.design === "B"
            ? await tx.maybeOne<LaneRow>("SELECT * FROM lanes WHERE id = $1 FOR UPDATE", [laneId])
            : await tx.maybeOne<LaneRow>(
                "SELECT * FROM lanes WHERE id = $1 AND lease_owner = $2 AND lease_until > $3 FOR UPDATE",
                [laneId, this.id, now],
              );
      if (!lane) return { lost: true, claimed: 0 };
      if (lane.held_until && lane.held_until > now) return { lost: false, lane, claimed: 0 };
      const throttle = { mps: lane.mps, burst: lane.burst };
      let state: GcraState | null = lane.tat_ms === null ? null : { tat: lane.tat_ms };
      const available = gcraAvailable(state, ms, throttle);
      // Another worker emptied the bucket since our cached view: nothing to write.
      if (available === 0) return { lost: false, lane, claimed: 0 };
      const room = Math.min(maxMessages, available);
      const { rows: candidates } = await tx.query<{ id: string; segments: number; attempts: number }>(
        `SELECT id, segments, attempts FROM messages
         WHERE lane_id = $1 AND status = 'queued' AND not_before <= $2
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [lane.id, now, room],
      );
      const day = dailyWindow(now);
      const capped = lane.brand_id !== null && lane.daily_cap !== null;
      const usage = capped
        ? await tx.one<{ segments: number }>(
            `INSERT INTO brand_daily_usage (brand_id, day) VALUES ($1, $2::date)
             ON CONFLICT (brand_id, day) DO UPDATE SET segments = brand_daily_usage.segments
             RETURNING segments`,
            [lane.brand_id, day.day],
          )
        : { segments: 0 };
      const take: { id: string; n: number; attemptId: string }[] = [];
      let capReached = false;
      for (const c of candidates) {
        if (capped && usage.segments + c.segments > lane.daily_cap!) {
          capReached = true;
          break;
        }
        const d = gcraTake(state, ms, c.segments, throttle);
        if (!d.allowed) break;
        state = d.state;
        usage.segments += c.segments;
        take.push({ id: c.id, n: c.attempts + 1, attemptId: newId("att") });
      }
      if (take.length > 0) {
        await tx.query(
          `WITH sending AS (
             UPDATE messages SET status = 'sending', attempts = attempts + 1, claimed_ms = $4, claimed_by = $5,
               updated_at = now()
             WHERE id = ANY($2::text[]))
           INSERT INTO message_attempts (id, message_id, n, worker_id, started_at)
           SELECT u.id, u.message_id, u.n, $5, now() FROM unnest($1::text[], $2::text[], $3::int[]) AS u(id, message_id, n)`,
          [take.map((t) => t.attemptId), take.map((t) => t.id), take.map((t) => t.n), ms - SIM_BASE, this.id],
        );
      }
      const after = await tx.one<{ next_due_at: Date | null }>(
        `WITH counted AS (
           UPDATE brand_daily_usage SET segments = $5 WHERE $6::boolean AND brand_id = $7 AND day = $8::date)
         UPDATE lanes SET tat_ms = $2, last_dispatch_at = $3, held_until = $4,
           next_due_at = COALESCE($4, (SELECT min(not_before) FROM messages WHERE lane_id = $1 AND status = 'queued'))
         WHERE id = $1 RETURNING next_due_at`,
        [
          lane.id,
          state?.tat ?? null,
          now,
          capReached ? day.resets_at : null,
          usage.segments,
          capped && take.length > 0,
          lane.brand_id,
          day.day,
        ],
      );
      lane.tat_ms = state?.tat ?? null;
      lane.held_until = capReached ? day.resets_at : null;
      lane.next_due_at = after.next_due_at;
      return { lost: false, lane, claimed: take.length };
    });
  }
}

function makeWorkers(dbs: Db[], design: Design, lanes: number): Worker[] {
  const w = dbs.length;
  const share = Math.ceil(lanes / w);
  return dbs.map(
    (db, i) =>
      new Worker(db, design, i * Math.max(1, Math.floor(lanes / w)), design === "A'" ? share : LEASE_LIMIT),
  );
}

// --- Measurements -----------------------------------------------------------------------------

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function shaping(
  admin: Db,
  dbs: Db[],
  design: Design,
  laneCount: number,
  o: Required<Pick<LaneDesignsOptions, "simSeconds" | "manyLanesSimSeconds" | "tickMs" | "batch">>,
): Promise<ShapingFigures> {
  const simSeconds = laneCount > 1 ? o.manyLanesSimSeconds : o.simSeconds;
  const ticks = Math.round((simSeconds * 1000) / o.tickMs);
  const lanes = shapingLanes(laneCount, ticks, o.tickMs, o.batch);
  await seed(admin, lanes, new Date(SIM_BASE));
  const workers = makeWorkers(dbs, design, laneCount);
  for (let k = 0; k < ticks; k++) {
    const now = SIM_BASE + k * o.tickMs;
    await Promise.all(workers.map((w) => w.tick(now, o.batch)));
  }

  const { rows } = await admin.query<{ lane_id: string; claimed_ms: number; segments: number }>(
    `SELECT lane_id, claimed_ms, sum(segments)::int AS segments FROM messages
     WHERE status = 'sending' GROUP BY 1, 2`,
  );
  const perTick = new Map<string, number[]>();
  for (const r of rows) {
    const series = perTick.get(r.lane_id) ?? new Array<number>(ticks).fill(0);
    series[Math.round(r.claimed_ms / o.tickMs)] += r.segments;
    perTick.set(r.lane_id, series);
  }
  // Worst sliding 1-s window per lane, relative to what GCRA may let through in one second.
  const span = Math.round(1000 / o.tickMs);
  let worst = { ratio: -1, window: 0, limit: 0 };
  let sent = 0;
  let expected = 0;
  for (const lane of lanes) {
    const series = perTick.get(lane.id) ?? new Array<number>(ticks).fill(0);
    let sum = 0;
    let max = 0;
    for (let k = 0; k < ticks; k++) {
      sum += series[k] - (k >= span ? series[k - span] : 0);
      max = Math.max(max, sum);
    }
    const limit = lane.mps + Math.max(lane.burst, MAX_SEGMENTS);
    if (max / limit > worst.ratio) worst = { ratio: max / limit, window: max, limit };
    if (lane.cap === null) {
      sent += series.reduce((a, b) => a + b, 0);
      expected += reference(lane, ticks, o.tickMs, o.batch).segments;
    }
  }
  const brands = await admin.query<{ brand_id: string; sent: number; cap: number }>(
    `SELECT l.brand_id, coalesce(sum(m.segments), 0)::int AS sent, max(l.daily_cap) AS cap
     FROM lanes l LEFT JOIN messages m ON m.lane_id = l.id AND m.status = 'sending'
     WHERE l.daily_cap IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  const over = brands.rows.filter((b) => b.sent > b.cap);
  const under = brands.rows.filter((b) => b.sent < b.cap - (MAX_SEGMENTS - 1));
  const double = await admin.one<{ n: number }>(
    "SELECT count(*) AS n FROM (SELECT message_id FROM message_attempts GROUP BY 1 HAVING count(*) > 1) d",
  );
  const claimTxs = workers.reduce((s, w) => s + w.txMs.length, 0);
  return {
    simSeconds,
    errorPct: expected ? ((sent - expected) / expected) * 100 : 0,
    sent,
    expected,
    worstWindow: worst.window,
    windowLimit: worst.limit,
    capsExact: brands.rows.length ? over.length === 0 && under.length === 0 : null,
    capDetail: brands.rows.length
      ? `${brands.rows.length - over.length - under.length}/${brands.rows.length} exact` +
        (over.length ? `, ${over.length} over (+${Math.max(...over.map((b) => b.sent - b.cap))})` : "") +
        (under.length ? `, ${under.length} under` : "")
      : "—",
    doubleClaims: double.n,
    claimTxs,
    emptyTxs: workers.reduce((s, w) => s + w.emptyTxs, 0),
    claimedMsgs: workers.reduce((s, w) => s + w.claimed, 0),
    p99Ms: percentile(
      workers.flatMap((w) => w.txMs),
      99,
    ),
  };
}

interface CapacitySample {
  msgPerSec: number;
  txMs: number[];
  lanesPerWorker: number[];
}

async function capacity(
  admin: Db,
  dbs: Db[],
  design: Design,
  laneCount: number,
  o: Required<Pick<LaneDesignsOptions, "capacityMs" | "batch">>,
  messages: number,
): Promise<CapacitySample> {
  const lanes = capacityLanes(laneCount, messages);
  await seed(admin, lanes, new Date(Date.now() - 1000));
  const total = lanes.reduce((s, l) => s + l.messages, 0);
  const workers = makeWorkers(dbs, design, laneCount);
  let claimed = 0;
  const started = performance.now();
  const deadline = started + o.capacityMs;
  let finished = started;
  await Promise.all(
    workers.map(async (w) => {
      // Back to back while there is work; an idle worker (no lease, nothing due) polls like the dispatcher.
      while (performance.now() < deadline && claimed < total) {
        const n = await w.tick(Date.now(), o.batch);
        claimed += n;
        if (n === 0) await new Promise((resolve) => setTimeout(resolve, IDLE_TICK_MS));
      }
      finished = Math.max(finished, performance.now());
    }),
  );
  return {
    msgPerSec: claimed / ((finished - started) / 1000),
    txMs: workers.flatMap((w) => w.txMs),
    lanesPerWorker: workers.map((w) => w.lanesUsed.size),
  };
}

type EngineOptions = Required<Omit<LaneDesignsOptions, "url" | "pglite" | "log">> & {
  log: (line: string) => void;
};

/**
 * Per lanes × W, the designs run next to each other, and their capacity runs interleave
 * (A, A', B, then B, A', A, …; median of `repeats`), so load from elsewhere on the machine
 * falls on all of them alike.
 */
async function runEngine(engine: string, admin: Db, dbs: Db[], o: EngineOptions): Promise<LaneDesignRow[]> {
  await admin.exec(SCHEMA);
  const rows: LaneDesignRow[] = [];
  const queue = engine === "PGlite" ? (o.quick ? 5_000 : 10_000) : o.quick ? 20_000 : 40_000;
  for (const lanes of o.laneCounts) {
    for (const workers of o.workers) {
      if (workers > dbs.length) continue;
      const pool = dbs.slice(0, workers);
      const t0 = performance.now();
      // A' only differs from A when lanes can spread over several workers.
      const designs: Design[] = lanes > 1 && workers > 1 ? ["A", "A'", "B"] : ["A", "B"];
      const group = designs.map((design): LaneDesignRow => ({ engine, design, lanes, workers }));
      for (const row of group) row.shaping = await shaping(admin, pool, row.design, lanes, o);
      const t1 = performance.now();
      const samples = new Map<Design, CapacitySample[]>(designs.map((d) => [d, []]));
      for (let rep = 0; rep < o.repeats; rep++) {
        for (const design of rep % 2 ? [...designs].reverse() : designs) {
          samples.get(design)!.push(await capacity(admin, pool, design, lanes, o, queue));
        }
      }
      for (const row of group) {
        const runs = samples.get(row.design)!;
        const txMs = runs.flatMap((r) => r.txMs);
        row.capacity = {
          msgPerSec: Math.round(
            percentile(
              runs.map((r) => r.msgPerSec),
              50,
            ),
          ),
          p50Ms: percentile(txMs, 50),
          p99Ms: percentile(txMs, 99),
          claimTxs: txMs.length,
          lanesPerWorker: runs[0].lanesPerWorker,
        };
      }
      o.log(
        `  ${engine} lanes=${lanes} W=${workers} ${designs.join(", ")}: shaping ${((t1 - t0) / 1000).toFixed(1)} s, ` +
          `capacity ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      rows.push(...group);
    }
    const control = Math.min(dbs.length, Math.max(...o.workers));
    if (lanes === 1 && control > 1) {
      const row: LaneDesignRow = { engine, design: "B0", lanes, workers: control };
      row.shaping = await shaping(admin, dbs.slice(0, control), "B0", lanes, o);
      rows.push(row);
    }
  }
  return rows;
}

export async function benchLaneDesigns(options: LaneDesignsOptions = {}): Promise<LaneDesignRow[]> {
  const quick = options.quick ?? false;
  const o = {
    quick,
    workers: options.workers ?? [1, 2, 4],
    laneCounts: options.laneCounts ?? [1, 50],
    simSeconds: options.simSeconds ?? (quick ? 10 : 60),
    manyLanesSimSeconds: options.manyLanesSimSeconds ?? (quick ? 4 : 10),
    tickMs: options.tickMs ?? 50,
    capacityMs: options.capacityMs ?? (quick ? 400 : 600),
    repeats: options.repeats ?? (quick ? 1 : 3),
    batch: options.batch ?? 64,
    log: options.log ?? ((line: string) => console.error(line)),
  };
  const rows: LaneDesignRow[] = [];

  if (options.pglite ?? true) {
    const dir = mkdtempSync(join(tmpdir(), "subtext-lanes-"));
    const lite = await openPglite(join(dir, "pglite"));
    try {
      rows.push(...(await runEngine("PGlite", lite, [lite], o)));
    } finally {
      await lite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const url = options.url ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `bench_lanes_${randomBytes(4).toString("hex")}`;
  const pools: Db[] = [];
  try {
    // One single-connection pool per worker: W worker processes. The first creates the schema.
    for (let i = 0; i < Math.max(...o.workers); i++) pools.push(await openPostgres(url, { schema, max: 1 }));
  } catch (err) {
    o.log(`PostgreSQL skipped (${(err as Error).message})`);
  }
  if (pools.length) {
    const admin = await openPostgres(url, { schema, max: 1 });
    try {
      const version = await admin.one<{ v: string }>("SELECT current_setting('server_version') AS v");
      rows.push(...(await runEngine(`PostgreSQL ${version.v.split(" ")[0]}`, admin, pools, o)));
    } finally {
      await Promise.all([admin, ...pools].map((p) => p.close()));
      await dropSchema(url, schema);
    }
  }
  return rows;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

// --- Report -------------------------------------------------------------------------------------

const int = (v: number) => Math.round(v).toLocaleString("en-US");
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

export function laneDesignsTable(rows: LaneDesignRow[]): string {
  const lines = [
    "| engine | design | lanes | W | claimed msg/s (wall) | claim tx p50 / p99 ms (wall) | lanes claimed per worker | shaping error % (sim) | worst 1-s window / limit | daily caps (brands) | claim tx p99 ms (sim) | claim txs per 1k msgs (sim), empty | double claims |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const c = r.capacity;
    const s = r.shaping;
    const cells = [
      r.engine,
      DESIGNS[r.design],
      String(r.lanes),
      String(r.workers),
      c ? int(c.msgPerSec) : "—",
      c ? `${ms(c.p50Ms)} / ${ms(c.p99Ms)}` : "—",
      c ? c.lanesPerWorker.join(", ") : "—",
      s
        ? `${s.errorPct >= 0 ? "+" : ""}${s.errorPct.toFixed(2)} (${int(s.sent)} / ${int(s.expected)} seg, ${s.simSeconds} s)`
        : "—",
      s ? `${s.worstWindow} / ${s.windowLimit}${s.worstWindow > s.windowLimit ? " **over**" : ""}` : "—",
      s ? s.capDetail : "—",
      s ? ms(s.p99Ms) : "—",
      s ? `${int(txsPerK(s))}, ${int((s.emptyTxs / Math.max(1, s.claimTxs)) * 100)} %` : "—",
      s ? String(s.doubleClaims) : "—",
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return [...lines, "", ...laneDesignsConclusion(rows).map((l) => `- ${l}`)].join("\n");
}

const txsPerK = (s: ShapingFigures) => (s.claimTxs / Math.max(1, s.claimedMsgs)) * 1000;

/** What the figures say, in numbers (the verdict is the reader's). */
export function laneDesignsConclusion(rows: LaneDesignRow[]): string[] {
  const out: string[] = [];
  const checked = rows.filter((r) => r.shaping && r.design !== "B0");
  const deviating = checked.filter(
    (r) =>
      Math.abs(r.shaping!.errorPct) > 0.005 ||
      r.shaping!.worstWindow > r.shaping!.windowLimit ||
      r.shaping!.capsExact === false ||
      r.shaping!.doubleClaims > 0,
  );
  const control = rows.find((r) => r.design === "B0" && r.shaping)?.shaping;
  out.push(
    (deviating.length === 0
      ? `Exactness: A, A' and B matched the ideal single dispatcher in all ${checked.length} runs ` +
        "(0.00 % error, no 1-s window over its limit, every capped brand filled to its cap and never over, no double claim)"
      : `Exactness: ${deviating.length} of ${checked.length} runs deviated: ` +
        deviating.map((r) => `${r.engine} ${r.design} L=${r.lanes} W=${r.workers}`).join("; ")) +
      (control
        ? `; the unlocked control overshot (${control.errorPct >= 0 ? "+" : ""}${control.errorPct.toFixed(1)} %, ` +
          `worst window ${control.worstWindow} / ${control.windowLimit}), so the check catches a broken counter.`
        : "."),
  );
  for (const engine of [...new Set(rows.map((r) => r.engine))]) {
    const maxW = Math.max(...rows.filter((r) => r.engine === engine && r.capacity).map((r) => r.workers));
    if (maxW <= 1) continue;
    for (const lanes of [...new Set(rows.map((r) => r.lanes))]) {
      const get = (d: Design, w: number) =>
        rows.find((r) => r.engine === engine && r.design === d && r.lanes === lanes && r.workers === w);
      const a = get("A", maxW);
      const b = get("B", maxW);
      if (!a?.capacity || !b?.capacity) continue;
      const a1 = get("A", 1)?.capacity;
      const a2 = get("A'", maxW)?.capacity;
      let line =
        `${engine}, ${lanes} lane${lanes > 1 ? "s" : ""}, W=${maxW}: B claims ${(b.capacity.msgPerSec / a.capacity.msgPerSec).toFixed(2)}× A's rate ` +
        `(${int(b.capacity.msgPerSec)} vs ${int(a.capacity.msgPerSec)} msg/s${a1 ? `; A with W=1: ${int(a1.msgPerSec)}` : ""})`;
      if (a2)
        line += `, A' ${(a2.msgPerSec / a.capacity.msgPerSec).toFixed(2)}× (${int(a2.msgPerSec)}; A's lanes per worker: ${a.capacity.lanesPerWorker.join("/")})`;
      line += `; claim p99 ${ms(b.capacity.p99Ms)} ms (B) vs ${ms(a.capacity.p99Ms)} ms (A)`;
      if (a.shaping && b.shaping)
        line += `; claim transactions per 1k messages at real rates ${int(txsPerK(b.shaping))} (B) vs ${int(txsPerK(a.shaping))} (A)`;
      out.push(`${line}.`);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const rows = await benchLaneDesigns({ quick: process.argv.includes("--quick") });
  console.log(laneDesignsTable(rows));
  console.error(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
