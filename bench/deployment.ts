/**
 * The scale bench's deployment: the proofs' deployment (packages/server/test/proof/deployment.ts:
 * `subtext start --role …` processes on one PostgreSQL schema or a PGlite data dir, tenants
 * onboarded first on a ManualClock), except that the emulator and the ISV's webhook receiver run
 * in a process of their own (bench/emulator-proc.ts), so the bench process only drives and reads.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Deployment,
  ENGINE,
  type ReadyTenant,
  type TestDb,
  onboardTenants as onboardInProcess,
  openSchema,
} from "../packages/server/test/proof/deployment.js";
import {
  type Proc,
  freePort,
  printed,
  ready,
  spawnSubtext,
} from "../packages/server/test/proof/processes.js";

export { ENGINE, type ReadyTenant };

/** The emulator process: its URL, and questions about Twilio's side answered over IPC. */
export interface EmulatorProcess {
  url: string;
  parent: { sid: string; authToken: string };
  receiverUrl: string;
  child: ChildProcess;
  ask<T = any>(op: string, args?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = fork(fileURLToPath(new URL("./emulator-proc.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx", "--conditions=subtext-source"], // the emulator's sources, not its dist
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let seq = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const ready = new Promise<{ url: string; parent: { sid: string; authToken: string }; receiverUrl: string }>(
    (resolve, reject) => {
      child.on("message", (m: any) => {
        if (m.ready) return resolve(m.ready);
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.error) w?.reject(new Error(`emulator process: ${m.error}`));
        else w?.resolve(m.result);
      });
      child.once("exit", (code) => {
        reject(new Error(`emulator process exited ${code}`));
        for (const w of waiting.values()) w.reject(new Error(`emulator process exited ${code}`));
      });
    },
  );
  const info = await ready;
  return {
    ...info,
    child,
    ask(op, args) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export interface BenchDeployment {
  engine: typeof ENGINE;
  apiUrl: string;
  emulator: EmulatorProcess;
  env: Record<string, string>;
  admin: string;
  procs: Proc[];
  testDb: TestDb | null;
  dataDir: string;
  api: Deployment["api"];
  emu: Deployment["emu"];
  start: Deployment["start"];
  /** Pids of the product's processes (API, workers) now running. */
  productPids(): number[];
  close(): Promise<void>;
}

export async function deploy(extraEnv: Record<string, string> = {}): Promise<BenchDeployment> {
  const dataDir = mkdtempSync(join(tmpdir(), "subtext-bench-"));
  const testDb = ENGINE === "postgres" ? await openSchema() : null;
  const emulator = await startEmulatorProcess();
  const apiPort = await freePort();
  const admin = `st_admin_${randomBytes(16).toString("hex")}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env: Record<string, string> = {
    PORT: String(apiPort),
    SUBTEXT_EMULATOR_PORT: new URL(emulator.url).port,
    SUBTEXT_PUBLIC_URL: apiUrl,
    SUBTEXT_DATA_DIR: dataDir,
    SUBTEXT_ADMIN_TOKEN: admin,
    SUBTEXT_MASTER_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "warn",
    // The bench pushes one key far past any per-key request limit; the limiter still runs.
    SUBTEXT_RATE_LIMIT_REQUESTS_PER_SECOND: "1000000",
    SUBTEXT_RATE_LIMIT_MESSAGES_PER_MINUTE: "100000000",
    ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
    ...extraEnv,
  };
  const procs: Proc[] = [];
  const d: BenchDeployment = {
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
    productPids: () => procs.filter((p) => p.alive() && p.child.pid).map((p) => p.child.pid!),
    async close() {
      await Promise.all(procs.map((p) => p.kill9()));
      await emulator.close();
      await testDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return d;
}

/**
 * Onboards tenants to ready-to-send with the proofs' in-process runtime (ManualClock), which
 * talks to the emulator only over HTTP (its URL and parent account), never to its memory.
 */
export function onboardTenants(d: BenchDeployment, count: number): Promise<ReadyTenant[]> {
  const shim = {
    ...d,
    emulator: {
      url: d.emulator.url,
      parent: d.emulator.parent,
      world: undefined as never,
      close: d.emulator.close,
    },
  } as unknown as Deployment;
  return onboardInProcess(shim, count);
}
