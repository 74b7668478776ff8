/**
 * Dashboard sessions, signed in the way the dashboard does it: password, then the first TOTP
 * code, `return_token` for bearer use. A customer user (staff user with `tenant_id`) acts as
 * its tenant's key, so the isolation proof tries it as a second caller; an operator's staff
 * user acts as the admin token, narrowed by its role.
 */
import { randomBytes } from "node:crypto";
import { totpCode } from "../../src/staff/totp.js";
import type { Stack } from "../integration/harness.js";

export function customerSession(stack: Stack, tenantId: string, role = "admin"): Promise<string> {
  return staffSession(stack, role, tenantId);
}

export function operatorSession(stack: Stack, role: string): Promise<string> {
  return staffSession(stack, role, null);
}

async function staffSession(stack: Stack, role: string, tenantId: string | null): Promise<string> {
  const email = `cu-${randomBytes(4).toString("hex")}@example.com`;
  const password = `Pw-${randomBytes(12).toString("hex")}`;
  const created = await stack.api("POST", "/v1/staff/users", {
    body: { email, name: `${role} user`, role, password, ...(tenantId ? { tenant_id: tenantId } : {}) },
  });
  if (created.status !== 201)
    throw new Error(`staff user: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await stack.api("POST", "/v1/auth/login", { token: null, body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const code = totpCode(login.body.totp.secret, stack.clock.now());
  const totp = await stack.api("POST", "/v1/auth/totp", {
    token: null,
    body: { challenge: login.body.challenge, code, return_token: true },
  });
  if (totp.status !== 200 || !totp.body.token)
    throw new Error(`totp: ${totp.status} ${JSON.stringify(totp.body)}`);
  return totp.body.token;
}
