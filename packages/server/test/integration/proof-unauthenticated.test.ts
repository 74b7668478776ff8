/**
 * Proof that no request without credentials reaches a tenant's data, under any spelling of its
 * path. Every route of the live OpenAPI document that needs credentials is tried with a real
 * tenant's ids and no Authorization header, spelled as documented and in the ways a router may
 * still match (percent-encoded letters and digits, doubled slashes, dot segments, upper case,
 * a trailing slash…): never a 2xx, never a 5xx. The routes Twilio calls refuse unsigned
 * requests the same way, and the list of public routes is exactly what the product means.
 */
import { request as httpRequest } from "node:http";
import type { FastifyPluginAsync } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listScope } from "../../src/events/routes/scope.js";
import { subtextApp } from "../../src/app/modules.js";
import { principalOf } from "../../src/http/auth.js";
import { fixtureFor } from "../proof/isolation-params.js";
import { type Operation, fillPath, operationsOf, pathParams } from "../proof/openapi.js";
import { sample } from "../proof/schema-sample.js";
import { spellingsOf } from "../proof/spellings.js";
import { type TenantWorld, buildTenantWorld } from "../proof/tenant-world.js";
import { type Stack, startStack } from "./harness.js";

let stack: Stack;
let world: TenantWorld;
let ops: Operation[];

beforeAll(async () => {
  stack = await startStack({ workers: "manual" });
  world = await buildTenantWorld(stack, 1, "http://127.0.0.1:9/hooks");
  ops = operationsOf((await stack.api("GET", "/openapi.json", { token: null })).body);
}, 120_000);
afterAll(() => stack?.close());

/** A request sent exactly as written: no client-side normalisation of the path. */
function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const url = new URL(stack.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: payload ? { "content-type": "application/json", ...headers } : headers,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

function concrete(op: Operation): string {
  const values: Record<string, string> = {};
  for (const p of pathParams(op)) values[p.name] = fixtureFor(op.path, p.name)?.of(world) ?? "x";
  return fillPath(op.path, values);
}

describe("requests without credentials", () => {
  it("get 401 from every documented route that needs credentials, and nothing under any other spelling", async () => {
    const guarded = ops.filter((op) => op.authenticated);
    expect(guarded.length).toBeGreaterThan(80);
    const failures: string[] = [];
    for (const op of guarded) {
      const path = concrete(op);
      const body = op.body ? sample(op.body) : undefined;
      for (const spelling of spellingsOf(path)) {
        const res = await raw(op.method, spelling.path, body);
        const where = `${op.method} ${spelling.path} (${op.path}, ${spelling.how})`;
        if (res.status < 300) failures.push(`${where}: ${res.status} ${res.text.slice(0, 160)}`);
        else if (res.status >= 500) failures.push(`${where}: ${res.status} ${res.text.slice(0, 160)}`);
        else if (spelling.how === "as documented" && res.status !== 401)
          failures.push(`${where}: expected 401, got ${res.status}`);
        const leaked = world.secrets.filter((s) => s && !spelling.path.includes(s) && res.text.includes(s));
        if (leaked.length) failures.push(`${where}: the answer shows ${leaked.join(", ")}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("get nothing from the routes Twilio calls without Twilio's signature, under any spelling", async () => {
    const twilio = stack.server.app!.routeAccess.filter((r) => r.auth === "twilio" && r.method === "POST");
    expect(twilio.length).toBeGreaterThanOrEqual(6);
    const failures: string[] = [];
    for (const route of twilio) {
      const path = route.url.replace(":tenantId", world.tenantId).replace(/:(\w+)/g, "x");
      for (const spelling of spellingsOf(path)) {
        const res = await raw("POST", spelling.path, undefined, {
          "content-type": "application/x-www-form-urlencoded",
        });
        if (res.status < 300 || res.status >= 500)
          failures.push(`POST ${spelling.path} (${spelling.how}): ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("get the same refusal from the routes Twilio calls for a real tenant and for one that does not exist", async () => {
    const twilio = stack.server.app!.routeAccess.filter((r) => r.auth === "twilio" && r.method === "POST");
    const answers = async (tenantId: string) =>
      Promise.all(
        twilio.map(async (route) => {
          const path = route.url
            .replace(":tenantId", tenantId)
            .replace(":kind", "brand")
            .replace(/:(\w+)/g, "x");
          const res = await raw("POST", path, undefined, {
            "content-type": "application/x-www-form-urlencoded",
          });
          return `${route.url}: ${res.status} ${res.text}`;
        }),
      );
    expect(await answers("ten_01JC0000000000000000000000")).toEqual(await answers(world.tenantId));
  });

  it("reach only the routes that say they are public", () => {
    const open = stack.server
      .app!.routeAccess.filter((r) => r.auth === "public" && r.method !== "HEAD")
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !r.includes(" /docs"));
    expect(open.sort()).toEqual(
      [
        "GET /*",
        "GET /healthz",
        "GET /openapi.json",
        "GET /readyz",
        "GET /v1/auth/setup",
        "POST /v1/auth/bootstrap",
        "POST /v1/auth/login",
        "POST /v1/auth/logout",
        "POST /v1/auth/totp",
      ].sort(),
    );
  });

  it("get 401 from /metrics (the admin token or the metrics token reads it)", async () => {
    expect((await raw("GET", "/metrics")).status).toBe(401);
    expect((await raw("GET", "/%6detrics")).status).toBe(401);
    expect((await stack.api("GET", "/metrics", { token: world.key })).status).toBe(403);
    const res = await stack.api("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain("http_request_duration_seconds");
  });

  it("make a handler that needs a caller answer 401 rather than act for every tenant", async () => {
    // A route opened by mistake: it declares itself public but reads the caller.
    const openedByMistake: FastifyPluginAsync = async (app) => {
      app.get("/v1/mistake/scope", { config: { auth: "public" } }, async (req) => ({
        tenant: await listScope(req, stack.services, undefined),
      }));
      app.get("/v1/mistake/principal", { config: { auth: "public" } }, async (req) => principalOf(req));
    };
    const app = await subtextApp(stack.services, { extraRoutes: [openedByMistake] });
    try {
      for (const url of ["/v1/mistake/scope", "/v1/mistake/principal"]) {
        const res = await app.inject({ method: "GET", url });
        expect(res.statusCode, url).toBe(401);
        expect(res.json().error.code).toBe("missing_credentials");
      }
    } finally {
      await app.close();
    }
  });
});
