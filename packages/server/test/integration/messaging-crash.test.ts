/**
 * kill -9 during a burst: every accepted message is delivered exactly once after a restart.
 *
 * The real `subtext start` runs as a child process on the engine under test (PostgreSQL via
 * DATABASE_URL, or the embedded database in a data dir), against an emulator in its own
 * process that outlives the server. The tenant is onboarded first, in this process, on the
 * same database and emulator and on the same port (so the callback URLs Twilio keeps are the
 * server's). Then 2,000 sends with idempotency keys; the server is killed with SIGKILL
 * half-way; it restarts; the requests whose answer was lost are retried with their keys; and
 * the emulator's log must hold exactly one delivered message per recipient.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import type { Db } from "../../src/db/db.js";
import { openPglite } from "../../src/db/pglite.js";
import { ManualClock } from "../../src/jobs/clock.js";
import { defaultOptions } from "../../src/messaging/module.js";
import { onboardReadyTenant } from "../support/onboarding.js";
import { createLogger } from "../../src/kernel/logger.js";
import { openRuntime } from "../../src/app/runtime.js";
import { startServer } from "../../src/app/server.js";
import { sandboxParent } from "../../src/twilio/gateway.js";
import { ENGINE, type TestDb, eventually, openTestDb } from "./harness.js";

/** Reconciliation waits this long before resending a create the killed process left unanswered. */
const RECONCILE_MS = defaultOptions().policy.absentAfterMs + defaultOptions().policy.secondSearchAfterMs;

const BIN = fileURLToPath(new URL("../../bin/subtext.mjs", import.meta.url));
const BURST = 2_000;
const ADMIN = `st_admin_${randomBytes(16).toString("hex")}`;
const MASTER_KEY = randomBytes(32).toString("base64");

let dataDir: string;
let testDb: TestDb | undefined;
let emulator: ChildProcess;
let server: ChildProcess | undefined;
let apiPort: number;
let emuPort: number;
let logs = "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const env = () => ({
  ...process.env,
  PORT: String(apiPort),
  SUBTEXT_EMULATOR_PORT: String(emuPort),
  SUBTEXT_DATA_DIR: dataDir,
  SUBTEXT_ADMIN_TOKEN: ADMIN,
  SUBTEXT_MASTER_KEY: MASTER_KEY,
  LOG_LEVEL: "warn",
  // The burst is one key as fast as it goes: the door's default limits are not what is tested.
  SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "1000000",
  SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "100000000",
  ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
});

function spawnSubtext(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d) => (logs += d));
  child.stderr?.on("data", (d) => (logs += d));
  return child;
}

const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`http://127.0.0.1:${apiPort}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${init.token ?? ADMIN}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });

const emu = async (path: string, init: RequestInit = {}) =>
  (
    await fetch(`http://127.0.0.1:${emuPort}/_emulator/${path}`, {
      ...init,
      headers: { "content-type": "application/json" },
    })
  ).json() as Promise<any>;

async function startSubtext() {
  server = spawnSubtext(["start"]);
  await eventually("the server is ready", async () => (await api("/readyz").catch(() => null))?.ok, {
    tries: 600,
    intervalMs: 50,
  });
}

/** Onboards a tenant in this process, on the database and emulator the child will use. */
async function onboardInProcess() {
  let db: Db;
  if (ENGINE === "postgres") {
    testDb = await openTestDb();
    db = testDb.db;
  } else db = await openPglite(join(dataDir, "pglite"));
  const config = loadConfig({ ...env(), LOG_LEVEL: "silent" } as Record<string, string>);
  const emulatorUrl = `http://127.0.0.1:${emuPort}`;
  const clock = new ManualClock();
  const runtime = await openRuntime({
    config,
    db,
    clock,
    log: createLogger("silent"),
    emulator: { url: emulatorUrl, parent: await sandboxParent(emulatorUrl) },
  });
  const running = await startServer(runtime, "api");
  try {
    const call = async (method: string, path: string, o: { token?: string | null; body?: unknown } = {}) => {
      const res = await api(path, {
        method,
        token: o.token ?? ADMIN,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    };
    const stack = {
      db,
      clock,
      jobs: runtime.services.jobs,
      api: call,
      emulator: {
        control: async (method: string, path: string, body?: unknown) =>
          emu(path.replace(/^\/+/, ""), {
            method,
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
      },
      async newTenant() {
        const t = await call("POST", "/v1/tenants", { body: { name: "Crash test" } });
        const k = await call("POST", `/v1/tenants/${t.body.id}/api-keys`, { body: {} });
        return { tenant: t.body, key: k.body.key as string, keyId: k.body.id as string };
      },
    };
    return await onboardReadyTenant(stack);
  } finally {
    await running.close();
    await runtime.close();
    if (ENGINE === "pglite") await db.close();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "subtext-crash-"));
  apiPort = await freePort();
  emuPort = await freePort();
  emulator = spawnSubtext(["emulator", "--port", String(emuPort), "--data-dir", join(dataDir, "emulator")]);
  await eventually("the emulator is up", async () => (await emu("accounts").catch(() => null))?.accounts, {
    tries: 600,
    intervalMs: 50,
  });
  await emu("throughput", { method: "PUT", body: JSON.stringify({ per_number_mps: 10_000 }) });
  // Status callbacks would double the load without changing what is proved (the emulator's own
  // log says what was delivered); without them, every message in flight at the kill is
  // recovered by reconciliation against Twilio's message list, the path this test is about.
  await emu("faults", {
    method: "POST",
    body: JSON.stringify({ kind: "drop_callbacks", path: "/twilio/messages/status/" }),
  });
}, 120_000);

afterAll(async () => {
  server?.kill("SIGKILL");
  emulator?.kill("SIGKILL");
  await testDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a crash during a burst", () => {
  it("loses no accepted message and sends none twice after kill -9 and a restart", {
    timeout: 300_000 + RECONCILE_MS,
  }, async () => {
    const { tenant, key } = await onboardInProcess();
    await startSubtext();
    const lanes = (await (await api("/v1/lanes", { token: key })).json()) as any;
    const patched = await api(`/v1/lanes/${lanes.data[0].id}`, {
      method: "PATCH",
      body: JSON.stringify({ mps: 400, daily_cap: null }),
    });
    expect(patched.status).toBe(200);

    const to = (i: number) => `+1415650${String(i).padStart(4, "0")}`;
    const send = async (i: number) => {
      const res = await api("/v1/messages", {
        method: "POST",
        token: key,
        headers: { "idempotency-key": `burst-${i}` },
        body: JSON.stringify({ to: to(i), body: `Burst message ${i}` }),
      });
      if (res.status !== 202) throw new Error(`send ${i}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as any).id as string;
    };

    // The burst, 16 at a time; kill -9 once half of it is accepted.
    const accepted = new Map<number, string>();
    let next = 0;
    let killed = false;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < BURST && !killed) {
          const i = next++;
          try {
            accepted.set(i, await send(i));
          } catch {
            // The server died under this request: retried with its key after the restart.
          }
          if (!killed && accepted.size >= BURST / 2) {
            killed = true;
            server!.kill("SIGKILL");
          }
        }
      }),
    );
    if (!killed) server!.kill("SIGKILL");
    if (server!.exitCode === null && server!.signalCode === null)
      await new Promise((r) => server!.once("exit", r));
    const beforeCrash = accepted.size;
    expect(beforeCrash).toBeGreaterThanOrEqual(BURST / 2);

    await startSubtext();
    for (let i = 0; i < BURST; i++) {
      const id = await send(i);
      if (accepted.has(i)) expect(id, `message ${i} kept its id`).toBe(accepted.get(i));
      accepted.set(i, id);
    }

    // Every recipient has exactly one message at Twilio, delivered, once everything has settled.
    const counts = await eventually(
      "every message delivered at Twilio",
      async () => {
        const { messages } = await emu(
          `messages?account_sid=${tenant.subaccount_sid}&direction=outbound-api`,
        );
        const perRecipient = new Map<string, number>();
        for (const m of messages) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
        const delivered = messages.every((m: any) => m.status === "delivered");
        return perRecipient.size === BURST && delivered && perRecipient;
      },
      { tries: 2_400 + RECONCILE_MS / 100, intervalMs: 100 },
    ).catch((err) => {
      throw new Error(`${err.message}\n--- server log ---\n${logs.slice(-4000)}`);
    });
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (let i = 0; i < BURST; i++) expect(counts.get(to(i))).toBe(1);

    // And our side agrees: each accepted message was handed to Twilio, with its SID.
    const handed = await eventually(
      "every message handed over",
      async () => {
        let cursor: string | null = null;
        const seen: string[] = [];
        do {
          const path = `/v1/messages?limit=1000${cursor ? `&cursor=${cursor}` : ""}`;
          const page = (await (await api(path, { token: key })).json()) as {
            data: any[];
            next_cursor: string | null;
          };
          seen.push(...page.data.filter((m) => m.twilio_sid).map((m) => m.id));
          cursor = page.next_cursor;
        } while (cursor);
        return seen.length === BURST && seen;
      },
      { tries: 600, intervalMs: 100 },
    );
    expect(new Set(handed)).toEqual(new Set(accepted.values()));
  });
});
