/**
 * Live mode keeps real time: no clock is shared with an emulator, and the sandbox clock's routes
 * answer `sandbox_only`. (No call reaches Twilio: the credentials are never used here.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { systemClock } from "../../src/jobs/clock.js";
import { createLogger } from "../../src/kernel/logger.js";
import { type Runtime, openRuntime } from "../../src/app/runtime.js";
import { type RunningServer, startServer } from "../../src/app/server.js";
import { keyringFromKeys } from "../../src/vault/keyring.js";
import { type TestDb, openTestDb } from "./harness.js";

const ADMIN = `st_admin_${randomBytes(18).toString("hex")}`;
let dataDir: string;
let testDb: TestDb;
let runtime: Runtime;
let server: RunningServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "subtext-live-"));
  testDb = await openTestDb();
  const config = loadConfig({
    PORT: "0",
    SUBTEXT_DATA_DIR: dataDir,
    SUBTEXT_ADMIN_TOKEN: ADMIN,
    TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString("hex")}`,
    TWILIO_AUTH_TOKEN: randomBytes(16).toString("hex"),
    SUBTEXT_PRIMARY_PROFILE_SID: `BU${randomBytes(16).toString("hex")}`,
  });
  runtime = await openRuntime({
    config,
    db: testDb.db,
    log: createLogger("silent"),
    keyring: keyringFromKeys([randomBytes(32)]),
  });
  server = await startServer(runtime, "api");
});
afterAll(async () => {
  await server?.close();
  await runtime?.close();
  await testDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe("the sandbox clock in live mode", () => {
  it("does not exist: Subtext runs on the system clock and the routes answer sandbox_only", async () => {
    expect(runtime.services.config.mode).toBe("live");
    expect(runtime.services.clock).toBe(systemClock);
    expect(runtime.services.sandboxClock).toBeUndefined();
    for (const [method, path, body] of [
      ["GET", "/v1/sandbox/clock", undefined],
      ["POST", "/v1/sandbox/clock/advance", { by: "3d" }],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.body.error.code).toBe("sandbox_only");
    }
  });
});
