/**
 * `npm run bench`: runs every benchmark, prints its tables, writes the whole report to
 * bench/results/latest.md and into BENCHMARKS.md between `<!-- bench:begin -->` and
 * `<!-- bench:end -->`.
 *
 *   npm run bench                          # everything, full sizes (~50 min on 2 cores)
 *   npm run bench -- --quick               # smoke sizes; BENCHMARKS.md untouched unless --write
 *   npm run bench -- --only ceilings,kannel,scale
 *   npm run bench -- --wait-idle 1.5       # first wait (≤ 15 min) for the load average to drop
 *
 * Parts that put HTTP load on a server (ceilings, kannel, scale) generate it in a separate
 * process (bench/loadgen.ts); the in-process ones (emulator, messaging) measure the product
 * with its client in the same process and say so.
 *
 * Benchmarks that read SUBTEXT_TEST_ENGINE when imported (messaging, scale, onboarding) run as
 * child processes, one per engine and configuration, and hand back JSON on stdout.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FULL_LOAD, QUICK_LOAD, benchCeilings, ceilingsTable } from "./ceilings.js";
import { benchEmulator } from "./emulator.js";
import { type KannelResult, benchKannel, kannelTable } from "./kannel.js";
import { loadgenNote } from "./loadgen.js";
import { type ScaleResult, ceilingTable, scaleDetails, scaleTable } from "./scale-report.js";
import { benchStorage, storageTable } from "./storage.js";
import { summaryTable } from "./summary.js";

const PARTS = ["ceilings", "kannel", "storage", "emulator", "messaging", "scale", "onboarding"] as const;
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    write: { type: "boolean", default: false },
    "onboarding-tenants": { type: "string" },
    "wait-idle": { type: "string" },
    tool: { type: "string", default: "autocannon" },
    help: { type: "boolean", short: "h", default: false },
  },
});
const quick = args.quick!;
const only = new Set(args.only ? args.only.split(",") : PARTS);
for (const p of only) if (!PARTS.includes(p as any)) throw new Error(`--only: unknown part ${p}`);
// Checked after the arguments, so `--only x --help` also says whether x is a part; runs nothing.
if (args.help) {
  console.log(
    "npm run bench -- [--quick] [--only part,…] [--write] [--wait-idle LOAD] [--tool autocannon|wrk] [--onboarding-tenants N]\n" +
      `parts: ${PARTS.join(", ")}${args.only ? `\nselected: ${[...only].join(", ")}` : ""}`,
  );
  process.exit(0);
}
// A smoke or partial run must not replace the figures of a full one.
const writeDoc = args.write || (!quick && only.size === PARTS.length);
const onboardingTenants = Number(args["onboarding-tenants"] ?? (quick ? 30 : 1_000));

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const report: string[] = [];
const print = (text: string) => {
  console.log(text);
  report.push(text);
};
const n = (v: number | undefined | null) =>
  typeof v === "number" ? Math.round(v).toLocaleString("en-US") : "—";
const startedAt = performance.now();
const minutes = (since: number) => `${((performance.now() - since) / 60_000).toFixed(1)} min`;

/**
 * Runs a bench file under tsx in a child process with `engine`; returns the JSON it printed last.
 * `subtext-source`: our packages' TypeScript sources, not their compiled dist.
 */
async function child<T>(file: string, engine: "pglite" | "postgres", argv: string[]): Promise<T> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=subtext-source", here(file), ...argv],
    {
      env: { ...process.env, SUBTEXT_TEST_ENGINE: engine },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  proc.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => proc.once("exit", r));
  // The JSON is the last thing printed: one line (scale), or an indented document (the others).
  const start = Math.max(out.lastIndexOf("\n{"), out.startsWith("{") ? 0 : -1);
  try {
    return JSON.parse(out.slice(start).trim()) as T;
  } catch {
    throw new Error(
      `${file} (${engine} ${argv.join(" ")}) exited ${code} without JSON:\n${out.slice(-2000)}`,
    );
  }
}

/** Waits (at most 15 min) until the 1-minute load average is at most `max`: others' jobs skew every figure. */
async function waitIdle(max: number) {
  const deadline = Date.now() + 15 * 60_000;
  while (loadavg()[0] > max && Date.now() < deadline) {
    console.error(`load average ${loadavg()[0].toFixed(1)} > ${max}: waiting…`);
    await new Promise((r) => setTimeout(r, 30_000));
  }
}
if (args["wait-idle"]) await waitIdle(Number(args["wait-idle"]));

const git = (...a: string[]) => {
  try {
    return execFileSync("git", a, { cwd: here(".."), stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "?";
  }
};
// The product's code as measured: the last commit that changed packages/, and whether it is modified.
const commit = `${git("log", "-1", "--format=%h", "--", "packages")}${git("status", "--porcelain", "--", "packages") ? " + uncommitted changes" : ""}`;
const machine = `${cpus().length}× ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const cliArgs = process.argv.slice(2).join(" ");
print(
  `Run ${new Date().toISOString()} of Subtext at commit ${commit} (packages/) on ${machine}; load average at the start ${loadavg()[0].toFixed(1)}` +
    `${quick ? " — **--quick: smoke sizes, not a measurement**" : ""}. Command: \`npm run bench${cliArgs ? ` -- ${cliArgs}` : ""}\`.\n`,
);
/** Where the summary table goes once scale and kannel are in (right after the header). */
const summaryAt = report.length;
const partStart = (name: string) => {
  const l = loadavg()[0];
  if (l > cpus().length * 0.75)
    console.error(`${name}: load average ${l.toFixed(1)} at the start: figures will be low`);
  return `load average at the start ${l.toFixed(1)}`;
};
const load = { ...(quick ? QUICK_LOAD : FULL_LOAD), tool: args.tool as "autocannon" | "wrk" };
let kannel: KannelResult | undefined;

if (only.has("ceilings")) {
  const t = performance.now();
  const l = partStart("ceilings");
  print("### Ceilings: bare servers in their own processes (`bench/ceilings.ts`)\n");
  print(ceilingsTable(await benchCeilings(load, ["pglite", "postgres"], quick ? 5_000 : 20_000)));
  print(`\n(${minutes(t)}; ${l})\n`);
}

if (only.has("kannel")) {
  const t = performance.now();
  const l = partStart("kannel");
  print("### Kannel as a peer (`bench/kannel.ts`)\n");
  kannel = await benchKannel(load);
  print(kannelTable(kannel));
  print(`\n(${minutes(t)}; ${l})\n`);
}

if (only.has("storage")) {
  const t = performance.now();
  print("### Storage (rows/s, ~300-byte rows)\n");
  print(
    storageTable(
      await benchStorage(quick ? { rows: 500, claimRows: 5_000 } : { rows: 2_000, claimRows: 20_000 }),
    ),
  );
  print(`\n(${minutes(t)})\n`);
}

if (only.has("emulator")) {
  const t = performance.now();
  const r = await benchEmulator(quick ? 1_000 : 5_000, 32);
  print("### Emulator: message creates through the official SDK\n");
  print("The SDK client is the thing measured, so it runs in the bench process beside the emulator.\n");
  print("| what | per second | p50 ms | p99 ms |\n|---|---|---|---|");
  print(
    `| \`client.messages.create\`, ${r.concurrency} concurrent | ${n(r.sdk.perSecond)} | ${r.sdk.p50} | ${r.sdk.p99} |`,
  );
  print(`| bare HTTP ceiling (same run) | ${n(r.ceiling.perSecond)} | ${r.ceiling.p50} | ${r.ceiling.p99} |`);
  print(`\n${Math.round((100 * r.sdk.perSecond) / r.ceiling.perSecond)}% of the ceiling (${minutes(t)}).\n`);
}

if (only.has("messaging")) {
  const t = performance.now();
  print("### Messaging in one process (ManualClock; `bench/messaging.ts`)\n");
  print(
    "The whole product, its clients and the emulator in one process: figures for comparing changes " +
      "to the code, not capacity (the scale part measures that, with load from a separate process).\n",
  );
  const rows: [string, any][] = [];
  for (const engine of ["pglite", "postgres"] as const) {
    const r = await child<any>("./messaging.ts", engine, quick ? ["--messages", "500"] : []).catch(
      (err: Error) => ({ error: err.message.split("\n")[0] }),
    );
    rows.push([engine, r]);
  }
  const row = (what: string, f: (r: any) => string) =>
    print(`| ${what} | ${rows.map(([, r]) => f(r)).join(" | ")} |`);
  print("| figure | PGlite | PostgreSQL |\n|---|---|---|");
  row("accepted msg/s, single (p50 / p99 ms)", (r) => {
    const s = r.accepted?.single;
    return `${n(s?.per_second)} (${s?.p50_ms} / ${s?.p99_ms}), ${s?.concurrency} concurrent`;
  });
  row("accepted msg/s, batches of 1,000", (r) => n(r.accepted?.batch?.per_second));
  row(
    "end-to-end msg/s to delivered",
    (r) => `${n(r.end_to_end?.per_second)} (${n(r.end_to_end?.messages)} messages)`,
  );
  row(
    "lane shaping, 60 s simulated: sent, error, worst 1-s window",
    (r) =>
      `${n(r.lane_shaping?.sent_in_60s)} at ${r.lane_shaping?.mps} MPS, ${r.lane_shaping?.error_percent}%, ${r.lane_shaping?.worst_1s_window}`,
  );
  row(
    "callback intake/s (p50 / p99 ms)",
    (r) =>
      `${n(r.callback_intake?.per_second)} (${r.callback_intake?.p50_ms} / ${r.callback_intake?.p99_ms})`,
  );
  for (const [engine, r] of rows) if (r.error) print(`\n${engine} failed: ${r.error}`);
  print(`\n(${minutes(t)})\n`);
}

if (only.has("scale")) {
  const t = performance.now();
  const results: ScaleResult[] = [];
  for (const [engine, workers] of [
    ["pglite", 1],
    ["pglite", 4],
    ["postgres", 1],
    ["postgres", 4],
  ] as const) {
    console.error(`scale: ${engine} ×${workers}…`);
    const argv = ["--workers", String(workers), "--json", "--tool", load.tool, ...(quick ? ["--quick"] : [])];
    results.push(
      await child<ScaleResult>("./scale.ts", engine, argv).catch((err: Error) => {
        console.error(err.message);
        return { engine, workers, na: `failed: ${err.message.split("\n")[0]}` };
      }),
    );
  }
  print("### Scale: real processes (`bench/scale.ts`), PGlite and PostgreSQL, 1 and 4 workers\n");
  print(`${loadgenNote(load.tool)}\n`);
  print(scaleTable(results));
  print("\nCeilings, measured in the same run just before the product's processes start:\n");
  print(ceilingTable(results));
  print("");
  print(results.map(scaleDetails).join("\n"));
  print(`\n(${minutes(t)})\n`);
  // The one table: every figure beside its same-run ceilings and Kannel, first in the report.
  report.splice(
    summaryAt,
    0,
    `### Subtext beside its ceilings and Kannel (same run; Subtext at ${commit})\n`,
    summaryTable(results, kannel),
    `\n${loadgenNote(load.tool)} ${load.connections} connections, ${load.warmup} s warm-up then ${load.seconds} s per max-rate figure; ` +
      `fixed rates: ${load.rateSeconds} s of an open-loop schedule. Details and method: the sections below and BENCHMARKS.md.\n`,
  );
  console.log(report.slice(summaryAt, summaryAt + 3).join("\n"));
}

if (only.has("onboarding")) {
  const t = performance.now();
  print(`### Onboarding: ${n(onboardingTenants)} tenants to ready-to-send (\`bench/onboarding.ts\`)\n`);
  print(
    "| engine | ready | wall time (submissions + flows) | emulated time | dead step jobs | step runs |\n|---|---|---|---|---|---|",
  );
  for (const engine of ["pglite", "postgres"] as const) {
    const r = await child<any>("./onboarding.ts", engine, ["--tenants", String(onboardingTenants)]).catch(
      (err: Error) => ({ error: err.message.split("\n")[0] }),
    );
    if (r.error) {
      print(`| ${engine} | failed: ${r.error} | | | | |`);
      continue;
    }
    const w = r.wall_seconds;
    print(
      `| ${engine === "pglite" ? "PGlite" : "PostgreSQL"} | ${n(r.ready_to_send)}/${n(r.tenants)} | ${w.total} s (${w.tenants_and_submissions} + ${w.flows_to_ready}) | ${r.emulated_minutes} min | ${r.dead_step_jobs} | ${n(r.step_runs)} |`,
    );
  }
  print(
    "\nOne process, jobs run by one runner on a ManualClock. Not repeated with 4 workers: the emulated time is " +
      "Twilio's pace (at most one brand or campaign registration call per second per parent account, " +
      "reserved in `onboarding_pacers` and shared by every worker), and in real time that pace, not " +
      `the number of workers, bounds onboarding (${minutes(t)}).\n`,
  );
}

print(`Total ${minutes(startedAt)}; load average at the end ${loadavg()[0].toFixed(1)}.`);

const text = report.join("\n");
mkdirSync(here("./results"), { recursive: true });
writeFileSync(here("./results/latest.md"), `# Subtext benchmarks\n\n${text}\n`);
console.error("\nwrote bench/results/latest.md");
if (writeDoc) {
  const docPath = here("../BENCHMARKS.md");
  const doc = readFileSync(docPath, "utf8");
  const begin = "<!-- bench:begin -->";
  const end = "<!-- bench:end -->";
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`BENCHMARKS.md has no ${begin} … ${end} section`);
  writeFileSync(docPath, `${doc.slice(0, i + begin.length)}\n${text}\n${doc.slice(j)}`);
  console.error("replaced the latest-run section of BENCHMARKS.md");
}
process.exit(0);
