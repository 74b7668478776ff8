/**
 * The integration-test harness: the whole product, for real, in this process.
 *
 *   const stack = await startStack();       // in beforeAll
 *   const { tenant, key } = await stack.newTenant();
 *   const res = await stack.api("POST", "/v1/…", { token: key, body: {…} });
 *   await stack.clock.advance(60_000); await stack.jobs.runDue();
 *   await stack.close();                    // in afterAll
 *
 * Each call gets a fresh database: on PostgreSQL a new schema (search_path per connection),
 * on PGlite a new in-memory instance. The engine comes from SUBTEXT_TEST_ENGINE (set per
 * vitest project). The emulator runs in memory on a free port; the server listens on another.
 * Time is a ManualClock: advance it instead of sleeping.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { DestinationStream } from "pino";
import { type RunningEmulator, startEmulator } from "subtext-emulator";
import { vi } from "vitest";
import { type Env, loadConfig } from "../../src/config/config.js";
import type { Db, Engine } from "../../src/db/db.js";
import type { Clock } from "../../src/jobs/clock.js";
import { dumpEmptyPglite, openPglite } from "../../src/db/pglite.js";
import { openPostgres } from "../../src/db/postgres.js";
import { ManualClock } from "../../src/jobs/clock.js";
import type { JobRunner } from "../../src/jobs/runner.js";
import { createLogger } from "../../src/kernel/logger.js";
import { type Runtime, openRuntime } from "../../src/app/runtime.js";
import { type RunningServer, startServer } from "../../src/app/server.js";
import { existingEmulatorControlToken } from "../../src/sandbox/emulator-token.js";
import type { Services } from "../../src/kernel/services.js";
import { keyringFromKeys } from "../../src/vault/keyring.js";

// vitest's inline projects do not inherit the root testTimeout/hookTimeout (60 s/120 s): a
// stack starts in ~1 s, but a loaded CI machine can take many times that.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

export const ENGINE: Engine = process.env.SUBTEXT_TEST_ENGINE === "postgres" ? "postgres" : "pglite";
export const TEST_DATABASE_URL =
  process.env.SUBTEXT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Rate limits no test of other things reaches (they still run on every request). */
export const GENEROUS_RATE_LIMITS = {
  SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "1000000",
  SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "100000000",
};

export interface TestDb {
  db: Db;
  /** PostgreSQL only: the schema of this database and a DATABASE_URL that selects it. */
  schema?: string;
  url?: string;
  /** Closes the connection and drops the schema. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the engine under test (not migrated). */
export async function openTestDb(): Promise<TestDb> {
  if (ENGINE === "pglite") {
    const db = await openPglite(undefined, { loadDataDir: await emptyPgliteTemplate() });
    return { db, drop: () => db.close() };
  }
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const db = await openPostgres(TEST_DATABASE_URL, { schema, max: 5 });
  const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    db,
    schema,
    url,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * initdb in WebAssembly takes 1.5–3 s; loading a dump of a fresh database takes ~0.4 s. The
 * dump is made once per machine and PGlite version, and shared by every test file.
 */
async function emptyPgliteTemplate(): Promise<Blob> {
  const version = JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../package.json", import.meta.resolve("@electric-sql/pglite"))),
      "utf8",
    ),
  ).version;
  const path = join(tmpdir(), `subtext-pglite-empty-${version}.tar`);
  if (!existsSync(path)) {
    const dump = Buffer.from(await (await dumpEmptyPglite()).arrayBuffer());
    const tmp = `${path}.${process.pid}`;
    writeFileSync(tmp, dump);
    renameSync(tmp, path);
  }
  return new Blob([readFileSync(path)]);
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiOptions {
  /** Bearer token; defaults to the admin token; null sends no Authorization header. */
  token?: string | null;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  /** Sent as is (e.g. malformed JSON), with Content-Type application/json unless overridden. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface Stack {
  url: string;
  adminToken: string;
  engine: Engine;
  emulator: {
    url: string;
    parent: { sid: string; authToken: string };
    /** Its control API answers only with `Authorization: Bearer <controlToken>`. */
    controlToken: string;
    running: RunningEmulator;
    /** Calls the emulator's control API (/_emulator/…). */
    control<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  };
  db: Db;
  testDb: TestDb;
  clock: ManualClock;
  services: Services;
  jobs: JobRunner;
  runtime: Runtime;
  server: RunningServer;
  api<T = any>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  /** Creates an active tenant and an API key for it through the API. */
  newTenant(input?: {
    name?: string;
    environment?: string;
  }): Promise<{ tenant: any; key: string; keyId: string }>;
  close(): Promise<void>;
}

/** A stack on the product's own sandbox clock (`startStack({ clock: "sandbox" })`). */
export interface SandboxStack extends Omit<Stack, "clock"> {
  /** The emulator's clock: moved by POST /v1/sandbox/clock/advance, the CLI or the emulator's control API. */
  clock: Clock;
  /** What `subtext start` would use as SUBTEXT_DATA_DIR (it holds `emulator-control-token`). */
  dataDir: string;
}

export interface StackOptions {
  /** "loop" (default): the worker polls like in production; "manual": only runDue() runs jobs. */
  workers?: "loop" | "manual";
  /** Extra environment for loadConfig (e.g. SUBTEXT_PUBLIC_URL). */
  env?: Env;
  /** Where the logs go, at every level (e.g. to capture them); default: silent, or SUBTEXT_TEST_LOG. */
  logTo?: DestinationStream;
  /**
   * "manual" (default): a ManualClock the test moves, and an emulator the harness starts.
   * "sandbox": as after `npm start`: the runtime starts the emulator (its control token generated
   * into the data dir) and runs on its clock, which real time moves and so do the sandbox routes,
   * `subtext sandbox advance` and the emulator's own control API. For tests that drive the product
   * as its users do (the docs' examples).
   */
  clock?: "manual" | "sandbox";
}

export async function startStack(options: StackOptions & { clock: "sandbox" }): Promise<SandboxStack>;
export async function startStack(options?: StackOptions & { clock?: "manual" }): Promise<Stack>;
export async function startStack(options: StackOptions = {}): Promise<Stack | SandboxStack> {
  const sandbox = options.clock === "sandbox";
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-test-"));
  const testDb = await openTestDb();
  // The control API is closed, as in the product's sandbox: every control() call sends the token.
  let controlToken = `st_emu_${randomBytes(24).toString("base64url")}`;
  const ownEmulator = sandbox ? null : await startEmulator({ port: 0, controlToken });
  const clock = sandbox ? undefined : new ManualClock();
  const config = loadConfig({
    PORT: "0",
    SUBTEXT_DATA_DIR: dataDir,
    ...(sandbox ? { SUBTEXT_EMULATOR_PORT: "0" } : {}),
    LOG_LEVEL: "silent",
    // The ManualClock stands still unless a test moves it, so a rate-limit window never ends:
    // tests of other things get limits they never reach (rate-limits.test.ts sets its own).
    ...GENEROUS_RATE_LIMITS,
    ...options.env,
  });
  const log = options.logTo
    ? createLogger("trace", options.logTo)
    : createLogger((process.env.SUBTEXT_TEST_LOG as "info" | undefined) ?? "silent");
  let runtime: Runtime | undefined;
  try {
    runtime = await openRuntime({
      config,
      db: testDb.db,
      clock,
      log,
      keyring: keyringFromKeys([randomBytes(32)]),
      emulator: ownEmulator
        ? {
            url: ownEmulator.url,
            parent: { accountSid: ownEmulator.parent.sid, authToken: ownEmulator.parent.authToken },
            controlToken,
          }
        : "start",
      jobs: { pollMs: 50 },
      issueAdminToken: true,
    });
    // In the sandbox the runtime started the emulator, and it closes it.
    const emulator = ownEmulator ?? runtime.emulator!;
    if (sandbox) controlToken = existingEmulatorControlToken(config)!;
    const server = await startServer(runtime, options.workers === "manual" ? "api" : "all");
    const url = server.url!;
    const adminToken = runtime.newAdminToken!;
    const rt = runtime;

    const api = async <T = any>(
      method: string,
      path: string,
      o: ApiOptions = {},
    ): Promise<ApiResponse<T>> => {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? adminToken : o.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers["content-type"] ??= "application/json";
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
      return { status: res.status, body: parsed as T, headers: res.headers };
    };

    const control = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${emulator.url}/_emulator/${path.replace(/^\/+/, "")}`, {
        method,
        headers: {
          authorization: `Bearer ${controlToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };

    let closed = false;
    return {
      dataDir,
      url,
      adminToken,
      engine: ENGINE,
      emulator: { url: emulator.url, parent: emulator.parent, controlToken, running: emulator, control },
      db: testDb.db,
      testDb,
      clock: clock ?? rt.services.clock,
      services: rt.services,
      jobs: rt.services.jobs,
      runtime: rt,
      server,
      api,
      async newTenant(input = {}) {
        const created = await api("POST", "/v1/tenants", {
          body: { name: input.name ?? `Tenant ${randomBytes(3).toString("hex")}`, ...input },
        });
        if (created.status !== 201 || created.body.status !== "active") {
          throw new Error(`tenant creation failed: ${created.status} ${JSON.stringify(created.body)}`);
        }
        const key = await api("POST", `/v1/tenants/${created.body.id}/api-keys`, { body: {} });
        if (key.status !== 201)
          throw new Error(`key creation failed: ${key.status} ${JSON.stringify(key.body)}`);
        return { tenant: created.body, key: key.body.key, keyId: key.body.id };
      },
      async close() {
        if (closed) return;
        closed = true;
        await server.close();
        await rt.close();
        await ownEmulator?.close();
        await testDb.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await runtime?.close();
    await ownEmulator?.close();
    await testDb.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Waits for a condition that another process or the event loop brings about, polling a
 * bounded number of times (no fixed sleeps): throws with `what` if it never holds.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { tries = 200, intervalMs = 25 } = {},
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for: ${what}`);
}
