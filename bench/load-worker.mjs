#!/usr/bin/env node
/**
 * The load generator, in a process of its own so that its CPU is not the measured process's:
 *
 *   node bench/load-worker.mjs '<json options>'     (bench/loadgen.ts builds the options)
 *
 * Prints one JSON line on stdout: requests, 2xx, non-2xx, errors, rates, latency percentiles
 * and the CPU this process spent generating the measured load.
 *
 * Two shapes:
 * - `closed` (max rate): autocannon, N connections, each sending its next request when the
 *   last one answered, for a duration or an amount.
 * - `open` (a fixed rate): request i starts at start + i / rate whatever the earlier ones are
 *   doing, over a keep-alive pool of N sockets (node:http), latency counted from the scheduled
 *   start, so a request that waits for a free socket counts as the system's delay. autocannon's
 *   `overallRate` is kept as `open-autocannon` for comparison only: it gives each connection a
 *   per-second budget that it spends back to back when each second begins, so its "fixed load"
 *   arrives in bursts of up to N requests once a second.
 *
 * Request bodies and paths can vary per request: `requests` names a module (absolute path)
 * whose `setup(args)` returns `{ method, path, headers, body, next() }`; `next()` gives the
 * next request's `{ path?, body?, headers? }`.
 */
import http from "node:http";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const options = JSON.parse(process.argv[2] ?? "{}");

const url = new URL(options.url);
const base = {
  method: options.method ?? "GET",
  path: url.pathname + url.search,
  headers: {},
  body: undefined,
};
let source = { ...base, ...pick(options, ["method", "path", "headers", "body"]) };
if (options.requests) {
  const mod = await import(pathToFileURL(options.requests.module).href);
  source = { ...source, ...(await mod.setup(options.requests.args ?? {})) };
}

function pick(o, keys) {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

const round = (v, d = 2) => (Number.isFinite(v) ? Number(v.toFixed(d)) : null);

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Closed loop with autocannon (also `open-autocannon`: its overallRate). */
async function closed(rate) {
  const autocannon = require("autocannon");
  const request = {
    method: source.method,
    path: source.path,
    headers: source.headers,
    body: source.body,
    ...(source.next
      ? {
          setupRequest(req) {
            const n = source.next();
            if (n.path !== undefined) req.path = n.path;
            if (n.body !== undefined) req.body = n.body;
            if (n.headers !== undefined) req.headers = { ...req.headers, ...n.headers };
            return req;
          },
        }
      : {}),
  };
  const cpu = process.cpuUsage();
  const startedAt = Date.now();
  const r = await autocannon({
    url: `${url.protocol}//${url.host}`,
    connections: options.connections ?? 64,
    duration: options.duration ?? 10,
    ...(options.amount ? { amount: options.amount } : {}),
    ...(rate ? { overallRate: rate } : {}),
    timeout: options.timeout ?? 30,
    requests: [request],
  });
  const used = process.cpuUsage(cpu);
  const total = r.requests.total;
  return {
    requests: total,
    ok: r["2xx"],
    non_2xx: r.non2xx,
    status_codes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: round((r.finish.getTime() - r.start.getTime()) / 1000, 3),
    started_at: startedAt,
    ended_at: Date.now(),
    latency_ms: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: round(r.latency.mean),
    },
    cpu_ms: round((used.user + used.system) / 1000, 1),
  };
}

/** Open loop: a fixed schedule over a keep-alive pool of `connections` sockets. */
async function open(rate) {
  const seconds = options.duration ?? 10;
  const total = options.amount ?? Math.round(rate * seconds);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections ?? 64 });
  const latencies = [];
  // How late each request left (the generator's own delay, included in its latency).
  const lags = [];
  const codes = {};
  let errors = 0;
  let timeouts = 0;
  const send = (due) =>
    new Promise((resolve) => {
      lags.push(performance.now() - due);
      const n = source.next ? source.next() : {};
      const body = n.body ?? source.body;
      const headers = { ...source.headers, ...n.headers };
      if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: source.method,
          path: n.path ?? source.path,
          headers,
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1;
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      req.setTimeout((options.timeout ?? 30) * 1000, () => {
        timeouts++;
        req.destroy(new Error("timeout"));
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const cpu = process.cpuUsage();
  const startedAt = Date.now() + 20;
  const start = performance.now() + 20;
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(due));
  }
  await Promise.all(pending);
  const used = process.cpuUsage(cpu);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  const ok = Object.entries(codes)
    .filter(([k]) => k.startsWith("2"))
    .reduce((a, [, v]) => a + v, 0);
  const done = Object.values(codes).reduce((a, b) => a + b, 0);
  return {
    requests: done,
    ok,
    non_2xx: done - ok,
    status_codes: codes,
    errors,
    timeouts,
    seconds: round((performance.now() - start) / 1000, 3),
    started_at: startedAt,
    ended_at: Date.now(),
    latency_ms: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1]),
      mean: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
    },
    send_lag_ms: { p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)) },
    cpu_ms: round((used.user + used.system) / 1000, 1),
  };
}

const shape = options.shape ?? "closed";
const result =
  shape === "open"
    ? await open(options.rate)
    : shape === "open-autocannon"
      ? await closed(options.rate)
      : await closed(undefined);
process.stdout.write(`${JSON.stringify({ shape, ...result })}\n`);
process.exit(0);
