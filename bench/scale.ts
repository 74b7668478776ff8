/**
 * Scale: the send path through real `subtext start` processes (test/proof/deployment.ts: the
 * emulator in this process, PGlite with one all-in-one process, or PostgreSQL with one API
 * process and N worker processes), measured in real time, each figure next to the same
 * machine's ceiling measured in the same run:
 *
 * - ceilings: a bare node:http server in its own process (same client, same concurrency; and at
 *   the fixed load), bare INSERTs into the same engine (1 row per commit; multi-row of 100);
 * - accepted msg/s: single sends from N concurrent clients, and batches of 1,000, into a lane
 *   that is throttled to a standstill (acceptance alone, the workers idle);
 * - end-to-end msg/s to delivered, lanes and Twilio not binding: from the first batch POST until
 *   our API has answered 204 to every message's `delivered` callback (an answer comes after the
 *   status is committed), confirmed afterwards by GET /v1/messages?status=delivered;
 * - callback intake/s: the status callbacks Twilio would have sent (dropped by an emulator fault,
 *   so they can be replayed at full speed), posted with their signatures straight at the API;
 * - p50/p99 API latency at a fixed load: single sends started on a schedule (open loop), latency
 *   counted from the scheduled start, while the workers dispatch them;
 * - lane shaping: one lane at 50 MPS with a backlog longer than the window, judged from
 *   Twilio's side (the emulator's create timestamps): count vs mps × window, worst 1-s window;
 * - memory: RSS of every process, sampled each second (peak and end).
 *
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/scale.ts --workers 4 [--quick] [--json]
 *
 * --json prints one JSON line on stdout (run.ts reads it) and the progress on stderr.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { twilioSignature } from "subtext-emulator";
import type { Db } from "../packages/server/src/db/db.js";
import { openPglite } from "../packages/server/src/db/pglite.js";
import { openPostgres } from "../packages/server/src/db/postgres.js";
import {
  type Deployment,
  ENGINE,
  type ReadyTenant,
  deploy,
  onboardTenants,
} from "../packages/server/test/proof/deployment.js";
import { until } from "../packages/server/test/proof/processes.js";
import { pace, sentMessages } from "../packages/server/test/proof/twilio-log.js";
import { closedLoop, openLoop, round1 } from "./load.js";
import { type ScaleResult, scaleDetails, scaleTable } from "./scale-report.js";
import { INSERT, SCHEMA, multiRowInsert, row } from "./storage.js";

export interface ScaleOptions {
  workers: number;
  /** Single sends for the accepted rate, and the concurrency of the single-send clients. */
  messages: number;
  concurrency: number;
  batches: number;
  endToEnd: number;
  /** End-to-end lanes (one tenant each): several, so several workers can lease them. */
  tenants: number;
  /** Messages whose three status callbacks are replayed. */
  callbackMessages: number;
  rate: number;
  rateSeconds: number;
  shapingMps: number;
  shapingSeconds: number;
  onePerCommitRows: number;
  multiRowRows: number;
}

export const FULL: Omit<ScaleOptions, "workers"> = {
  messages: 5_000,
  concurrency: 64,
  batches: 10,
  endToEnd: 5_000,
  tenants: 8,
  callbackMessages: 2_000,
  rate: 100,
  rateSeconds: 20,
  shapingMps: 50,
  shapingSeconds: 60,
  onePerCommitRows: 1_000,
  multiRowRows: 20_000,
};

/** A smoke run: every measurement, small sizes, a 15-second shaping window. */
export const QUICK: Omit<ScaleOptions, "workers"> = {
  ...FULL,
  messages: 1_000,
  batches: 2,
  endToEnd: 1_000,
  tenants: 4,
  callbackMessages: 300,
  rateSeconds: 5,
  shapingSeconds: 15,
  onePerCommitRows: 200,
  multiRowRows: 5_000,
};

const DATABASE_URL = process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let log = (line: string) => console.log(line);

/** A bare HTTP server in its own process (as the API is), answering a small JSON body. */
async function bareHttpServer(): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const s = require("node:http").createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(202, { "content-type": "application/json" });
        res.end('{"id":"msg_01JC0000000000000000000000","status":"queued"}');
      });
    });
    s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", () => reject(new Error("bare HTTP server exited")));
  });
  return { url: `http://127.0.0.1:${port}/v1/messages`, child };
}

async function ceilings(o: ScaleOptions): Promise<NonNullable<ScaleResult["ceilings"]>> {
  const bare = await bareHttpServer();
  const body = JSON.stringify({ to: "+14155550100", body: "Bench 0" });
  const post = () =>
    fetch(bare.url, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) =>
      r.text(),
    );
  await closedLoop(500, o.concurrency, post); // warm-up: connections, JIT
  const http = await closedLoop(o.messages, o.concurrency, post);
  const fixedSeconds = Math.min(o.rateSeconds, 10);
  const fixed = await openLoop(o.rate, fixedSeconds, () => post().then(() => true));
  bare.child.kill();

  // Bare inserts into the same engine: the same server (a scratch schema), or a fresh on-disk
  // PGlite (the deployment's data dir belongs to its process).
  const dir = mkdtempSync(join(tmpdir(), "subtext-scale-ceiling-"));
  const schema = `ceiling_${randomBytes(4).toString("hex")}`;
  const db: Db =
    ENGINE === "postgres"
      ? await openPostgres(DATABASE_URL, { schema, max: 1 })
      : await openPglite(join(dir, "pglite"));
  try {
    await db.exec(SCHEMA);
    const one = await closedLoop(o.onePerCommitRows, 1, () =>
      db.tx((tx) => tx.query(INSERT, row()).then(() => undefined)),
    );
    const multi = await closedLoop(o.multiRowRows / 100, 1, () => {
      const { sql, params } = multiRowInsert(100);
      return db.tx((tx) => tx.query(sql, params).then(() => undefined));
    });
    return {
      http: { ...http, concurrency: o.concurrency, requests: o.messages },
      http_fixed: { rate: o.rate, seconds: fixedSeconds, p50_ms: fixed.p50_ms, p99_ms: fixed.p99_ms },
      insert_one_per_commit: { ...one, rows: o.onePerCommitRows },
      insert_multi_row_100: { per_second: multi.per_second * 100, rows: o.multiRowRows },
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    if (ENGINE === "postgres") {
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
}

/** RSS of every process each second, from /proc (the bench process holds the emulator and the clients). */
function memorySampler(d: Deployment) {
  const seen = new Map<string, { peak: number; end: number }>();
  const rssMiB = (pid: number) => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      return kb ? Number(kb) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  const sample = () => {
    const procs: [string, number][] = [
      ["bench (emulator, clients)", process.pid],
      ...d.procs.filter((p) => p.alive() && p.child.pid).map((p): [string, number] => [p.name, p.child.pid!]),
    ];
    for (const [name, pid] of procs) {
      const mib = rssMiB(pid);
      if (!mib) continue;
      const s = seen.get(name) ?? { peak: 0, end: 0 };
      seen.set(name, { peak: Math.max(s.peak, mib), end: mib });
    }
  };
  sample();
  const timer = setInterval(sample, 1_000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        [...seen].map(([k, v]) => [k, { peak_mib: Math.round(v.peak), end_mib: Math.round(v.end) }]),
      );
    },
  };
}

let recipientSeq = 2_000_000;
const nextRecipient = () => `+1415${String(recipientSeq++).padStart(7, "0")}`;

async function setLane(d: Deployment, t: ReadyTenant, mps: number, burst: number) {
  const lanes = await d.api("GET", "/v1/lanes", { token: t.key });
  const res = await d.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, {
    body: { mps, burst, daily_cap: null, tmobile_daily_cap: null },
  });
  if (res.status !== 200) throw new Error(`lane PATCH: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; mps: number; burst: number };
}

async function sendBatch(d: Deployment, t: ReadyTenant, count: number, text: string): Promise<string[]> {
  const res = await d.api("POST", "/v1/messages/batch", {
    token: t.key,
    body: {
      messages: Array.from({ length: count }, (_, i) => ({ to: nextRecipient(), body: `${text} ${i}` })),
    },
  });
  if (res.status !== 202) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body.results.map((r: { id: string }) => r.id);
}

async function accepted(d: Deployment, o: ScaleOptions, t: ReadyTenant) {
  let errors = 0;
  const single = await closedLoop(o.messages, o.concurrency, async (i) => {
    const res = await d.api("POST", "/v1/messages", {
      token: t.key,
      body: { to: nextRecipient(), body: `Bench ${i}` },
    });
    if (res.status !== 202) errors++;
  });
  const batch = await closedLoop(o.batches, 2, () => sendBatch(d, t, 1_000, "Batch"));
  return {
    single: { ...single, concurrency: o.concurrency, messages: o.messages, errors },
    batch: {
      per_second: Math.round((o.batches * 1_000) / batch.seconds),
      batch_size: 1_000,
      batches: o.batches,
      p50_ms: batch.p50_ms,
    },
  };
}

/** Our count of delivered messages, through the API, page by page. */
async function deliveredInApi(d: Deployment, tenants: ReadyTenant[]): Promise<number> {
  let total = 0;
  for (const t of tenants) {
    let cursor: string | null = null;
    do {
      const q: string = `/v1/messages?status=delivered&limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
      const page: { body: { data: unknown[]; next_cursor: string | null } } = await d.api("GET", q, {
        token: t.key,
      });
      total += page.body.data.length;
      cursor = page.body.next_cursor;
    } while (cursor);
  }
  return total;
}

async function endToEnd(d: Deployment, o: ScaleOptions, tenants: ReadyTenant[]) {
  const world = d.emulator.world;
  const accounts = new Set(tenants.map((t) => t.tenant.subaccount_sid));
  const statusPaths = tenants.map((t) => `/twilio/messages/status/${t.tenant.id}`);
  const logStart = world.callbacks.log.length;
  // Which workers hold the lanes (PostgreSQL): leases are per lane, so a lane is one worker's.
  const owners = new Set<string>();
  const laneIds = new Set<string>();
  for (const t of tenants) laneIds.add((await d.api("GET", "/v1/lanes", { token: t.key })).body.data[0].id);
  const watchLeases = d.testDb
    ? setInterval(() => {
        d.testDb!.db.query<{ owner: string }>(
          "SELECT DISTINCT lease_owner AS owner FROM lanes WHERE id = ANY($1::text[]) AND lease_until > now()",
          [[...laneIds]],
        )
          .then(({ rows }) => {
            for (const r of rows) owners.add(r.owner);
          })
          .catch(() => {});
      }, 250)
    : undefined;

  const started = performance.now();
  const chunks: [ReadyTenant, number][] = [];
  const per = Math.ceil(o.endToEnd / tenants.length);
  for (let off = 0, i = 0; off < o.endToEnd; off += per, i++) {
    const count = Math.min(per, o.endToEnd - off);
    for (let c = 0; c < count; c += 1_000) chunks.push([tenants[i], Math.min(1_000, count - c)]);
  }
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < chunks.length) {
        const [t, n] = chunks[next++];
        await sendBatch(d, t, n, "E2E");
      }
    }),
  );

  // Done when every message's `delivered` callback was answered 204, or nothing is left to come.
  const delivered = new Set<string>();
  let failures = 0;
  let at99: number | null = null;
  const deadline = Date.now() + 10 * 60_000;
  let callbacks = 0;
  let failureKinds: Record<string, number> = {};
  for (;;) {
    failures = 0;
    failureKinds = {};
    callbacks = 0;
    let pending = 0;
    const log = world.callbacks.log;
    for (let i = logStart; i < log.length; i++) {
      const c = log[i];
      if (!statusPaths.some((p) => c.url.includes(p))) continue;
      callbacks++;
      if (c.status === null && !c.error) pending++;
      else if (c.status !== 204) {
        failures++;
        const kind = c.status === null ? (c.error ?? "no answer") : `HTTP ${c.status}`;
        failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
      } else if (c.params.MessageStatus === "delivered") delivered.add(String(c.params.MessageSid));
    }
    if (at99 === null && delivered.size >= o.endToEnd * 0.99) at99 = performance.now();
    if (delivered.size >= o.endToEnd) break;
    if (Date.now() > deadline) break;
    if (pending === 0 && failures > 0) {
      // Callbacks failed: done once every message is final at Twilio (its last callback fired).
      const final = (
        world.store.list("messages") as unknown as { account_sid: string; status: string }[]
      ).filter(
        (m) => accounts.has(m.account_sid) && ["delivered", "undelivered", "failed"].includes(m.status),
      );
      if (final.length >= o.endToEnd) break;
    }
    await sleep(100);
  }
  const seconds = (performance.now() - started) / 1000;
  if (watchLeases) clearInterval(watchLeases);
  const times = sentMessages(world)
    .filter((m) => accounts.has(m.account_sid))
    .map((m) => m.at);
  const twilioSpan = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
  return {
    messages: o.endToEnd,
    tenants: tenants.length,
    seconds: round1(seconds),
    per_second: Math.round(delivered.size / seconds),
    seconds_to_99_percent: at99 === null ? null : round1((at99 - started) / 1000),
    twilio_per_second: twilioSpan > 0 ? Math.round((times.length - 1) / twilioSpan) : 0,
    http_per_message: round1((times.length + callbacks) / o.endToEnd),
    delivered_callbacks: delivered.size,
    delivered_in_api: await deliveredInApi(d, tenants),
    callback_failures: failures,
    callback_failure_kinds: failureKinds,
    ...(d.testDb ? { workers_leasing: owners.size } : {}),
  };
}

async function callbackIntake(d: Deployment, o: ScaleOptions, t: ReadyTenant) {
  const world = d.emulator.world;
  const path = `/twilio/messages/status/${t.tenant.id}`;
  await d.emu("POST", "faults", { kind: "drop_callbacks", path });
  const logStart = world.callbacks.log.length;
  for (let off = 0; off < o.callbackMessages; off += 1_000)
    await sendBatch(d, t, Math.min(1_000, o.callbackMessages - off), "Callback");
  // Every callback Twilio would have sent (queued, sending, sent, delivered), once each message's
  // last one (`delivered`) is in.
  const dropped = () => world.callbacks.log.slice(logStart).filter((c) => c.dropped && c.url.includes(path));
  await until(
    "every status callback of the intake tenant",
    async () => dropped().filter((c) => c.params.MessageStatus === "delivered").length >= o.callbackMessages,
  );
  await d.emu("DELETE", "faults");
  await sleep(1_000); // the outcomes of the last creates are recorded (they precede `delivered` by ~0.7 s)
  const { accounts } = await d.emu("GET", "accounts");
  const token = accounts.find((a: any) => a.sid === t.tenant.subaccount_sid).auth_token;
  const posts = dropped().map((c) => ({
    url: c.url,
    body: new URLSearchParams(c.params as Record<string, string>).toString(),
    signature: twilioSignature(token, c.url, c.params as Record<string, string>),
  }));
  let not204 = 0;
  const result = await closedLoop(posts.length, o.concurrency, async (i) => {
    const res = await fetch(posts[i].url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": posts[i].signature,
      },
      body: posts[i].body,
    });
    await res.arrayBuffer();
    if (res.status !== 204) not204++;
  });
  return { ...result, callbacks: posts.length, concurrency: o.concurrency, not_204: not204 };
}

async function fixedLoad(d: Deployment, o: ScaleOptions, tenants: ReadyTenant[]) {
  const r = await openLoop(o.rate, o.rateSeconds, async (i) => {
    const res = await d.api("POST", "/v1/messages", {
      token: tenants[i % tenants.length].key,
      body: { to: nextRecipient(), body: `Steady ${i}` },
    });
    return res.status === 202;
  });
  return { rate: o.rate, seconds: o.rateSeconds, ...r };
}

async function shaping(d: Deployment, o: ScaleOptions, t: ReadyTenant) {
  const world = d.emulator.world;
  const mps = o.shapingMps;
  const lane = await setLane(d, t, mps, mps);
  // Its status callbacks are dropped: the window measures shaping, not whether the process keeps
  // up with four callbacks per message (the end-to-end figure measures that).
  await d.emu("POST", "faults", { kind: "drop_callbacks", path: `/twilio/messages/status/${t.tenant.id}` });
  // Longer than the warm-up and the window, so the lane never runs dry while measured.
  const warmupMs = 5_000;
  const total = mps * (o.shapingSeconds + 15);
  for (let off = 0; off < total; off += 1_000) await sendBatch(d, t, Math.min(1_000, total - off), "Shape");
  const ours = () => sentMessages(world, t.tenant.subaccount_sid).map((m) => m.at);
  const first = (await until("the first shaped send", async () => ours()[0] ?? null)) as number;
  // Steady state: after the first burst and `warmupMs`, for `shapingSeconds` of real time.
  const from = first + warmupMs;
  const to = from + o.shapingSeconds * 1_000;
  while (world.clock.now() < to + 1_000) await sleep(250);
  const times = ours();
  const inWindow = times.filter((x) => x >= from && x < to).length;
  const expected = mps * o.shapingSeconds;
  const whole = pace(
    times.filter((x) => x < to),
    mps,
    lane.burst,
  );
  const offset = world.clock.now() - Date.now();
  const claimWindow: ClaimWindow = {
    tenantId: t.tenant.id,
    from: new Date(from - offset),
    to: new Date(to - offset),
    mps,
    burst: lane.burst,
  };
  const figures = {
    mps,
    burst: lane.burst,
    seconds: o.shapingSeconds,
    sent: inWindow,
    expected,
    error_percent: Number(((Math.abs(inWindow - expected) / expected) * 100).toFixed(2)),
    worst_1s_window: whole.maxPerSecond,
    limit_1s: mps + lane.burst,
    worst_bucket_excess: round1(whole.worstExcess),
    backlog_left: total - times.length,
  };
  return { figures, claimWindow };
}

interface ClaimWindow {
  tenantId: string;
  from: Date;
  to: Date;
  mps: number;
  burst: number;
}

/**
 * The shaping checks on our side, at claim time (`message_attempts.started_at`, the instant the
 * token bucket was charged), and how many workers claimed (a lease changing hands must not
 * reset the bucket). Twilio's timestamps add transport and event-loop jitter; these do not.
 */
async function claimSide(db: Db, w: ClaimWindow) {
  const { rows } = await db.query<{ at: Date; worker_id: string }>(
    "SELECT started_at AS at, worker_id FROM message_attempts WHERE tenant_id = $1 AND started_at < $2",
    [w.tenantId, w.to],
  );
  const claims = pace(
    rows.map((r) => r.at.getTime()),
    w.mps,
    w.burst,
  );
  return {
    claim_sent: rows.filter((r) => r.at >= w.from).length,
    claim_worst_1s_window: claims.maxPerSecond,
    claim_bucket_excess: round1(claims.worstExcess),
    claiming_workers: new Set(rows.map((r) => r.worker_id)).size,
  };
}

/**
 * Waits until the previous phase is over: Twilio's callbacks answered (or given up on), and the
 * API (which checks its database on /readyz) answering within 50 ms three times in a row, so one
 * phase's backlog is not measured as the next one's latency.
 */
async function settle(d: Deployment) {
  await Promise.race([d.emulator.world.callbacks.settle(), sleep(60_000)]);
  const deadline = Date.now() + 60_000;
  let fast = 0;
  while (fast < 3 && Date.now() < deadline) {
    const t = performance.now();
    await fetch(`${d.apiUrl}/readyz`)
      .then((r) => r.arrayBuffer())
      .catch(() => null);
    fast = performance.now() - t < 50 ? fast + 1 : 0;
    await sleep(200);
  }
}

/**
 * Warnings and errors the processes logged (pino JSON lines), grouped by process role and
 * message; the first of each kind is printed whole on stderr. A line that arrived in two chunks
 * is kept in two pieces by processes.ts, so pieces are joined until they parse.
 */
function loggedProblems(d: Deployment): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of d.procs) {
    let pending = "";
    for (const piece of p.output) {
      const line = pending + piece;
      let e: any;
      try {
        e = JSON.parse(line);
        pending = "";
      } catch {
        if (line.startsWith("{") && line.length < 100_000) {
          pending = line;
          continue;
        }
        pending = "";
        if (/error|warn/i.test(line)) e = { level: 50, msg: line };
        else continue;
      }
      if ((e.level ?? 0) < 40) continue;
      const key =
        `${p.name.replace(/-\d+$/, "")} ${e.level >= 50 ? "error" : "warn"}: ${e.event ?? ""} ${e.err?.message ?? e.msg ?? ""}`
          .replace(/\s+/g, " ")
          .slice(0, 160);
      if (!out[key]) console.error(`first logged "${key}":\n${line.slice(0, 3_000)}`);
      out[key] = (out[key] ?? 0) + 1;
    }
  }
  return out;
}

export async function benchScale(o: ScaleOptions): Promise<ScaleResult> {
  if (ENGINE === "pglite" && o.workers > 1) {
    return { engine: ENGINE, workers: o.workers, na: "PGlite is one process" };
  }
  const wallStart = performance.now();
  const loadStart = loadavg()[0];
  const d = await deploy({ LOG_LEVEL: "warn" });
  let memory: ReturnType<typeof memorySampler> | undefined;
  try {
    await d.emu("PUT", "throughput", { per_number_mps: 100_000 });
    log(`onboarding ${o.tenants + 3} tenants…`);
    const tenants = await onboardTenants(d, o.tenants + 3);
    const [acceptTenant, callbackTenant, shapingTenant] = tenants.slice(o.tenants);
    const flowTenants = tenants.slice(0, o.tenants);

    // Ceilings first, while no Subtext process runs.
    log("ceilings…");
    const ceiling = await ceilings(o);
    log(`  ${JSON.stringify(ceiling)}`);

    if (ENGINE === "postgres") {
      await d.start("api", "api");
      await Promise.all(Array.from({ length: o.workers }, (_, i) => d.start("worker", `worker-${i}`)));
    } else await d.start("all", "all");
    memory = memorySampler(d);
    for (const t of [...flowTenants, callbackTenant]) await setLane(d, t, 10_000, 10_000);
    // Acceptance alone: this lane lets one message out every ~17 minutes, so the workers idle.
    await setLane(d, acceptTenant, 0.001, 1);

    log("accepted…");
    const acc = await accepted(d, o, acceptTenant);
    log(`  ${JSON.stringify(acc)}`);
    await settle(d);
    log("end to end…");
    const e2e = await endToEnd(d, o, flowTenants);
    log(`  ${JSON.stringify(e2e)}`);
    await settle(d);
    log("callback intake…");
    const intake = await callbackIntake(d, o, callbackTenant);
    log(`  ${JSON.stringify(intake)}`);
    await settle(d);
    log("fixed load…");
    const steady = await fixedLoad(d, o, flowTenants);
    log(`  ${JSON.stringify(steady)}`);
    // Let the fixed load's messages leave before the shaping window opens.
    const flowAccounts = new Set(flowTenants.map((t) => t.tenant.subaccount_sid));
    await until(
      "the fixed load's messages at Twilio",
      async () =>
        sentMessages(d.emulator.world).filter((m) => flowAccounts.has(m.account_sid)).length >=
        o.endToEnd + steady.sent - steady.errors,
      { timeoutMs: 120_000, intervalMs: 500 },
    ).catch(() => log("  (some fixed-load messages are still queued)"));
    await settle(d);
    log(`lane shaping (${o.shapingSeconds} s)…`);
    const { figures, claimWindow } = await shaping(d, o, shapingTenant);
    const endMemory = memory.stop();
    const logged = loggedProblems(d);
    let claims: Awaited<ReturnType<typeof claimSide>>;
    if (d.testDb) claims = await claimSide(d.testDb.db, claimWindow);
    else {
      // The embedded database is the process's own: stop it, then read its data directory.
      for (const p of d.procs) await p.stop();
      const db = await openPglite(join(d.dataDir, "pglite"));
      claims = await claimSide(db, claimWindow).finally(() => db.close());
    }
    const shape = { ...figures, ...claims };
    log(`  ${JSON.stringify(shape)}`);

    return {
      engine: ENGINE,
      workers: o.workers,
      processes: d.procs.map((p) => p.name),
      wall_seconds: Math.round((performance.now() - wallStart) / 1000),
      load_average: [round1(loadStart), round1(loadavg()[0])],
      ceilings: ceiling,
      accepted: acc,
      end_to_end: e2e,
      callback_intake: intake,
      fixed_load: steady,
      lane_shaping: shape,
      memory: endMemory,
      logged,
    };
  } finally {
    memory?.stop();
    await d.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: args } = parseArgs({
    options: {
      workers: { type: "string", default: "1" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      messages: { type: "string" },
      concurrency: { type: "string" },
      batches: { type: "string" },
      "end-to-end": { type: "string" },
      tenants: { type: "string" },
      "callback-messages": { type: "string" },
      rate: { type: "string" },
      "rate-seconds": { type: "string" },
      "shaping-mps": { type: "string" },
      "shaping-seconds": { type: "string" },
    },
  });
  const base = args.quick ? QUICK : FULL;
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const options: ScaleOptions = {
    ...base,
    workers: Number(args.workers),
    messages: num(args.messages, base.messages),
    concurrency: num(args.concurrency, base.concurrency),
    batches: num(args.batches, base.batches),
    endToEnd: num(args["end-to-end"], base.endToEnd),
    tenants: num(args.tenants, base.tenants),
    callbackMessages: num(args["callback-messages"], base.callbackMessages),
    rate: num(args.rate, base.rate),
    rateSeconds: num(args["rate-seconds"], base.rateSeconds),
    shapingMps: num(args["shaping-mps"], base.shapingMps),
    shapingSeconds: num(args["shaping-seconds"], base.shapingSeconds),
  };
  if (args.json) log = (line) => console.error(line);
  const result = await benchScale(options);
  if (args.json) console.log(JSON.stringify(result));
  else console.log(`\n${scaleTable([result])}\n\n${scaleDetails(result)}`);
  process.exit(0);
}
