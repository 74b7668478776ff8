import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE, type TestDb, eventually, openTestDb } from "./harness.js";

const BIN = fileURLToPath(new URL("../../bin/subtext.mjs", import.meta.url));

let dataDir: string;
let testDb: TestDb | undefined;
let env: NodeJS.ProcessEnv;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "subtext-cli-"));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SUBTEXT_|TWILIO_|DATABASE_URL|PORT$|LOG_LEVEL)/.test(k)),
  );
  env = { ...clean, PORT: "0", SUBTEXT_EMULATOR_PORT: "0", SUBTEXT_DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  if (ENGINE === "postgres") {
    testDb = await openTestDb();
    env.DATABASE_URL = testDb.url;
  }
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await testDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `subtext start` and resolves once it printed its banner (it listens by then). */
async function start(): Promise<{
  child: ChildProcess;
  output: () => string;
  api: string;
  emulator: string;
  controlToken: string;
}> {
  const child = spawn(process.execPath, [BIN, "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const banner = await Promise.race([
    eventually("the start banner", async () => /Emulator:\s+(\S+)/.test(out) && out, {
      tries: 600,
      intervalMs: 50,
    }),
    exited.then(() => {
      throw new Error(`subtext start exited early:\n${out}`);
    }),
  ]);
  return {
    child,
    output: () => out,
    api: /API:\s+(\S+)/.exec(banner)![1],
    emulator: /Emulator:\s+(\S+)/.exec(banner)![1],
    controlToken: /Emulator:.*\(control token: (\S+)\)/.exec(banner)?.[1] ?? "",
  };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const code = await exited;
  children.delete(child);
  return code;
}

function run(
  ...args: (string | { env: NodeJS.ProcessEnv })[]
): Promise<{ code: number | null; out: string }> {
  const extra = typeof args[0] === "object" ? (args.shift() as { env: NodeJS.ProcessEnv }).env : {};
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...(args as string[])], {
      env: { ...env, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => {
      children.delete(child);
      resolve({ code, out });
    });
  });
}

/** The data dir is 0700 and nothing under it is readable, writable or searchable by others. */
function expectPrivate(dir: string) {
  expect((statSync(dir).mode & 0o777).toString(8)).toBe("700");
  const open: string[] = [];
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.mode & 0o077) open.push(`${(st.mode & 0o777).toString(8)} ${path}`);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  expect(open).toEqual([]);
}

const call = async (base: string, method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe("the subtext command", () => {
  it("starts on a fresh data dir, serves the API with the emulator, and comes back after a restart", async () => {
    const first = await start();
    const adminToken = /Admin token[^:]*:\s+(st_admin_\S+)/.exec(first.output())?.[1];
    expect(adminToken).toBeDefined();
    expect((await fetch(`${first.api}/healthz`)).status).toBe(200);
    expect(statSync(join(dataDir, "master-keys.json")).mode & 0o777).toBe(0o600);

    const tenant = await call(first.api, "POST", "/v1/tenants", adminToken!, { name: "Smoke Co" });
    expect(tenant.status).toBe(201);
    expect(tenant.body.status).toBe("active");
    const key = await call(first.api, "POST", `/v1/tenants/${tenant.body.id}/api-keys`, adminToken!, {});
    expect(key.status).toBe(201);
    const system = await call(first.api, "GET", "/v1/system", adminToken!);
    expect(system.body).toMatchObject({ mode: "sandbox", engine: ENGINE, emulator_url: first.emulator });
    // The banner prints the emulator's control token beside its URL; the control API needs it.
    expect(first.controlToken).toMatch(/^st_emu_\S{24,}$/);
    expect(system.body.emulator_control_token).toBe(first.controlToken);
    expect((await fetch(`${first.emulator}/_emulator/accounts`)).status).toBe(401);
    expect(await stop(first.child)).toBe(0);

    const rotated = await run("rotate-master-key");
    expect(rotated.out).toMatch(/re-encrypted 2 of 2 secrets/);
    const keyFile = JSON.parse(readFileSync(join(dataDir, "master-keys.json"), "utf8"));
    expect(keyFile.keys).toHaveLength(1);

    const second = await start();
    expect(second.output()).not.toMatch(/st_admin_/);
    const again = await call(second.api, "GET", `/v1/tenants/${tenant.body.id}`, key.body.key);
    expect(again.status).toBe(200);
    expect(again.body.subaccount_sid).toBe(tenant.body.subaccount_sid);
    expect(second.controlToken).toBe(first.controlToken); // kept in the data dir
    const accounts = (await (
      await fetch(`${second.emulator}/_emulator/accounts`, {
        headers: { authorization: `Bearer ${second.controlToken}` },
      })
    ).json()) as { accounts: { sid: string }[] };
    expect(accounts.accounts.map((a) => a.sid)).toContain(tenant.body.subaccount_sid);

    const alongside = { SUBTEXT_EMULATOR_PORT: new URL(second.emulator).port };
    if (ENGINE === "postgres") {
      // PostgreSQL serves many processes: admin commands work while the server runs.
      const created = await run({ env: alongside }, "tenants", "create", "Cli Co", "--json");
      expect(created.code).toBe(0);
      const cliTenant = JSON.parse(created.out);
      expect(cliTenant).toMatchObject({ name: "Cli Co", status: "active" });
      const keyOut = await run({ env: alongside }, "keys", "create", cliTenant.id);
      const cliKey = /(sk_test_\S+)/.exec(keyOut.out)![1];
      expect((await call(second.api, "GET", `/v1/tenants/${cliTenant.id}`, cliKey)).status).toBe(200);
      const listed = await run({ env: alongside }, "tenants", "list", "--json");
      expect(JSON.parse(listed.out).map((t: { id: string }) => t.id)).toEqual([cliTenant.id, tenant.body.id]);
    } else {
      // The embedded database serves one process: a second one is refused, clearly.
      const refused = await run({ env: alongside }, "tenants", "list");
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/in use by process \d+/);
    }
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it("keeps the data dir private to its user, also when it pre-existed open to everyone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "subtext-modes-"));
    // As left by an older version under umask 022, or by `cp -r`: 0755 directories, 0666 files.
    mkdirSync(join(dir, "emulator"));
    writeFileSync(join(dir, "emulator", "emulator.jsonl"), "");
    writeFileSync(join(dir, "notes.txt"), "left here");
    for (const path of [dir, join(dir, "emulator")]) chmodSync(path, 0o755);
    for (const path of [join(dir, "notes.txt"), join(dir, "emulator", "emulator.jsonl")])
      chmodSync(path, 0o666);
    const saved = env;
    env = { ...env, SUBTEXT_DATA_DIR: dir };
    try {
      const running = await start();
      expect(running.output()).toMatch(/data_dir\.permissions_fixed/);
      expectPrivate(dir); // while it runs (the embedded database is open)
      expect(await stop(running.child)).toBe(0);
      expectPrivate(dir); // and after it stopped
      if (ENGINE === "pglite") expect(readdirSync(join(dir, "pglite")).length).toBeGreaterThan(10);
    } finally {
      env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("fails fast with a message naming the variable and the fix", async () => {
    const saved = env;
    env = { ...env, PORT: "not-a-port", SUBTEXT_MASTER_KEY: "short" };
    try {
      const res = await run("migrate");
      expect(res.code).not.toBe(0);
      expect(res.out).toContain("PORT");
      expect(res.out).toMatch(/SUBTEXT_MASTER_KEY: .*openssl rand -base64 32/);
    } finally {
      env = saved;
    }
  }, 20_000);
});
