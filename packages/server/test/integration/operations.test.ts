import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINE, type Stack, startStack } from "./harness.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

describe("operations endpoints", () => {
  it("answers /healthz and /readyz without credentials", async () => {
    expect(await stack.api("GET", "/healthz", { token: null })).toMatchObject({
      status: 200,
      body: { status: "ok" },
    });
    const ready = await stack.api("GET", "/readyz", { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok" } });
  });

  it("reports not ready while a migration is pending", async () => {
    await stack.db.query("DELETE FROM schema_migrations WHERE name = '0001_foundation'");
    try {
      const res = await stack.api("GET", "/readyz", { token: null });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("not_ready");
      expect(JSON.stringify(res.body.error.details)).toContain("0001_foundation");
    } finally {
      await stack.db.query(
        "INSERT INTO schema_migrations (name, checksum) VALUES ('0001_foundation', 'restored')",
      );
    }
  });

  it("exposes Prometheus metrics with an HTTP histogram by route template, to the admin token only", async () => {
    await stack.api("GET", "/v1/tenants/ten_01JC0000000000000000000000");
    expect((await stack.api("GET", "/metrics", { token: null })).status).toBe(401);
    const res = await stack.api("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(res.body).toContain(
      'http_request_duration_seconds_count{method="GET",route="/v1/tenants/:id",status_code="404"}',
    );
    expect(res.body).toContain("process_cpu_user_seconds_total");
  });

  it("lets a scraper read /metrics with the metrics token, and nothing else with it", async () => {
    const metricsToken = "mt_0123456789abcdef0123456789abcdef";
    const scraped = await startStack({ workers: "manual", env: { SUBTEXT_METRICS_TOKEN: metricsToken } });
    try {
      expect((await scraped.api("GET", "/metrics", { token: metricsToken })).status).toBe(200);
      expect((await scraped.api("GET", "/metrics", { token: `${metricsToken}x` })).status).toBe(401);
      expect((await scraped.api("GET", "/v1/tenants", { token: metricsToken })).status).toBe(401);
    } finally {
      await scraped.close();
    }
  });

  it("serves an OpenAPI 3.1 document with a schema for every route's input and output, and the docs UI", async () => {
    const doc = (await stack.api("GET", "/openapi.json", { token: null })).body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/system",
        "/v1/tenants",
        "/v1/tenants/{id}",
        "/v1/tenants/{id}/api-keys",
        "/v1/tenants/{id}/api-keys/{key_id}",
      ]),
    );
    expect(doc.components.schemas).toHaveProperty("Error");
    expect(doc.components.schemas).toHaveProperty("Tenant");
    const create = doc.paths["/v1/tenants"].post;
    expect(create.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "400", "401"]));
    for (const [path, ops] of Object.entries<Record<string, { responses?: object }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) expect(op.responses, `${method} ${path}`).toBeTruthy();
    }
    const docs = await fetch(`${stack.url}/docs`, { redirect: "follow" });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger");
  });

  it("describes the deployment at /v1/system for the admin", async () => {
    const res = await stack.api("GET", "/v1/system");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: "sandbox",
      engine: ENGINE,
      version: expect.any(String),
      emulator_url: stack.emulator.url,
    });
  });

  it("tags every response with a request id", async () => {
    const res = await stack.api("GET", "/healthz", { token: null });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
