import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Router } from "../src/http/router.js";
import { type RunningEmulator, emulatorHttpClient, startEmulator } from "../src/index.js";
import { twilioError } from "./setup.js";

const TOKEN = "control-token-for-this-test-0123456789";
const BIN = fileURLToPath(new URL("../bin/subtext-emulator.mjs", import.meta.url));

let closed: RunningEmulator;
let open: RunningEmulator;
beforeAll(async () => {
  [closed, open] = await Promise.all([startEmulator({ controlToken: TOKEN }), startEmulator()]);
});
afterAll(async () => {
  await Promise.all([closed?.close(), open?.close()]);
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
const json = async (res: Promise<Response>): Promise<any> => (await res).json();
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

describe("the control API behind a control token", () => {
  it("answers 401 without the token and never shows an auth token", async () => {
    for (const headers of [
      {},
      bearer("control-token-for-this-test-0123456788"),
      bearer(`${TOKEN}x`),
      { authorization: TOKEN },
      basic(closed.parent.sid, closed.parent.authToken), // Twilio credentials are not the control token
    ]) {
      const res = await get(`${closed.url}/_emulator/accounts`, headers);
      const text = await res.text();
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(text).not.toContain(closed.parent.authToken);
      expect(JSON.parse(text)).toMatchObject({ code: 20003, status: 401 });
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
  });

  it("guards every route under /_emulator/, wherever it is registered, before it runs", async () => {
    const before = await json(get(`${closed.url}/_emulator/clock`, bearer(TOKEN)));
    for (const [method, path] of [
      ["POST", "clock/advance"],
      ["POST", "reset"],
      ["GET", "trusthub/primary-profile"],
      ["GET", "no-such-route"],
    ]) {
      const res = await fetch(`${closed.url}/_emulator/${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "POST" ? JSON.stringify({ seconds: 86_400 }) : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    const after = await json(get(`${closed.url}/_emulator/clock`, bearer(TOKEN)));
    // The emulated clock runs in real time; the refused advance would have added a day.
    expect(Date.parse(after.now) - Date.parse(before.now)).toBeLessThan(60_000);
    const parent = twilio(closed.parent.sid, closed.parent.authToken, {
      httpClient: emulatorHttpClient(closed.url),
    });
    expect((await parent.api.v2010.accounts(closed.parent.sid).fetch()).sid).toBe(closed.parent.sid);
  });

  it("works with the token", async () => {
    const res = await get(`${closed.url}/_emulator/accounts`, bearer(TOKEN));
    expect(res.status).toBe(200);
    const { accounts } = (await res.json()) as { accounts: { sid: string; auth_token: string }[] };
    expect(accounts.find((a) => a.sid === closed.parent.sid)?.auth_token).toBe(closed.parent.authToken);
  });

  it("is open when no token is configured (the standalone default)", async () => {
    const res = await get(`${open.url}/_emulator/accounts`);
    expect(res.status).toBe(200);
  });

  it("refuses an empty or short token instead of silently opening the control API", async () => {
    await expect(startEmulator({ controlToken: "" })).rejects.toThrow(/controlToken/);
    await expect(startEmulator({ controlToken: "short" })).rejects.toThrow(/controlToken/);
  });

  it("refuses to register a credential-free route outside /_emulator/", () => {
    const r = new Router();
    expect(() => r.get("/api/2010-04-01/Secrets.json", () => ({ status: 200 }), { public: true })).toThrow(
      /must live under \/_emulator\//,
    );
  });
});

describe("Twilio's own auth on credential-bearing resources", () => {
  it("a standard API key cannot read its account (and so its auth token); the auth token and a parent can", async () => {
    const parent = twilio(closed.parent.sid, closed.parent.authToken, {
      httpClient: emulatorHttpClient(closed.url),
    });
    const sub = await parent.api.v2010.accounts.create({ friendlyName: "Key holder" });
    const key = await parent.api.v2010.accounts(sub.sid).newKeys.create({ friendlyName: "standard" });
    const asKey = twilio(key.sid, key.secret, {
      accountSid: sub.sid,
      httpClient: emulatorHttpClient(closed.url),
    });
    const denied = await twilioError(asKey.api.v2010.accounts(sub.sid).fetch());
    expect(denied).toMatchObject({ status: 401, code: 20003 });
    const raw = await get(
      `${closed.url}/api/2010-04-01/Accounts/${sub.sid}.json`,
      basic(key.sid, key.secret),
    );
    expect(await raw.text()).not.toContain(sub.authToken);
    // The key still works for what standard keys are for.
    expect((await asKey.api.v2010.accounts(sub.sid).messages.list({ limit: 1 })).length).toBe(0);

    const asSub = twilio(sub.sid, sub.authToken, { httpClient: emulatorHttpClient(closed.url) });
    expect((await asSub.api.v2010.accounts(sub.sid).fetch()).authToken).toBe(sub.authToken);
    expect((await parent.api.v2010.accounts(sub.sid).fetch()).authToken).toBe(sub.authToken);
    const wrong = await get(`${closed.url}/api/2010-04-01/Accounts/${sub.sid}.json`, basic(sub.sid, "x"));
    expect(wrong.status).toBe(401);
  });
});

describe("state on disk", () => {
  it("the journal, which holds every auth token, is private to its owner", async () => {
    const root = mkdtempSync(join(tmpdir(), "subtext-emulator-modes-"));
    const dataDir = join(root, "state");
    const em = await startEmulator({ dataDir, controlToken: TOKEN });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(dataDir)) {
        expect(statSync(join(dataDir, name)).mode & 0o077, name).toBe(0);
      }
    } finally {
      await em.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("subtext-emulator (the command)", () => {
  const children = new Set<ChildProcess>();
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  async function run(
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ url: string; out: () => string }> {
    const child = spawn(process.execPath, [BIN, "--port", "0", ...args], {
      env: { ...process.env, SUBTEXT_EMULATOR_CONTROL_TOKEN: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    for (let i = 0; i < 600; i++) {
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url) return { url, out: () => out };
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`subtext-emulator did not start:\n${out}`);
  }

  it("--control-token (or SUBTEXT_EMULATOR_CONTROL_TOKEN) closes the control API; without it, it is open", async () => {
    const [flag, env, none] = await Promise.all([
      run(["--control-token", TOKEN]),
      run([], { SUBTEXT_EMULATOR_CONTROL_TOKEN: TOKEN }),
      run(["--host", "0.0.0.0"]),
    ]);
    for (const { url } of [flag, env]) {
      expect((await get(`${url}/_emulator/accounts`)).status).toBe(401);
      expect((await get(`${url}/_emulator/accounts`, bearer(TOKEN))).status).toBe(200);
    }
    expect((await get(`${none.url}/_emulator/accounts`)).status).toBe(200);
    for (let i = 0; i < 100 && !/control API is open/.test(none.out()); i++) {
      await new Promise((r) => setTimeout(r, 20)); // the warning goes to stderr, after the banner
    }
    expect(none.out()).toMatch(/warning: the control API is open and listens on 0\.0\.0\.0/);
  }, 60_000);
});
