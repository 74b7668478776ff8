import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/staff/totp.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const PASSWORD = "correct horse battery";

async function signIn(email: string, password = PASSWORD): Promise<{ cookie: string; token: string }> {
  const login = await stack.api("POST", "/v1/auth/login", { token: null, body: { email, password } });
  expect(login.status).toBe(200);
  const secret = login.body.totp?.secret ?? secrets.get(email);
  if (login.body.totp) secrets.set(email, login.body.totp.secret);
  stack.clock.advance(30_000); // a new TOTP step: a code is accepted once
  const code = totpCode(secret!, stack.clock.now());
  const res = await stack.api("POST", "/v1/auth/totp", {
    token: null,
    body: { challenge: login.body.challenge, code, return_token: true },
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  return { cookie, token: res.body.token };
}
const secrets = new Map<string, string>();

async function addStaff(body: Record<string, unknown>) {
  const res = await stack.api("POST", "/v1/staff/users", { body: { password: PASSWORD, ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

describe("staff sign-in", () => {
  it("the first owner is created with the admin token, once", async () => {
    expect((await stack.api("GET", "/v1/auth/setup", { token: null })).body.needs_bootstrap).toBe(true);
    const bad = await stack.api("POST", "/v1/auth/bootstrap", {
      token: null,
      body: { admin_token: "nope", email: "o@isv.test", name: "Olive", password: PASSWORD },
    });
    expect(bad.status).toBe(401);
    const ok = await stack.api("POST", "/v1/auth/bootstrap", {
      token: null,
      body: { admin_token: stack.adminToken, email: "Owner@ISV.test", name: "Olive", password: PASSWORD },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ email: "owner@isv.test", role: "owner", totp_enabled: false });
    const again = await stack.api("POST", "/v1/auth/bootstrap", {
      token: null,
      body: { admin_token: stack.adminToken, email: "x@isv.test", name: "X", password: PASSWORD },
    });
    expect(again.status).toBe(409);
  });

  it("a password alone never opens a session: the TOTP code does, and enrolls TOTP the first time", async () => {
    const login = await stack.api("POST", "/v1/auth/login", {
      token: null,
      body: { email: "owner@isv.test", password: PASSWORD },
    });
    expect(login.body.status).toBe("totp_setup_required");
    expect(login.body.totp.otpauth_url).toMatch(/^otpauth:\/\/totp\/Subtext%3Aowner%40isv\.test\?secret=/);
    expect((await stack.api("GET", "/v1/auth/me", { token: login.body.challenge })).status).toBe(401);

    const wrong = await stack.api("POST", "/v1/auth/totp", {
      token: null,
      body: { challenge: login.body.challenge, code: "000000" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_totp_code");

    const code = totpCode(login.body.totp.secret, stack.clock.now());
    const ok = await stack.api("POST", "/v1/auth/totp", {
      token: null,
      body: { challenge: login.body.challenge, code },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.totp_enabled).toBe(true);
    expect(ok.headers.get("set-cookie")).toMatch(
      /^subtext_session=sts_[^;]+; Path=\/; HttpOnly; SameSite=Strict/,
    );
    secrets.set("owner@isv.test", login.body.totp.secret);

    const reused = await stack.api("POST", "/v1/auth/totp", {
      token: null,
      body: { challenge: login.body.challenge, code },
    });
    expect(reused.body.error.code).toBe("challenge_expired");

    const next = await stack.api("POST", "/v1/auth/login", {
      token: null,
      body: { email: "owner@isv.test", password: PASSWORD },
    });
    expect(next.body.status).toBe("totp_required");
    const replay = await stack.api("POST", "/v1/auth/totp", {
      token: null,
      body: { challenge: next.body.challenge, code },
    });
    expect(replay.status).toBe(401);
  });

  it("a cookie session acts as the admin token, and changes need the dashboard's header", async () => {
    const { cookie } = await signIn("owner@isv.test");
    const me = await stack.api("GET", "/v1/auth/me", { token: null, headers: { cookie } });
    expect(me.body).toMatchObject({
      kind: "staff",
      user: { role: "owner" },
      permissions: { manage_staff: true },
    });
    const forged = await stack.api("POST", "/v1/tenants", {
      token: null,
      headers: { cookie },
      body: { name: "Acme" },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("csrf_check_failed");
    const created = await stack.api("POST", "/v1/tenants", {
      token: null,
      headers: { cookie, "x-requested-with": "subtext" },
      body: { name: "Acme" },
    });
    expect(created.status).toBe(201);

    const out = await stack.api("POST", "/v1/auth/logout", {
      token: null,
      headers: { cookie, "x-requested-with": "subtext" },
    });
    expect(out.status).toBe(204);
    expect((await stack.api("GET", "/v1/tenants", { token: null, headers: { cookie } })).status).toBe(401);
  });

  it("roles narrow what a session may do", async () => {
    await addStaff({ email: "ro@isv.test", name: "Rita", role: "read_only" });
    await addStaff({ email: "dev@isv.test", name: "Dev", role: "developer" });
    const ro = await signIn("ro@isv.test");
    const dev = await signIn("dev@isv.test");
    expect((await stack.api("GET", "/v1/tenants", { token: ro.token })).status).toBe(200);
    const refused = await stack.api("POST", "/v1/tenants", { token: ro.token, body: { name: "Nope" } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("role_forbidden");
    expect(
      (await stack.api("POST", "/v1/tenants", { token: dev.token, body: { name: "Nope" } })).status,
    ).toBe(403);
    expect((await stack.api("GET", "/v1/staff/users", { token: dev.token })).status).toBe(403);
    expect(
      (await stack.api("GET", "/v1/staff/users", { token: (await signIn("owner@isv.test")).token })).status,
    ).toBe(200);
  });

  it("a customer user sees only its own tenant", async () => {
    const mine = await stack.newTenant({ name: "Mine" });
    const other = await stack.newTenant({ name: "Other" });
    await addStaff({ email: "cust@mine.test", name: "Cass", role: "admin", tenant_id: mine.tenant.id });
    const { token } = await signIn("cust@mine.test");
    const me = await stack.api("GET", "/v1/auth/me", { token });
    expect(me.body).toMatchObject({ tenant: { id: mine.tenant.id }, permissions: { manage_tenants: false } });
    expect((await stack.api("GET", `/v1/tenants/${mine.tenant.id}`, { token })).status).toBe(200);
    expect((await stack.api("GET", `/v1/tenants/${other.tenant.id}`, { token })).status).toBe(404);
    expect((await stack.api("GET", "/v1/tenants", { token })).status).toBe(403);
  });

  // Failed sign-ins and their waits: staff-throttle.test.ts.
  it("the last owner cannot be demoted", async () => {
    const owners = (await stack.api("GET", "/v1/staff/users")).body.data.filter(
      (u: any) => u.role === "owner",
    );
    const demote = await stack.api("PATCH", `/v1/staff/users/${owners[0].id}`, { body: { role: "admin" } });
    expect(demote.body.error.code).toBe("last_owner");
  });
});
