/**
 * Real `subtext` processes for tests that meet the product as a user does (`subtext start`, the
 * CLI): fresh data dirs and schemas, the banner's URLs, exit codes and output. `close()` kills
 * what is left and removes what was made (call it from afterAll).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE, type TestDb, eventually, openTestDb } from "./harness.js";

export const BIN = fileURLToPath(new URL("../../bin/subtext.mjs", import.meta.url));

export function subtextProcesses(admin: string) {
  const children = new Set<ChildProcess>();
  const cleanups: (() => Promise<void> | void)[] = [];

  /** A fresh data dir (and, on PostgreSQL, a fresh schema), nothing of this machine's configuration. */
  async function freshEnv(prefix: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
    const dataDir = mkdtempSync(join(tmpdir(), `subtext-${prefix}-`));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(SUBTEXT_|TWILIO_|DATABASE_URL|PORT$|LOG_LEVEL)/.test(k),
      ),
    );
    let testDb: TestDb | undefined;
    if (ENGINE === "postgres") testDb = await openTestDb();
    cleanups.push(async () => {
      await testDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return {
      ...clean,
      PORT: "0",
      SUBTEXT_EMULATOR_PORT: "0",
      SUBTEXT_DATA_DIR: dataDir,
      SUBTEXT_ADMIN_TOKEN: admin,
      LOG_LEVEL: "warn",
      ...(testDb ? { DATABASE_URL: testDb.url } : {}),
      ...extra,
    };
  }

  /** Spawns `subtext <args>` and resolves with the first match of `ready` in its output. */
  async function launch(env: NodeJS.ProcessEnv, args: string[], ready: RegExp): Promise<RegExpExecArray> {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", () => reject(new Error(`subtext ${args[0]} exited early:\n${out}`))),
    );
    exited.catch(() => {});
    return Promise.race([
      eventually(`subtext ${args[0]} to be ready`, async () => ready.exec(out), {
        tries: 1200,
        intervalMs: 50,
      }),
      exited,
    ]);
  }

  /** `subtext start`: the API's URL, the emulator's and its control token, from the banner. */
  async function startSubtext(env: NodeJS.ProcessEnv) {
    const m = await launch(env, ["start"], /API:\s+(\S+)[\s\S]*Emulator:\s+(\S+)\s+\(control token: (\S+)\)/);
    return { api: m[1], emulator: m[2], controlToken: m[3] };
  }

  /** Runs `subtext <args>` to its end: its exit code and output. */
  function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
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

  async function close(): Promise<void> {
    for (const child of children) child.kill("SIGKILL");
    for (const cleanup of cleanups) await cleanup();
  }

  return { freshEnv, launch, startSubtext, run, close };
}
