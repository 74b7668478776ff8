/**
 * Soak: real `subtext start` processes at a steady send rate for an hour (by default), sampling
 * each process's memory and the queues, to show that nothing grows without bound. Not part of
 * CI or `npm run bench` (it takes an hour): run it by hand before a release.
 *
 *   npx tsx bench/soak.ts                                     # 60 min, 20 msg/s, PGlite
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/soak.ts --workers 2 --rate 50
 *   npx tsx bench/soak.ts --minutes 3 --sample-seconds 10     # a smoke run
 *
 * Every tenant has a webhook endpoint (a local receiver), so webhook delivery runs too. Samples:
 * RSS per process (from /proc), the API process's heap (/metrics), messages queued and
 * in flight, the backlog (accepted − at Twilio), webhooks received, event-loop lag. The verdict
 * fits a line through the second half of the run: memory slope (MiB/hour) and backlog trend.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ENGINE, deploy, onboardTenants } from "../packages/server/test/proof/deployment.js";
import { countingReceiver } from "../packages/server/test/proof/receiver.js";
import { sentMessages } from "../packages/server/test/proof/twilio-log.js";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "60" },
    rate: { type: "string", default: "20" },
    tenants: { type: "string", default: "4" },
    "sample-seconds": { type: "string", default: "30" },
    workers: { type: "string", default: "2" },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const TENANTS = Number(args.tenants);
const SAMPLE_MS = Number(args["sample-seconds"]) * 1000;

interface Sample {
  t: number;
  rss: Record<string, number>;
  heap: number;
  queued: number;
  backlog: number;
  webhooks: number;
}

const rssMiB = (pid: number | undefined) => {
  if (!pid) return 0;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
};

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const d = await deploy({ LOG_LEVEL: "error" });
const receiver = await countingReceiver(0);
// Stopped early (Ctrl-C): take the processes and the scratch schema down with us.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void Promise.allSettled([d.close(), receiver.close()]).then(() => process.exit(130));
  });
}
try {
  await d.emu("PUT", "throughput", { per_number_mps: 100_000 });
  const tenants = await onboardTenants(d, TENANTS);
  if (ENGINE === "postgres") {
    await d.start("api", "api");
    for (let i = 0; i < Number(args.workers); i++) await d.start("worker", `worker-${i}`);
  } else await d.start("all", "all");
  for (const [i, t] of tenants.entries()) {
    const lanes = await d.api("GET", "/v1/lanes", { token: t.key });
    await d.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, {
      body: { mps: Math.max(10, RATE), burst: Math.max(10, RATE), daily_cap: null, tmobile_daily_cap: null },
    });
    await d.api("POST", "/v1/webhook-endpoints", { token: t.key, body: { url: `${receiver.url}/t${i}` } });
  }
  console.log(
    `# soak — ${ENGINE}, ${MINUTES} min at ${RATE} msg/s, ${TENANTS} tenants, processes: ${d.procs.map((p) => p.name).join(", ")}\n`,
  );
  console.log("| t (min) | RSS MiB per process | API heap MiB | queued | backlog | webhooks |");
  console.log("|---|---|---|---|---|---|");

  const baseline = sentMessages(d.emulator.world).length;
  const start = Date.now();
  const end = start + MINUTES * 60_000;
  let accepted = 0;
  let seq = 0;
  const samples: Sample[] = [];
  // Steady sender: each second, one batch of RATE messages (tenants in turn).
  const sender = (async () => {
    while (Date.now() < end) {
      const tick = Date.now();
      const t = tenants[seq % TENANTS];
      const res = await d.api("POST", "/v1/messages/batch", {
        token: t.key,
        body: {
          messages: Array.from({ length: RATE }, () => {
            const n = seq++;
            return { to: `+1415${String(3_000_000 + (n % 6_000_000)).padStart(7, "0")}`, body: `Soak ${n}` };
          }),
        },
      });
      if (res.status === 202) accepted += res.body.accepted;
      await new Promise((r) => setTimeout(r, Math.max(0, 1_000 - (Date.now() - tick))));
    }
  })();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const metrics = await fetch(`${d.apiUrl}/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? 0) / 2 ** 20;
    const overview = await d.api("GET", "/v1/insights/overview?range=1h");
    const queued = (overview.body?.lanes ?? []).reduce(
      (s: number, l: { queued?: number }) => s + (l.queued ?? 0),
      0,
    );
    const atTwilio = sentMessages(d.emulator.world).length - baseline;
    const rss = Object.fromEntries(
      d.procs.filter((p) => p.alive()).map((p) => [p.name, rssMiB(p.child.pid)]),
    );
    const s: Sample = {
      t: Date.now() - start,
      rss,
      heap,
      queued,
      backlog: accepted - atTwilio,
      webhooks: receiver.total(),
    };
    samples.push(s);
    const rssText = Object.entries(rss)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(", ");
    console.log(
      `| ${(s.t / 60_000).toFixed(1)} | ${rssText} | ${heap.toFixed(1)} | ${queued} | ${s.backlog} | ${s.webhooks} |`,
    );
  }
  await sender;

  // Verdict over the second half (the first half includes warm-up: JIT, caches, pools).
  const late = samples.slice(Math.floor(samples.length / 2));
  const perHour = (pts: [number, number][]) => slope(pts) * 3_600_000;
  const lines: string[] = [];
  for (const name of Object.keys(late[0]?.rss ?? {})) {
    const s = perHour(late.map((x) => [x.t, x.rss[name] ?? 0]));
    lines.push(`RSS ${name}: ${s >= 0 ? "+" : ""}${s.toFixed(1)} MiB/hour over the second half`);
  }
  lines.push(`API heap: ${perHour(late.map((x) => [x.t, x.heap])).toFixed(1)} MiB/hour over the second half`);
  const backlogSlope = perHour(late.map((x) => [x.t, x.backlog]));
  const maxBacklog = Math.max(...late.map((x) => x.backlog));
  lines.push(
    `backlog (accepted − at Twilio): max ${maxBacklog} in the second half, trend ${backlogSlope.toFixed(0)} messages/hour`,
  );
  console.log(
    `\naccepted ${accepted.toLocaleString("en")}; webhooks received ${receiver.total().toLocaleString("en")}`,
  );
  for (const l of lines) console.log(`- ${l}`);
  // Bounded: the backlog stays within a few seconds of traffic and does not trend upward.
  const bounded = maxBacklog <= RATE * 10 && backlogSlope < RATE * 60;
  console.log(
    bounded ? "\nQueues stay bounded." : "\nThe backlog grows: the system does not keep up with this rate.",
  );
  process.exitCode = bounded ? 0 : 1;
} finally {
  await d.close();
  await receiver.close();
}
