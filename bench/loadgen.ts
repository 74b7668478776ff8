/**
 * Load from a process of its own: runs bench/load-worker.mjs (autocannon, or an open-loop
 * schedule for a fixed rate) in a child process and returns what it measured, or `wrk` when asked
 * and installed (fixed request only, max rate). The measured process then spends its CPU on
 * serving, not on generating requests.
 *
 * On this 2-core machine the generator takes most of a core at full rate: every figure measured
 * with it is what the server does on the remaining core and a half, and the report says so.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuMeter } from "./cpu.js";

const WORKER = fileURLToPath(new URL("./load-worker.mjs", import.meta.url));
export const REQUESTS = (name: string) => fileURLToPath(new URL(`./requests/${name}.mjs`, import.meta.url));

export interface LoadOptions {
  url: string;
  /** closed: N connections at max rate (autocannon); open: a fixed rate, latency from the schedule. */
  shape?: "closed" | "open" | "open-autocannon";
  connections?: number;
  /** Seconds (closed: for how long; open: with `rate`, how many requests). */
  duration?: number;
  /** A fixed number of requests instead of a duration. */
  amount?: number;
  rate?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-request paths or bodies: a module in bench/requests and its `setup` arguments. */
  requests?: { module: string; args?: unknown };
  /** Seconds of the same load first, not measured (connections, JIT). */
  warmup?: number;
  timeout?: number;
  tool?: "autocannon" | "wrk";
}

export interface LoadResult {
  tool: string;
  shape: string;
  connections: number;
  rate?: number;
  requests: number;
  ok: number;
  non_2xx: number;
  status_codes: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  /** Epoch ms when the measured load began and ended (the worker's start-up excluded). */
  started_at: number;
  ended_at: number;
  /** Answered requests per second, and 2xx answers per second. */
  per_second: number;
  ok_per_second: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Open loop: how late requests left their schedule (the generator's own delay, in the latency). */
  send_lag_ms?: { p50: number; p99: number };
  /** CPU the generator spent on the measured load (ms). */
  cpu_ms: number;
  /** The pid of the generator (for CPU meters that want to count it too). */
  pid?: number;
}

export const wrkInstalled = () => spawnSync("wrk", ["--version"]).error === undefined;

/** A one-line description of where the load comes from, for reports. */
export function loadgenNote(tool: "autocannon" | "wrk" = "autocannon"): string {
  return (
    `Load from a separate process (${tool === "wrk" ? "wrk, 1 thread" : "autocannon; fixed rates: an open-loop schedule in the same worker"}) ` +
    `on the same ${cpus().length}-core machine: the generator takes up to a core while it runs.`
  );
}

/** Runs one load in a child process. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.warmup) await runLoad({ ...o, shape: "closed", duration: o.warmup, amount: undefined, warmup: 0 });
  // wrk: max rate only, a fixed request or messages.mjs's (rewritten in Lua); else autocannon.
  const wrkable =
    !o.requests || (o.requests.module === REQUESTS("messages") && !(o.requests.args as any)?.tokens);
  if (o.tool === "wrk" && wrkable && (o.shape ?? "closed") === "closed" && !o.amount) return runWrk(o);
  const { warmup: _, tool: __, ...rest } = o;
  const proc = spawn(process.execPath, [WORKER, JSON.stringify(rest)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => proc.once("exit", r));
  const line = out.trim().split("\n").pop() ?? "";
  let r: any;
  try {
    r = JSON.parse(line);
  } catch {
    throw new Error(`load worker exited ${code}: ${err.slice(-2000) || out.slice(-2000)}`);
  }
  return {
    tool: r.shape === "open" ? "open loop (node:http)" : "autocannon",
    connections: o.connections ?? 64,
    ...(o.rate ? { rate: o.rate } : {}),
    ...r,
    per_second: Math.round(r.requests / r.seconds),
    ok_per_second: Math.round(r.ok / r.seconds),
    pid: proc.pid,
  };
}

/** wrk with one thread (one core), a fixed request, and a Lua `done` that prints JSON. */
async function runWrk(o: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "subtext-wrk-"));
  const lua = join(dir, "req.lua");
  const args = (o.requests?.args ?? {}) as { token?: string; start?: number; text?: string };
  const allHeaders = {
    ...o.headers,
    ...(o.requests ? { "content-type": "application/json" } : {}),
    ...(args.token ? { authorization: `Bearer ${args.token}` } : {}),
  };
  // The same requests as bench/requests/messages.mjs: a new recipient each time.
  const perRequest = o.requests
    ? `local i = ${args.start ?? 0}
request = function()
  i = i + 1
  local body = string.format('{"to":"+1415%d","body":"${args.text ?? "Bench"} %d"}', 2000000 + i % 8000000, i)
  return wrk.format("POST", ${JSON.stringify(new URL(o.url).pathname)}, nil, body)
end`
    : "";
  const headers = Object.entries(allHeaders)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join("\n");
  writeFileSync(
    lua,
    `wrk.method = ${JSON.stringify(o.method ?? "GET")}
${o.body === undefined ? "" : `wrk.body = ${JSON.stringify(o.body)}`}
${headers}
${perRequest}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%f,"p90":%f,"p99":%f,"max":%f,"mean":%f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`,
  );
  const connections = o.connections ?? 64;
  const proc = spawn(
    "wrk",
    [
      "-t1",
      `-c${connections}`,
      `-d${o.duration ?? 10}s`,
      `--timeout`,
      `${o.timeout ?? 30}s`,
      "-s",
      lua,
      o.url,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const meter = cpuMeter({ wrk: () => (proc.pid ? [proc.pid] : []) }, { everyMs: 100 });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => proc.once("exit", r));
  const cpu = meter.stop();
  rmSync(dir, { recursive: true, force: true });
  const line = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (!line) throw new Error(`wrk exited ${code}: ${out.slice(-1000)}`);
  const w = JSON.parse(line);
  const seconds = w.us / 1e6;
  const endedAt = Date.now();
  const errors = w.connect + w.read + w.write + w.timeout;
  const ms = (us: number) => Number((us / 1000).toFixed(2));
  return {
    tool: "wrk",
    shape: "closed",
    connections,
    requests: w.requests,
    ok: w.requests - w.status,
    non_2xx: w.status,
    status_codes: {},
    errors,
    timeouts: w.timeout,
    seconds,
    started_at: endedAt - w.us / 1000,
    ended_at: endedAt,
    per_second: Math.round(w.requests / seconds),
    ok_per_second: Math.round((w.requests - w.status) / seconds),
    latency_ms: { p50: ms(w.p50), p90: ms(w.p90), p99: ms(w.p99), max: ms(w.max), mean: ms(w.mean) },
    cpu_ms: cpu.ms.wrk ?? 0,
  };
}

/** "12,345 req/s (p50 4.1 / p99 12 ms)" */
export function describeLoad(r: LoadResult): string {
  const n = (v: number) => Math.round(v).toLocaleString("en-US");
  const bad = r.non_2xx + r.errors;
  return `${n(r.ok_per_second)}/s (p50 ${r.latency_ms.p50} / p99 ${r.latency_ms.p99} ms${bad ? `, ${n(bad)} failed` : ""})`;
}
