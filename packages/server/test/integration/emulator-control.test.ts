/**
 * The sandbox emulator's control API (/_emulator/…) lists every subaccount's auth token: the
 * product binds its emulator to loopback, closes the control API with a token it generates
 * per data dir, and shows that token to the admin only.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Env, loadConfig } from "../../src/config/config.js";
import { totpCode } from "../../src/staff/totp.js";
import { createLogger } from "../../src/kernel/logger.js";
import { type Runtime, openRuntime } from "../../src/app/runtime.js";
import { keyringFromKeys } from "../../src/vault/keyring.js";
import { type Stack, type TestDb, openTestDb, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const PASSWORD = "correct horse battery";

describe("GET /v1/system and the emulator's control token", () => {
  it("shows emulator_control_token to the admin in sandbox mode, never to a tenant key", async () => {
    const system = await stack.api("GET", "/v1/system");
    expect(system.status).toBe(200);
    const token = system.body.emulator_control_token;
    expect(token).toBe(stack.emulator.controlToken);
    const { key } = await stack.newTenant();
    const asTenant = await stack.api("GET", "/v1/system", { token: key });
    expect(asTenant.status).toBe(403);
    expect(JSON.stringify(asTenant.body)).not.toContain(token);
  });

  it("the control API needs that token and never shows an auth token without it", async () => {
    const token = (await stack.api("GET", "/v1/system")).body.emulator_control_token;

    const without = await fetch(`${stack.emulator.url}/_emulator/accounts`);
    const text = await without.text();
    expect(without.status).toBe(401);
    expect(text).not.toContain(stack.emulator.parent.authToken);
    const withToken = await fetch(`${stack.emulator.url}/_emulator/accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain(stack.emulator.parent.authToken);
  });

  it("shows it to staff who manage tenants, not to read-only staff", async () => {
    const owner = await stack.api("POST", "/v1/auth/bootstrap", {
      token: null,
      body: { admin_token: stack.adminToken, email: "owner@isv.test", name: "Olive", password: PASSWORD },
    });
    expect(owner.status).toBe(201);
    const ownerSession = await signIn("owner@isv.test");
    const added = await stack.api("POST", "/v1/staff/users", {
      token: ownerSession,
      body: { email: "ro@isv.test", name: "Rita", role: "read_only", password: PASSWORD },
    });
    expect(added.status).toBe(201);
    const readOnly = await stack.api("GET", "/v1/system", { token: await signIn("ro@isv.test") });
    expect(readOnly.status).toBe(200);
    expect(readOnly.body.emulator_url).toBe(stack.emulator.url);
    expect(readOnly.body.emulator_control_token).toBeUndefined();
    const asOwner = await stack.api("GET", "/v1/system", { token: ownerSession });
    expect(asOwner.body.emulator_control_token).toBe(stack.emulator.controlToken);
  });
});

/** A staff session token (password, then TOTP enrolment on first sign-in). */
async function signIn(email: string): Promise<string> {
  const login = await stack.api("POST", "/v1/auth/login", {
    token: null,
    body: { email, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  stack.clock.advance(30_000); // a fresh TOTP step
  const res = await stack.api("POST", "/v1/auth/totp", {
    token: null,
    body: {
      challenge: login.body.challenge,
      code: totpCode(login.body.totp.secret, stack.clock.now()),
      return_token: true,
    },
  });
  expect(res.status).toBe(200);
  return res.body.token;
}

describe("the emulator the product starts in sandbox mode", () => {
  let testDb: TestDb;
  const dirs: string[] = [];
  const runtimes: Runtime[] = [];
  beforeAll(async () => {
    testDb = await openTestDb();
  });
  afterAll(async () => {
    for (const runtime of runtimes.reverse()) await runtime.close();
    await testDb?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "subtext-emulator-control-"));
    dirs.push(dir);
    return dir;
  };
  const open = async (env: Env, emulator: "start" | "discover") => {
    const runtime = await openRuntime({
      config: loadConfig({ PORT: "0", LOG_LEVEL: "silent", ...env }),
      db: testDb.db,
      log: createLogger("silent"),
      keyring: keyringFromKeys([randomBytes(32)]),
      emulator,
    });
    runtimes.push(runtime);
    return runtime;
  };

  it("listens on loopback only, even when HOST is 0.0.0.0, behind a token kept in the data dir", async () => {
    const dir = newDir();
    const port = await freePort();
    const runtime = await open(
      { HOST: "0.0.0.0", SUBTEXT_DATA_DIR: dir, SUBTEXT_EMULATOR_PORT: String(port) },
      "start",
    );
    expect(runtime.services.urls.emulator).toBe(`http://127.0.0.1:${port}`);
    // 127.0.0.2 is loopback too, but a socket bound to 127.0.0.1 does not answer there.
    await expect(fetch(`http://127.0.0.2:${port}/_emulator/clock`)).rejects.toThrow();

    const token = runtime.services.emulatorControlToken!;
    expect(token).toMatch(/^st_emu_\S{24,}$/);
    const file = join(dir, "emulator-control-token");
    expect(readFileSync(file, "utf8").trim()).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const refused = await fetch(`http://127.0.0.1:${port}/_emulator/accounts`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(runtime.emulator!.parent.authToken);
    const allowed = await fetch(`http://127.0.0.1:${port}/_emulator/accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(allowed.status).toBe(200);

    // Another process on the same data dir (a CLI command, a split role) finds it with the token…
    const beside = await open({ SUBTEXT_DATA_DIR: dir, SUBTEXT_EMULATOR_PORT: String(port) }, "discover");
    expect(beside.services.twilio.parentAccountSid).toBe(runtime.emulator!.parent.sid);
    expect(beside.services.emulatorControlToken).toBe(token);
    // …one on another data dir is refused, and told why.
    await expect(
      open({ SUBTEXT_DATA_DIR: newDir(), SUBTEXT_EMULATOR_PORT: String(port) }, "discover"),
    ).rejects.toThrow(/refused this control token.*SUBTEXT_DATA_DIR/);
  });

  it("SUBTEXT_EMULATOR_HOST=0.0.0.0 opens it to the network, still behind the token", async () => {
    const port = await freePort();
    const token = `st_emu_${randomBytes(24).toString("hex")}`;
    await open(
      {
        SUBTEXT_DATA_DIR: newDir(),
        SUBTEXT_EMULATOR_PORT: String(port),
        SUBTEXT_EMULATOR_HOST: "0.0.0.0",
        SUBTEXT_EMULATOR_CONTROL_TOKEN: token,
      },
      "start",
    );
    expect((await fetch(`http://127.0.0.2:${port}/_emulator/accounts`)).status).toBe(401);
    const allowed = await fetch(`http://127.0.0.2:${port}/_emulator/accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(allowed.status).toBe(200);
  });
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
