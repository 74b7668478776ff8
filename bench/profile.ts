/**
 * Profile before optimising: runs one scenario against real Subtext processes with the CPU
 * profiler loaded into each (bench/profile/preload.cjs), records only while the load runs, and
 * prints where each process's time went. The .cpuprofile files (open them in Chrome's DevTools)
 * are kept under bench/results/.
 *
 *   npx tsx bench/profile.ts send  [--seconds 10] [--log info]   single sends, 64 connections
 *   npx tsx bench/profile.ts batch [--seconds 10]                 batches of 1,000, 4 connections
 *   npx tsx bench/profile.ts e2e   [--messages 5000] [--workers 1] [--tenants 8]
 *                                   accepted → Twilio → callbacks → the ISV's webhooks
 *
 * The engine is PostgreSQL with SUBTEXT_TEST_ENGINE=postgres (api and workers as separate
 * processes), else PGlite (one `all` process).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FULL_LOAD, sendLoad } from "./ceilings.js";
import { type BenchDeployment, ENGINE, type ReadyTenant, deploy, onboardTenants } from "./deployment.js";
import { REQUESTS, describeLoad, runLoad } from "./loadgen.js";
import { summarize } from "./profile/summary.js";

const { positionals, values: args } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "10" },
    messages: { type: "string", default: "5000" },
    workers: { type: "string", default: "1" },
    tenants: { type: "string", default: "8" },
    log: { type: "string", default: "warn" },
  },
});
const scenario = positionals[0] ?? "send";
const dir = fileURLToPath(new URL(`./results/profile-${scenario}-${Date.now()}/`, import.meta.url));
const preload = fileURLToPath(new URL("./profile/preload.cjs", import.meta.url));

const d = await deploy({ LOG_LEVEL: args.log!, SUBTEXT_PROFILE_DIR: dir });
try {
  await d.emu("PUT", "throughput", { per_number_mps: 100_000 });
  const tenants = await onboardTenants(d, scenario === "e2e" ? Number(args.tenants) : 1);
  d.env.NODE_OPTIONS = `--require ${preload}`;
  const workers = Number(args.workers);
  if (ENGINE === "postgres") {
    d.env.SUBTEXT_PROFILE_NAME = "api";
    await d.start("api", "api");
    for (let i = 0; i < (scenario === "e2e" ? workers : 0); i++) {
      d.env.SUBTEXT_PROFILE_NAME = `worker-${i}`;
      await d.start("worker", `worker-${i}`);
    }
  } else {
    d.env.SUBTEXT_PROFILE_NAME = "all";
    await d.start("all", "all");
  }
  const record = () => {
    for (const p of d.procs) p.child.kill("SIGUSR2");
  };
  if (scenario === "e2e") await endToEnd(d, tenants, Number(args.messages), record);
  else await accept(d, tenants[0], scenario === "batch", Number(args.seconds), record);
  for (const p of d.procs) await p.stop(60_000);
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort()) {
    console.log(`\n== ${file}\n${summarize(JSON.parse(readFileSync(join(dir, file), "utf8")))}`);
  }
  console.log(`\nprofiles in ${dir}`);
} finally {
  await d.close();
}

async function accept(
  d: BenchDeployment,
  t: ReadyTenant,
  batch: boolean,
  seconds: number,
  record: () => void,
) {
  const load = sendLoad(`${d.apiUrl}/v1/messages`, { ...FULL_LOAD, seconds, warmup: 2 }, t.key);
  if (batch) {
    load.url = `${d.apiUrl}/v1/messages/batch`;
    load.connections = 4;
    load.requests = { module: REQUESTS("batch"), args: { token: t.key, size: 1000 } };
  }
  // Record after the warm-up: start-up and the first compilations are not the steady state.
  const timer = setTimeout(record, 2_500);
  const result = await runLoad(load);
  clearTimeout(timer);
  console.log(`${batch ? "batches of 1,000" : "single sends"}: ${describeLoad(result)}`);
}

async function endToEnd(d: BenchDeployment, tenants: ReadyTenant[], messages: number, record: () => void) {
  for (const [i, t] of tenants.entries()) {
    const lanes = await d.api("GET", "/v1/lanes", { token: t.key });
    await d.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, {
      body: { mps: 10_000, burst: 10_000, daily_cap: null, tmobile_daily_cap: null },
    });
    await d.api("POST", "/v1/webhook-endpoints", {
      token: t.key,
      body: { url: `${d.emulator.receiverUrl}/t${i}`, event_types: ["message.delivered"] },
    });
  }
  const before = await d.emulator.ask<{ delivered: number }>("webhooks");
  record();
  const started = Date.now();
  const per = Math.ceil(messages / tenants.length);
  let n = 0;
  for (const t of tenants) {
    for (let sent = 0; sent < per; sent += 1_000) {
      const count = Math.min(1_000, per - sent);
      const res = await d.api("POST", "/v1/messages/batch", {
        token: t.key,
        body: {
          messages: Array.from({ length: count }, () => ({
            to: `+1415${2_000_000 + (n++ % 8_000_000)}`,
            body: `Profile ${n}`,
          })),
        },
      });
      if (res.status !== 202) throw new Error(`batch: ${res.status}`);
    }
  }
  // Where the messages are, each second: which stage holds them up.
  const watch = d.testDb
    ? setInterval(async () => {
        const db = d.testDb!.db;
        const { rows } = await db.query<{ status: string; n: number }>(
          "SELECT status, count(*)::int AS n FROM messages GROUP BY status ORDER BY status",
        );
        const { rows: jobs } = await db.query<{ kind: string; n: number }>(
          "SELECT kind, count(*)::int AS n FROM jobs WHERE run_at <= now() GROUP BY kind ORDER BY kind",
        );
        const hooks = await d.emulator.ask<{ delivered: number }>("webhooks");
        console.log(
          `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s  ${rows.map((r) => `${r.status} ${r.n}`).join(", ")} | due jobs ${jobs.map((j) => `${j.kind} ${j.n}`).join(", ") || "none"} | webhooks ${hooks.delivered - before.delivered}`,
        );
      }, 1_000)
    : undefined;
  const target = before.delivered + per * tenants.length;
  const deadline = Date.now() + 10 * 60_000;
  let delivered = before.delivered;
  while (delivered < target && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    delivered = (await d.emulator.ask<{ delivered: number }>("webhooks")).delivered;
  }
  if (watch) clearInterval(watch);
  const seconds = (Date.now() - started) / 1000;
  const done = delivered - before.delivered;
  console.log(
    `end to end: ${done} of ${per * tenants.length} delivered webhooks in ${seconds.toFixed(1)} s (${Math.round(done / seconds)}/s)`,
  );
}
