/**
 * Dashboard benchmark: do the pages' APIs stay fast at 10,000 tenants and 1,000,000 messages?
 *
 *   npx tsx bench/dashboard.ts            # PostgreSQL on 127.0.0.1:5432/test, a fresh schema
 *   BENCH_TENANTS=1000 BENCH_MESSAGES=100000 npx tsx bench/dashboard.ts
 *
 * Seeds the volume with SQL (generate_series, dashboard-seed.ts) into a new schema, starts the
 * real server in this process on a free port, signs in as a staff owner (password + TOTP, so
 * every request pays the session lookup), lets the insights rollup catch up, then times each
 * page's API calls over HTTP: 3 warm-ups, then BENCH_RUNS timed runs (p50/p95/max). Prints a
 * Markdown table and writes bench/results/dashboard.json. The schema is dropped at the end
 * (BENCH_KEEP=1 keeps it).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  createLogger,
  keyringFromKeys,
  loadConfig,
  openPostgres,
  openRuntime,
  rollUp,
  startServer,
  totpCode,
} from "@subtext/server";
import { seedDashboard } from "./dashboard-seed.js";

const URL_ = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const schema = `bench_dashboard_${process.pid}`;

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

async function main() {
  const db = await openPostgres(URL_, { schema, max: 8 });
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-bench-dash-"));
  const log = createLogger("silent");
  const runtime = await openRuntime({
    config: loadConfig({ PORT: "0", SUBTEXT_DATA_DIR: dataDir, LOG_LEVEL: "silent" }),
    db,
    log,
    keyring: keyringFromKeys([randomBytes(32)]),
    emulator: "none",
    issueAdminToken: true,
  });
  const now = new Date();
  let t0 = performance.now();
  await seedDashboard(db, { tenants: TENANTS, messages: MESSAGES, now });
  const seedMs = ms(t0);
  console.log(`seeded ${TENANTS} tenants and ${MESSAGES} messages in ${(seedMs / 1000).toFixed(1)} s`);

  // The rollup job's backfill, run inline here (in production it runs in the worker).
  t0 = performance.now();
  let windows = 0;
  for (;;) {
    const run = await rollUp(db, new Date());
    windows++;
    if (!run || run.caughtUp) break;
  }
  const rollupMs = ms(t0);
  console.log(`insights rollup backfill: ${windows} windows in ${(rollupMs / 1000).toFixed(1)} s`);

  const server = await startServer(runtime, "api");
  const base = server.url!;
  const token = await staffSession(base, runtime.newAdminToken!);
  const big = "ten_bench0000001";
  const month = now.toISOString().slice(0, 7);
  const { id: someMessage } = await db.one<{ id: string }>(
    "SELECT id FROM messages WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 100",
    [big],
  );

  const calls: [page: string, what: string, path: string, tenant?: string][] = [
    ["Tenants", "first page, newest", "/v1/insights/tenants?limit=25"],
    ["Tenants", "sorted by name", "/v1/insights/tenants?limit=25&sort=name"],
    ["Tenants", "sorted by messages today", "/v1/insights/tenants?limit=25&sort=messages_today"],
    ["Tenants", "sorted by delivery rate (7 d)", "/v1/insights/tenants?limit=25&sort=delivery_rate"],
    ["Tenants", "search 'acme'", "/v1/insights/tenants?limit=25&q=acme"],
    [
      "Tenants",
      "needs attention, page 11",
      "/v1/insights/tenants?limit=25&registration=attention&offset=250",
    ],
    ["Tenants", "page 400 (offset 9,975)", "/v1/insights/tenants?limit=25&offset=9975"],
    ["Insights", "platform, 24 h", "/v1/insights/overview?range=24h"],
    ["Insights", "platform, 7 d", "/v1/insights/overview?range=7d"],
    ["Insights", "platform, 30 d", "/v1/insights/overview?range=30d"],
    ["Insights", "platform, 1 h (live)", "/v1/insights/overview?range=1h"],
    ["Insights", "biggest tenant, 30 d", `/v1/insights/overview?range=30d&tenant_id=${big}`],
    ["Insights", "alerts", "/v1/alerts?limit=10"],
    ["Messages", "biggest tenant, first page", "/v1/messages?limit=50", big],
    ["Messages", "biggest tenant, failed only", "/v1/messages?limit=50&status=failed", big],
    ["Messages", "one message with its timeline", `/v1/messages/${someMessage}`, big],
    ["Usage", "platform, month by day and channel", `/v1/usage?group_by=day,channel&from=${month}-01`],
    ["Usage", "platform, month by tenant", `/v1/usage?group_by=tenant&from=${month}-01`],
    ["Usage", "biggest tenant, statement", `/v1/tenants/${big}/statements/${month}`],
    ["Onboarding", "a tenant's registrations", "/v1/tenants/ten_bench0000007/registrations"],
    ["Dashboard", "index.html", "/"],
  ];

  const results = [];
  for (const [page, what, path, tenant] of calls) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (tenant) headers["subtext-tenant"] = tenant;
    const once = async () => {
      const t = performance.now();
      const res = await fetch(`${base}${path}`, { headers });
      const body = await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
      return { ms: ms(t), bytes: body.byteLength };
    };
    for (let i = 0; i < 3; i++) await once();
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await once();
      samples.push(r.ms);
      bytes = r.bytes;
    }
    samples.sort((a, b) => a - b);
    const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
    results.push({
      page,
      what,
      path,
      p50_ms: pick(0.5),
      p95_ms: pick(0.95),
      max_ms: samples[samples.length - 1],
      bytes,
    });
  }

  const lines = [
    `Dashboard APIs at ${TENANTS.toLocaleString("en-US")} tenants and ${MESSAGES.toLocaleString("en-US")} messages ` +
      `(PostgreSQL, ${RUNS} runs each after 3 warm-ups, staff session auth, over HTTP on loopback):`,
    "",
    "| page | call | p50 ms | p95 ms | max ms | bytes |",
    "|---|---|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.page} | ${r.what} | ${r.p50_ms} | ${r.p95_ms} | ${r.max_ms} | ${r.bytes.toLocaleString("en-US")} |`,
    ),
    "",
    `Seeding took ${(seedMs / 1000).toFixed(1)} s; the insights rollup backfill of 30 days ${(rollupMs / 1000).toFixed(1)} s (${windows} windows).`,
  ];
  console.log(lines.join("\n"));
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("./results/dashboard.json", import.meta.url),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        tenants: TENANTS,
        messages: MESSAGES,
        runs: RUNS,
        seed_ms: seedMs,
        rollup_ms: rollupMs,
        results,
      },
      null,
      2,
    ),
  );

  await server.close();
  await runtime.close();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (process.env.BENCH_KEEP !== "1") {
    const admin = new pg.Client({ connectionString: URL_ });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  } else console.log(`kept schema ${schema}`);
}

/** A staff owner signed in with password and TOTP; returns its bearer session token. */
async function staffSession(base: string, adminToken: string): Promise<string> {
  const call = async (path: string, body: unknown): Promise<any> => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const password = "bench password, long enough";
  await call("/v1/auth/bootstrap", {
    admin_token: adminToken,
    email: "bench@isv.example",
    name: "Bench",
    password,
  });
  const login = await call("/v1/auth/login", { email: "bench@isv.example", password });
  const session = await call("/v1/auth/totp", {
    challenge: login.challenge,
    code: totpCode(login.totp.secret, new Date()),
    return_token: true,
  });
  return session.token;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
