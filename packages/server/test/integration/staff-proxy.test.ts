/**
 * Behind a TLS proxy: the session cookie is `Secure` when the request reached the proxy over
 * https (X-Forwarded-Proto, believed with SUBTEXT_TRUST_PROXY) or the public URL is https, and
 * the client address that sign-in waits are counted under is the proxy's X-Forwarded-For only
 * when the proxy is trusted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/staff/totp.js";
import { type Stack, startStack } from "./harness.js";

const PASSWORD = "correct horse battery";
const EMAIL = "owner@isv.test";

let behindProxy: Stack;
let direct: Stack;
let httpsPublicUrl: Stack;
beforeAll(async () => {
  // One after another: three starting at once overrun plugin start-up timeouts on a busy machine.
  behindProxy = await startStack({ workers: "manual", env: { SUBTEXT_TRUST_PROXY: "true" } });
  direct = await startStack({ workers: "manual" });
  httpsPublicUrl = await startStack({
    workers: "manual",
    env: { SUBTEXT_PUBLIC_URL: "https://subtext.example.com" },
  });
  for (const stack of [behindProxy, direct, httpsPublicUrl]) {
    const owner = await stack.api("POST", "/v1/auth/bootstrap", {
      token: null,
      body: { admin_token: stack.adminToken, email: EMAIL, name: "Olive", password: PASSWORD },
    });
    expect(owner.status).toBe(201);
  }
});
afterAll(() => Promise.all([behindProxy, direct, httpsPublicUrl].map((s) => s?.close())));

const secrets = new Map<Stack, string>();

/** Signs the owner in with `headers` on both steps; returns the Set-Cookie of the session. */
async function sessionCookie(stack: Stack, headers: Record<string, string> = {}): Promise<string> {
  const login = await stack.api("POST", "/v1/auth/login", {
    token: null,
    headers,
    body: { email: EMAIL, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  if (login.body.totp) secrets.set(stack, login.body.totp.secret);
  stack.clock.advance(30_000); // a fresh step: a code is accepted once
  const totp = await stack.api("POST", "/v1/auth/totp", {
    token: null,
    headers,
    body: { challenge: login.body.challenge, code: totpCode(secrets.get(stack)!, stack.clock.now()) },
  });
  expect(totp.status).toBe(200);
  return totp.headers.get("set-cookie")!;
}

const wrongPassword = (stack: Stack, forwardedFor: string) =>
  stack.api("POST", "/v1/auth/login", {
    token: null,
    headers: { "x-forwarded-for": forwardedFor },
    body: { email: EMAIL, password: "wrong password" },
  });

describe("sign-in behind a proxy", () => {
  it("the cookie is Secure when a trusted proxy says the browser used https", async () => {
    expect(await sessionCookie(behindProxy, { "x-forwarded-proto": "https" })).toMatch(/; Secure$/);
    expect(await sessionCookie(behindProxy)).not.toMatch(/Secure/);
  });

  it("an untrusted X-Forwarded-Proto is not believed", async () => {
    expect(await sessionCookie(direct, { "x-forwarded-proto": "https" })).not.toMatch(/Secure/);
  });

  it("an https public URL makes the cookie Secure, the one that signs out too", async () => {
    const cookie = await sessionCookie(httpsPublicUrl);
    expect(cookie).toMatch(/^subtext_session=sts_[^;]+; Path=\/; HttpOnly; SameSite=Strict; .*; Secure$/);
    const out = await httpsPublicUrl.api("POST", "/v1/auth/logout", {
      token: null,
      headers: { cookie: cookie.split(";")[0], "x-requested-with": "subtext" },
    });
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0; Secure$/);
  });

  it("a trusted proxy's X-Forwarded-For is the address that waits; an untrusted one is not", async () => {
    for (let i = 0; i < 6; i++) expect((await wrongPassword(behindProxy, "203.0.113.1")).status).toBe(401);
    expect((await wrongPassword(behindProxy, "203.0.113.1")).body.error.code).toBe("sign_in_throttled");
    expect((await wrongPassword(behindProxy, "203.0.113.2")).status).toBe(401);

    // Without trust, every header value is the same socket address, and all of them wait.
    for (let i = 0; i < 6; i++) expect((await wrongPassword(direct, `203.0.113.${10 + i}`)).status).toBe(401);
    expect((await wrongPassword(direct, "203.0.113.99")).body.error.code).toBe("sign_in_throttled");
  });
});
