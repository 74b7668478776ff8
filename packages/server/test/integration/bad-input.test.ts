import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let tenant: { id: string };
let key: string;
let keyId: string;

beforeAll(async () => {
  stack = await startStack();
  ({ tenant, key, keyId } = await stack.newTenant({ name: "Steady" }));
});
afterAll(() => stack?.close());

/** Everything bad input could touch: rows and the emulator's accounts. */
async function snapshot() {
  const tenants = await stack.db.query("SELECT id, name, status, updated_at FROM tenants ORDER BY id");
  const keys = await stack.db.query("SELECT id, revoked_at FROM api_keys ORDER BY id");
  const accounts = await stack.emulator.control("GET", "accounts");
  return JSON.stringify([tenants.rows, keys.rows, accounts]);
}

describe("bad input gets a clear 4xx with a stable code and changes nothing", () => {
  const cases: {
    name: string;
    method: string;
    path: () => string;
    raw?: string;
    body?: unknown;
    headers?: Record<string, string>;
    status: number;
    code: string;
    detail?: object;
  }[] = [
    {
      name: "malformed JSON",
      method: "POST",
      path: () => "/v1/tenants",
      raw: '{"name": "x",',
      status: 400,
      code: "malformed_json",
    },
    {
      name: "an empty JSON body",
      method: "POST",
      path: () => "/v1/tenants",
      raw: "",
      status: 400,
      code: "malformed_json",
    },
    {
      name: "a JSON array instead of an object",
      method: "POST",
      path: () => "/v1/tenants",
      body: [{ name: "x" }],
      status: 400,
      code: "invalid_request",
    },
    {
      name: "a wrong type",
      method: "POST",
      path: () => "/v1/tenants",
      body: { name: 42 },
      status: 400,
      code: "invalid_request",
      detail: { path: "/name", code: "wrong_type" },
    },
    {
      name: "a value outside an enum",
      method: "POST",
      path: () => "/v1/tenants",
      body: { name: "ok", environment: "prod" },
      status: 400,
      code: "invalid_request",
      detail: { path: "/environment", code: "not_allowed" },
    },
    {
      name: "an unknown field",
      method: "POST",
      path: () => "/v1/tenants",
      body: { name: "ok", plan: "gold" },
      status: 400,
      code: "invalid_request",
      detail: { path: "/plan", code: "unknown_field" },
    },
    {
      name: "a missing required field",
      method: "POST",
      path: () => "/v1/tenants",
      body: {},
      status: 400,
      code: "invalid_request",
      detail: { path: "/name", code: "required" },
    },
    {
      name: "a blank name",
      method: "POST",
      path: () => "/v1/tenants",
      body: { name: "   " },
      status: 400,
      code: "invalid_request",
    },
    {
      name: "an oversized body",
      method: "POST",
      path: () => "/v1/tenants",
      body: { name: "x".repeat(1_100_000) },
      status: 413,
      code: "payload_too_large",
    },
    {
      name: "a non-JSON content type",
      method: "POST",
      path: () => "/v1/tenants",
      raw: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      status: 415,
      code: "unsupported_media_type",
    },
    {
      name: "a NUL character",
      method: "POST",
      path: () => "/v1/tenants",
      body: { name: "Nul\u0000Co" },
      status: 400,
      code: "invalid_characters",
      detail: { path: "/name", code: "invalid_characters" },
    },
    {
      name: "a lone UTF-16 surrogate",
      method: "POST",
      path: () => "/v1/tenants",
      raw: '{"name": "half \\ud800 a pair"}',
      status: 400,
      code: "invalid_characters",
      detail: { path: "/name" },
    },
    {
      name: "a NUL character in a path parameter",
      method: "GET",
      path: () => "/v1/tenants/ten_%00",
      status: 400,
      code: "invalid_characters",
    },
    {
      name: "a body nested thousands of levels deep",
      method: "PATCH",
      path: () => `/v1/tenants/${tenant.id}`,
      raw: `{"name": ${"[".repeat(5000)}${"]".repeat(5000)}}`,
      status: 400,
      code: "invalid_request",
    },
    {
      name: "an empty PATCH",
      method: "PATCH",
      path: () => `/v1/tenants/${tenant.id}`,
      body: {},
      status: 400,
      code: "invalid_request",
    },
    {
      name: "an unknown status",
      method: "PATCH",
      path: () => `/v1/tenants/${tenant.id}`,
      body: { status: "paused" },
      status: 400,
      code: "invalid_request",
    },
    {
      name: "provisioning is not a status one can set",
      method: "PATCH",
      path: () => `/v1/tenants/${tenant.id}`,
      body: { status: "provisioning" },
      status: 400,
      code: "invalid_request",
    },
    {
      name: "a query parameter of the wrong type",
      method: "GET",
      path: () => "/v1/tenants?limit=lots",
      status: 400,
      code: "invalid_request",
    },
    {
      name: "an unknown query parameter",
      method: "GET",
      path: () => "/v1/tenants?sort=name",
      status: 400,
      code: "invalid_request",
    },
    {
      name: "an out-of-range limit",
      method: "GET",
      path: () => "/v1/tenants?limit=100000",
      status: 400,
      code: "invalid_request",
    },
    {
      name: "an unknown route",
      method: "GET",
      path: () => "/v1/nothing-here",
      status: 404,
      code: "not_found",
    },
    {
      name: "an unknown tenant",
      method: "PATCH",
      path: () => "/v1/tenants/ten_01JC0000000000000000000000",
      body: { name: "x" },
      status: 404,
      code: "not_found",
    },
    {
      name: "an unknown key",
      method: "DELETE",
      path: () => `/v1/tenants/${tenant.id}/api-keys/key_01JC0000000000000000000000`,
      status: 404,
      code: "not_found",
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} ${c.code}`, async () => {
      const before = await snapshot();
      const res = await stack.api(c.method, c.path(), { body: c.body, raw: c.raw, headers: c.headers });
      expect(res.status).toBe(c.status);
      expect(res.body.error.code).toBe(c.code);
      expect(res.body.error.message).toEqual(expect.any(String));
      if (c.detail) expect(res.body.error.details).toContainEqual(expect.objectContaining(c.detail));
      expect(await snapshot()).toBe(before);
    });
  }
});

describe("credentials", () => {
  const route = () => `/v1/tenants/${tenant.id}`;

  it("answers 401 missing_credentials without an Authorization header", async () => {
    const res = await stack.api("GET", route(), { token: null });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("missing_credentials");
  });

  it("answers 401 to a header that is not a bearer token", async () => {
    const res = await stack.api("GET", route(), {
      token: null,
      headers: { authorization: "Basic dXNlcjpwYXNz" },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
  });

  it("answers 401 to a wrong admin token and to an unknown sk_ key", async () => {
    const wrongAdmin = await stack.api("GET", "/v1/tenants", { token: `${stack.adminToken}x` });
    expect(wrongAdmin.status).toBe(401);
    expect(wrongAdmin.body.error.code).toBe("invalid_credentials");
    const unknown = await stack.api("GET", route(), { token: `sk_test_${"A".repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe("invalid_api_key");
  });

  it("refuses a revoked key with 401 invalid_api_key, and revoking again changes nothing", async () => {
    const spare = await stack.api("POST", `/v1/tenants/${tenant.id}/api-keys`, { body: { name: "spare" } });
    expect((await stack.api("GET", route(), { token: spare.body.key })).status).toBe(200);

    const revoked = await stack.api("DELETE", `/v1/tenants/${tenant.id}/api-keys/${spare.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const again = await stack.api("DELETE", `/v1/tenants/${tenant.id}/api-keys/${spare.body.id}`);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);

    const res = await stack.api("GET", route(), { token: spare.body.key });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_api_key");
    // The same answer as for a key that never existed: nothing tells a revoked key apart.
    const unknown = await stack.api("GET", route(), { token: `sk_test_${"B".repeat(43)}` });
    expect({ status: res.status, body: res.body, auth: res.headers.get("www-authenticate") }).toEqual({
      status: unknown.status,
      body: unknown.body,
      auth: unknown.headers.get("www-authenticate"),
    });
    // The other key is untouched.
    expect((await stack.api("GET", route(), { token: key })).status).toBe(200);
  });

  it("shows a key once, keeps only its prefix, and records when it was last used", async () => {
    expect((await stack.api("GET", route(), { token: key })).status).toBe(200);
    const list = await stack.api("GET", `/v1/tenants/${tenant.id}/api-keys`);
    const mine = list.body.data.find((k: { id: string }) => k.id === keyId);
    expect(mine.key).toBeUndefined();
    expect(key.startsWith(mine.prefix)).toBe(true);
    expect(mine.prefix).toMatch(/^sk_test_.{4}$/);
    expect(mine.last_used_at).not.toBeNull();
  });
});
