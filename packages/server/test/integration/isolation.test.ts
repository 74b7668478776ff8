import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let a: Awaited<ReturnType<Stack["newTenant"]>>;
let b: Awaited<ReturnType<Stack["newTenant"]>>;

beforeAll(async () => {
  stack = await startStack();
  a = await stack.newTenant({ name: "Tenant A" });
  b = await stack.newTenant({ name: "Tenant B" });
});
afterAll(() => stack?.close());

describe("tenant isolation", () => {
  it("lets a tenant's key read its own tenant and keys", async () => {
    const own = await stack.api("GET", `/v1/tenants/${a.tenant.id}`, { token: a.key });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(a.tenant.id);
    const keys = await stack.api("GET", `/v1/tenants/${a.tenant.id}/api-keys`, { token: a.key });
    expect(keys.body.data.map((k: { id: string }) => k.id)).toEqual([a.keyId]);
  });

  it("answers 404, exactly as for a missing id, when tenant A asks for tenant B", async () => {
    const missing = await stack.api("GET", "/v1/tenants/ten_01JC0000000000000000000000", { token: a.key });
    for (const path of [`/v1/tenants/${b.tenant.id}`, `/v1/tenants/${b.tenant.id}/api-keys`]) {
      const res = await stack.api("GET", path, { token: a.key });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(JSON.stringify(res.body)).not.toContain(b.tenant.name);
    }
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });

  it("keeps admin-only routes closed to tenant keys, whichever tenant they name", async () => {
    const attempts: [string, string, unknown?][] = [
      ["GET", "/v1/tenants"],
      ["POST", "/v1/tenants", { name: "Sneaky" }],
      ["PATCH", `/v1/tenants/${b.tenant.id}`, { status: "suspended" }],
      ["PATCH", `/v1/tenants/${a.tenant.id}`, { status: "closed" }],
      ["POST", `/v1/tenants/${b.tenant.id}/api-keys`, {}],
      ["DELETE", `/v1/tenants/${b.tenant.id}/api-keys/${b.keyId}`],
      ["GET", "/v1/system"],
    ];
    for (const [method, path, body] of attempts) {
      const res = await stack.api(method, path, { token: a.key, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("admin_required");
    }
    // Nothing changed: B is active and its key still works.
    const bSelf = await stack.api("GET", `/v1/tenants/${b.tenant.id}`, { token: b.key });
    expect(bSelf.status).toBe(200);
    expect(bSelf.body.status).toBe("active");
    const all = await stack.api("GET", "/v1/tenants");
    expect(all.body.data).toHaveLength(2);
  });

  it("does not let the admin revoke a key through another tenant's path", async () => {
    const res = await stack.api("DELETE", `/v1/tenants/${a.tenant.id}/api-keys/${b.keyId}`);
    expect(res.status).toBe(404);
    expect((await stack.api("GET", `/v1/tenants/${b.tenant.id}`, { token: b.key })).status).toBe(200);
  });
});
