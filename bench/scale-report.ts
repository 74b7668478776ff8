/**
 * What bench/scale.ts measures per configuration (engine × worker processes), and the tables
 * `npm run bench` prints from it. Kept apart from scale.ts so run.ts can format results without
 * importing the deployment (which reads SUBTEXT_TEST_ENGINE when it is imported).
 */
import type { InsertCeiling, LoadSettings, Phase } from "./ceilings.js";
import type { LoadResult } from "./loadgen.js";

export interface Latency {
  per_second: number;
  p50_ms: number;
  p99_ms: number;
}

export interface ScaleResult {
  engine: "pglite" | "postgres";
  workers: number;
  /** Why this configuration cannot exist (PGlite with several processes). */
  na?: string;
  processes?: string[];
  wall_seconds?: number;
  /** 1-minute load average at the start and the end of the configuration (2 cores: > 2 is queueing). */
  load_average?: [number, number];
  settings?: LoadSettings;
  ceilings?: {
    /** Bare Fastify in its own process: max rate, and each fixed rate of the settings. */
    bare: { max: Phase; fixed: Record<string, Phase> };
    /** Bare Fastify + one INSERT per request into the same engine; multi-row INSERT rows/s. */
    insert: InsertCeiling;
  };
  accepted?: {
    single: Phase;
    batch: {
      per_second: number;
      batch_size: number;
      batches: number;
      failed: number;
      p50_ms: number;
      p99_ms: number;
      cpu_ms_per_message: number;
    };
  };
  end_to_end?: {
    messages: number;
    tenants: number;
    /** From the first batch POST until the ISV had the last `message.delivered` webhook. */
    seconds: number;
    per_second: number;
    webhooks_delivered: number;
    /** …until our API had answered 204 to every `delivered` status callback. */
    callbacks_seconds: number | null;
    /** Rate at Twilio: messages created between the first and the last create. */
    twilio_per_second: number;
    /** HTTP exchanges per message: its create at Twilio, the status callbacks, the webhook. */
    http_per_message: number;
    delivered_callbacks: number;
    /** Delivered according to our API afterwards (GET /v1/messages?status=delivered). */
    delivered_in_api: number;
    callback_failures: number;
    callback_failure_kinds?: Record<string, number>;
    cpu_ms: Record<string, number>;
    /** CPU ms per message: product processes + their PostgreSQL backends; PostgreSQL's shared processes; emulator + ISV receiver; bench driver. */
    cpu_ms_per_message: {
      product: number | null;
      shared_pg: number | null;
      emulator: number | null;
      driver: number | null;
    };
    /** PostgreSQL: distinct workers seen holding leases on the end-to-end lanes. */
    workers_leasing?: number;
  };
  callback_intake?: Phase & { callbacks: number };
  /** Fixed load while the workers dispatch what it sends. */
  fixed_load?: Phase & { seconds: number };
  /** Fixed load at the top rate into a lane held still (acceptance alone). */
  fixed_load_accept?: Phase;
  lane_shaping?: {
    mps: number;
    burst: number;
    seconds: number;
    sent: number;
    expected: number;
    error_percent: number;
    worst_1s_window: number;
    /** What a 1-second window may hold at most: mps + burst. */
    limit_1s: number;
    /** Worst excess over the token bucket (burst + mps × elapsed) over the whole run; ≤ 0 holds. */
    worst_bucket_excess: number;
    backlog_left: number;
    /** The same checks at claim time in our database, and how many workers claimed. */
    claim_sent?: number;
    claim_worst_1s_window?: number;
    claim_bucket_excess?: number;
    claiming_workers?: number;
  };
  memory?: Record<string, { peak_mib: number; end_mib: number }>;
  /** Warnings and errors the processes logged, grouped. */
  logged?: Record<string, number>;
}

export const n = (v: number | undefined | null) =>
  typeof v === "number" && Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "—";
/** ours ÷ theirs, as "0.04×" or "12×". */
export const times = (ours: number | undefined, theirs: number | undefined) => {
  if (!ours || !theirs) return "—";
  const x = ours / theirs;
  return `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)}×`;
};
export const lat = (p: { load: LoadResult } | undefined) =>
  p ? `${p.load.latency_ms.p50} / ${p.load.latency_ms.p99}` : "—";
const failed = (p: Phase) => {
  const bad = p.load.non_2xx + p.load.errors;
  return bad ? `, **${n(bad)} failed**` : "";
};
export const cpuCell = (p: Phase | undefined) =>
  p ? `${p.cpu_ms_per_ok}${p.shared_pg_ms_per_ok ? ` (+${p.shared_pg_ms_per_ok})` : ""}` : "—";
export const label = (r: ScaleResult) => `${r.engine === "pglite" ? "PGlite" : "PostgreSQL"} ×${r.workers}`;

/** One column per configuration; each figure with the same run's ceiling beside it. */
export function scaleTable(results: ScaleResult[]): string {
  let first = true;
  const cell = (r: ScaleResult, f: (r: Required<ScaleResult>) => string) =>
    r.na ? (first ? `n/a (${r.na})` : "n/a") : f(r as Required<ScaleResult>);
  const row = (what: string, f: (r: Required<ScaleResult>) => string) => {
    const line = `| ${what} | ${results.map((r) => cell(r, f)).join(" | ")} |`;
    first = false;
    return line;
  };
  const top = (r: Required<ScaleResult>) => String(Math.max(...r.settings.rates));
  return [
    `| figure (same run's ceiling) | ${results.map(label).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
    row("accepted msg/s, single `POST /v1/messages` (× of bare Fastify; × of bare INSERT)", (r) => {
      const s = r.accepted.single.load.ok_per_second;
      return `${n(s)}${failed(r.accepted.single)} (${times(s, r.ceilings.bare.max.load.ok_per_second)}; ${times(s, r.ceilings.insert.max.load.ok_per_second)})`;
    }),
    row(
      "… p50 / p99 ms at those connections (bare Fastify; bare INSERT)",
      (r) => `${lat(r.accepted.single)} (${lat(r.ceilings.bare.max)}; ${lat(r.ceilings.insert.max)})`,
    ),
    row(
      "… CPU ms per message: product + its PostgreSQL backends (+ PostgreSQL's shared processes) (bare INSERT)",
      (r) => `${cpuCell(r.accepted.single)} (${cpuCell(r.ceilings.insert.max)})`,
    ),
    row(
      "accepted msg/s, batches of 1,000 (× of bare multi-row INSERT rows/s)",
      (r) =>
        `${n(r.accepted.batch.per_second)} (${times(r.accepted.batch.per_second, r.ceilings.insert.multi_row_100_rows_per_second)})`,
    ),
    row(
      "end-to-end msg/s, accepted → the ISV's `message.delivered` webhook",
      (r) =>
        `${n(r.end_to_end.per_second)}` +
        (r.end_to_end.webhooks_delivered < r.end_to_end.messages
          ? ` (**${n(r.end_to_end.webhooks_delivered)} of ${n(r.end_to_end.messages)}**)`
          : "") +
        (r.end_to_end.callback_failures ? `, ${n(r.end_to_end.callback_failures)} callbacks failed` : ""),
    ),
    row(
      "… CPU ms per message: product + its PostgreSQL backends (+ shared) / emulator + ISV receiver",
      (r) => {
        const c = r.end_to_end.cpu_ms_per_message;
        return `${c.product}${c.shared_pg ? ` (+${c.shared_pg})` : ""} / ${c.emulator}`;
      },
    ),
    row(
      "callback intake/s (× of bare Fastify)",
      (r) =>
        `${n(r.callback_intake.load.ok_per_second)}${failed(r.callback_intake)} (${times(r.callback_intake.load.ok_per_second, r.ceilings.bare.max.load.ok_per_second)})`,
    ),
    row(
      "p50 / p99 ms at a fixed rate, acceptance alone (bare Fastify; bare INSERT at that rate)",
      (r) =>
        `${lat(r.fixed_load_accept)} at ${top(r)}/s${failed(r.fixed_load_accept)} (${lat(r.ceilings.bare.fixed[top(r)])}; ${lat(r.ceilings.insert.fixed)})`,
    ),
    row(
      "p50 / p99 ms at a fixed rate while the workers dispatch (bare Fastify at that rate)",
      (r) =>
        `${lat(r.fixed_load)} at ${r.fixed_load.load.rate}/s${failed(r.fixed_load)} (${lat(r.ceilings.bare.fixed[String(r.fixed_load.load.rate)])})`,
    ),
    row(
      "lane shaping: sent in the window vs mps × window, error",
      (r) => `${n(r.lane_shaping.sent)} vs ${n(r.lane_shaping.expected)}, ${r.lane_shaping.error_percent}%`,
    ),
    row(
      "… worst 1-s window at Twilio / at claim (limit mps + burst)",
      (r) =>
        `${r.lane_shaping.worst_1s_window} / ${r.lane_shaping.claim_worst_1s_window ?? "—"} (${r.lane_shaping.limit_1s})`,
    ),
    row("peak RSS MiB per process", (r) =>
      Object.entries(r.memory)
        .map(([k, v]) => `${k} ${v.peak_mib}`)
        .join(", "),
    ),
  ].join("\n");
}

/** The same run's ceilings, per configuration. */
export function ceilingTable(results: ScaleResult[]): string {
  const ok = results.filter((r) => !r.na && r.ceilings);
  return [
    "| ceiling (same run, own process) | bare Fastify req/s (p50 / p99 ms) | CPU ms/req | bare Fastify at fixed rates, p50 / p99 ms | bare Fastify + 1 INSERT per request, req/s (p50 / p99 ms) | CPU ms/req (+ shared PG) | at the top fixed rate | multi-row INSERT of 100, rows/s |",
    "|---|---|---|---|---|---|---|---|",
    ...ok.map((r) => {
      const c = r.ceilings!;
      const fixed = Object.entries(c.bare.fixed)
        .map(([rate, p]) => `${lat(p)} at ${rate}/s`)
        .join("; ");
      return `| ${label(r)} | ${n(c.bare.max.load.ok_per_second)} (${lat(c.bare.max)}) | ${cpuCell(c.bare.max)} | ${fixed} | ${n(c.insert.max.load.ok_per_second)} (${lat(c.insert.max)}) | ${cpuCell(c.insert.max)} | ${lat(c.insert.fixed)} at ${c.insert.fixed.load.rate}/s | ${n(c.insert.multi_row_100_rows_per_second)} |`;
    }),
  ].join("\n");
}

/** Details that explain the figures: sizes, the end-to-end breakdown, memory, logged warnings. */
export function scaleDetails(r: ScaleResult): string {
  if (r.na) return `- ${label(r)}: n/a (${r.na})`;
  const e = r.end_to_end!;
  const s = r.lane_shaping!;
  const a = r.accepted!;
  const cpu = Object.entries(e.cpu_ms)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(", ");
  const lines = [
    `- **${label(r)}** (${r.processes!.join(", ")}; ${r.wall_seconds} s; load average ${r.load_average!.join(" → ")}):`,
    `  single sends: ${n(a.single.load.requests)} in ${a.single.load.seconds} s at ${a.single.load.connections} connections ` +
      `(${a.single.load.non_2xx} non-2xx, ${a.single.load.errors} errors; generator CPU ${a.single.generator_ms_per_ok} ms per request); ` +
      `${a.batch.batches} batches of ${n(a.batch.batch_size)}, 2 at a time (p50 ${a.batch.p50_ms} ms per batch, ${a.batch.cpu_ms_per_message} CPU ms per message, ${a.batch.failed} failed).`,
    `  End to end: ${n(e.messages)} messages over ${e.tenants} lanes in ${e.seconds} s to the ISV's webhook (every delivered callback answered after ${e.callbacks_seconds ?? "—"} s), ` +
      `${n(e.twilio_per_second)}/s at Twilio, ${e.http_per_message} HTTP exchanges per message; ${n(e.delivered_callbacks)} delivered callbacks answered 204, ` +
      `${n(e.delivered_in_api)} delivered in the API afterwards, ${n(e.webhooks_delivered)} \`message.delivered\` webhooks, ${e.callback_failures} callbacks failed${
        e.callback_failures
          ? ` (${Object.entries(e.callback_failure_kinds ?? {})
              .map(([k, v]) => `${k}: ${v}`)
              .join(", ")})`
          : ""
      }` +
      (e.workers_leasing === undefined
        ? "."
        : `; ${e.workers_leasing} of ${r.workers} workers held the lanes.`) +
      ` CPU ms over the phase: ${cpu}.`,
    `  Callback intake: ${n(r.callback_intake!.callbacks)} signed callbacks at ${r.callback_intake!.load.connections} connections ` +
      `(p50 ${r.callback_intake!.load.latency_ms.p50} / p99 ${r.callback_intake!.load.latency_ms.p99} ms, ${r.callback_intake!.load.non_2xx} not 2xx, ${r.callback_intake!.cpu_ms_per_ok} CPU ms each).`,
    `  Fixed loads: ${n(r.fixed_load_accept!.load.ok)} sends at ${r.fixed_load_accept!.load.rate}/s into the held lane (max ${r.fixed_load_accept!.load.latency_ms.max} ms, generator late by p99 ${r.fixed_load_accept!.load.send_lag_ms?.p99 ?? "—"} ms); ` +
      `${n(r.fixed_load!.load.ok)} at ${r.fixed_load!.load.rate}/s over ${r.fixed_load!.seconds} s while dispatching (max ${r.fixed_load!.load.latency_ms.max} ms, ${r.fixed_load!.load.non_2xx + r.fixed_load!.load.errors} failed).`,
    `  Shaping: ${s.mps} MPS, burst ${s.burst}, ${s.seconds} s window; worst excess over the bucket ${s.worst_bucket_excess} ` +
      `(≤ 0 holds; at Twilio, so transport jitter counts), ${n(s.backlog_left)} still queued after the window` +
      (s.backlog_left > 0
        ? " (the lane never ran dry)"
        : ": the backlog ran out, the window is not all steady") +
      (s.claim_bucket_excess === undefined
        ? "."
        : `; at claim time in our database: ${s.claim_sent} in the window, worst 1-s window ${s.claim_worst_1s_window}, worst excess ${s.claim_bucket_excess}, claimed by ${s.claiming_workers} worker(s).`),
    `  Memory (peak / end MiB): ${Object.entries(r.memory!)
      .map(([k, v]) => `${k} ${v.peak_mib} / ${v.end_mib}`)
      .join(", ")}.`,
  ];
  const logged = Object.entries(r.logged ?? {});
  if (logged.length) lines.push(`  Logged: ${logged.map(([k, v]) => `${k} ×${v}`).join("; ")}.`);
  return lines.join("\n");
}
