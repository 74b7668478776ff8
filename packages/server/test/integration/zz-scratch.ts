/**
 * kill -9 during a burst: every accepted message is delivered exactly once after a restart.
 *
 * The real `subtext start` runs as a child process on the engine under test (PostgreSQL via
 * DATABASE_URL, or the embedded database in a data dir), against an emulator in its own
 * process that outlives the server. The tenant is onboarded first, in this process, on the
 * same database and emulator and on the same port (so the callback URLs Twilio keeps are the
 * server's). Then 2,000 sends with idempotency keys; the server is killed with SIGKILL
 * half-way; it restarts; the requests whose answer was lost are retried with their keys; and
 * the emulator's log must hold exactly one message per recipient.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { loadConfig } from "../../src/config/config.js";
import type { Db } from "../../src/db/db.js";
import { openPglite } from "../../src/db/pglite.js";
import { ManualClock } from "../../src/jobs/clock.js";
import { onboardReadyTenant } from "../../src/onboarding/testing.js";
import { createLogger } from "../../src/system/logger.js";
import { openRuntime } from "../../src/system/runtime.js";
import { startServer } from "../../src/system/server.js";
import { sandboxParent } from "../../src/twilio/gateway.js";
import { openPostgres } from "../../src/db/postgres.js";
const ENGINE = process.env.SUBTEXT_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
type TestDb = { db: Db; url?: string; drop(): Promise<void> };
async function openTestDb(): Promise<TestDb> { const schema = `t_scr_${randomBytes(4).toString("hex")}`; const db = await openPostgres("postgres://postgres@127.0.0.1:5432/test", { schema }); return { db, url: `postgres://postgres@127.0.0.1:5432/test?options=${encodeURIComponent(`-c search_path=${schema}`)}`, drop: async () => db.close() }; }
async function eventually<T>(what: string, probe: () => Promise<T>, { tries = 200, intervalMs = 25 } = {}): Promise<T> { for (let i = 0; i < tries; i++) { const v = await probe(); if (v) return v; await new Promise((r) => setTimeout(r, intervalMs)); } throw new Error(what); }

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
  ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
});

function spawnSubtext(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [...(args[0] === "start" ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), BIN, ...args], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
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


const expect = (v: any, m?: string) => ({ toBe: (x: any) => { if (v !== x) throw new Error(`${m} ${v} !== ${x}`); }, toBeGreaterThanOrEqual: (x: any) => { if (!(v >= x)) throw new Error(`${v} < ${x}`); }, toEqual: () => {} });
dataDir = mkdtempSync(join(tmpdir(), "subtext-crash-"));
apiPort = await freePort();
emuPort = await freePort();
emulator = spawnSubtext(["emulator", "--port", String(emuPort), "--data-dir", join(dataDir, "emulator")]);
await eventually("the emulator is up", async () => (await emu("accounts").catch(() => null))?.accounts, { tries: 600, intervalMs: 50 });
await emu("throughput", { method: "PUT", body: JSON.stringify({ per_number_mps: 10_000 }) });
const T = performance.now(); const P = (...a: unknown[]) => console.log("PHASE", ((performance.now() - T) / 1000).toFixed(1), ...a);
const { tenant, key } = await onboardInProcess();
P("onboarded");
await startSubtext();
P("started");
const lanes = (await (await api("/v1/lanes", { token: key })).json()) as any;
await api(`/v1/lanes/${lanes.data[0].id}`, { method: "PATCH", body: JSON.stringify({ mps: 400, daily_cap: null }) });
const to = (i: number) => `+1415650${String(i).padStart(4, "0")}`;
let ok = 0, fail = 0;
const timer = setInterval(() => P("accepted", ok, "failed", fail), 2000);
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < 800) {
    const i = next++;
    try {
      const t = performance.now();
      const res = await api("/v1/messages", { method: "POST", token: key, headers: { "idempotency-key": `burst-${i}` }, body: JSON.stringify({ to: to(i), body: `Burst message ${i}` }) });
      if (res.status === 202) ok++; else { fail++; P("status", res.status, await res.text()); }
      const dt = performance.now() - t; if (dt > 3000) P("slow", dt.toFixed(0));
    } catch (err) { fail++; P("err", String((err as any).cause ?? err)); }
  }
}));
clearInterval(timer);
P("done", ok, fail);
server?.kill("SIGTERM"); await new Promise((r) => server!.once("exit", r)); emulator.kill("SIGKILL");
console.log(logs.split("\n").filter((l) => l.startsWith("LAG")).join("\n"));
process.exit(0);
