/**
 * The send path, measured on the engine in SUBTEXT_TEST_ENGINE (pglite | postgres):
 * - accepted msg/s, single requests (N concurrent clients; group commit) and batches;
 * - end-to-end msg/s to `delivered` with lanes not binding (dispatcher loop, emulator, callbacks);
 * - lane-shaping error over 60 s of simulated time (count vs. rate; worst 1-second window);
 * - status-callback intake per second (signed callbacks posted directly).
 *
 *   SUBTEXT_TEST_ENGINE=postgres npx tsx bench/messaging.ts [--messages 5000] [--concurrency 64]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmulator, twilioSignature } from "subtext-emulator";
import {
  type Db,
  createLogger,
  keyringFromKeys,
  loadConfig,
  ManualClock,
  messagingOf,
  openPglite,
  openPostgres,
  openRuntime,
  startServer,
} from "@subtext/server";
import { type MessagingStack, readyToSend } from "../packages/server/test/support/messaging.js";
import { closedLoop as timed } from "./load.js";

const ENGINE = process.env.SUBTEXT_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
const DATABASE_URL = process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

type Stack = MessagingStack & { url: string; engine: string; close(): Promise<void> };

/**
 * The whole product in this process, as the integration harness builds it (which needs vitest):
 * a fresh database on the engine, an in-memory emulator, the server on a free port, a ManualClock.
 */
export async function startStack(options: { workers: "loop" | "manual" }): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-bench-"));
  const schema = `bench_${randomBytes(4).toString("hex")}`;
  const db: Db =
    ENGINE === "postgres" ? await openPostgres(DATABASE_URL, { schema, max: 10 }) : await openPglite();
  const emulator = await startEmulator({ port: 0 });
  const clock = new ManualClock();
  const adminToken = `st_admin_${randomBytes(16).toString("hex")}`;
  const config = loadConfig({
    PORT: "0",
    SUBTEXT_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    SUBTEXT_ADMIN_TOKEN: adminToken,
    // Measures the send path, not the door: limits it never reaches (on a clock that stands still).
    SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "1000000",
    SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "100000000",
  });
  const runtime = await openRuntime({
    config,
    db,
    clock,
    log: createLogger("silent"),
    keyring: keyringFromKeys([randomBytes(32)]),
    emulator: {
      url: emulator.url,
      parent: { accountSid: emulator.parent.sid, authToken: emulator.parent.authToken },
    },
    jobs: { pollMs: 50 },
  });
  const server = await startServer(runtime, options.workers === "manual" ? "api" : "all");
  const url = server.url!;
  const api = async (method: string, path: string, o: { token?: string | null; body?: unknown } = {}) => {
    const token = o.token === undefined ? adminToken : o.token;
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(o.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text,
      headers: res.headers,
    } as any;
  };
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}/_emulator/${path.replace(/^\/+/, "")}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  };
  return {
    url,
    engine: ENGINE,
    db,
    clock,
    services: runtime.services,
    jobs: runtime.services.jobs,
    api,
    emulator: { control },
    async newTenant() {
      const t = await api("POST", "/v1/tenants", {
        body: { name: `Bench ${randomBytes(3).toString("hex")}` },
      });
      const k = await api("POST", `/v1/tenants/${t.body.id}/api-keys`, { body: {} });
      return { tenant: t.body, key: k.body.key, keyId: k.body.id };
    },
    async close() {
      await server.close();
      await runtime.close();
      await emulator.close();
      await db.close();
      if (ENGINE === "postgres") {
        const admin = new pg.Client({ connectionString: DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function arg(name: string, fallback: number) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const recipient = (block: number, i: number) => `+1${415 + block}555${String(i % 10_000).padStart(4, "0")}`;

export async function tenantWithFastLane(stack: Stack) {
  const ready = await readyToSend(stack);
  const lanes = await stack.api("GET", "/v1/lanes", { token: ready.key });
  await stack.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, { body: { mps: 10_000, daily_cap: null } });
  await stack.emulator.control("PUT", "limits", { concurrency: 10_000 });
  return ready;
}

/** Accepted msg/s: single requests and batches (manual workers: nothing is dispatched meanwhile). */
async function accepted(messages: number, concurrency: number) {
  const stack = await startStack({ workers: "manual" });
  try {
    const { key } = await tenantWithFastLane(stack);
    const committer = messagingOf(stack.services).committer;
    const single = await timed(messages, concurrency, async (i) => {
      const res = await stack.api("POST", "/v1/messages", {
        token: key,
        body: { to: recipient(0, i), body: `Bench ${i}` },
      });
      if (res.status !== 202) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    });
    const groups = {
      ...committer.stats,
      average: Number((committer.stats.items / committer.stats.flushes).toFixed(1)),
    };
    const batchSize = 1_000;
    const batches = Math.max(1, Math.round(messages / batchSize));
    const batch = await timed(batches, 2, async (b) => {
      const body = {
        messages: Array.from({ length: batchSize }, (_, i) => ({
          to: recipient(1, b * batchSize + i),
          body: `Batch ${i}`,
        })),
      };
      const res = await stack.api("POST", "/v1/messages/batch", { token: key, body });
      if (res.status !== 202) throw new Error(`${res.status}`);
    });
    return {
      single: { ...single, concurrency, group_commit: groups },
      batch: {
        per_second: Math.round((batches * batchSize) / batch.seconds),
        batch_size: batchSize,
        p50_ms: batch.p50_ms,
      },
    };
  } finally {
    await stack.close();
  }
}

/** End to end: sends at full speed, the dispatcher loop on a clock that follows real time. */
async function endToEnd(messages: number) {
  const stack = await startStack({ workers: "loop" });
  let follow: NodeJS.Timeout | undefined;
  try {
    const { key, tenant } = await tenantWithFastLane(stack);
    // From here our clock follows real time (the dispatcher's buckets refill with it).
    const base = stack.clock.now().getTime() - performance.now();
    follow = setInterval(() => {
      const target = base + performance.now();
      if (target > stack.clock.now().getTime()) stack.clock.set(new Date(target));
    }, 5);
    const started = performance.now();
    const ids: string[] = [];
    for (let off = 0; off < messages; off += 1_000) {
      const n = Math.min(1_000, messages - off);
      const body = {
        messages: Array.from({ length: n }, (_, i) => ({
          to: recipient(2, off + i),
          body: `E2E ${off + i}`,
        })),
      };
      const res = await stack.api("POST", "/v1/messages/batch", { token: key, body });
      ids.push(...res.body.results.map((r: any) => r.id));
    }
    const delivered = async () =>
      (
        await stack.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::text[]) AND status = 'delivered'",
          [ids],
        )
      ).rows[0].n;
    // Through status callbacks: until all are delivered, or the emulator has nothing left to tell.
    let n = 0;
    let at99: number | null = null;
    for (let i = 0; i < 1_200 && n < messages; i++) {
      n = await delivered();
      if (at99 === null && n >= messages * 0.99) at99 = performance.now();
      if (i % 8 === 7 && n < messages) {
        // Done when Twilio delivered everything and every callback was answered or timed out.
        const sent = await stack.emulator.control(
          "GET",
          `messages?account_sid=${tenant.subaccount_sid}&direction=outbound-api`,
        );
        const { callbacks } = await stack.emulator.control("GET", "callbacks?url=/twilio/messages/status/");
        const twilioDone =
          sent.messages.length === messages && sent.messages.every((m: any) => m.status === "delivered");
        if (twilioDone && callbacks.every((c: any) => c.status !== null || c.error)) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    const viaCallbacks = n;
    // Callbacks lost to timeouts (the emulator fires them all at once; Twilio gives 15 s):
    // reconciliation fetches those statuses after 10 minutes of our clock.
    if (n < messages) {
      clearInterval(follow);
      stack.clock.advance(11 * 60_000);
      await stack.jobs.runDue();
      for (let i = 0; i < 600 && n < messages; i++) {
        stack.clock.advance(10_000);
        await stack.jobs.runDue();
        n = await delivered();
      }
    }
    return {
      messages,
      seconds: Number(seconds.toFixed(1)),
      per_second: Math.round(viaCallbacks / seconds),
      seconds_to_99_percent: at99 === null ? null : Number(((at99 - started) / 1000).toFixed(1)),
      delivered_via_callbacks: viaCallbacks,
      delivered_after_reconciliation: n,
    };
  } finally {
    if (follow) clearInterval(follow);
    await stack.close();
  }
}

/** Lane shaping: 60 s of simulated time at 100 MPS, ticks every 50 ms. */
async function shaping(mps = 100) {
  const stack = await startStack({ workers: "manual" });
  try {
    const { key, tenant } = await readyToSend(stack);
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const lanes = await stack.api("GET", "/v1/lanes", { token: key });
    const lane = (
      await stack.api("PATCH", `/v1/lanes/${lanes.body.data[0].id}`, { body: { mps, daily_cap: null } })
    ).body;
    const total = mps * 70;
    for (let off = 0; off < total; off += 1_000) {
      const body = {
        messages: Array.from({ length: Math.min(1_000, total - off) }, (_, i) => ({
          to: recipient(3, off + i),
          body: "shape",
        })),
      };
      await stack.api("POST", "/v1/messages/batch", { token: key, body });
    }
    const { dispatcher } = messagingOf(stack.services);
    const t0 = stack.clock.now().getTime();
    for (let t = 0; t < 60_000; t += 50) {
      stack.clock.advance(50);
      await dispatcher.tick();
      await new Promise((r) => setImmediate(r));
    }
    await dispatcher.drain();
    const { rows } = await stack.db.query<{ at: Date }>(
      "SELECT started_at AS at FROM message_attempts WHERE tenant_id = $1 AND started_at > $2 ORDER BY started_at",
      [tenant.id, new Date(t0)],
    );
    const times = rows.map((r) => r.at.getTime());
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    const expected = mps * 60;
    return {
      mps,
      burst: lane.burst,
      sent_in_60s: times.length,
      error_percent: Number(((Math.abs(times.length - expected) / expected) * 100).toFixed(2)),
      worst_1s_window: worst,
    };
  } finally {
    await stack.close();
  }
}

/** Status callbacks accepted per second (signed, verified, applied forward-only). */
async function callbackIntake(callbacks: number, concurrency: number) {
  const stack = await startStack({ workers: "manual" });
  try {
    const { key, tenant } = await tenantWithFastLane(stack);
    await stack.emulator.control("POST", "faults", {
      kind: "drop_callbacks",
      path: "/twilio/messages/status/",
    });
    const { accounts } = await stack.emulator.control("GET", "accounts");
    const token = accounts.find((a: any) => a.sid === tenant.subaccount_sid).auth_token;
    const count = Math.ceil(callbacks / 2);
    for (let off = 0; off < count; off += 1_000) {
      const body = {
        messages: Array.from({ length: Math.min(1_000, count - off) }, (_, i) => ({
          to: recipient(4, off + i),
          body: "cb",
        })),
      };
      await stack.api("POST", "/v1/messages/batch", { token: key, body });
    }
    const { dispatcher } = messagingOf(stack.services);
    while ((await dispatcher.tick()) > 0) await dispatcher.drain();
    await dispatcher.drain();
    const { rows } = await stack.db.query<{ sid: string; to_number: string }>(
      "SELECT twilio_sid AS sid, to_number FROM messages WHERE tenant_id = $1 AND twilio_sid IS NOT NULL",
      [tenant.id],
    );
    const url = `${stack.url}/twilio/messages/status/${tenant.id}`;
    const posts = rows.flatMap((m) =>
      ["sent", "delivered"].map((status) => {
        const params = {
          AccountSid: tenant.subaccount_sid,
          MessageSid: m.sid,
          MessageStatus: status,
          To: m.to_number,
        };
        return { params, signature: twilioSignature(token, url, params) };
      }),
    );
    const result = await timed(posts.length, concurrency, async (i) => {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": posts[i].signature,
        },
        body: new URLSearchParams(posts[i].params).toString(),
      });
      if (res.status !== 204) throw new Error(`callback ${res.status}`);
    });
    return { callbacks: posts.length, concurrency, ...result };
  } finally {
    await stack.close();
  }
}

export async function benchMessaging(options: { messages?: number; concurrency?: number } = {}) {
  const messages = options.messages ?? arg("messages", 5_000);
  const concurrency = options.concurrency ?? arg("concurrency", 64);
  return {
    engine: process.env.SUBTEXT_TEST_ENGINE === "postgres" ? "postgres" : "pglite",
    accepted: await accepted(messages, concurrency),
    end_to_end: await endToEnd(Math.min(messages, 2_000)),
    lane_shaping: await shaping(),
    callback_intake: await callbackIntake(Math.min(messages, 4_000), 32),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchMessaging(), null, 2));
  process.exit(0);
}
