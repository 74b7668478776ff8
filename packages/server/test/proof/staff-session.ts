/**
 * A dashboard session of a tenant's customer user (staff user with `tenant_id`), signed in the
 * way the dashboard does it: password, then the first TOTP code, `return_token` for bearer use.
 * A customer user acts as its tenant's key, so the isolation proof tries it as a second caller.
 */
import { randomBytes } from "node:crypto";
import { totpCode } from "../../src/staff/totp.js";
import type { Stack } from "../integration/harness.js";

export async function customerSession(stack: Stack, tenantId: string, role = "admin"): Promise<string> {
  const email = `cu-${randomBytes(4).toString("hex")}@example.com`;
  const password = `Pw-${randomBytes(12).toString("hex")}`;
  const created = await stack.api("POST", "/v1/staff/users", {
    body: { email, name: "Customer user", role, password, tenant_id: tenantId },
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
