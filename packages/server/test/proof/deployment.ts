/**
 * A multi-process deployment for the proofs: one PostgreSQL schema (or a PGlite data dir),
 * the emulator in this process on its own port (so the proof reads Twilio's side with
 * millisecond timestamps), and `subtext start --role …` processes configured the way
 * docs/deploy.md says: same DATABASE_URL, SUBTEXT_MASTER_KEY and SUBTEXT_ADMIN_TOKEN
 * everywhere, SUBTEXT_PUBLIC_URL pointing at the API (workers put it in status callbacks).
 *
 * Tenants are onboarded first by an in-process runtime on the same database and port, moving
 * a ManualClock through Twilio's reviews instead of waiting for them.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "subtext-emulator";
import { loadConfig } from "../../src/config/config.js";
import type { Db } from "../../src/db/db.js";
import { openPglite } from "../../src/db/pglite.js";
import { ManualClock } from "../../src/jobs/clock.js";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import { type OnboardingStack, onboardReadyTenant } from "../support/onboarding.js";
import { createLogger } from "../../src/kernel/logger.js";
import { openRuntime } from "../../src/app/runtime.js";
import { startServer } from "../../src/app/server.js";
import pg from "pg";
import { openPostgres } from "../../src/db/postgres.js";
import { type Proc, freePort, printed, ready, spawnSubtext } from "./processes.js";

/** The engine under test (vitest sets it per project; the benches read it too). No vitest import here. */
export const ENGINE: "pglite" | "postgres" =
  process.env.SUBTEXT_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
const DATABASE_URL = process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDb {
  db: Db;
  /** DATABASE_URL selecting the schema (options=-c search_path=…). */
  url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema and a DATABASE_URL that selects it. */
export async function openSchema(): Promise<TestDb> {
  const schema = `p_${process.pid}_${randomBytes(4).toString("hex")}`;
  const db = await openPostgres(DATABASE_URL, { schema, max: 5 });
  const url = `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    db,
    url,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

export interface Deployment {
  engine: typeof ENGINE;
  apiUrl: string;
  emulator: RunningEmulator;
  env: Record<string, string>;
  admin: string;
  procs: Proc[];
  testDb: TestDb | null;
  dataDir: string;
  api<T = any>(
    method: string,
    path: string,
    o?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  emu<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** Starts `subtext start --role <role>` and waits until it serves (api) or runs (worker). */
  start(role: "api" | "worker" | "all", name: string): Promise<Proc>;
  close(): Promise<void>;
}

export async function deploy(extraEnv: Record<string, string> = {}): Promise<Deployment> {
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-proof-"));
  const testDb = ENGINE === "postgres" ? await openSchema() : null;
  const [apiPort, emuPort] = [await freePort(), await freePort()];
  const emulator = await startEmulator({ port: emuPort });
  const admin = `st_admin_${randomBytes(16).toString("hex")}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env: Record<string, string> = {
    PORT: String(apiPort),
    SUBTEXT_EMULATOR_PORT: String(emuPort),
    SUBTEXT_PUBLIC_URL: apiUrl,
    SUBTEXT_DATA_DIR: dataDir,
    SUBTEXT_ADMIN_TOKEN: admin,
    SUBTEXT_MASTER_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "warn",
    // The proofs and benches push one key far past the default limits (rate-limits.test.ts
    // tests those); the limiter still runs on every request.
    SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "1000000",
    SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "100000000",
    ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
    ...extraEnv,
  };
  const procs: Proc[] = [];
  const d: Deployment = {
    engine: ENGINE,
    apiUrl,
    emulator,
    env,
    admin,
    procs,
    testDb,
    dataDir,
    async api(method, path, o = {}) {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${o.token ?? admin}`,
          ...(o.body === undefined ? {} : { "content-type": "application/json" }),
          ...o.headers,
        },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async emu(method, path, body) {
      const res = await fetch(`${emulator.url}/_emulator/${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async start(role, name) {
      const proc = spawnSubtext(name, ["start", "--role", role], env);
      procs.push(proc);
      if (role === "worker") await printed(proc, /role worker/);
      else await ready(`${apiUrl}/readyz`);
      return proc;
    },
    async close() {
      await Promise.all(procs.map((p) => p.kill9()));
      await emulator.close();
      await testDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return d;
}

export interface ReadyTenant {
  tenant: { id: string; subaccount_sid: string; name: string };
  key: string;
  number: string;
}

/**
 * A runtime in this process on the deployment's database and API port, with a ManualClock:
 * drives onboarding (and jobs) without waiting for real time. Close it before starting processes.
 */
export async function inProcess(d: Deployment, clock = new ManualClock()) {
  const db: Db = d.testDb ? d.testDb.db : await openPglite(join(d.dataDir, "pglite"));
  const runtime = await openRuntime({
    config: loadConfig({ ...d.env, LOG_LEVEL: "silent" }),
    db,
    clock,
    log: createLogger("silent"),
    emulator: {
      url: d.emulator.url,
      parent: { accountSid: d.emulator.parent.sid, authToken: d.emulator.parent.authToken },
    },
  });
  const server = await startServer(runtime, "api");
  const stack: OnboardingStack = {
    db,
    clock,
    jobs: runtime.services.jobs,
    api: (method, path, o = {}) =>
      d
        .api(method, path, { token: o.token ?? undefined, body: o.body })
        .then((r) => ({ ...r, headers: new Headers() })),
    emulator: { control: (method, path, body) => d.emu(method, path, body) },
    async newTenant(input = {}) {
      const t = await d.api("POST", "/v1/tenants", {
        body: { name: input.name ?? `Proof ${randomBytes(2).toString("hex")}` },
      });
      const k = await d.api("POST", `/v1/tenants/${t.body.id}/api-keys`, { body: {} });
      return { tenant: t.body, key: k.body.key as string, keyId: k.body.id as string };
    },
  };
  return {
    stack,
    runtime,
    async close() {
      await server.close();
      await runtime.close();
      if (!d.testDb) await db.close();
    },
  };
}

/**
 * Onboards tenants (a count of sole proprietors, or the given kinds) to ready-to-send in this
 * process, serving on the deployment's API port so the callback URLs Twilio keeps are the
 * deployment's.
 */
export async function onboardTenants(
  d: Deployment,
  kinds: number | RegistrationKind[],
): Promise<ReadyTenant[]> {
  const list: RegistrationKind[] = typeof kinds === "number" ? Array(kinds).fill("sole_proprietor") : kinds;
  const local = await inProcess(d);
  try {
    const out: ReadyTenant[] = [];
    for (const kind of list) {
      const r = await onboardReadyTenant(local.stack, kind);
      out.push({ tenant: r.tenant, key: r.key, number: r.profile.senders[0].phoneNumber });
    }
    return out;
  } finally {
    await local.close();
  }
}

/** Expires the leases a dead process held (its pid is in its worker id), or all of them. */
export async function expireLeases(d: Deployment, pid?: number): Promise<void> {
  const held = pid === undefined ? "locked_by IS NOT NULL" : `locked_by LIKE '%:${pid}:%'`;
  const sql = `UPDATE jobs SET locked_until = now() - interval '1 second' WHERE ${held}`;
  if (d.testDb) return void (await d.testDb.db.query(sql));
  // PGlite: nobody holds the data dir between the kill and the restart.
  const db = await openPglite(join(d.dataDir, "pglite"));
  try {
    await db.query(sql);
  } finally {
    await db.close();
  }
}
