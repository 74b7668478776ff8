/**
 * Crash safety, with the real server process: `subtext start` registers a tenant; Twilio (the
 * emulator) creates a resource but its answer never arrives (a hang_after fault: the
 * ambiguous attempt); the process is killed with SIGKILL at that moment; a new process
 * resumes the flow, finds the resource by its deterministic name instead of creating it
 * again; an in-process runtime on the same database then drives the rest to ready-to-send
 * (moving a ManualClock instead of waiting for the 30-second settles). Afterwards the
 * emulator holds exactly one of each Twilio resource.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningEmulator, emulatorHttpClient, startEmulator } from "subtext-emulator";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { openPglite } from "../../src/db/pglite.js";
import { ManualClock } from "../../src/jobs/clock.js";
import type { RegistrationKind } from "@subtext/telecom/registration/document";
import { type OnboardingStack, driveRegistrations, sampleRegistration } from "../support/onboarding.js";
import { createLogger } from "../../src/kernel/logger.js";
import { openRuntime } from "../../src/app/runtime.js";
import { startServer } from "../../src/app/server.js";
import { ENGINE, type TestDb, eventually, openTestDb } from "./harness.js";

const BIN = fileURLToPath(new URL("../../bin/subtext.mjs", import.meta.url));
const ADMIN = `admin-${randomBytes(16).toString("hex")}`;
const MASTER_KEY = randomBytes(32).toString("base64");

let emulator: RunningEmulator;
/** Every server process this file spawned, so none outlives a failing test. */
const children = new Set<ChildProcess>();
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await Promise.all([...children].map((c) => kill(c, "SIGKILL")));
  await emulator?.close();
});

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

async function control<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Deployment {
  env: Record<string, string>;
  url: string;
  dataDir: string;
  testDb: TestDb | null;
  api<T = any>(
    method: string,
    path: string,
    o?: { token?: string | null; body?: unknown },
  ): Promise<{ status: number; body: T; headers: Headers }>;
}

async function deployment(): Promise<Deployment> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-crash-"));
  const testDb = ENGINE === "postgres" ? await openTestDb() : null;
  const env: Record<string, string> = {
    PORT: String(port),
    SUBTEXT_DATA_DIR: dataDir,
    SUBTEXT_EMULATOR_PORT: String(new URL(emulator.url).port),
    SUBTEXT_ADMIN_TOKEN: ADMIN,
    SUBTEXT_MASTER_KEY: MASTER_KEY,
    LOG_LEVEL: "silent",
    ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
  };
  const url = `http://127.0.0.1:${port}`;
  const api = async (method: string, path: string, o: { token?: string | null; body?: unknown } = {}) => {
    const token = o.token === undefined ? ADMIN : o.token;
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(o.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return { env, url, dataDir, testDb, api };
}

/** `subtext start` as a child process; resolves once it answers /healthz. */
async function spawnServer(d: Deployment): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "start"], {
    env: { ...process.env, ...d.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let stderr = "";
  child.stderr?.on("data", (c) => {
    stderr += String(c);
  });
  await eventually(
    `the server at ${d.url} to start (${stderr.slice(-500)})`,
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr.slice(-2000)}`);
      return fetch(`${d.url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    { tries: 600, intervalMs: 50 },
  );
  return child;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/**
 * The killed process held its jobs' leases; they would expire after a few minutes. The next
 * process finds them expired: we move that time forward in the rows instead of waiting.
 */
async function expireLeases(d: Deployment) {
  const sql = "UPDATE jobs SET locked_until = now() - interval '1 second' WHERE locked_by IS NOT NULL";
  if (d.testDb) return void (await d.testDb.db.query(sql));
  const db = await openPglite(join(d.dataDir, "pglite"));
  try {
    await db.query(sql);
  } finally {
    await db.close();
  }
}

/** The rest of the flow in this process, on the same database, with a ManualClock. */
async function inProcess(d: Deployment) {
  const clock = new ManualClock(Date.now() + 10 * 60_000);
  const config = loadConfig(d.env);
  const runtime = await openRuntime({
    config,
    clock,
    log: createLogger("silent"),
    emulator: {
      url: emulator.url,
      parent: { accountSid: emulator.parent.sid, authToken: emulator.parent.authToken },
    },
    jobs: { pollMs: 50 },
  });
  const server = await startServer(runtime, "all");
  const stack: OnboardingStack = {
    db: runtime.services.db,
    clock,
    jobs: runtime.services.jobs,
    api: d.api,
    emulator: { control },
    newTenant: () => {
      throw new Error("not used");
    },
  };
  return {
    stack,
    async close() {
      await server.close();
      await runtime.close();
    },
  };
}

async function subaccountClient(subaccountSid: string) {
  const { accounts } = await control("GET", "accounts");
  const account = accounts.find((a: any) => a.sid === subaccountSid);
  return twilio(account.sid, account.auth_token, { httpClient: emulatorHttpClient(emulator.url) });
}

interface Scenario {
  kind: RegistrationKind;
  /** The create call whose answer never arrives (the process dies waiting for it). */
  hang: { path: string; method: "POST" };
  /** The step that created it, and the step where the restarted process stops (a 30-second settle). */
  step: string;
  settle: string;
}

const SCENARIOS: Scenario[] = [
  {
    kind: "sole_proprietor",
    hang: { path: "/trusthub/v1/EndUsers", method: "POST" },
    step: "profile.information",
    settle: "profile.settle",
  },
  {
    kind: "standard",
    hang: { path: "/Addresses.json", method: "POST" },
    step: "profile.address",
    settle: "profile.settle",
  },
  {
    kind: "low_volume_standard",
    hang: { path: "/trusthub/v1/SupportingDocuments", method: "POST" },
    step: "profile.document",
    settle: "profile.settle",
  },
  {
    kind: "toll_free",
    hang: { path: "/messaging/v1/Tollfree/Verifications", method: "POST" },
    step: "tollfree.verification",
    settle: "tollfree.settle",
  },
];

describe("a process killed in the middle of each flow", () => {
  for (const s of SCENARIOS) {
    it(`${s.kind.replace(/_/g, " ")}: resumes after SIGKILL and creates nothing twice`, {
      timeout: 240_000,
    }, async () => {
      const d = await deployment();
      try {
        // 1. The real server starts the flow; the hung create call is where it dies.
        const fault = await control("POST", "faults", {
          kind: "hang_after",
          ...s.hang,
          count: 1,
          latency_ms: 20_000,
        });
        let child = await spawnServer(d);
        const tenant = (await d.api("POST", "/v1/tenants", { body: { name: `crash ${s.kind}` } })).body;
        expect(tenant.status).toBe("active");
        const created = await d.api("POST", `/v1/tenants/${tenant.id}/registrations`, {
          body: sampleRegistration(s.kind),
        });
        expect(created.status).toBe(202);
        const ref = { tenantId: tenant.id, id: created.body.id };
        await eventually("the hung call to reach the emulator", async () => {
          const { faults } = await control("GET", "faults");
          return faults.find((f: any) => f.id === fault.id)?.fired === 1;
        });
        await kill(child, "SIGKILL");
        await control("DELETE", "faults");

        // 2. A new process resumes: the step finds what the dead one created, and goes on.
        await expireLeases(d);
        child = await spawnServer(d);
        const resumed = await eventually(
          `the flow to resume up to ${s.settle}`,
          async () => {
            const view = (await d.api("GET", `/v1/tenants/${ref.tenantId}/registrations/${ref.id}`)).body;
            const settle = view?.steps?.find((x: any) => x.name === s.settle);
            return settle?.status === "waiting" ? view : null;
          },
          { tries: 600, intervalMs: 50 },
        );
        const step = resumed.steps.find((x: any) => x.name === s.step);
        expect(step).toMatchObject({ status: "done", attempts: 2 });
        await kill(child, "SIGKILL");

        // 3. The rest, in this process on the same database, with a clock we can move.
        await expireLeases(d);
        const rest = await inProcess(d);
        try {
          const [done] = await driveRegistrations(rest.stack, [ref]);
          expect(done.state).toBe("approved");
          expect(done.steps.find((x: any) => x.name === s.step).sid).toBe(step.sid);
        } finally {
          await rest.close();
        }
        const client = await subaccountClient(tenant.subaccount_sid);
        const counts = {
          customer_profiles: (await client.trusthub.v1.customerProfiles.list()).length,
          trust_products: (await client.trusthub.v1.trustProducts.list()).length,
          end_users: (await client.trusthub.v1.endUsers.list()).length,
          documents: (await client.trusthub.v1.supportingDocuments.list()).length,
          addresses: (await client.addresses.list()).length,
          brands: (await client.messaging.v1.brandRegistrations.list()).length,
          services: (await client.messaging.v1.services.list()).length,
          numbers: (await client.incomingPhoneNumbers.list()).length,
          verifications: (await client.messaging.v1.tollfreeVerifications.list()).length,
        };
        const tenDlc = s.kind !== "toll_free";
        expect(counts).toEqual({
          customer_profiles: tenDlc ? 1 : 0,
          trust_products: tenDlc ? 1 : 0,
          end_users: s.kind === "sole_proprietor" ? 2 : tenDlc ? 3 : 0,
          documents: tenDlc ? 1 : 0,
          addresses: tenDlc ? 1 : 0,
          brands: tenDlc ? 1 : 0,
          services: 1,
          numbers: 1,
          verifications: tenDlc ? 0 : 1,
        });
      } finally {
        await Promise.all([...children].map((c) => kill(c, "SIGKILL")));
        await d.testDb?.drop();
        rmSync(d.dataDir, { recursive: true, force: true });
      }
    });
  }
});
