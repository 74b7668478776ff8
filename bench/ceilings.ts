/**
 * Ceilings: the most this machine does for one unit of the send path's work with no product
 * logic, each server in its own process, driven by the same separate-process load generator and
 * the same settings as the Subtext figures (bench/loadgen.ts):
 *
 * - bare Fastify answering 202 to `POST /v1/messages` with a small JSON body: max rate at N
 *   connections, and p50/p99 at fixed rates;
 * - bare Fastify + one INSERT per request (a ~300-byte row, one commit, then the answer), on
 *   PostgreSQL (pool of 10) and on PGlite (embedded in that server process, on disk);
 * - a multi-row INSERT of 100 per commit over one connection (bench/storage.ts), rows/s.
 *
 * Each figure comes with the CPU it cost per request (server, its PostgreSQL backends, the
 * server's own PostgreSQL processes, the generator), from /proc (bench/cpu.ts).
 *
 *   npx tsx bench/ceilings.ts [--quick] [--engines pglite,postgres] [--tool wrk] [--json]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { type Db, openPglite, openPostgres } from "@subtext/server";
import { type CpuReport, cpuMeter, cpuOf } from "./cpu.js";
import { type LoadOptions, type LoadResult, REQUESTS, loadgenNote, runLoad } from "./loadgen.js";
import { SCHEMA, multiRowInsert } from "./storage.js";

export const DATABASE_URL =
  process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export type Engine = "pglite" | "postgres";

/** The load settings every figure of a run shares (Subtext's and the ceilings'). */
export interface LoadSettings {
  connections: number;
  /** Seconds per max-rate measurement, and of the warm-up before it. */
  seconds: number;
  warmup: number;
  /** Fixed rates for p50/p99, and for how long each. */
  rates: number[];
  rateSeconds: number;
  tool: "autocannon" | "wrk";
}

export const FULL_LOAD: LoadSettings = {
  connections: 64,
  seconds: 10,
  warmup: 2,
  rates: [100, 500],
  rateSeconds: 10,
  tool: "autocannon",
};
export const QUICK_LOAD: LoadSettings = { ...FULL_LOAD, seconds: 3, warmup: 1, rateSeconds: 3 };

/** One load phase: what the generator saw and the CPU it cost, per request answered 2xx. */
export interface Phase {
  load: LoadResult;
  cpu: CpuReport["ms"];
  /** CPU ms per 2xx answer: the server side (its processes and their PostgreSQL backends). */
  cpu_ms_per_ok: number;
  /** …the PostgreSQL server's own processes (WAL writer, checkpointer…), shared with other clients. */
  shared_pg_ms_per_ok: number;
  generator_ms_per_ok: number;
}

/** Runs a load while metering the server's processes and their PostgreSQL backends. */
export async function measured(pids: () => number[], o: LoadOptions, postgres: boolean): Promise<Phase> {
  if (o.warmup) await runLoad({ ...o, shape: "closed", duration: o.warmup, amount: undefined, warmup: 0 });
  const meter = cpuMeter({ server: pids }, { postgres });
  const load = await runLoad({ ...o, warmup: 0 });
  const cpu = meter.stop();
  const per = (ms: number) => (load.ok ? Number((ms / load.ok).toFixed(3)) : 0);
  return {
    load,
    cpu: cpu.ms,
    cpu_ms_per_ok: per(cpuOf(cpu, "server")),
    shared_pg_ms_per_ok: per(cpu.ms["PostgreSQL (shared)"] ?? 0),
    generator_ms_per_ok: per(load.cpu_ms),
  };
}

export interface CeilingServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startCeilingServer(mode: "bare" | "insert-postgres" | "insert-pglite") {
  const schema = `ceiling_${randomBytes(4).toString("hex")}`;
  const dir = mode === "insert-pglite" ? mkdtempSync(join(tmpdir(), "subtext-ceiling-")) : null;
  const args = { mode, url: DATABASE_URL, schema, dataDir: dir ? join(dir, "pglite") : undefined };
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("./ceiling-server.ts", import.meta.url)), JSON.stringify(args)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", (code) => reject(new Error(`ceiling server (${mode}) exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/v1/messages`,
    child,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (mode === "insert-postgres") await dropSchema(schema);
    },
  } satisfies CeilingServer;
}

export async function dropSchema(schema: string) {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** The request every single-send figure uses: `POST /v1/messages`, a new recipient each time. */
export function sendLoad(url: string, s: LoadSettings, token?: string): LoadOptions {
  return {
    url,
    connections: s.connections,
    duration: s.seconds,
    warmup: s.warmup,
    tool: s.tool,
    requests: { module: REQUESTS("messages"), args: { token, start: Math.floor(Math.random() * 5e6) } },
  };
}

export function fixedLoad(url: string, s: LoadSettings, rate: number, token?: string): LoadOptions {
  return {
    ...sendLoad(url, s, token),
    shape: "open",
    rate,
    duration: s.rateSeconds,
    warmup: 0,
  };
}

/** Rows/s of one multi-row INSERT of 100 per commit over one connection, into `engine`. */
export async function multiRowCeiling(engine: Engine, rows: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "subtext-ceiling-"));
  const schema = `ceiling_${randomBytes(4).toString("hex")}`;
  const db: Db =
    engine === "postgres"
      ? await openPostgres(DATABASE_URL, { schema, max: 1 })
      : await openPglite(join(dir, "pglite"));
  try {
    await db.exec(SCHEMA);
    const started = performance.now();
    for (let i = 0; i < rows / 100; i++) {
      const { sql, params } = multiRowInsert(100);
      await db.tx((tx) => tx.query(sql, params).then(() => undefined));
    }
    return Math.round(rows / ((performance.now() - started) / 1000));
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    if (engine === "postgres") await dropSchema(schema);
  }
}

export interface InsertCeiling {
  max: Phase;
  /** At the highest fixed rate of the settings. */
  fixed: Phase;
  multi_row_100_rows_per_second: number;
}

export interface CeilingsResult {
  settings: LoadSettings;
  bare: { max: Phase; fixed: Record<string, Phase>; fixed_autocannon?: Phase };
  insert: Partial<Record<Engine, InsertCeiling>>;
}

/** Bare Fastify: max rate, then each fixed rate. */
export async function bareCeiling(s: LoadSettings, options: { autocannonRate?: boolean } = {}) {
  const server = await startCeilingServer("bare");
  const pids = () => [server.child.pid!];
  try {
    const max = await measured(pids, sendLoad(server.url, s), false);
    const fixed: Record<string, Phase> = {};
    for (const rate of s.rates) fixed[rate] = await measured(pids, fixedLoad(server.url, s, rate), false);
    // autocannon's own overallRate at the top rate, to show what its once-a-second bursts do.
    const top = Math.max(...s.rates);
    const fixed_autocannon = options.autocannonRate
      ? await measured(pids, { ...fixedLoad(server.url, s, top), shape: "open-autocannon" }, false)
      : undefined;
    return { max, fixed, ...(fixed_autocannon ? { fixed_autocannon } : {}) };
  } finally {
    await server.stop();
  }
}

/** Bare Fastify + one INSERT per request on `engine`: max rate and the top fixed rate. */
export async function insertCeiling(engine: Engine, s: LoadSettings, rows: number): Promise<InsertCeiling> {
  const server = await startCeilingServer(engine === "postgres" ? "insert-postgres" : "insert-pglite");
  const pids = () => [server.child.pid!];
  try {
    const max = await measured(pids, sendLoad(server.url, s), engine === "postgres");
    const fixed = await measured(pids, fixedLoad(server.url, s, Math.max(...s.rates)), engine === "postgres");
    return { max, fixed, multi_row_100_rows_per_second: await multiRowCeiling(engine, rows) };
  } finally {
    await server.stop();
  }
}

export async function benchCeilings(
  s: LoadSettings,
  engines: Engine[] = ["pglite", "postgres"],
  rows = 20_000,
): Promise<CeilingsResult> {
  const bare = await bareCeiling(s, { autocannonRate: true });
  const insert: CeilingsResult["insert"] = {};
  for (const e of engines) insert[e] = await insertCeiling(e, s, rows);
  return { settings: s, bare, insert };
}

const n = (v: number) => Math.round(v).toLocaleString("en-US");
const lat = (p: Phase) => `${p.load.latency_ms.p50} / ${p.load.latency_ms.p99}`;
const failed = (p: Phase) => {
  const bad = p.load.non_2xx + p.load.errors;
  return bad ? `, **${n(bad)} failed**` : "";
};
const cpu = (p: Phase) =>
  `${p.cpu_ms_per_ok}${p.shared_pg_ms_per_ok ? ` (+${p.shared_pg_ms_per_ok} shared PG)` : ""} / ${p.generator_ms_per_ok}`;

export function ceilingsTable(r: CeilingsResult): string {
  const s = r.settings;
  const rows = [
    "| ceiling (own process) | req/s at " +
      `${s.connections} connections (p50 / p99 ms) | CPU ms per request: server (+ shared PG) / generator | fixed rate: p50 / p99 ms | multi-row INSERT of 100, rows/s |`,
    "|---|---|---|---|---|",
    `| bare Fastify, 202 + small JSON | ${n(r.bare.max.load.ok_per_second)} (${lat(r.bare.max)})${failed(r.bare.max)} | ${cpu(r.bare.max)} | ${Object.entries(
      r.bare.fixed,
    )
      .map(([rate, p]) => `${lat(p)} at ${rate}/s${failed(p)}`)
      .join("; ")} | — |`,
  ];
  for (const [engine, c] of Object.entries(r.insert)) {
    rows.push(
      `| bare Fastify + 1 INSERT per request, ${engine === "postgres" ? "PostgreSQL (pool of 10)" : "PGlite (in the server process)"} | ${n(c.max.load.ok_per_second)} (${lat(c.max)})${failed(c.max)} | ${cpu(c.max)} | ${lat(c.fixed)} at ${c.fixed.load.rate}/s${failed(c.fixed)} | ${n(c.multi_row_100_rows_per_second)} |`,
    );
  }
  const lines = [rows.join("\n")];
  const a = r.bare.fixed_autocannon;
  if (a) {
    const o = r.bare.fixed[String(a.load.rate)];
    lines.push(
      `\nFixed rates are an open-loop schedule (latency from each request's scheduled start). For comparison, autocannon's own \`overallRate\` at ${a.load.rate}/s on the bare server read p50 / p99 ${lat(a)} ms (open loop: ${o ? lat(o) : "—"}): it sends each connection's per-second budget back to back when each second begins.`,
    );
  }
  lines.push(`\n${loadgenNote(s.tool)} Warm-up ${s.warmup} s before each max-rate run, then ${s.seconds} s.`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: args } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      engines: { type: "string", default: "pglite,postgres" },
      tool: { type: "string", default: "autocannon" },
      json: { type: "boolean", default: false },
    },
  });
  const s = { ...(args.quick ? QUICK_LOAD : FULL_LOAD), tool: args.tool as LoadSettings["tool"] };
  const r = await benchCeilings(s, args.engines!.split(",") as Engine[], args.quick ? 5_000 : 20_000);
  console.log(args.json ? JSON.stringify(r) : ceilingsTable(r));
  process.exit(0);
}
