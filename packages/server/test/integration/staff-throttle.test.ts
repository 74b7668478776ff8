/**
 * Sign-in throttling (staff/throttle.ts): failures buy waits per address and per account
 * instead of locking the account, known and unknown accounts answer alike, and the owner can
 * always get in with the password and a current code. Requests come from chosen addresses
 * through Fastify's inject (`remoteAddress`); time moves on the ManualClock.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/staff/totp.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  const owner = await stack.api("POST", "/v1/auth/bootstrap", {
    token: null,
    body: { admin_token: stack.adminToken, email: "owner@isv.test", name: "Olive", password: PASSWORD },
  });
  expect(owner.status).toBe(201);
});
afterAll(() => stack?.close());

const PASSWORD = "correct horse battery";
const WRONG = "wrong password";

interface Answer {
  status: number;
  body: any;
  retryAfter: string | undefined;
  cookie: string | undefined;
}

async function post(ip: string, path: string, payload: object): Promise<Answer> {
  const res = await stack.server.app!.inject({ method: "POST", url: path, payload, remoteAddress: ip });
  return {
    status: res.statusCode,
    body: res.json(),
    retryAfter: res.headers["retry-after"] as string | undefined,
    cookie: res.headers["set-cookie"] as string | undefined,
  };
}

const login = (ip: string, body: { email: string; password: string; code?: string }) =>
  post(ip, "/v1/auth/login", body);

let addressCount = 0;
/** A fresh client address (documentation ranges, RFC 5737). */
const newAddress = () => `198.51.100.${++addressCount}`;

/** A staff user who has enrolled TOTP; returns its email and TOTP secret. */
async function enrolledUser(): Promise<{ email: string; secret: string }> {
  const email = `u-${randomBytes(4).toString("hex")}@isv.test`;
  const created = await stack.api("POST", "/v1/staff/users", {
    body: { email, name: "User", role: "admin", password: PASSWORD },
  });
  expect(created.status).toBe(201);
  const first = await login(newAddress(), { email, password: PASSWORD });
  expect(first.body.status).toBe("totp_setup_required");
  const secret = first.body.totp.secret;
  const done = await post(newAddress(), "/v1/auth/totp", {
    challenge: first.body.challenge,
    code: totpCode(secret, stack.clock.now()),
  });
  expect(done.status).toBe(200);
  return { email, secret };
}

/** The next 30-second step's code (the current one may have been used). */
function nextCode(secret: string): string {
  stack.clock.advance(30_000);
  return totpCode(secret, stack.clock.now());
}

/** The code of the step after this one, accepted now for clock drift: no need to move the clock. */
const aheadCode = (secret: string) => totpCode(secret, new Date(stack.clock.now().getTime() + 30_000));

/** One wrong password from `ip`, waiting out (on the clock) any 429 first. */
async function failOnce(ip: string, email: string): Promise<void> {
  for (;;) {
    const res = await login(ip, { email, password: WRONG });
    if (res.status === 401) return;
    expect(res.status).toBe(429);
    stack.clock.advance(Number(res.retryAfter) * 1000);
  }
}

describe("staff sign-in throttling", () => {
  it("failures from one address never keep the owner out from another", async () => {
    const { email, secret } = await enrolledUser();
    const attacker = newAddress();
    for (let i = 0; i < 10; i++) await failOnce(attacker, email);
    // Ten failures used to lock the account for everyone, even with the right password.
    const owner = await login(newAddress(), { email, password: PASSWORD });
    expect(owner.status).toBe(200);
    expect(owner.body.status).toBe("totp_required");

    // Keep going until the account's own counter holds a password alone back too…
    let refused: Answer | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      await failOnce(attacker, email);
      const alone = await login(newAddress(), { email, password: PASSWORD });
      if (alone.status === 429) refused = alone;
      else expect(alone.body.status).toBe("totp_required");
    }
    expect(refused?.body.error.code).toBe("account_throttled");
    expect(Number(refused?.retryAfter)).toBeGreaterThan(0);

    // …and the owner still signs in from another address with the password and a code.
    const both = await login(newAddress(), { email, password: PASSWORD, code: aheadCode(secret) });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ status: "signed_in", user: { email } });
    expect(both.cookie).toMatch(/^subtext_session=sts_/);
    // The attacker's address is held back whatever it sends.
    const fromAttacker = await login(attacker, { email, password: PASSWORD, code: aheadCode(secret) });
    expect(fromAttacker.status).toBe(429);
    expect(fromAttacker.body.error.code).toBe("sign_in_throttled");
  });

  it("a known and an unknown account give the same answers all along", async () => {
    const { email: known } = await enrolledUser();
    const unknown = `nobody-${randomBytes(4).toString("hex")}@isv.test`;
    const codes = new Set<string>();
    let [a, b] = [newAddress(), newAddress()];
    for (let i = 0; i < 21; i++) {
      // One pair of addresses long enough for their own waits, then the account's from many.
      if (i >= 8 && i % 3 === 2) [a, b] = [newAddress(), newAddress()];
      // Every third try sends a (wrong) code too, the way in while an account is throttled.
      const extra = i % 3 === 2 ? { code: "123456" } : {};
      const k = await login(a, { email: known, password: WRONG, ...extra });
      const u = await login(b, { email: unknown, password: WRONG, ...extra });
      const seen = (r: Answer) => ({ status: r.status, body: r.body, retryAfter: r.retryAfter });
      expect(seen(k), `try ${i}`).toEqual(seen(u));
      codes.add(k.body.error.code);
      if (k.retryAfter && i % 2 === 0) stack.clock.advance(Number(k.retryAfter) * 1000);
    }
    expect([...codes].sort()).toEqual(["account_throttled", "invalid_login", "sign_in_throttled"]);
  });

  it("one address's failures make it wait longer each time, and it may try again after", async () => {
    const ip = newAddress();
    const { email } = await enrolledUser();
    const someone = () => `x-${randomBytes(4).toString("hex")}@isv.test`;
    // Five failures cost nothing; from the sixth on, each makes the next try wait twice as long.
    for (let i = 0; i < 6; i++)
      expect((await login(ip, { email: someone(), password: WRONG })).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const held = await login(ip, { email: someone(), password: WRONG });
      expect(held.status).toBe(429);
      expect(held.body.error.code).toBe("sign_in_throttled");
      const wait = Number(held.retryAfter);
      waits.push(wait);
      // Even the right password is not looked at while the address waits.
      stack.clock.advance((wait - 1) * 1000);
      expect((await login(ip, { email, password: PASSWORD })).status).toBe(429);
      stack.clock.advance(1000);
      expect((await login(ip, { email: someone(), password: WRONG })).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16]);
    // Once it has waited, the right password works from there again.
    stack.clock.advance(32_000);
    expect((await login(ip, { email, password: PASSWORD })).body.status).toBe("totp_required");
  });

  it("a burst of parallel tries gets no more through than one at a time would", async () => {
    const ip = newAddress();
    const someone = () => `b-${randomBytes(4).toString("hex")}@isv.test`;
    const fromOne = await Promise.all(
      Array.from({ length: 20 }, () => login(ip, { email: someone(), password: WRONG })),
    );
    expect(fromOne.filter((r) => r.status === 401)).toHaveLength(6);
    expect(fromOne.filter((r) => r.body.error?.code === "sign_in_throttled")).toHaveLength(14);

    const { email } = await enrolledUser();
    const atOne = await Promise.all(
      Array.from({ length: 25 }, () => login(newAddress(), { email, password: WRONG })),
    );
    expect(atOne.filter((r) => r.status === 401)).toHaveLength(11);
    expect(atOne.filter((r) => r.body.error?.code === "account_throttled")).toHaveLength(14);
  });

  it("wrong codes make the TOTP step wait too, and a used code stays used", async () => {
    const { email, secret } = await enrolledUser();
    const challenge = (await login(newAddress(), { email, password: PASSWORD })).body.challenge;
    // Spread over addresses, so only the account's wrong-code counter holds them back.
    for (let i = 0; i < 6; i++) {
      const wrong = await post(newAddress(), "/v1/auth/totp", { challenge, code: "000000" });
      expect(wrong.body.error.code).toBe("invalid_totp_code");
    }
    // Not even the right code is looked at while the account's wrong codes wait.
    const held = await post(newAddress(), "/v1/auth/totp", { challenge, code: aheadCode(secret) });
    expect(held.status).toBe(429);
    expect(held.body.error.code).toBe("totp_throttled");
    expect(held.retryAfter).toBe("1");
    stack.clock.advance(1000);
    expect((await post(newAddress(), "/v1/auth/totp", { challenge, code: "000000" })).status).toBe(401);
    const longer = await post(newAddress(), "/v1/auth/totp", { challenge, code: "000000" });
    expect(longer.retryAfter).toBe("2");
    // Password and code together are no way around it: the answer is a plain failure.
    const together = await login(newAddress(), { email, password: PASSWORD, code: aheadCode(secret) });
    expect(together.status).toBe(401);
    expect(together.body.error.code).toBe("invalid_login");

    stack.clock.advance(2000);
    const code = nextCode(secret);
    const ok = await post(newAddress(), "/v1/auth/totp", { challenge, code });
    expect(ok.status).toBe(200);
    const again = (await login(newAddress(), { email, password: PASSWORD })).body.challenge;
    const replay = await post(newAddress(), "/v1/auth/totp", { challenge: again, code });
    expect(replay.body.error.code).toBe("invalid_totp_code");
    const replayAtOnce = await login(newAddress(), { email, password: PASSWORD, code });
    expect(replayAtOnce.body.error.code).toBe("invalid_login");
  });

  it("a new password clears the account's wrong codes", async () => {
    const { email, secret } = await enrolledUser();
    const challenge = (await login(newAddress(), { email, password: PASSWORD })).body.challenge;
    for (let i = 0; i < 8; i++) await post(newAddress(), "/v1/auth/totp", { challenge, code: "000000" });
    const held = await post(newAddress(), "/v1/auth/totp", { challenge, code: "000000" });
    expect(held.body.error.code).toBe("totp_throttled");

    const users = (await stack.api("GET", "/v1/staff/users")).body.data;
    const id = users.find((u: any) => u.email === email).id;
    const reset = await stack.api("PATCH", `/v1/staff/users/${id}`, { body: { password: `${PASSWORD}!` } });
    expect(reset.status).toBe(200);
    const fresh = await login(newAddress(), { email, password: `${PASSWORD}!`, code: nextCode(secret) });
    expect(fresh.body.status).toBe("signed_in");
  });
});
