import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleRegistration } from "../support/onboarding.js";
import { totpCode } from "../../src/staff/totp.js";
import { eventually } from "./harness.js";
import { subtextProcesses } from "./subtext-processes.js";

const ADMIN = `st_admin_${randomBytes(18).toString("hex")}`;
const DAY = 86_400;

const processes = subtextProcesses(ADMIN);
afterAll(processes.close);
const { launch, startSubtext, run } = processes;
const freshEnv = (extra: NodeJS.ProcessEnv = {}) => processes.freshEnv("clock", extra);

async function call(base: string, method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Sandbox time as Subtext and as the emulator see it, in ms. */
async function clocks(s: { api: string; emulator: string; controlToken: string }) {
  const ours = await call(s.api, "GET", "/v1/sandbox/clock", ADMIN);
  expect(ours.status).toBe(200);
  const theirs = await call(s.emulator, "GET", "/_emulator/clock", s.controlToken);
  return { subtext: Date.parse(ours.body.now), emulator: Date.parse(theirs.body.now), view: ours.body };
}

/** How far sandbox time is ahead of real time, in seconds. */
const aheadOf = (at: { subtext: number }) => (at.subtext - Date.now()) / 1000;

/**
 * Both clocks agree, `seconds` ahead of real time (give or take the few seconds a loaded
 * machine takes between the readings).
 */
function expectAhead(at: { subtext: number; emulator: number }, seconds: number) {
  for (const t of [at.subtext, at.emulator]) {
    expect((t - Date.now()) / 1000).toBeGreaterThan(seconds - 10);
    expect((t - Date.now()) / 1000).toBeLessThan(seconds + 10);
  }
  expect(Math.abs(at.subtext - at.emulator)).toBeLessThan(2_000);
}

describe("the sandbox clock with the emulator in Subtext's process (npm start)", { timeout: 120_000 }, () => {
  let env: NodeJS.ProcessEnv;
  let s: Awaited<ReturnType<typeof startSubtext>>;
  // One start for these tests (a first start on the embedded database takes a while): each
  // test measures from the clock it finds.
  beforeAll(async () => {
    env = await freshEnv();
    s = await startSubtext(env);
  }, 180_000);

  it("moves with Subtext's API, the CLI and the emulator's own control API, for the admin only", async () => {
    const before = await clocks(s);
    expect(before.view).toMatchObject({ shared_with_emulator: true });
    expectAhead(before, 0);

    const advanced = await call(s.api, "POST", "/v1/sandbox/clock/advance", ADMIN, { by: "1d" });
    expect(advanced.status).toBe(200);
    expect(advanced.body.offset_seconds).toBeGreaterThanOrEqual(DAY - 5);
    expectAhead(await clocks(s), DAY);

    // The emulator's own advance moves Subtext's clock at once (one clock, not two).
    await call(s.emulator, "POST", "/_emulator/clock/advance", s.controlToken, { seconds: 3_600 });
    expectAhead(await clocks(s), DAY + 3_600);

    // The CLI finds the emulator by SUBTEXT_EMULATOR_PORT and its token in the data dir.
    const cli = await run(
      { ...env, SUBTEXT_EMULATOR_PORT: new URL(s.emulator).port },
      "sandbox",
      "advance",
      "2h",
    );
    expect(cli.out).toMatch(/sandbox time: \S+ \(1d 3h ahead of real time\)/);
    expect(cli.code).toBe(0);
    expectAhead(await clocks(s), DAY + 3 * 3_600);

    const bad = await call(s.api, "POST", "/v1/sandbox/clock/advance", ADMIN, { by: "3 fortnights" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("invalid_duration");
    const tenant = await call(s.api, "POST", "/v1/tenants", ADMIN, { name: "Clock Co" });
    const key = await call(s.api, "POST", `/v1/tenants/${tenant.body.id}/api-keys`, ADMIN, {});
    const refused = await call(s.api, "POST", "/v1/sandbox/clock/advance", key.body.key, { by: "1d" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("admin_required");
    expectAhead(await clocks(s), DAY + 3 * 3_600);
  });

  it("takes a sole proprietor from submission to approved in under a minute of wall time", async () => {
    const tenant = await call(s.api, "POST", "/v1/tenants", ADMIN, { name: "Jane's Bakery" });
    const key = (await call(s.api, "POST", `/v1/tenants/${tenant.body.id}/api-keys`, ADMIN, {})).body.key;
    const doc = sampleRegistration("sole_proprietor") as any;
    const started = Date.now();
    const submitted = await call(s.api, "POST", `/v1/tenants/${tenant.body.id}/registrations`, key, doc);
    expect(submitted.status).toBe(202);
    const path = `/v1/tenants/${tenant.body.id}/registrations/${submitted.body.id}`;
    const mobile = encodeURIComponent(doc.business.mobile_phone_number);

    // What a user does: move the clock a few minutes, look, answer the OTP text when it comes.
    const seen: string[] = [];
    let registration: any;
    for (let _round = 0; Date.now() - started < 60_000; _round++) {
      registration = (await call(s.api, "GET", path, key)).body;
      if (seen.at(-1) !== registration.state) seen.push(registration.state);
      if (registration.state === "approved" || registration.state === "failed") break;
      if (registration.state === "awaiting_otp") {
        await call(s.emulator, "POST", `/_emulator/handsets/${mobile}/otp-reply`, s.controlToken, {
          body: "YES",
        });
      }
      expect((await call(s.api, "POST", "/v1/sandbox/clock/advance", ADMIN, { by: "5m" })).status).toBe(200);
    }
    expect(registration.failure ?? null).toBeNull();
    expect(registration.state).toBe("approved");
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(seen).toContain("awaiting_otp");
    expect(registration.steps.every((step: any) => step.status === "done")).toBe(true);

    // The tenant may send now; a message scheduled an hour ahead goes out once the clock is there.
    const sendAt = new Date((await clocks(s)).subtext + 3_600_000).toISOString();
    const scheduled = await call(s.api, "POST", "/v1/messages", key, {
      to: "+14155550100",
      body: "Jane's Bakery: fresh bread at 7. Reply STOP to opt out.",
      send_at: sendAt,
    });
    expect(scheduled.status).toBe(202);
    expect(scheduled.body.status).toBe("scheduled");
    expect((await call(s.api, "POST", "/v1/sandbox/clock/advance", ADMIN, { by: "1h" })).status).toBe(200);
    const gone = await eventually(
      "the scheduled message to reach Twilio",
      async () => {
        const m = (await call(s.api, "GET", `/v1/messages/${scheduled.body.id}`, key)).body;
        return m.twilio_sid && m;
      },
      { tries: 100, intervalMs: 100 },
    );
    expect(gone.twilio_sid).toMatch(/^SM/);
    expect(gone.error).toBeNull();
  });

  it("keeps people on real time: sign-in codes and sessions do not age with the sandbox", async () => {
    const start = aheadOf(await clocks(s));
    const email = `owner-${randomBytes(3).toString("hex")}@example.com`;
    const password = `Pw-${randomBytes(12).toString("hex")}`;
    const created = await call(s.api, "POST", "/v1/staff/users", ADMIN, {
      email,
      name: "Owner",
      role: "owner",
      password,
    });
    expect(created.status).toBe(201);
    expect((await call(s.api, "POST", "/v1/sandbox/clock/advance", ADMIN, { by: "3d" })).status).toBe(200);

    // The authenticator app shows the code for the phone's (real) time.
    const login = await call(s.api, "POST", "/v1/auth/login", null, { email, password });
    expect(login.status).toBe(200);
    const totp = await call(s.api, "POST", "/v1/auth/totp", null, {
      challenge: login.body.challenge,
      code: totpCode(login.body.totp.secret, new Date()),
      return_token: true,
    });
    expect(totp.status).toBe(200);
    // A session lasts 12 hours of real time, however far the sandbox moves meanwhile.
    expect(
      (await call(s.api, "POST", "/v1/sandbox/clock/advance", totp.body.token, { by: "1d" })).status,
    ).toBe(200);
    const me = await call(s.api, "GET", "/v1/auth/me", totp.body.token);
    expect(me.status).toBe(200);
    expectAhead(await clocks(s), start + 4 * DAY);
  });
});

describe("the sandbox clock with the emulator in a process of its own", { timeout: 180_000 }, () => {
  it("follows the emulator's advance within a few seconds, and moves the emulator when advanced", async () => {
    const controlToken = `st_emu_${randomBytes(18).toString("hex")}`;
    const listening = await launch(
      { PATH: process.env.PATH, HOME: process.env.HOME },
      ["emulator", "--port", "0", "--control-token", controlToken],
      /listening on (\S+)/,
    );
    const emulator = listening[1];
    const s = await startSubtext(
      await freshEnv({
        SUBTEXT_EMULATOR_PORT: new URL(emulator).port,
        SUBTEXT_EMULATOR_CONTROL_TOKEN: controlToken,
      }),
    );
    expect(s.emulator).toBe(emulator); // found, not started

    await call(emulator, "POST", "/_emulator/clock/advance", controlToken, { seconds: 2 * DAY });
    await eventually(
      "Subtext to follow the emulator's clock",
      async () => {
        const at = await clocks(s);
        return Math.abs(at.subtext - at.emulator) < 2_000 && at;
      },
      { tries: 100, intervalMs: 100 },
    );
    expectAhead(await clocks(s), 2 * DAY);

    expect((await call(s.api, "POST", "/v1/sandbox/clock/advance", ADMIN, { by: 3_600 })).status).toBe(200);
    expectAhead(await clocks(s), 2 * DAY + 3_600);
  });
});
