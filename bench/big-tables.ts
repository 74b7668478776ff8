/**
 * Big tables stay fast: the send p50/p99 at a fixed load with an empty database, then again
 * after filling it with millions of stored messages (with one attempt, two timeline entries and
 * one event each, every SID and a fifth of them with an idempotency key), spread over the
 * twelve months before now across four tenants. Then the plans of the queries that must stay
 * index-bound (the dispatcher's claim, lookups by id, SID and key, a tenant's newest page).
 *
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/big-tables.ts [--messages 10000000] [--rate 100]
 *     [--seconds 20] [--rounds 3] [--light]
 *
 * PostgreSQL only (the fill is one INSERT … SELECT generate_series per month and table). The
 * load comes from a generator in its own process (bench/loadgen.ts, autocannon), at a fixed
 * rate with latency measured from each request's schedule.
 */
import {
  type Db,
  ensureMonth,
  EVENT_TABLES,
  MESSAGE_TABLES,
  monthStart,
  partitionName,
} from "@subtext/server";
import { FULL_LOAD, fixedLoad } from "./ceilings.js";
import { runLoad } from "./loadgen.js";
import { startStack, tenantWithFastLane } from "./messaging.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const MONTHS = 12;

export interface SendLatency {
  rounds: { p50_ms: number; p99_ms: number; errors: number }[];
  /** The median round's figures. */
  p50_ms: number;
  p99_ms: number;
}

/**
 * Single sends at `rate`/s (open loop, from a load generator in its own process), `rounds`
 * times `seconds`; the median round counts.
 */
export async function measureSends(
  url: string,
  key: string,
  o: { rate: number; seconds: number; rounds: number; tag: string },
): Promise<SendLatency> {
  const settings = { ...FULL_LOAD, rateSeconds: o.seconds };
  await runLoad({ ...fixedLoad(url, settings, o.rate, key), duration: 5 }); // warm-up
  const rounds = [];
  for (let r = 0; r < o.rounds; r++) {
    const res = await runLoad(fixedLoad(url, settings, o.rate, key));
    rounds.push({ p50_ms: res.latency_ms.p50, p99_ms: res.latency_ms.p99, errors: res.errors + res.non_2xx });
  }
  const median = [...rounds].sort((a, b) => a.p99_ms - b.p99_ms)[Math.floor(rounds.length / 2)];
  return { rounds, p50_ms: median.p50_ms, p99_ms: median.p99_ms };
}

/** The ULID time of `ms` (a bigint SQL expression) inline: the SQL function costs a subquery a row. */
function ulidTime(ms: string): string {
  const alphabet = "'0123456789ABCDEFGHJKMNPQRSTVWXYZ'";
  return Array.from(
    { length: 10 },
    (_, i) => `substr(${alphabet}, ((${ms} >> ${5 * (9 - i)}) & 31)::int + 1, 1)`,
  ).join(" || ");
}

/**
 * `total` delivered messages over the MONTHS months before `now`, round-robin over `tenants`
 * (tenant, lane), written straight into the partitions month by month. Triggers are off for
 * the fill (session_replication_role): the SID table is filled in bulk instead.
 */
export async function fill(
  db: Db,
  now: Date,
  total: number,
  tenants: { id: string; lane: string }[],
  /** full: 1 attempt, 2 timeline entries, 1 event a message; light: 1 attempt, 1 entry, 1 event in 4. */
  related: "full" | "light" = "full",
) {
  const perMonth = Math.ceil(total / MONTHS);
  const started = performance.now();
  for (let k = MONTHS; k >= 1; k--) {
    const month = monthStart(now, -k);
    const next = monthStart(now, -k + 1);
    await db.tx(async (tx) => {
      for (const t of [...MESSAGE_TABLES, ...EVENT_TABLES]) await ensureMonth(tx, t, month);
    });
    const lo = (MONTHS - k) * perMonth + 1;
    const hi = Math.min(total, lo + perMonth - 1);
    if (hi < lo) continue;
    const step = (next.getTime() - month.getTime() - 60_000) / perMonth;
    const part = (parent: string) => partitionName(parent, month);
    await db.tx(async (tx) => {
      await tx.query("SET LOCAL session_replication_role = replica");
      await tx.query(
        `INSERT INTO ${part("messages")} (id, tenant_id, direction, channel, status, lane_id, to_number, from_number,
           body, segments, encoding, idempotency_key, request_hash, not_before, twilio_sid, twilio_status,
           usage_recorded, created_at, updated_at, sent_at, completed_at)
         SELECT 'msg_' || ${ulidTime("g.ms")} || upper(substr(md5(g.i::text), 1, 16)),
           ($3::text[])[1 + g.i % cardinality($3::text[])], 'outbound', 'sms', 'delivered',
           ($4::text[])[1 + g.i % cardinality($4::text[])],
           '+1415' || (2000000 + g.i % 7000000)::text, '+14155550100', 'Filler message ' || g.i, 1, 'GSM-7',
           CASE WHEN g.i % 5 = 0 THEN 'fill-' || g.i END, CASE WHEN g.i % 5 = 0 THEN md5('r' || g.i) END,
           g.ts, 'SM' || md5(g.i::text), 'delivered', true, g.ts, g.ts + interval '3 seconds',
           g.ts + interval '1 second', g.ts + interval '3 seconds'
         FROM (SELECT i, ts, (extract(epoch FROM ts) * 1000)::bigint AS ms
               FROM (SELECT i, $5::timestamptz + (i - $1) * $6::float8 * interval '1 millisecond' AS ts
                     FROM generate_series($1::bigint, $2::bigint) AS i) s) g`,
        [lo, hi, tenants.map((t) => t.id), tenants.map((t) => t.lane), month, step],
      );
      await tx.query(
        `INSERT INTO ${part("message_attempts")} (id, message_id, tenant_id, n, worker_id, outcome, started_at,
           finished_at, http_status, twilio_sid)
         SELECT 'att_' || substr(id, 5, 10) || upper(substr(md5('a' || id), 1, 16)), id, tenant_id, 1, 'fill',
           'accepted', created_at, sent_at, 201, twilio_sid FROM ${part("messages")}`,
      );
      await tx.query(
        `INSERT INTO ${part("message_events")} (id, message_id, kind, name, at, data)
         SELECT 'mev_' || substr(id, 5, 10) || upper(substr(md5(s || id), 1, 16)), id, 'status', s,
           CASE s WHEN 'sending' THEN sent_at ELSE completed_at END, '{}'::jsonb
         FROM ${part("messages")}, unnest(${related === "full" ? "ARRAY['sending', 'delivered']" : "ARRAY['delivered']"}) AS s`,
      );
      await tx.query(
        `INSERT INTO ${part("events")} (id, tenant_id, type, ordering_key, data, created_at)
         SELECT 'evt_' || substr(id, 5, 10) || upper(substr(md5('e' || id), 1, 16)), tenant_id, 'message.delivered',
           id, jsonb_build_object('message', jsonb_build_object('id', id, 'status', 'delivered', 'to', to_number)),
           completed_at
         FROM ${part("messages")} ${related === "full" ? "" : "WHERE right(twilio_sid, 1) IN ('0', '4', '8', 'c')"}`,
      );
      await tx.query(
        `INSERT INTO message_idempotency_keys (tenant_id, idempotency_key, message_id)
         SELECT tenant_id, idempotency_key, id FROM ${part("messages")} WHERE idempotency_key IS NOT NULL`,
      );
      await tx.query(
        `INSERT INTO message_sids (twilio_sid, message_id) SELECT twilio_sid, id FROM ${part("messages")}`,
      );
    });
    const done = hi;
    const s = (performance.now() - started) / 1000;
    console.error(`  filled ${done.toLocaleString("en-US")} messages in ${s.toFixed(0)} s`);
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  // What a database that grew over a year has had time to do: vacuumed (visibility map, hint
  // bits) and analyzed; measuring right after a bulk load measures autovacuum and checkpoints.
  const vacuumStarted = performance.now();
  await db.exec(
    "VACUUM (ANALYZE) messages, message_attempts, message_events, events, message_idempotency_keys, message_sids",
  );
  await db.exec("CHECKPOINT");
  return { messages: total, seconds, vacuum_seconds: Math.round((performance.now() - vacuumStarted) / 1000) };
}

/** EXPLAIN ANALYZE of the queries that must not scan every month (rolled back: FOR UPDATE). */
export async function plans(db: Db, tenantId: string, laneId: string, now: Date) {
  const sample = await db.one<{ id: string; twilio_sid: string; idempotency_key: string }>(
    `SELECT id, twilio_sid, idempotency_key FROM messages
     WHERE tenant_id = $1 AND idempotency_key IS NOT NULL ORDER BY id LIMIT 1`,
    [tenantId],
  );
  const queries: [string, string, unknown[]][] = [
    [
      "dispatcher claim (claim.ts)",
      `SELECT id FROM messages WHERE lane_id = $1 AND status = 'queued' AND not_before <= $2
       ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED`,
      [laneId, now],
    ],
    [
      "lane next-due hint (claim.ts)",
      "SELECT min(not_before) FROM messages WHERE lane_id = $1 AND status = 'queued'",
      [laneId],
    ],
    ["by id (findMessage)", "SELECT * FROM messages WHERE id = $1 AND tenant_id = $2", [sample.id, tenantId]],
    [
      "by SID (findByTwilioSid)",
      "SELECT * FROM messages WHERE id = (SELECT message_id FROM message_sids WHERE twilio_sid = $1) AND tenant_id = $2",
      [sample.twilio_sid, tenantId],
    ],
    [
      "by idempotency key, step 1 (findByIdempotencyKeys)",
      `SELECT i.message_id FROM message_idempotency_keys i
       JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, ikey) ON i.tenant_id = k.tenant_id AND i.idempotency_key = k.ikey`,
      [[tenantId], [sample.idempotency_key]],
    ],
    ["by idempotency key, step 2", "SELECT * FROM messages WHERE id = ANY($1::text[])", [[sample.id]]],
    [
      "a tenant's newest page (listMessages)",
      "SELECT * FROM messages WHERE tenant_id = $1 ORDER BY id DESC LIMIT 51",
      [tenantId],
    ],
    [
      "timeline (message_events by message)",
      "SELECT * FROM message_events WHERE message_id = $1 ORDER BY at, id",
      [sample.id],
    ],
    [
      "events, newest page (listEvents)",
      "SELECT * FROM events WHERE tenant_id = $1 ORDER BY id DESC LIMIT 51",
      [tenantId],
    ],
  ];
  const out: { what: string; ms: number; planning_ms: number; first_planning_ms: number; plan: string }[] =
    [];
  for (const [what, sql, params] of queries) {
    await db
      .tx(async (tx) => {
        // Twice on one connection: the second is the steady state (the first loads the
        // partitions' catalog entries into this backend).
        const explain = () =>
          tx.query<{ "QUERY PLAN": string }>(
            `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`,
            params,
          );
        const first = await explain();
        const { rows } = await explain();
        const cold = Number(
          /Planning Time: ([\d.]+)/.exec(first.rows.map((r) => r["QUERY PLAN"]).join("\n"))?.[1] ??
            Number.NaN,
        );
        const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
        const ms = Number(/Execution Time: ([\d.]+)/.exec(plan)?.[1] ?? Number.NaN);
        const planning = Number(/Planning Time: ([\d.]+)/.exec(plan)?.[1] ?? Number.NaN);
        out.push({ what, ms, planning_ms: planning, first_planning_ms: cold, plan });
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
  }
  return out;
}

class Rollback extends Error {}

async function main() {
  if (process.env.SUBTEXT_TEST_ENGINE !== "postgres")
    throw new Error("big-tables: set SUBTEXT_TEST_ENGINE=postgres");
  const total = arg("messages", 10_000_000);
  const load = { rate: arg("rate", 100), seconds: arg("seconds", 20), rounds: arg("rounds", 3) };
  const stack = await startStack({ workers: "manual" });
  try {
    const ready = await tenantWithFastLane(stack);
    const lanes = await stack.api("GET", "/v1/lanes", { token: ready.key });
    const laneId = lanes.body.data[0].id;
    const others = await Promise.all([1, 2, 3].map(() => stack.newTenant()));
    const tenants = [
      { id: ready.tenant.id, lane: laneId },
      ...others.map((o) => ({ id: o.tenant.id, lane: laneId })),
    ];
    await stack.db.exec("CHECKPOINT");
    console.error(`empty database: ${load.rate}/s for ${load.rounds} × ${load.seconds} s`);
    const empty = await measureSends(stack.url, ready.key, { ...load, tag: "empty" });
    console.error(`  p50 ${empty.p50_ms} ms, p99 ${empty.p99_ms} ms`);
    console.error(`filling ${total.toLocaleString("en-US")} messages`);
    const related = process.argv.includes("--light") ? "light" : "full";
    const filled = await fill(stack.db, stack.clock.now(), total, tenants, related);
    const size = await stack.db.one<{ size: string }>(
      "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'",
    );
    console.error(`full database (${size.size}): ${load.rate}/s for ${load.rounds} × ${load.seconds} s`);
    const full = await measureSends(stack.url, ready.key, { ...load, tag: "full" });
    console.error(`  p50 ${full.p50_ms} ms, p99 ${full.p99_ms} ms`);
    const explained = await plans(stack.db, ready.tenant.id, laneId, stack.clock.now());
    for (const p of explained)
      console.error(
        `\n-- ${p.what}: ${p.ms} ms (first planning in the connection ${p.first_planning_ms} ms)\n${p.plan}`,
      );
    const result = {
      engine: "postgres",
      messages: total,
      related,
      fill_seconds: filled.seconds,
      vacuum_seconds: filled.vacuum_seconds,
      database_size: size.size,
      load,
      empty,
      full,
      p99_ratio: Number((full.p99_ms / empty.p99_ms).toFixed(2)),
      plans: explained.map(({ plan, ...p }) => p),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
