/**
 * Faults at scale: 100,000 messages through real `subtext start` processes while Twilio (the
 * emulator) misbehaves on 10% of what it does — 429s, 503s (refused without creating), slow
 * answers, answers that come after the client gave up (created: must be reconciled, not resent),
 * status callbacks dropped or sent twice. Then, from the database and Twilio's log: nothing lost,
 * nothing sent twice, retries bounded, backoff and 429 pauses honoured, duplicates absorbed.
 *
 *   npx tsx bench/faults.ts                                   # 100,000 messages, PGlite
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/faults.ts --workers 3
 *   npx tsx bench/faults.ts --messages 5000                   # a quick run
 *
 * Options: --messages N, --tenants N (4), --fault-rate R (0.10), --workers N (PostgreSQL: worker
 * processes beside one API process; PGlite: one all-in-one process). Exit code 1 if an invariant fails.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultOptions, openPglite } from "@subtext/server";
import { audit, verdict } from "../packages/server/test/proof/delivery-audit.js";
import { ENGINE, deploy, onboardTenants } from "../packages/server/test/proof/deployment.js";
import { until } from "../packages/server/test/proof/processes.js";
import { sentMessages } from "../packages/server/test/proof/twilio-log.js";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "100000" },
    tenants: { type: "string", default: "4" },
    "fault-rate": { type: "string", default: "0.10" },
    workers: { type: "string", default: "2" },
  },
});
const COUNT = Number(args.messages);
const TENANTS = Number(args.tenants);
const RATE = Number(args["fault-rate"]);
const policy = defaultOptions().policy;

const d = await deploy({ LOG_LEVEL: "error" });
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;
try {
  await d.emu("PUT", "throughput", { per_number_mps: 100_000 });
  const tenants = await onboardTenants(d, TENANTS);
  if (ENGINE === "postgres") {
    await d.start("api", "api");
    for (let i = 0; i < Number(args.workers); i++) await d.start("worker", `worker-${i}`);
  } else await d.start("all", "all");
  for (const t of tenants) {
    const lanes = await d.api("GET", "/v1/lanes", { token: t.key });
    await d.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, {
      body: { mps: 5_000, burst: 500, daily_cap: null, tmobile_daily_cap: null },
    });
  }
  // 10% of Twilio's behaviour goes wrong, split over the kinds of fault.
  const faults = [
    { kind: "status", status: 429, path: "Messages.json", method: "POST", share: 0.25 },
    { kind: "status", status: 503, path: "Messages.json", method: "POST", share: 0.2 },
    { kind: "latency", latency_ms: 1_500, path: "Messages.json", method: "POST", share: 0.2 },
    { kind: "hang_after", latency_ms: 12_000, path: "Messages.json", method: "POST", share: 0.05 },
    { kind: "drop_callbacks", path: "/twilio/messages/status", share: 0.15 },
    { kind: "duplicate_callbacks", path: "/twilio/messages/status", share: 0.15 },
  ];
  for (const { share, ...f } of faults) await d.emu("POST", "faults", { ...f, rate: RATE * share });
  console.log(
    `# faults bench — ${ENGINE}, ${COUNT.toLocaleString("en")} messages, ${TENANTS} tenants, faults ${RATE * 100}%`,
  );

  // Send in batches of 1,000, two batches at a time, spread over the tenants.
  const accepted = new Set<string>();
  const batches = Math.ceil(COUNT / 1_000);
  let next = 0;
  let retriedBatches = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < batches) {
        const b = next++;
        const t = tenants[b % TENANTS];
        const size = Math.min(1_000, COUNT - b * 1_000);
        const body = {
          messages: Array.from({ length: size }, (_, i) => ({
            to: `+1415${String(2_000_000 + b * 1_000 + i).padStart(7, "0")}`,
            body: `Fault bench ${b}-${i}`,
          })),
        };
        // A connection that breaks under the request is retried with the same key, as a client
        // should: the batch is stored once either way.
        let res: { status: number; body: any } | null = null;
        for (let attempt = 1; !res; attempt++) {
          res = await d
            .api("POST", "/v1/messages/batch", {
              token: t.key,
              headers: { "idempotency-key": `faults-${b}` },
              body,
            })
            .catch((err) => {
              if (attempt >= 5) throw err;
              retriedBatches++;
              return null;
            });
        }
        if (res.status !== 202)
          throw new Error(`batch ${b}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        for (const r of res.body.results) if (r.accepted) accepted.add(r.id);
      }
    }),
  );
  console.log(
    `accepted ${accepted.size.toLocaleString("en")} in ${elapsed()} (${retriedBatches} batch requests retried after a broken connection)`,
  );

  // Until every accepted message is at Twilio, then long enough for open attempts to reconcile.
  let last = 0;
  await until(
    "every message at Twilio",
    async () => {
      const n = new Set(sentMessages(d.emulator.world).map((m) => m.to)).size;
      if (n !== last) console.log(`  ${elapsed()}: ${n.toLocaleString("en")} at Twilio`);
      last = n;
      return n >= accepted.size;
    },
    { timeoutMs: 60 * 60_000, intervalMs: 5_000 },
  );
  // An attempt that got no answer is declared absent only absentAfterMs after it began.
  const drainMs = Math.max(policy.reconcileDelayMs, policy.absentAfterMs) + 15_000;
  console.log(`all at Twilio after ${elapsed()}; ${drainMs / 1000}s more for reconciliations to close`);
  await new Promise((r) => setTimeout(r, drainMs));
  const stoppedAt = d.emulator.world.clock.now();
  for (const p of d.procs) await p.stop();

  const db = d.testDb ? d.testDb.db : await openPglite(join(d.dataDir, "pglite"));
  const sent = sentMessages(d.emulator.world);
  const a = await audit(db, accepted, sent, policy.rateLimitPauseMs);
  // A message sent twice is told in full: its attempts, its timeline and Twilio's copies.
  for (const to of a.sentTwice.slice(0, 5)) {
    const m = await db.one<{ id: string }>("SELECT id FROM messages WHERE to_number = $1", [to]);
    const { rows: attempts } = await db.query(
      `SELECT n, outcome, started_at, finished_at, http_status, error_message, twilio_sid, worker_id
       FROM message_attempts WHERE message_id = $1 ORDER BY n`,
      [m.id],
    );
    const { rows: events } = await db.query(
      "SELECT kind, name, at, data FROM message_events WHERE message_id = $1 ORDER BY at, id",
      [m.id],
    );
    const copies = sent
      .filter((x) => x.to === to)
      .map((x) => ({ sid: x.sid, at: new Date(x.at).toISOString() }));
    console.log(`\nsent twice: ${to} ${m.id}\n${JSON.stringify({ copies, attempts, events }, null, 1)}`);
  }
  if (!d.testDb) await db.close();
  const callbackOutcomes = new Map<string, number>();
  for (const c of d.emulator.world.callbacks.log) {
    if (!c.url.includes("/twilio/messages/status")) continue;
    const k = `${c.dropped ? "dropped" : String(c.status ?? c.error ?? "none")}${c.at > stoppedAt ? " (after the stop)" : ""}`;
    callbackOutcomes.set(k, (callbackOutcomes.get(k) ?? 0) + 1);
  }
  const fired = (await d.emu("GET", "faults")).faults.map(
    (f: any) => `${f.kind}${f.status ? ` ${f.status}` : ""}: ${f.fired}`,
  );
  console.log(`\n| what | value |\n|---|---|`);
  for (const [k, v] of Object.entries({
    accepted: a.accepted,
    "at Twilio (distinct recipients)": a.atTwilio,
    "faults fired": fired.join(", "),
    "lost / sent twice": `${a.lost.length} / ${a.sentTwice.length}`,
    "failed (code: count)": a.failed.map((f) => `${f.code}: ${f.count}`).join(", ") || "0",
    "attempts per message (n: messages)": a.attempts.map((h) => `${h.n}: ${h.messages}`).join(", "),
    "max attempts (bound)": `${a.maxAttempts} (${policy.maxAttempts})`,
    "retries / before their backoff": `${a.retries} / ${a.earlyRetries}`,
    "ambiguous / retried before reconciliation": `${a.ambiguous} / ${a.earlyAfterAmbiguous}`,
    "429s / lane pauses broken": `${a.rateLimited} / ${a.pausesBroken}`,
    "status callbacks (outcome: count)": [...callbackOutcomes].map(([k, n]) => `${k}: ${n}`).join(", "),
    "statuses waiting for the stale refresh (dropped callbacks)": a.statusLagging,
    "duplicate statuses / events (duplicated callbacks)": `${a.duplicateTimeline} / ${a.duplicateEvents}`,
    "wall time": elapsed(),
  })) {
    console.log(`| ${k} | ${v} |`);
  }
  // What the processes logged as errors (LOG_LEVEL=error), grouped by message.
  const errors = new Map<string, number>();
  for (const p of d.procs) {
    for (const line of p.output) {
      if (!line.startsWith("{")) continue;
      try {
        const e = JSON.parse(line);
        const key =
          `${p.name.replace(/-\d+$/, "")}: ${e.event ?? ""} ${e.err?.code ?? ""} ${e.err?.message ?? e.msg ?? ""}`.slice(
            0,
            200,
          );
        errors.set(key, (errors.get(key) ?? 0) + 1);
      } catch {
        // not a log line
      }
    }
  }
  for (const [k, n] of errors) console.log(`logged ×${n}: ${k}`);
  const bad = verdict(a, policy.maxAttempts);
  console.log(bad.length ? `\nFAILED:\n- ${bad.join("\n- ")}` : "\nAll invariants hold.");
  process.exitCode = bad.length ? 1 : 0;
} catch (err) {
  // Say what the processes said before the failure (a crash, an error logged).
  for (const p of d.procs) {
    console.error(`--- ${p.name} (${p.alive() ? "alive" : "gone"}) ---\n${p.output.slice(-15).join("\n")}`);
  }
  throw err;
} finally {
  await d.close();
}
