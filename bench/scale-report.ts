/**
 * What bench/scale.ts measures per configuration (engine × worker processes), and the tables
 * `npm run bench` prints from it. Kept apart from scale.ts so run.ts can format results without
 * importing the deployment (which reads SUBTEXT_TEST_ENGINE when it is imported).
 */

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
  ceilings?: {
    /** A bare node:http server in its own process, hit by the same client at the same concurrency. */
    http: Latency & { concurrency: number; requests: number };
    /** The same bare server at the fixed open-loop rate of the latency test. */
    http_fixed: { rate: number; seconds: number; p50_ms: number; p99_ms: number };
    /** BEGIN; one INSERT; COMMIT, one connection, into the same engine. */
    insert_one_per_commit: Latency & { rows: number };
    /** One multi-row INSERT of 100 per transaction, one connection. */
    insert_multi_row_100: { per_second: number; rows: number };
  };
  accepted?: {
    single: Latency & { concurrency: number; messages: number; errors: number };
    batch: { per_second: number; batch_size: number; batches: number; p50_ms: number };
  };
  end_to_end?: {
    messages: number;
    tenants: number;
    seconds: number;
    per_second: number;
    seconds_to_99_percent: number | null;
    /** Rate at Twilio: messages created between the first and the last create. */
    twilio_per_second: number;
    /** HTTP exchanges per message: its create at Twilio and the status callbacks into the API. */
    http_per_message: number;
    /** 'delivered' callbacks our API answered 204 to (committed), distinct messages. */
    delivered_callbacks: number;
    /** Delivered according to our API afterwards (GET /v1/messages?status=delivered). */
    delivered_in_api: number;
    callback_failures: number;
    /** Failed callbacks by what Twilio saw: an HTTP status, or the client's error (timeout, reset). */
    callback_failure_kinds?: Record<string, number>;
    /** PostgreSQL: distinct workers seen holding leases on the end-to-end lanes. */
    workers_leasing?: number;
  };
  callback_intake?: Latency & { callbacks: number; concurrency: number; not_204: number };
  fixed_load?: {
    rate: number;
    seconds: number;
    sent: number;
    p50_ms: number;
    p99_ms: number;
    max_ms: number;
    errors: number;
  };
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
    /** PostgreSQL: the same checks at claim time in our database, and how many workers claimed. */
    claim_sent?: number;
    claim_worst_1s_window?: number;
    claim_bucket_excess?: number;
    claiming_workers?: number;
  };
  memory?: Record<string, { peak_mib: number; end_mib: number }>;
  /** Warnings and errors the processes logged, grouped. */
  logged?: Record<string, number>;
}

const n = (v: number) => Math.round(v).toLocaleString("en-US");
const pct = (v: number, of: number) => (of > 0 ? `${Math.round((100 * v) / of)}%` : "—");
const label = (r: ScaleResult) => `${r.engine === "pglite" ? "PGlite" : "PostgreSQL"} ×${r.workers}`;

/** One column per configuration; each figure with its fraction of the same run's ceiling. */
export function scaleTable(results: ScaleResult[]): string {
  let first = true;
  const cell = (r: ScaleResult, f: (r: Required<ScaleResult>) => string) =>
    r.na ? (first ? `n/a (${r.na})` : "n/a") : f(r as Required<ScaleResult>);
  const row = (what: string, f: (r: Required<ScaleResult>) => string) => {
    const line = `| ${what} | ${results.map((r) => cell(r, f)).join(" | ")} |`;
    first = false;
    return line;
  };
  return [
    `| figure (fraction of the same run's ceiling) | ${results.map(label).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
    row(
      "accepted msg/s, single `POST /v1/messages` (of bare HTTP req/s)",
      (r) =>
        `${n(r.accepted.single.per_second)} (${pct(r.accepted.single.per_second, r.ceilings.http.per_second)})`,
    ),
    row(
      "… p50 / p99 ms at that concurrency (bare HTTP)",
      (r) =>
        `${r.accepted.single.p50_ms} / ${r.accepted.single.p99_ms} (${r.ceilings.http.p50_ms} / ${r.ceilings.http.p99_ms})`,
    ),
    row(
      "accepted msg/s, batches of 1,000 (of bare multi-row INSERT rows/s)",
      (r) =>
        `${n(r.accepted.batch.per_second)} (${pct(r.accepted.batch.per_second, r.ceilings.insert_multi_row_100.per_second)})`,
    ),
    row(
      "end-to-end msg/s to delivered (its HTTP exchanges/s, of bare HTTP req/s)",
      (r) =>
        `${n(r.end_to_end.per_second)} (${pct(r.end_to_end.per_second * r.end_to_end.http_per_message, r.ceilings.http.per_second)})` +
        (r.end_to_end.callback_failures ? `, ${n(r.end_to_end.callback_failures)} callbacks failed` : ""),
    ),
    row(
      "callback intake/s (of bare HTTP req/s)",
      (r) =>
        `${n(r.callback_intake.per_second)} (${pct(r.callback_intake.per_second, r.ceilings.http.per_second)})`,
    ),
    row(
      "p50 / p99 ms at a fixed load (bare HTTP at that load)",
      (r) =>
        `${r.fixed_load.p50_ms} / ${r.fixed_load.p99_ms} at ${r.fixed_load.rate}/s (${r.ceilings.http_fixed.p50_ms} / ${r.ceilings.http_fixed.p99_ms})`,
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
    "| ceiling (same run) | bare HTTP req/s (p50 / p99 ms) | bare HTTP at the fixed load p50 / p99 ms | 1 INSERT per commit rows/s (p50 ms) | multi-row INSERT of 100 rows/s |",
    "|---|---|---|---|---|",
    ...ok.map((r) => {
      const c = r.ceilings!;
      return `| ${label(r)} | ${n(c.http.per_second)} (${c.http.p50_ms} / ${c.http.p99_ms}) | ${c.http_fixed.p50_ms} / ${c.http_fixed.p99_ms} | ${n(c.insert_one_per_commit.per_second)} (${c.insert_one_per_commit.p50_ms}) | ${n(c.insert_multi_row_100.per_second)} |`;
    }),
  ].join("\n");
}

/** Details that explain the figures: sizes, the end-to-end breakdown, memory, logged warnings. */
export function scaleDetails(r: ScaleResult): string {
  if (r.na) return `- ${label(r)}: n/a (${r.na})`;
  const e = r.end_to_end!;
  const s = r.lane_shaping!;
  const lines = [
    `- **${label(r)}** (${r.processes!.join(", ")}; ${r.wall_seconds} s; load average ${r.load_average!.join(" → ")}):`,
    `  single sends ${n(r.accepted!.single.messages)} at ${r.accepted!.single.concurrency} concurrent (${r.accepted!.single.errors} errors); ` +
      `${r.accepted!.batch.batches} batches of ${n(r.accepted!.batch.batch_size)} (p50 ${r.accepted!.batch.p50_ms} ms per batch).`,
    `  End to end: ${n(e.messages)} messages over ${e.tenants} lanes in ${e.seconds} s (99% after ${e.seconds_to_99_percent ?? "—"} s), ` +
      `${n(e.twilio_per_second)}/s at Twilio, ${e.http_per_message} HTTP exchanges per message; ${n(e.delivered_callbacks)} delivered callbacks answered 204, ` +
      `${n(e.delivered_in_api)} delivered in the API afterwards, ${e.callback_failures} callbacks failed${
        e.callback_failures
          ? ` (${Object.entries(e.callback_failure_kinds ?? {})
              .map(([k, v]) => `${k}: ${v}`)
              .join(", ")})`
          : ""
      }` +
      (e.workers_leasing === undefined
        ? "."
        : `; ${e.workers_leasing} of ${r.workers} workers held the lanes.`),
    `  Callback intake: ${n(r.callback_intake!.callbacks)} signed callbacks at ${r.callback_intake!.concurrency} concurrent ` +
      `(p50 ${r.callback_intake!.p50_ms} / p99 ${r.callback_intake!.p99_ms} ms, ${r.callback_intake!.not_204} not 204).`,
    `  Fixed load: ${n(r.fixed_load!.sent)} sends at ${r.fixed_load!.rate}/s over ${r.fixed_load!.seconds} s, max ${r.fixed_load!.max_ms} ms, ${r.fixed_load!.errors} errors.`,
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
