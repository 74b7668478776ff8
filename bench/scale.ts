/**
 * Scale: the send path through real `subtext start` processes (PGlite: one all-in-one process;
 * PostgreSQL: one API process and N worker processes), in real time. Nothing that generates or
 * answers load runs in the measured processes or in this one: requests come from a load
 * generator in its own process (bench/loadgen.ts: autocannon, or an open-loop schedule for a
 * fixed rate), Twilio (the emulator) and the ISV's webhook receiver run in another
 * (bench/deployment.ts). Every figure is printed beside the same run's ceilings, measured with
 * the same generator and settings just before the product starts (bench/ceilings.ts):
 *
 * - ceilings: bare Fastify (max rate; fixed rates), bare Fastify + one INSERT per request into
 *   the same engine, a multi-row INSERT of 100 per commit;
 * - accepted msg/s: `POST /v1/messages` at N connections for a fixed time, and batches of 1,000
 *   (2 at a time), into a lane held still (acceptance alone, the workers idle);
 * - end-to-end msg/s, lanes and Twilio not binding: from the first batch POST until the ISV's
 *   webhook receiver has every message's `message.delivered` (accepted → Twilio create → four
 *   status callbacks → delivered committed → webhook), with the CPU it cost per message;
 * - callback intake/s: the status callbacks Twilio would have sent (dropped by an emulator fault,
 *   then replayed, signed, by the load generator);
 * - p50/p99 at fixed loads: 100 sends/s while the workers dispatch them, and the top rate of the
 *   settings (500/s) into the held lane (acceptance alone);
 * - lane shaping: one lane at 50 MPS with a backlog longer than the window, judged from Twilio's
 *   side and at claim time;
 * - CPU per message of each phase (/proc: product processes + their PostgreSQL backends, the
 *   server's shared processes, the emulator, the generator); memory (RSS) each second.
 *
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/scale.ts --workers 4 [--quick] [--json]
 *
 * --json prints one JSON line on stdout (run.ts reads it) and the progress on stderr.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { twilioSignature } from "subtext-emulator";
import { type Db, openPglite } from "@subtext/server";
import { until } from "../packages/server/test/proof/processes.js";
import { pace } from "../packages/server/test/proof/twilio-log.js";
import {
  FULL_LOAD,
  type LoadSettings,
  QUICK_LOAD,
  bareCeiling,
  fixedLoad,
  insertCeiling,
  measured,
  sendLoad,
} from "./ceilings.js";
import { cpuMeter, cpuOf } from "./cpu.js";
import { type BenchDeployment, ENGINE, type ReadyTenant, deploy, onboardTenants } from "./deployment.js";
import { REQUESTS, runLoad } from "./loadgen.js";
import { round1 } from "./load.js";
import { type ScaleResult, scaleDetails, scaleTable } from "./scale-report.js";

export interface ScaleOptions {
  workers: number;
  load: LoadSettings;
  batches: number;
  endToEnd: number;
  /** End-to-end lanes (one tenant each): several, so several workers can lease them. */
  tenants: number;
  /** Messages whose four status callbacks are replayed. */
  callbackMessages: number;
  /** Fixed load while the workers dispatch (sends/s), and for how long. */
  dispatchRate: number;
  dispatchSeconds: number;
  shapingMps: number;
  shapingSeconds: number;
  multiRowRows: number;
}

export const FULL: Omit<ScaleOptions, "workers"> = {
  load: FULL_LOAD,
  batches: 10,
  endToEnd: 5_000,
  tenants: 8,
  callbackMessages: 2_000,
  dispatchRate: 100,
  dispatchSeconds: 20,
  shapingMps: 50,
  shapingSeconds: 60,
  multiRowRows: 20_000,
};

/** A smoke run: every measurement, small sizes, a 10-second shaping window. */
export const QUICK: Omit<ScaleOptions, "workers"> = {
  ...FULL,
  load: QUICK_LOAD,
  batches: 2,
  endToEnd: 500,
  tenants: 2,
  callbackMessages: 200,
  dispatchSeconds: 3,
  shapingSeconds: 10,
  multiRowRows: 5_000,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let log = (line: string) => console.log(line);
const pg = () => ENGINE === "postgres";

/** RSS of every process each second, from /proc. */
function memorySampler(d: BenchDeployment) {
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
      ["bench driver", process.pid],
      ["emulator + ISV receiver", d.emulator.child.pid!],
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
const nextRecipient = () => `+1417${String(recipientSeq++).padStart(7, "0")}`;

async function setLane(d: BenchDeployment, t: ReadyTenant, mps: number, burst: number) {
  const lanes = await d.api("GET", "/v1/lanes", { token: t.key });
  const res = await d.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, {
    body: { mps, burst, daily_cap: null, tmobile_daily_cap: null },
  });
  if (res.status !== 200) throw new Error(`lane PATCH: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; mps: number; burst: number };
}

async function sendBatch(d: BenchDeployment, t: ReadyTenant, count: number, text: string): Promise<string[]> {
  const res = await d.api("POST", "/v1/messages/batch", {
    token: t.key,
    body: {
      messages: Array.from({ length: count }, (_, i) => ({ to: nextRecipient(), body: `${text} ${i}` })),
    },
  });
  if (res.status !== 202) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body.results.map((r: { id: string }) => r.id);
}

async function ceilings(o: ScaleOptions): Promise<NonNullable<ScaleResult["ceilings"]>> {
  const bare = await bareCeiling(o.load);
  log(`  bare Fastify ${bare.max.load.ok_per_second}/s`);
  const insert = await insertCeiling(ENGINE, o.load, o.multiRowRows);
  log(`  bare Fastify + INSERT ${insert.max.load.ok_per_second}/s`);
  return { bare, insert };
}

async function accepted(d: BenchDeployment, o: ScaleOptions, t: ReadyTenant) {
  const single = await measured(d.productPids, sendLoad(`${d.apiUrl}/v1/messages`, o.load, t.key), pg());
  const meter = cpuMeter({ server: d.productPids }, { postgres: pg() });
  const batch = await runLoad({
    url: `${d.apiUrl}/v1/messages/batch`,
    connections: 2,
    amount: o.batches,
    timeout: 120,
    requests: { module: REQUESTS("batch"), args: { token: t.key, size: 1_000 } },
  });
  const cpu = meter.stop();
  const messages = batch.ok * 1_000;
  return {
    single,
    batch: {
      per_second: Math.round(messages / batch.seconds),
      batch_size: 1_000,
      batches: o.batches,
      failed: batch.non_2xx + batch.errors,
      p50_ms: batch.latency_ms.p50,
      p99_ms: batch.latency_ms.p99,
      cpu_ms_per_message: messages ? Number((cpuOf(cpu, "server") / messages).toFixed(3)) : 0,
    },
  };
}

async function endToEnd(d: BenchDeployment, o: ScaleOptions, tenants: ReadyTenant[]) {
  const accounts = tenants.map((t) => t.tenant.subaccount_sid);
  const paths = tenants.map((t) => `/twilio/messages/status/${t.tenant.id}`);
  const logStart = await d.emulator.ask<number>("logLength");
  const hooksStart = await d.emulator.ask<{ delivered: number; total: number; last_delivered_at: number }>(
    "webhooks",
  );
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
      }, 1_000)
    : undefined;

  const meter = cpuMeter(
    { product: d.productPids, emulator: () => [d.emulator.child.pid!], driver: () => [process.pid] },
    { postgres: pg() },
  );
  const started = Date.now();
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

  // Done when the ISV has every message's `message.delivered` webhook, or nothing more can come.
  let cb = {
    callbacks: 0,
    pending: 0,
    failures: 0,
    failureKinds: {} as Record<string, number>,
    delivered: 0,
  };
  let hooks = hooksStart;
  let callbacksDoneAt: number | null = null;
  let lastProgress = Date.now();
  let lastCount = -1;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    cb = await d.emulator.ask("callbacks", { from: logStart, paths });
    hooks = await d.emulator.ask("webhooks");
    const webhooks = hooks.delivered - hooksStart.delivered;
    if (callbacksDoneAt === null && cb.delivered >= o.endToEnd) callbacksDoneAt = Date.now();
    if (webhooks >= o.endToEnd) break;
    if (Date.now() > deadline) break;
    if (webhooks + cb.delivered !== lastCount) {
      lastCount = webhooks + cb.delivered;
      lastProgress = Date.now();
    }
    if (cb.failures > 0 && cb.pending === 0) {
      // Callbacks failed: done once every message is final at Twilio and nothing moved for 20 s.
      const final = await d.emulator.ask<number>("finalCount", { accounts });
      if (final >= o.endToEnd && Date.now() - lastProgress > 20_000) break;
    }
    await sleep(500);
  }
  const cpu = meter.stop();
  if (watchLeases) clearInterval(watchLeases);
  const webhooks = hooks.delivered - hooksStart.delivered;
  const webhookAt = hooks.last_delivered_at || Date.now();
  const seconds = (webhookAt - started) / 1000;
  const times = await d.emulator.ask<number[]>("sentTimes", { accounts });
  const twilioSpan = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
  const inApi = await deliveredInApi(d, tenants);
  // Per message that went all the way (if some never did: per message delivered in our API).
  const done = webhooks >= o.endToEnd ? webhooks : inApi;
  const perMessage = (ms: number) => (done ? Number((ms / done).toFixed(3)) : null);
  return {
    messages: o.endToEnd,
    tenants: tenants.length,
    seconds: round1(seconds),
    /** Messages whose `message.delivered` webhook the ISV received, per second. */
    per_second: Math.round(webhooks / seconds),
    webhooks_delivered: webhooks,
    callbacks_seconds: callbacksDoneAt === null ? null : round1((callbacksDoneAt - started) / 1000),
    twilio_per_second: twilioSpan > 0 ? Math.round((times.length - 1) / twilioSpan) : 0,
    http_per_message: round1((times.length + cb.callbacks + webhooks) / o.endToEnd),
    delivered_callbacks: cb.delivered,
    delivered_in_api: inApi,
    callback_failures: cb.failures,
    callback_failure_kinds: cb.failureKinds,
    cpu_ms: cpu.ms,
    cpu_ms_per_message: {
      product: perMessage(cpuOf(cpu, "product")),
      shared_pg: perMessage(cpu.ms["PostgreSQL (shared)"] ?? 0),
      emulator: perMessage(cpu.ms.emulator ?? 0),
      driver: perMessage(cpuOf(cpu, "driver")),
    },
    ...(d.testDb ? { workers_leasing: owners.size } : {}),
  };
}

/** Our count of delivered messages, through the API, page by page. */
async function deliveredInApi(d: BenchDeployment, tenants: ReadyTenant[]): Promise<number> {
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

async function callbackIntake(d: BenchDeployment, o: ScaleOptions, t: ReadyTenant) {
  const path = `/twilio/messages/status/${t.tenant.id}`;
  await d.emu("POST", "faults", { kind: "drop_callbacks", path });
  const from = await d.emulator.ask<number>("logLength");
  for (let off = 0; off < o.callbackMessages; off += 1_000)
    await sendBatch(d, t, Math.min(1_000, o.callbackMessages - off), "Callback");
  // Every callback Twilio would have sent (queued, sending, sent, delivered), once each message's
  // last one (`delivered`) is in.
  await until(
    "every status callback of the intake tenant",
    async () => (await d.emulator.ask<number>("droppedDelivered", { from, path })) >= o.callbackMessages,
    { timeoutMs: 300_000, intervalMs: 500 },
  );
  await d.emu("DELETE", "faults");
  await sleep(1_000); // the outcomes of the last creates are recorded (they precede `delivered` by ~0.7 s)
  const { accounts } = await d.emu("GET", "accounts");
  const token = accounts.find((a: any) => a.sid === t.tenant.subaccount_sid).auth_token;
  const dropped = await d.emulator.ask<{ url: string; params: Record<string, string> }[]>("dropped", {
    from,
    path,
  });
  const posts = dropped.map((c) => {
    const u = new URL(c.url);
    return {
      path: u.pathname + u.search,
      body: new URLSearchParams(c.params).toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(token, c.url, c.params),
      },
    };
  });
  const dir = mkdtempSync(join(tmpdir(), "subtext-replay-"));
  const file = join(dir, "callbacks.json");
  writeFileSync(file, JSON.stringify(posts));
  try {
    const phase = await measured(
      d.productPids,
      {
        url: d.apiUrl,
        connections: o.load.connections,
        amount: posts.length,
        requests: { module: REQUESTS("replay"), args: { file } },
      },
      pg(),
    );
    return { ...phase, callbacks: posts.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function shaping(d: BenchDeployment, o: ScaleOptions, t: ReadyTenant) {
  const mps = o.shapingMps;
  const lane = await setLane(d, t, mps, mps);
  // Its status callbacks are dropped: the window measures shaping, not whether the process keeps
  // up with four callbacks per message (the end-to-end figure measures that).
  await d.emu("POST", "faults", { kind: "drop_callbacks", path: `/twilio/messages/status/${t.tenant.id}` });
  // Longer than the warm-up and the window, so the lane never runs dry while measured.
  const warmupMs = 5_000;
  const total = mps * (o.shapingSeconds + 15);
  for (let off = 0; off < total; off += 1_000) await sendBatch(d, t, Math.min(1_000, total - off), "Shape");
  const ours = () => d.emulator.ask<number[]>("sentTimes", { accounts: [t.tenant.subaccount_sid] });
  const first = (await until("the first shaped send", async () => (await ours())[0] ?? null)) as number;
  // Steady state: after the first burst and `warmupMs`, for `shapingSeconds` of real time.
  const from = first + warmupMs;
  const to = from + o.shapingSeconds * 1_000;
  const clock = () => d.emulator.ask<{ emulated: number; real: number }>("clock");
  while ((await clock()).emulated < to + 1_000) await sleep(250);
  const times = await ours();
  const inWindow = times.filter((x) => x >= from && x < to).length;
  const expected = mps * o.shapingSeconds;
  const whole = pace(
    times.filter((x) => x < to),
    mps,
    lane.burst,
  );
  const c = await clock();
  const offset = c.emulated - c.real;
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
async function settle(d: BenchDeployment) {
  await d.emulator.ask("settle", { ms: 60_000 });
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
function loggedProblems(d: BenchDeployment): Record<string, number> {
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

    if (ENGINE === "postgres") {
      await d.start("api", "api");
      await Promise.all(Array.from({ length: o.workers }, (_, i) => d.start("worker", `worker-${i}`)));
    } else await d.start("all", "all");
    memory = memorySampler(d);
    for (const t of [...flowTenants, callbackTenant]) await setLane(d, t, 10_000, 10_000);
    // Acceptance alone: this lane lets one message out every ~17 minutes, so the workers idle.
    await setLane(d, acceptTenant, 0.001, 1);
    // The ISV listens for `message.delivered` on each end-to-end tenant.
    for (const [i, t] of flowTenants.entries()) {
      const res = await d.api("POST", "/v1/webhook-endpoints", {
        token: t.key,
        body: { url: `${d.emulator.receiverUrl}/t${i}`, event_types: ["message.delivered"] },
      });
      if (res.status !== 201) throw new Error(`webhook endpoint: ${res.status} ${JSON.stringify(res.body)}`);
    }

    log("accepted…");
    const acc = await accepted(d, o, acceptTenant);
    log(`  single ${acc.single.load.ok_per_second}/s, batch ${acc.batch.per_second}/s`);
    await settle(d);
    log("end to end…");
    const e2e = await endToEnd(d, o, flowTenants);
    log(
      `  ${JSON.stringify({ per_second: e2e.per_second, seconds: e2e.seconds, cpu: e2e.cpu_ms_per_message })}`,
    );
    await settle(d);
    log("callback intake…");
    const intake = await callbackIntake(d, o, callbackTenant);
    log(`  ${intake.load.ok_per_second}/s`);
    await settle(d);
    const top = Math.max(...o.load.rates);
    log(`fixed load, acceptance alone (${top}/s)…`);
    const acceptFixed = await measured(
      d.productPids,
      fixedLoad(`${d.apiUrl}/v1/messages`, o.load, top, acceptTenant.key),
      pg(),
    );
    log(`  p50 ${acceptFixed.load.latency_ms.p50} / p99 ${acceptFixed.load.latency_ms.p99} ms`);
    await settle(d);
    log(`fixed load while dispatching (${o.dispatchRate}/s)…`);
    const flowAccounts = flowTenants.map((t) => t.tenant.subaccount_sid);
    const atTwilio = await d.emulator.ask<number>("sentCount", { accounts: flowAccounts });
    const dispatchLoad = fixedLoad(`${d.apiUrl}/v1/messages`, o.load, o.dispatchRate);
    const steady = await measured(
      d.productPids,
      {
        ...dispatchLoad,
        duration: o.dispatchSeconds,
        requests: {
          module: REQUESTS("messages"),
          args: { tokens: flowTenants.map((t) => t.key), start: 7e6 },
        },
      },
      pg(),
    );
    log(`  p50 ${steady.load.latency_ms.p50} / p99 ${steady.load.latency_ms.p99} ms`);
    // Let the fixed load's messages leave before the shaping window opens.
    await until(
      "the fixed load's messages at Twilio",
      async () =>
        (await d.emulator.ask<number>("sentCount", { accounts: flowAccounts })) >= atTwilio + steady.load.ok,
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
      settings: o.load,
      ceilings: ceiling,
      accepted: acc,
      end_to_end: e2e,
      callback_intake: intake,
      fixed_load: { ...steady, seconds: o.dispatchSeconds },
      fixed_load_accept: acceptFixed,
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
      connections: { type: "string" },
      seconds: { type: "string" },
      tool: { type: "string" },
      batches: { type: "string" },
      "end-to-end": { type: "string" },
      tenants: { type: "string" },
      "callback-messages": { type: "string" },
      "dispatch-rate": { type: "string" },
      "dispatch-seconds": { type: "string" },
      "shaping-mps": { type: "string" },
      "shaping-seconds": { type: "string" },
    },
  });
  const base = args.quick ? QUICK : FULL;
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const options: ScaleOptions = {
    ...base,
    workers: Number(args.workers),
    load: {
      ...base.load,
      connections: num(args.connections, base.load.connections),
      seconds: num(args.seconds, base.load.seconds),
      tool: (args.tool as LoadSettings["tool"]) ?? base.load.tool,
    },
    batches: num(args.batches, base.batches),
    endToEnd: num(args["end-to-end"], base.endToEnd),
    tenants: num(args.tenants, base.tenants),
    callbackMessages: num(args["callback-messages"], base.callbackMessages),
    dispatchRate: num(args["dispatch-rate"], base.dispatchRate),
    dispatchSeconds: num(args["dispatch-seconds"], base.dispatchSeconds),
    shapingMps: num(args["shaping-mps"], base.shapingMps),
    shapingSeconds: num(args["shaping-seconds"], base.shapingSeconds),
  };
  if (args.json) log = (line) => console.error(line);
  const result = await benchScale(options);
  if (args.json) console.log(JSON.stringify(result));
  else console.log(`\n${scaleTable([result])}\n\n${scaleDetails(result)}`);
  process.exit(0);
}
