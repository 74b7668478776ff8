/**
 * Kannel as a peer: the open-source SMS gateway (bearerbox + smsbox) on loopback, sending to
 * its fake SMSC (`fakesmsc`, from Debian's kannel-extras), driven by the same load generator
 * and settings as Subtext's `POST /v1/messages`:
 *
 * - accepted/s: `GET /cgi-bin/sendsms?username=…&password=…&to=…&text=…` answered 202
 *   ("0: Accepted for delivery"), each to a new recipient;
 * - delivered/s: messages that reached fakesmsc (its "Got message" lines), from the start of
 *   the load until the last of them arrived;
 * - p50/p99 at a fixed rate;
 * - CPU ms per message: bearerbox + smsbox, fakesmsc, and the generator, from /proc.
 *
 * Accepted messages are stored as Kannel stores them durably: `store-type = spool`, one file per
 * message written before smsbox answers (bearerbox acknowledges after the store), removed once
 * sent. Kannel does not fsync them (strace shows open/write/unlink only): they survive a
 * process crash, not a power loss. PostgreSQL commits (fsync) do.
 *
 *   npx tsx bench/kannel.ts [--quick] [--json]
 *
 * Needs `apt-get install kannel kannel-extras`; says so and returns when they are missing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../packages/server/test/proof/processes.js";
import { FULL_LOAD, type LoadSettings, QUICK_LOAD } from "./ceilings.js";
import { cpuMeter } from "./cpu.js";
import { type LoadResult, REQUESTS, loadgenNote, runLoad } from "./loadgen.js";

export const KANNEL_HINT = "Kannel: not installed (apt-get install kannel kannel-extras)";

const FAKESMSC = ["/usr/lib/kannel/test/fakesmsc", "/usr/libexec/kannel/test/fakesmsc", "/usr/bin/fakesmsc"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function which(name: string, candidates: string[] = []): string | null {
  for (const c of candidates) if (existsSync(c)) return c;
  const r = spawnSync("sh", ["-c", `command -v ${name}`]);
  const path = r.stdout?.toString().trim();
  return path || null;
}

export interface KannelPhase {
  load: LoadResult;
  /** Messages that reached fakesmsc, and per second from the load's start to the last arrival. */
  delivered: number;
  delivered_per_second: number;
  /** After the load ended, how long until the last message reached fakesmsc. */
  drain_seconds: number;
  cpu_ms: { kannel: number; fakesmsc: number; generator: number };
  cpu_ms_per_message: { kannel: number; fakesmsc: number; generator: number };
}

export type KannelResult =
  | { installed: false; note: string }
  | {
      installed: true;
      version: string;
      settings: LoadSettings;
      max: KannelPhase;
      fixed: KannelPhase;
    };

interface Running {
  sendsms: string;
  pids(): { kannel: number[]; fakesmsc: number[] };
  delivered(): { count: number; lastAt: number };
  stop(): Promise<void>;
}

async function startKannel(bins: { bearerbox: string; smsbox: string; fakesmsc: string }): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "subtext-kannel-"));
  mkdirSync(join(dir, "spool"));
  const [admin, box, smsc, sendsms] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const conf = join(dir, "kannel.conf");
  writeFileSync(
    conf,
    `group = core
admin-port = ${admin}
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = ${box}
box-allow-ip = "127.0.0.1"
log-file = "${dir}/bearerbox.log"
log-level = 2
store-type = spool
store-location = "${dir}/spool"

group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = ${smsc}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${box}
sendsms-port = ${sendsms}
log-file = "${dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench

group = sms-service
keyword = default
text = "No service"
`,
  );
  const procs: ChildProcess[] = [];
  const start = (cmd: string, args: string[]) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], cwd: dir });
    procs.push(p);
    return p;
  };
  const stop = async () => {
    for (const p of [...procs].reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 5_000);
      await new Promise((r) => p.once("exit", r));
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const up = async (what: string, probe: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await probe().catch(() => false)) return;
      await sleep(100);
    }
    await stop();
    throw new Error(`Kannel: ${what} did not come up`);
  };

  const bearerbox = start(bins.bearerbox, ["-v", "2", conf]);
  bearerbox.stderr!.resume();
  await up("bearerbox", async () => (await fetch(`http://127.0.0.1:${admin}/status?password=bench`)).ok);
  // fakesmsc sends no messages of its own (-m 0) and logs each one it receives: "Got message N: <…>".
  const fake = start(bins.fakesmsc, [
    "-H",
    "127.0.0.1",
    "-r",
    String(smsc),
    "-i",
    "1",
    "-m",
    "0",
    "1 2 text x",
  ]);
  let count = 0;
  let lastAt = 0; // epoch ms of the last arrival
  let tail = "";
  fake.stderr!.on("data", (d: Buffer) => {
    const text = tail + d.toString();
    const lines = text.split("\n");
    tail = lines.pop() ?? "";
    const before = count;
    for (const l of lines) if (l.includes("Got message")) count++;
    if (count > before) lastAt = Date.now();
  });
  const smsbox = start(bins.smsbox, ["-v", "2", conf]);
  smsbox.stderr!.resume();
  const url = `http://127.0.0.1:${sendsms}/cgi-bin/sendsms`;
  await up("smsbox", async () => {
    const before = count;
    const r = await fetch(`${url}?username=bench&password=bench&from=18005550100&to=14155550199&text=probe`);
    await r.arrayBuffer();
    if (!r.ok) return false;
    for (let i = 0; i < 20 && count === before; i++) await sleep(50);
    return count > before;
  });
  return {
    sendsms: url,
    pids: () => ({ kannel: [bearerbox.pid!, smsbox.pid!], fakesmsc: [fake.pid!] }),
    delivered: () => ({ count, lastAt }),
    stop,
  };
}

/** One load on sendsms, then the wait until what it had accepted reached fakesmsc. */
async function phase(k: Running, load: Parameters<typeof runLoad>[0]): Promise<KannelPhase> {
  const meter = cpuMeter({ kannel: () => k.pids().kannel, fakesmsc: () => k.pids().fakesmsc });
  const before = k.delivered().count;
  const r = await runLoad(load);
  // Wait for the backlog: every accepted message at fakesmsc, or no progress for 10 s.
  let last = k.delivered().count;
  let still = performance.now();
  while (k.delivered().count - before < r.ok && performance.now() - still < 10_000) {
    await sleep(100);
    if (k.delivered().count !== last) {
      last = k.delivered().count;
      still = performance.now();
    }
  }
  const cpu = meter.stop();
  const d = k.delivered();
  const delivered = d.count - before;
  const span = (Math.max(d.lastAt, r.ended_at) - r.started_at) / 1000;
  const per = (ms: number, of: number) => (of ? Number((ms / of).toFixed(3)) : 0);
  const ms = { kannel: cpu.ms.kannel ?? 0, fakesmsc: cpu.ms.fakesmsc ?? 0, generator: Math.round(r.cpu_ms) };
  return {
    load: r,
    delivered,
    delivered_per_second: Math.round(delivered / span),
    drain_seconds: Number((Math.max(0, d.lastAt - r.ended_at) / 1000).toFixed(2)),
    cpu_ms: ms,
    cpu_ms_per_message: {
      kannel: per(ms.kannel, delivered),
      fakesmsc: per(ms.fakesmsc, delivered),
      generator: per(ms.generator, r.ok),
    },
  };
}

export async function benchKannel(s: LoadSettings): Promise<KannelResult> {
  const bins = {
    bearerbox: which("bearerbox", ["/usr/sbin/bearerbox"]),
    smsbox: which("smsbox", ["/usr/sbin/smsbox"]),
    fakesmsc: which("fakesmsc", FAKESMSC),
  };
  if (!bins.bearerbox || !bins.smsbox || !bins.fakesmsc) return { installed: false, note: KANNEL_HINT };
  const version =
    spawnSync("dpkg-query", ["-W", "-f", "$" + "{Version}", "kannel"])
      .stdout?.toString()
      .trim() || "unknown";
  const k = await startKannel(bins as Record<keyof typeof bins, string>);
  try {
    const requests = (start: number) => ({
      module: REQUESTS("sendsms"),
      args: { username: "bench", password: "bench", start },
    });
    const base = { url: k.sendsms, connections: s.connections, tool: s.tool };
    // Warm-up, then let its backlog drain before measuring.
    await phase(k, { ...base, duration: s.warmup, requests: requests(0) });
    const max = await phase(k, { ...base, duration: s.seconds, requests: requests(1_000_000) });
    const rate = Math.max(...s.rates);
    const fixed = await phase(k, {
      ...base,
      shape: "open",
      rate,
      duration: s.rateSeconds,
      requests: requests(3_000_000),
    });
    return { installed: true, version, settings: s, max, fixed };
  } finally {
    await k.stop();
  }
}

export function kannelTable(r: KannelResult): string {
  if (!r.installed) return r.note;
  const n = (v: number) => Math.round(v).toLocaleString("en-US");
  const row = (what: string, p: KannelPhase) =>
    `| ${what} | ${n(p.load.ok_per_second)} (${p.load.latency_ms.p50} / ${p.load.latency_ms.p99})${p.load.non_2xx + p.load.errors ? `, **${n(p.load.non_2xx + p.load.errors)} failed**` : ""} | ${n(p.delivered_per_second)} (${n(p.delivered)} in all, last ${p.drain_seconds} s after the load) | ${p.cpu_ms_per_message.kannel} / ${p.cpu_ms_per_message.fakesmsc} / ${p.cpu_ms_per_message.generator} |`;
  return [
    `| Kannel ${r.version} (bearerbox + smsbox, spool store, fake SMSC) | sendsms accepted/s (p50 / p99 ms) | delivered to fakesmsc/s | CPU ms per message: Kannel / fakesmsc / generator |`,
    "|---|---|---|---|",
    row(`max rate, ${r.settings.connections} connections, ${r.settings.seconds} s`, r.max),
    row(`fixed rate ${r.fixed.load.rate}/s, ${r.settings.rateSeconds} s`, r.fixed),
    "",
    `${loadgenNote(r.settings.tool)} Kannel's spool files are not fsynced (they survive a process crash, not a power loss).`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: args } = parseArgs({
    options: { quick: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
  });
  const r = await benchKannel(args.quick ? QUICK_LOAD : FULL_LOAD);
  console.log(args.json ? JSON.stringify(r) : kannelTable(r));
  process.exit(0);
}
